import { Checker, childPath, Field, quote, Uniques } from "./checker";
import { GcrPullSecretsArgs } from "./gcrPullSecretsArgs";

/** Namespaces that hold cluster machinery; writing pull secrets there needs an explicit opt-in. */
export const systemNamespaces: readonly string[] = ["kube-system", "kube-public", "kube-node-lease"];

/** One namespace as the component will wire it. */
export interface NamespacePlan {
    name: string;
    create: boolean;
    adopt: boolean;
    /** ServiceAccounts to patch, `default` first, each once. */
    serviceAccounts: string[];
}

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const labelRule = "lowercase letters, digits and '-', at most 63 characters, starting and ending with a letter or digit";
export const subdomainRule = "lowercase letters, digits, '-' and '.', at most 253 characters, starting and ending with a letter or digit";

export function isLabel(value: string): boolean {
    return value.length <= 63 && dns1123Label.test(value);
}

export function isSubdomain(value: string): boolean {
    return value.length <= 253 && dns1123Subdomain.test(value);
}

const namespaceFields = ["name", "create", "adopt", "serviceAccounts"] as const;

/** Checks the namespaces, and returns them sorted by name. */
export function planNamespaces(args: GcrPullSecretsArgs, checker: Checker): NamespacePlan[] {
    const allowField = checker.setting("allowSystemNamespaces", args.allowSystemNamespaces);
    const allowSystemNamespaces = checker.boolean(allowField, false);
    // A switch that cannot be read is reported on its own; whether system namespaces were meant to
    // be allowed is then unknown, so they are not also refused.
    const allowUnknown = checker.isSet(allowField) && typeof allowField.value !== "boolean" && allowField.value !== "true" && allowField.value !== "false";
    const namespacesField = checker.setting("namespaces", args.namespaces);
    const items = checker.list(namespacesField, { what: "namespaces", example: "default" });
    if (!checker.isSet(namespacesField) || items?.length === 0) {
        const example = checker.howToSet({ ...namespacesField, path: childPath(namespacesField.path, 0) }, "default");
        checker.fail(namespacesField, `${checker.isSet(namespacesField) ? "is empty" : "is not set"}; list at least one namespace, for example ${example}`);
    }

    const namespaces: NamespacePlan[] = [];
    const uniqueNames = new Uniques(checker, "namespace");
    for (const item of items ?? []) {
        const members =
            item.value !== null && typeof item.value === "object" && !Array.isArray(item.value)
                ? checker.object(item, { what: "a namespace {name, create?, adopt?, serviceAccounts?}", known: namespaceFields, example: ["name", "team-a"] })
                : undefined;
        const nameField = members ? (members.name ?? checker.child(item, "name")) : item;
        const name = checker.text(nameField, {
            what: members ? "the namespace name" : "a namespace name",
            example: "team-a",
            required: true,
        });
        const create = members?.create ? checker.boolean(members.create, false) : false;
        const adopt = members?.adopt ? checker.boolean(members.adopt, false) : false;
        const serviceAccounts = members?.serviceAccounts ? readServiceAccounts(members.serviceAccounts, checker) : ["default"];
        if (name === undefined) continue;
        if (!isLabel(name)) {
            checker.fail(nameField, `is ${quote(nameField)}, not a valid namespace name (${labelRule}); write it as \`kubectl get namespaces\` shows it`);
            continue;
        }
        if (!uniqueNames.add(name, nameField)) continue;
        if (systemNamespaces.includes(name) && !allowSystemNamespaces && !allowUnknown) {
            checker.fail(nameField, `is ${quote(nameField)}, a system namespace; remove it, or set allowSystemNamespaces: true if you really mean it`);
        }
        if (create && (name === "default" || systemNamespaces.includes(name))) {
            checker.fail(members!.create, `is true for ${quote(nameField)}, which every cluster has; ${checker.howToRemove(members!.create)}`);
        }
        namespaces.push({ name, create, adopt, serviceAccounts });
    }
    return namespaces.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The ServiceAccounts to patch in one namespace: `default` first, then the listed ones, each once. */
function readServiceAccounts(field: Field, checker: Checker): string[] {
    const serviceAccounts = ["default"];
    const unique = new Uniques(checker, "ServiceAccount");
    for (const item of checker.list(field, { what: "ServiceAccount names", example: "builder" }) ?? []) {
        const name = checker.text(item, { what: "a ServiceAccount name", example: "builder", required: true });
        if (name === undefined) continue;
        if (!isSubdomain(name)) {
            checker.fail(item, `is ${quote(item)}, not a valid ServiceAccount name (${subdomainRule}); write it as \`kubectl get serviceaccounts\` shows it`);
        } else if (unique.add(name, item) && name !== "default") {
            // `default` is always patched, first; listing it as well changes nothing.
            serviceAccounts.push(name);
        }
    }
    return serviceAccounts;
}
