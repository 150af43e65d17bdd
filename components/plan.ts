/**
 * The plan: everything the component will create, decided from checked arguments and nothing
 * created yet. validation/ makes it (one file a section); specs/ spells it out as the spec of every
 * resource. Plain data, frozen.
 */
import { JsonKeyFacts } from "./jsonKey";
import { LabelSelectorPlan } from "./labelSelector";
import { UsernameMode } from "./dockerConfig";
import { VerificationPlan } from "./validation/planVerification";

/** Everything the component will create, decided from validated arguments. Frozen. */
export interface Plan {
    credentials: CredentialPlan;
    project?: string;
    registryHosts: string[];
    repositoryGrants: RepositoryGrantPlan[];
    bucketGrants: string[];
    projectWideRead: boolean;
    /** Present for keys this program mints (a created or existing service account). */
    rotation?: RotationPlan;
    username: UsernameMode;
    secretName: string;
    /** Namespaces listed by name, sorted. */
    namespaces: NamespacePlan[];
    /** Namespaces chosen by label when the program runs. */
    namespaceSelector?: NamespaceSelectorPlan;
    serviceAccountWaitSeconds: number;
    kubeContext?: string;
    /** The cluster's name as the providers' `clusterIdentifier`: it, not the URL, says which cluster. */
    clusterIdentifier?: string;
    /** What `pulumi up` checks once the Secrets are in place (validation/planVerification.ts). */
    verification: VerificationPlan;
    /**
     * Several clusters (`clusters`), sorted by name: then the top-level namespaces are empty and
     * every cluster has its own. Absent: the one cluster of `kubeconfig` and `kubeContext`.
     */
    clusters?: FleetClusterPlan[];
}

/** Where the Google credentials come from. */
export type CredentialPlan =
    | { kind: "createServiceAccount"; accountId: string; displayName: string; description: string }
    | { kind: "existingServiceAccount"; email: string }
    /**
     * A supplied key. `facts` (whose key it is, and its id; not secret) when validation read it, from a
     * plain string; absent when it came as an Output, which the component reads once it resolves.
     */
    | { kind: "jsonKey"; facts?: JsonKeyFacts }
    | { kind: "keyless"; keyless: KeylessPlan };

/** Through which Workload Identity pool the refresher's token is exchanged. */
export type FederationPlan =
    /** This program creates the pool and an OIDC provider trusting the cluster's issuer. */
    | { kind: "createPool"; issuerUri: string; jwks?: string; poolId: string; providerId: string }
    /** A provider made elsewhere; nothing is created for it. */
    | { kind: "existingProvider"; projectNumber: string; poolId: string; providerId: string }
    /** GKE's own pool for the cluster, `<project>.svc.id.goog`. */
    | { kind: "gke"; project: string; location: string; cluster: string; projectNumber: string };

/** The keyless setup, validated. */
export interface KeylessPlan {
    federation: FederationPlan;
    /** A reader account to impersonate; undefined for direct access by the federated principal. */
    serviceAccountEmail?: string;
    /** Where the refresher runs (the stack creates this namespace). */
    namespace: string;
    /** The refresher's Kubernetes ServiceAccount, in `namespace`: the one identity Google trusts. */
    serviceAccountName: string;
    image: string;
    schedule: string;
    /** `pulumi up` waits for the first refresh to succeed (a Job run at deploy). */
    waitForFirstRun: boolean;
}

/** One Artifact Registry grant. */
export interface RepositoryGrantPlan {
    location: string;
    repository: string;
    project?: string;
}

/** Key rotation for keys this program creates. */
export interface RotationPlan {
    /** 0 when there is no scheduled rotation. */
    days: number;
    /** Index of the current rotation period; a new index replaces the key. */
    window: string;
    trigger: string;
}

/** Which ServiceAccounts of a namespace receive the Secret. */
export interface ServiceAccountCoverage {
    /** ServiceAccounts named in the config, `default` first, each once: waited for when missing. */
    serviceAccounts: string[];
    /** Also every ServiceAccount the namespace has when the program runs. */
    allServiceAccounts: boolean;
    /** Also the ServiceAccounts whose labels match, when the program runs. */
    serviceAccountSelector?: LabelSelectorPlan;
}

/** One namespace listed by name. */
export interface NamespacePlan extends ServiceAccountCoverage {
    name: string;
    create: boolean;
    adopt: boolean;
}

/** Namespaces chosen by their labels when the program runs, and how each is covered. */
export interface NamespaceSelectorPlan extends ServiceAccountCoverage {
    selector: LabelSelectorPlan;
    /** Never selected, whatever their labels. Sorted. */
    exclude: string[];
    /** Whether kube-system, kube-public and kube-node-lease may be selected (allowSystemNamespaces). */
    includeSystem: boolean;
    adopt: boolean;
}

/** One cluster of a fleet: its name, how it is reached (the kubeconfig itself is secret: not here) and what it covers. */
export interface FleetClusterPlan {
    /** Its name in the program: resource names end in `.<name>`, outputs are keyed by it. */
    name: string;
    /** A kubeconfig of its own was given (else the ambient one, at kubeContext). */
    kubeconfig: boolean;
    kubeContext?: string;
    clusterIdentifier?: string;
    /** Namespaces listed by name, sorted: its own, else the top-level ones. */
    namespaces: NamespacePlan[];
    namespaceSelector?: NamespaceSelectorPlan;
    serviceAccountWaitSeconds: number;
    /** Keyless: this cluster's issuer, as a provider in the fleet's pool. */
    federation?: FederationPlan;
}
