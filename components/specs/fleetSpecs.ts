/**
 * Several clusters (`clusters`): the Google side once, for the whole fleet (one identity, one key;
 * keyless, one pool), and in each cluster exactly what a one-cluster plan declares there (its
 * providers, keyless its provider in the pool, Namespaces, PullSecrets, the refresher), named
 * `<one-cluster name>.<cluster>`. A cluster name has no '.', so two clusters' names never meet,
 * whatever their namespaces are called; and a plan without `clusters` never comes here, so its
 * names (and URNs) stay as they were. Pure.
 */
import { FleetClusterPlan, Plan } from "../plan";
import { NamespaceTarget } from "../selectNamespaces";
import { managedKeySpecs } from "./googleSpecs";
import { keylessGoogleKeys, keylessGoogleSpecs } from "./keylessGoogleSpecs";
import { providerSpecs } from "./providerSpecs";
import { ResourceSpec, SpecContext } from "./resourceSpec";
import { specsForNamespaces } from "./resourceSpecs";

/** The one-cluster plan of a fleet's cluster: the fleet's credentials and registries, the cluster's connection and namespaces. */
export function planForCluster(plan: Plan, cluster: FleetClusterPlan): Plan {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- every cluster-side field is the cluster's
    const { clusters, namespaceSelector, kubeContext, clusterIdentifier, ...fleetWide } = plan;
    const credentials = plan.credentials;
    return {
        ...fleetWide,
        // Keyless: the cluster's own provider in the fleet's pool.
        ...(credentials.kind === "keyless" && cluster.federation
            ? { credentials: { kind: "keyless" as const, keyless: { ...credentials.keyless, federation: cluster.federation } } }
            : {}),
        namespaces: cluster.namespaces,
        ...(cluster.namespaceSelector ? { namespaceSelector: cluster.namespaceSelector } : {}),
        serviceAccountWaitSeconds: cluster.serviceAccountWaitSeconds,
        ...(cluster.kubeContext ? { kubeContext: cluster.kubeContext } : {}),
        ...(cluster.clusterIdentifier ? { clusterIdentifier: cluster.clusterIdentifier } : {}),
    };
}

/** What a cluster's specs know of where they stand: the fleet's context with the cluster's kubeconfig, and no 0.1 upgrade (a fleet never ran 0.1). */
export function clusterContext(context: SpecContext, cluster: FleetClusterPlan): SpecContext {
    return { ...context, upgradeFrom01: false, kubeconfig: cluster.kubeconfig, callersKubernetes: false };
}

/** The Pulumi name of a cluster's resource: its one-cluster name, then `.<cluster>`. */
export function clusterResourceName(name: string, cluster: string): string {
    return `${name}.${cluster}`;
}

/** A cluster's specs: names end in `.<cluster>`; keys stay (each cluster declares its own). */
export function inCluster(cluster: FleetClusterPlan, specs: readonly ResourceSpec[]): ResourceSpec[] {
    return specs.map((spec) => ({ ...spec, name: clusterResourceName(spec.name, cluster.name) }));
}

/**
 * The fleet's Google side, declared once: a minted key's account, grants and key (none for a
 * supplied key); keyless, the pool, the impersonation and the grants. In one pool the refresher's
 * principal is the same for every cluster (the pool's, for the one ServiceAccount subject), so one
 * set of grants serves them all; only the providers are per cluster.
 */
export function fleetSpecs(plan: Plan, context: SpecContext): ResourceSpec[] {
    const first = plan.clusters?.[0];
    const keyless = plan.credentials.kind === "keyless" && first ? keylessGoogleSpecs(planForCluster(plan, first), context).specs : [];
    return [...managedKeySpecs(plan, context), ...keyless.filter((spec) => spec.key !== keylessGoogleKeys.poolProvider)];
}

/**
 * What a cluster declares whatever its namespaces: its `gcr-pull-secrets` provider, its cluster
 * reader when it reads the cluster, and keyless, its provider in the fleet's pool.
 */
export function clusterSpecsBeforeNamespaces(plan: Plan, cluster: FleetClusterPlan, context: SpecContext): ResourceSpec[] {
    const clusterPlan = planForCluster(plan, cluster);
    const own = clusterContext(context, cluster);
    const poolProvider =
        plan.credentials.kind === "keyless" ? keylessGoogleSpecs(clusterPlan, own).specs.filter((spec) => spec.key === keylessGoogleKeys.poolProvider) : [];
    return inCluster(cluster, [...providerSpecs(clusterPlan, own), ...poolProvider]);
}

/** What the namespaces this run covers in a cluster get (keyless: with the refresher, which trusts the cluster's provider). */
export function clusterSpecsForNamespaces(plan: Plan, cluster: FleetClusterPlan, context: SpecContext, targets: readonly NamespaceTarget[]): ResourceSpec[] {
    return inCluster(cluster, specsForNamespaces(planForCluster(plan, cluster), clusterContext(context, cluster), targets));
}
