/**
 * The fleet section: several clusters (`clusters`), each by name with its own connection and,
 * optionally, its own namespaces and ServiceAccount options; the top-level values are every
 * cluster's defaults. A cluster's namespaces are checked exactly as the top-level ones
 * (planNamespaces, planCluster), with the paths of the values the cluster sets itself.
 */
import { GcrPullSecretsArgs } from "../gcrPullSecretsArgs";
import { FleetClusterPlan } from "../plan";
import { Checker, childPath, isEventual, quote } from "./checker";
import { looksLikeKubeconfig, planCluster } from "./planCluster";
import { planNamespaces } from "./planNamespaces";
import { Uniques } from "./uniques";

/** Top-level settings a cluster may set for itself. */
export const clusterOverrides = ["namespaces", "namespaceSelector", "excludeNamespaces", "allowSystemNamespaces", "serviceAccountWaitSeconds"] as const;
const clusterFields = ["name", "kubeconfig", "kubeContext", "clusterIdentifier", ...clusterOverrides] as const;
/** What says which one cluster a stack without `clusters` reaches: each cluster has its own instead. */
const singleClusterSettings = ["kubeconfig", "kubeContext", "clusterIdentifier"] as const;

// It ends resource names (`<name>.<cluster>`) and may make a pool provider's id (4-32 of [a-z0-9-]):
// no '.', so no two clusters' names can meet; at most 32 characters.
const clusterNamePattern = /^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$/;
export const clusterNameRule = "1-32 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit";

/**
 * Checks `clusters`; undefined when it is not set (one cluster, planCluster's). Every cluster's
 * namespaces are checked with the top-level ones as defaults; a problem of a default is reported once.
 */
export function planClusters(args: GcrPullSecretsArgs, checker: Checker, refresherNamespace?: string): FleetClusterPlan[] | undefined {
    const setting = checker.setting("clusters", args.clusters);
    if (!checker.isSet(setting)) return undefined;
    for (const name of singleClusterSettings) {
        const single = checker.setting(name, args[name]);
        if (!checker.isSet(single)) continue;
        checker.fail(
            single,
            `is set together with ${checker.shortPath(setting)}, where each cluster names its own; ` +
                `move it into each cluster's entry (${checker.shortPath(setting)}[N].${name}) and ${checker.howToRemove(single)}`,
        );
    }
    const keyless = checker.setting("keyless", args.keyless);
    if (checker.isSet(keyless)) {
        checker.fail(
            keyless,
            `is set together with ${checker.shortPath(setting)}; keyless mode reaches one cluster per stack for now (docs/fleets.md): ` +
                "run a stack per cluster, or use serviceAccount, existingServiceAccountEmail or jsonKey for the fleet",
        );
    }
    if (setting.unavailable || isEventual(setting.value)) return []; // unreadable offline, or an Output (refused by checkArgs)
    // Pulumi hands the whole value over as a secret once one kubeconfig in it is encrypted: then
    // nothing in it is quoted, not even a field's name (the program cannot tell which leaf was the
    // secret). A kubeconfig is never quoted, whatever else is.
    const field = setting;
    if (!Array.isArray(field.value)) {
        checker.fail(
            field,
            `must be a list of clusters {name, kubeconfig | kubeContext, ...}, not ${field.value === "" ? "empty text" : "one value"}; ` +
                `set each cluster's fields with ${checker.howToSet({ ...field, path: childPath(childPath(field.path, 0), "name") }, "prod-eu")}, then [1], [2], ...`,
        );
        return undefined;
    }
    if (field.value.length === 0) {
        checker.fail(field, `is empty; list at least one cluster, or ${checker.howToRemove(field)} to reach the one cluster of kubeconfig and kubeContext`);
        return undefined;
    }

    const names = new Uniques(checker, "cluster");
    const clusters: FleetClusterPlan[] = [];
    field.value.forEach((_, index) => {
        const item = checker.child(field, index);
        const members = checker.object(item, {
            what: "a cluster {name, kubeconfig | kubeContext, namespaces?, ...}",
            known: clusterFields,
            example: ["name", "prod-eu"],
        });
        if (!members) return;
        const before = checker.problems.length;

        const nameField = members.name ?? checker.child(item, "name");
        const name = checker.text(nameField, { what: "the cluster's name", example: "prod-eu", required: true });
        if (name !== undefined && !clusterNamePattern.test(name)) {
            checker.fail(nameField, `is ${quote(nameField)}, not a valid cluster name (${clusterNameRule}); resource names and outputs are keyed by it`);
        } else if (name !== undefined) {
            names.add(name, nameField);
        }

        const kubeconfig = members.kubeconfig ? { ...members.kubeconfig, secret: true } : undefined;
        if (kubeconfig && checker.forStackConfig && !setting.secret) {
            // The value is never repeated: it sits in plaintext in the stack file already.
            checker.fail(
                kubeconfig,
                `is stored in plaintext in the stack file; set it again encrypted with \`pulumi config set --secret --path '${kubeconfig.path}' < kubeconfig.yaml\` and remove the plaintext from your history`,
            );
        } else if (kubeconfig && !isEventual(kubeconfig.value)) {
            const fromFile = `\`pulumi config set --secret --path '${kubeconfig.path}' < kubeconfig.yaml\``;
            const text = checker.text(kubeconfig, {
                what: "the text of a kubeconfig file",
                example: "< kubeconfig.yaml",
                emptyFix: checker.forStackConfig ? `set it from the file (${fromFile})` : "pass the text of a kubeconfig file",
            });
            if (text !== undefined && !looksLikeKubeconfig(text)) {
                checker.fail(kubeconfig, `is not a kubeconfig: it has no clusters section; ${checker.forStackConfig ? `set it from the file (${fromFile})` : "pass the text of a kubeconfig file"}`);
            }
        }
        const kubeContext = members.kubeContext
            ? checker.text(members.kubeContext, { what: "a context name from the kubeconfig", example: "prod-eu" })
            : undefined;
        const clusterIdentifier = members.clusterIdentifier
            ? checker.text(members.clusterIdentifier, { what: "a name for the cluster that stays the same when its URL changes", example: "prod-europe-west1" })
            : undefined;
        if (!members.kubeconfig && !members.kubeContext) {
            checker.fail(
                item,
                `names no way to reach the cluster; set its kubeconfig (${checker.forStackConfig ? `\`pulumi config set --secret --path '${childPath(item.path, "kubeconfig")}' < kubeconfig.yaml\`` : "the text of a kubeconfig file"}), ` +
                    `or kubeContext, a context of the ambient kubeconfig (${checker.howToSet(checker.child(item, "kubeContext"), "prod-eu")})`,
            );
        }

        // The cluster's own values replace the top-level ones, one setting at a time.
        const paths: Record<string, string> = {};
        const merged: Record<string, unknown> = { ...args, kubeconfig: undefined, kubeContext: undefined, clusterIdentifier: undefined };
        for (const key of clusterOverrides) {
            if (!members[key]) continue;
            paths[key] = members[key].path;
            merged[key] = members[key].value;
        }
        if (!checker.isSet(checker.setting("namespaces", args.namespaces)) && !checker.isSet(checker.setting("namespaceSelector", args.namespaceSelector))) {
            // No default: a cluster without namespaces of its own is told so at its own path.
            paths.namespaces ??= childPath(item.path, "namespaces");
            paths.namespaceSelector ??= childPath(item.path, "namespaceSelector");
        }
        const scoped = checker.withSettingPaths(paths, field.secret ? Object.keys(paths) : []);
        const coverage = planNamespaces(merged as unknown as GcrPullSecretsArgs, scoped, refresherNamespace);
        const { serviceAccountWaitSeconds } = planCluster(merged as unknown as GcrPullSecretsArgs, scoped);
        checker.adopt(scoped);

        if (name === undefined || checker.problems.length > before) return;
        clusters.push({
            name,
            kubeconfig: kubeconfig !== undefined,
            ...(kubeContext ? { kubeContext } : {}),
            ...(clusterIdentifier ? { clusterIdentifier } : {}),
            ...coverage,
            serviceAccountWaitSeconds,
        });
    });
    return clusters.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
