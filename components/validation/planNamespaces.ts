/**
 * The namespaces section: the namespaces listed by name, the namespace selector and its
 * exclusions, the ServiceAccounts each covers, and system namespaces (`allowSystemNamespaces`).
 */
import { Checker, childPath, Field, quote } from "./checker";
import { Uniques } from "./uniques";
import { systemNamespaces } from "../contract";
import { GcrPullSecretsArgs } from "../gcrPullSecretsArgs";
import { LabelSelectorPlan } from "../labelSelector";
import { NamespacePlan, NamespaceSelectorPlan, ServiceAccountCoverage } from "../plan";
import { readLabelSelector, selectorFields } from "./readLabelSelector";

/** The namespaces part of the plan. */
export interface NamespacesPlan {
    /** The namespaces listed by name, sorted. */
    namespaces: NamespacePlan[];
    namespaceSelector?: NamespaceSelectorPlan;
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

const coverageFields = ["serviceAccounts", "allServiceAccounts", "serviceAccountSelector"] as const;
const namespaceFields = ["name", "create", "adopt", ...coverageFields] as const;
const namespaceSelectorFields = [...selectorFields, "adopt", ...coverageFields] as const;

/**
 * Checks the namespaces listed by name (sorted) and the namespace selector. `refresherNamespace`
 * (keyless mode) is the stack's own: never listed, never selected.
 */
export function planNamespaces(args: GcrPullSecretsArgs, checker: Checker, refresherNamespace?: string): NamespacesPlan {
    const allowField = checker.setting("allowSystemNamespaces", args.allowSystemNamespaces);
    const allowSystemNamespaces = checker.boolean(allowField, false);
    // A switch that cannot be read is reported on its own; whether system namespaces were meant to
    // be allowed is then unknown, so they are not also refused.
    const allowUnknown = checker.isSet(allowField) && typeof allowField.value !== "boolean" && allowField.value !== "true" && allowField.value !== "false";
    const selectorField = checker.setting("namespaceSelector", args.namespaceSelector);
    const namespacesField = checker.setting("namespaces", args.namespaces);
    const items = checker.list(namespacesField, { what: "namespaces", example: "default" });
    if (!checker.isSet(selectorField) && (!checker.isSet(namespacesField) || items?.length === 0)) {
        const example = checker.howToSet({ ...namespacesField, path: childPath(namespacesField.path, 0) }, "default");
        checker.fail(
            namespacesField,
            `${checker.isSet(namespacesField) ? "is empty" : "is not set"}; list at least one namespace, for example ${example}, or choose namespaces by label with ${checker.shortPath(selectorField)}`,
        );
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
        const coverage = readCoverage(members ?? {}, checker);
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
        namespaces.push({ name, create, adopt, ...coverage });
    }
    namespaces.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const namespaceSelector = readNamespaceSelector(args, checker, selectorField, namespaces, allowSystemNamespaces);
    if (refresherNamespace !== undefined && namespaces.some((ns) => ns.name === refresherNamespace)) {
        checker.fail(
            checker.child(checker.setting("keyless", args.keyless), "namespace"),
            `is "${refresherNamespace}", which is also listed in namespaces; the refresher needs a namespace of its own (the stack creates it), so choose another name`,
        );
    }
    if (refresherNamespace !== undefined && namespaceSelector) {
        // Selecting it would give the refresher's namespace a pull Secret that the refresher itself keeps.
        namespaceSelector.exclude.push(refresherNamespace);
        namespaceSelector.exclude.sort();
    }
    return { namespaces, ...(namespaceSelector ? { namespaceSelector } : {}) };
}

/** The namespace selector and its exclusions; undefined when not set (or when it has a problem). */
function readNamespaceSelector(
    args: GcrPullSecretsArgs,
    checker: Checker,
    selectorField: Field,
    listed: NamespacePlan[],
    includeSystem: boolean,
): NamespaceSelectorPlan | undefined {
    const excludeField = checker.setting("excludeNamespaces", args.excludeNamespaces);
    const members = checker.object(selectorField, {
        what: "a label selector {matchLabels?, matchExpressions?} with the options of the namespaces it selects",
        known: namespaceSelectorFields,
        example: ["matchLabels.team", "team-a"],
    });
    if (checker.isSet(excludeField) && !checker.isSet(selectorField)) {
        checker.fail(
            excludeField,
            `applies only to namespaces chosen by ${checker.shortPath(selectorField)}, which is not set; ` +
                `${checker.howToRemove(excludeField)} and remove the namespaces from ${checker.shortPath(checker.setting("namespaces", undefined))} instead`,
        );
    }
    const exclude: string[] = [];
    for (const { name, item } of readNames(excludeField, checker, excludedNamespaceNames)) {
        if (listed.some((namespace) => namespace.name === name)) {
            checker.fail(item, `is ${quote(item)}, which namespaces also lists; a listed namespace is always covered, so remove it from one of the two`);
        }
        exclude.push(name);
    }
    if (!members) return undefined;
    const before = checker.problems.length;
    const selector = readLabelSelector(members, checker);
    const adopt = members.adopt ? checker.boolean(members.adopt, false) : false;
    const coverage = readCoverage(members, checker);
    if (!selector || checker.problems.length > before) return undefined;
    return { selector, exclude: exclude.sort(), includeSystem, adopt, ...coverage };
}

/** The ServiceAccounts an entry covers: named ones (always `default`), all, or by label. */
function readCoverage(members: Record<string, Field>, checker: Checker): ServiceAccountCoverage {
    const serviceAccounts = members.serviceAccounts ? readServiceAccounts(members.serviceAccounts, checker) : ["default"];
    const allServiceAccounts = members.allServiceAccounts ? checker.boolean(members.allServiceAccounts, false) : false;
    let serviceAccountSelector: LabelSelectorPlan | undefined;
    const selectorField = members.serviceAccountSelector;
    if (selectorField && checker.isSet(selectorField)) {
        const selectorMembers = checker.object(selectorField, {
            what: "a label selector {matchLabels?, matchExpressions?}",
            known: selectorFields,
            example: ["matchLabels.pulls-images", "true"],
        });
        if (selectorMembers) serviceAccountSelector = readLabelSelector(selectorMembers, checker);
        if (allServiceAccounts) {
            checker.fail(selectorField, `is set together with allServiceAccounts: true, which already covers every ServiceAccount; keep one of the two`);
        }
    }
    return { serviceAccounts, allServiceAccounts, ...(serviceAccountSelector ? { serviceAccountSelector } : {}) };
}

/** The ServiceAccounts to patch in one namespace: `default` first, then the listed ones, each once. */
function readServiceAccounts(field: Field, checker: Checker): string[] {
    // `default` is always patched, first; listing it as well changes nothing.
    const listed = readNames(field, checker, serviceAccountNames).map(({ name }) => name);
    return ["default", ...listed.filter((name) => name !== "default")];
}

/** A list of object names of one kind: how to check one and how to word its problems. */
interface NameKind {
    /** For "list each <unique> once". */
    unique: string;
    /** "namespace" or "ServiceAccount", for "a <what> name". */
    what: string;
    example: string;
    isValid(name: string): boolean;
    rule: string;
    /** The `kubectl get` resource that shows such names. */
    kubectlResource: string;
}

const excludedNamespaceNames: NameKind = {
    unique: "excluded namespace",
    what: "namespace",
    example: "sandbox",
    isValid: isLabel,
    rule: labelRule,
    kubectlResource: "namespaces",
};
const serviceAccountNames: NameKind = {
    unique: "ServiceAccount",
    what: "ServiceAccount",
    example: "builder",
    isValid: isSubdomain,
    rule: subdomainRule,
    kubectlResource: "serviceaccounts",
};

/** The valid names of a list, each once, with the field each came from; every other item is reported. */
function readNames(field: Field, checker: Checker, kind: NameKind): { name: string; item: Field }[] {
    const names: { name: string; item: Field }[] = [];
    const unique = new Uniques(checker, kind.unique);
    for (const item of checker.list(field, { what: `${kind.what} names`, example: kind.example }) ?? []) {
        const name = checker.text(item, { what: `a ${kind.what} name`, example: kind.example, required: true });
        if (name === undefined) continue;
        if (!kind.isValid(name)) {
            checker.fail(item, `is ${quote(item)}, not a valid ${kind.what} name (${kind.rule}); write it as \`kubectl get ${kind.kubectlResource}\` shows it`);
        } else if (unique.add(name, item)) {
            names.push({ name, item });
        }
    }
    return names;
}
