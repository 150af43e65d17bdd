/**
 * From the plan and what the cluster has to the namespaces that get a pull Secret, and the
 * ServiceAccounts in each: pure, so the choice is tested without Pulumi or a cluster. The cluster
 * is read once per run through the provider's `listNamespaces` function (provider/clusterInventory.ts).
 */
import { matchesLabels } from "./labelSelector";
import { systemNamespaces } from "./contract";
import { NamespacePlan, NamespaceSelectorPlan, ServiceAccountCoverage } from "./plan";

/** A ServiceAccount as the cluster has it. */
export interface ClusterServiceAccount {
    name: string;
    labels: Record<string, string>;
}

/** A namespace as the cluster has it. */
export interface ClusterNamespace {
    name: string;
    labels: Record<string, string>;
    /** Being deleted: a Secret can no longer be created there. */
    terminating: boolean;
    /** Its ServiceAccounts; present when they were asked for. */
    serviceAccounts?: ClusterServiceAccount[];
}

/** One namespace's pull Secret as the component wires it. */
export interface NamespaceTarget {
    name: string;
    create: boolean;
    adopt: boolean;
    /** ServiceAccounts to patch: `default` first, then those named, then those found, each once. */
    serviceAccounts: string[];
    /** The found ones: covered because they exist, so one deleted before the write is skipped rather than waited for. */
    foundServiceAccounts: string[];
    /** Chosen by namespaceSelector rather than listed by name. */
    selected: boolean;
}

/** The parts of the plan that decide the namespaces. */
export interface NamespaceChoice {
    namespaces: readonly NamespacePlan[];
    namespaceSelector?: NamespaceSelectorPlan;
}

/** What must be read from the cluster for this choice, or undefined when nothing needs it. */
export function clusterLookups(choice: NamespaceChoice): { serviceAccounts: boolean } | undefined {
    const expands = (coverage: ServiceAccountCoverage) => coverage.allServiceAccounts || coverage.serviceAccountSelector !== undefined;
    const serviceAccounts = choice.namespaces.some(expands) || (choice.namespaceSelector !== undefined && expands(choice.namespaceSelector));
    return choice.namespaceSelector !== undefined || serviceAccounts ? { serviceAccounts } : undefined;
}

/** The namespaces the selector picks from the cluster (listed ones excluded: their entries decide). */
export function selectedNamespaces(selection: NamespaceSelectorPlan, cluster: readonly ClusterNamespace[], listed: ReadonlySet<string>): ClusterNamespace[] {
    return cluster.filter(
        (namespace) =>
            !listed.has(namespace.name) &&
            !namespace.terminating &&
            !selection.exclude.includes(namespace.name) &&
            (selection.includeSystem || !systemNamespaces.includes(namespace.name)) &&
            matchesLabels(selection.selector, namespace.labels),
    );
}

/**
 * Every namespace that gets a pull Secret, sorted by name. Without `cluster` (it could not be read:
 * see {@link clusterLookups}), only the listed namespaces and their named ServiceAccounts.
 */
export function resolveNamespaces(choice: NamespaceChoice, cluster?: readonly ClusterNamespace[]): NamespaceTarget[] {
    const found = new Map((cluster ?? []).map((namespace) => [namespace.name, namespace]));
    const targets: NamespaceTarget[] = choice.namespaces.map((namespace) => ({
        name: namespace.name,
        create: namespace.create,
        adopt: namespace.adopt,
        ...coveredServiceAccounts(namespace, found.get(namespace.name)),
        selected: false,
    }));
    if (choice.namespaceSelector && cluster) {
        const selection = choice.namespaceSelector;
        const listed = new Set(choice.namespaces.map((namespace) => namespace.name));
        for (const namespace of selectedNamespaces(selection, cluster, listed)) {
            targets.push({
                name: namespace.name,
                create: false,
                adopt: selection.adopt,
                ...coveredServiceAccounts(selection, namespace),
                selected: true,
            });
        }
    }
    return targets.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The named ServiceAccounts in their order (the order earlier versions stored, so an unchanged
 * config diffs as unchanged), then the ones found by `allServiceAccounts` or the selector, sorted.
 */
function coveredServiceAccounts(
    coverage: ServiceAccountCoverage,
    namespace: ClusterNamespace | undefined,
): Pick<NamespaceTarget, "serviceAccounts" | "foundServiceAccounts"> {
    const names = [...coverage.serviceAccounts];
    const found = (namespace?.serviceAccounts ?? [])
        .filter(
            (account) =>
                coverage.allServiceAccounts ||
                (coverage.serviceAccountSelector !== undefined && matchesLabels(coverage.serviceAccountSelector, account.labels)),
        )
        .map((account) => account.name)
        .filter((name) => !names.includes(name))
        .sort();
    return { serviceAccounts: [...names, ...found], foundServiceAccounts: found };
}
