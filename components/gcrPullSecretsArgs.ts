import * as pulumi from "@pulumi/pulumi";
import type { ClusterArgs } from "./clusterArgs";
import { UsernameMode } from "./dockerConfig";
import { LabelSelectorArgs } from "./labelSelector";

/** Which ServiceAccounts of a namespace receive the Secret, besides `default` (always). */
export interface ServiceAccountCoverageArgs {
    /**
     * More ServiceAccounts, by name, to receive the Secret in `imagePullSecrets`; one that does not
     * exist yet is waited for (serviceAccountWaitSeconds). Default: none.
     */
    serviceAccounts?: string[];
    /**
     * Every ServiceAccount the namespace has when the program runs (`pulumi preview` or `up`); one
     * made later is covered by the next `pulumi up`. Default: false.
     */
    allServiceAccounts?: boolean;
    /**
     * The ServiceAccounts whose labels match this selector when the program runs; one labelled later
     * is covered by the next `pulumi up`. Default: none.
     */
    serviceAccountSelector?: LabelSelectorArgs;
}

/** A namespace that receives the pull Secret, with per-namespace options. */
export interface NamespaceArgs extends ServiceAccountCoverageArgs {
    /** The namespace name (a DNS-1123 label). Required. */
    name: string;
    /** Create the namespace if this stack should own it. Default: false (it must already exist). */
    create?: boolean;
    /**
     * Take over a Secret of the same name that already exists in the namespace (for example one made
     * with `kubectl create secret docker-registry`), updating it in place so pods never lose it.
     * Default: false, and then an existing Secret of that name stops the update with an error.
     */
    adopt?: boolean;
}

/**
 * Namespaces chosen by their labels, read from the cluster each time the program runs, so a
 * `pulumi preview` shows which namespaces an update adds or drops. A label selector, plus the
 * options every namespace it selects gets.
 */
export interface NamespaceSelectorArgs extends LabelSelectorArgs, ServiceAccountCoverageArgs {
    /** Take over an existing Secret of the same name in a selected namespace (see {@link NamespaceArgs.adopt}). Default: false. */
    adopt?: boolean;
}

/** A Google service account this program creates for pulling images. */
export interface ServiceAccountArgs {
    /** The account id, the part before `@` (6-30 chars: lowercase letters, digits, hyphens). Required. */
    accountId: string;
    /** Display name in the Google console. Default: "Image pull (gcr-pull-secrets)". */
    displayName?: string;
    /** Description in the Google console. Default: a note naming this program. */
    description?: string;
}

/** An Artifact Registry repository the service account may read. */
export interface ArtifactRegistryRepositoryArgs {
    /** Repository location: a region such as `europe-west1`, or `us`, `europe`, `asia`. Required. */
    location: string;
    /** Repository id (for gcr.io hosted on Artifact Registry: `gcr.io`, `asia.gcr.io`, ...). Required. */
    repository: string;
    /** Project of the repository. Default: `project`, else the Google provider's project. */
    project?: string;
}

/**
 * Keyless mode: no key exists anywhere. A small refresher in the cluster exchanges its own
 * ServiceAccount token at Google STS (Workload Identity Federation) for a one-hour access token,
 * every `schedule`, and writes it into each namespace's pull Secret. Exactly one of `issuerUri`,
 * `workloadIdentityProvider` and `gkeCluster` says which federation the exchange goes through.
 */
export interface KeylessArgs {
    /**
     * Create a Workload Identity Pool and an OIDC provider in it that trust this ServiceAccount token
     * issuer (`kubectl get --raw /.well-known/openid-configuration` shows it as `issuer`). Default: none.
     */
    issuerUri?: string;
    /**
     * The issuer's JSON Web Key Set as text (`kubectl get --raw /openid/v1/jwks`), inlined in the
     * provider so Google need not fetch it: required when the issuer is not reachable from the
     * internet. Only with `issuerUri`. Default: none (Google fetches the keys from the issuer).
     */
    jwks?: string;
    /** Id of the pool to create (4-32 lowercase letters, digits, '-'). Only with `issuerUri`. Default: `gcr-pull-secrets`. */
    poolId?: string;
    /** Id of the provider to create in it (4-32 lowercase letters, digits, '-'). Only with `issuerUri`. Default: `kubernetes`. */
    providerId?: string;
    /**
     * An existing pool provider that trusts this cluster, made outside this program:
     * `projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER`. Nothing is
     * created for the pool, and registry grants become optional (they may be made elsewhere). Default: none.
     */
    workloadIdentityProvider?: string;
    /**
     * GKE with Workload Identity: the cluster's full name, `projects/PROJECT/locations/LOCATION/clusters/NAME`.
     * The exchange goes through the cluster's own pool, `PROJECT.svc.id.goog`; nothing is created for it. Default: none.
     */
    gkeCluster?: string;
    /** The number of the project that holds the cluster's pool (`gcloud projects describe PROJECT`). Required with `gkeCluster`, refused otherwise. */
    projectNumber?: string;
    /**
     * Impersonate this service account (granted the registry reads) instead of granting them to the
     * refresher's federated principal directly; the principal gets `roles/iam.workloadIdentityUser` on it.
     * Default: none (direct access).
     */
    serviceAccountEmail?: string;
    /** Namespace the refresher runs in; the stack creates it. Default: `gcr-pull-secrets-refresher`. */
    namespace?: string;
    /**
     * Container image of the refresher: any image with Node.js 18 or newer as `node`, as an image
     * reference (`NAME[:TAG][@sha256:DIGEST]`; pin it by digest). Default: `node:22-alpine` pinned by
     * digest (`defaultRefresherImage`; docs/keyless.md says how to update it).
     */
    image?: string;
    /** When the refresher runs, as a cron schedule; access tokens live one hour. Default: every 30 minutes, `*\/30 * * * *`. */
    schedule?: string;
    /**
     * `pulumi up` waits (up to 5 minutes) for the first refresh, run as a Job at deploy, so pods can
     * pull once it ends; a failed first refresh fails the update. Default: true. Set false only for
     * clusters that run no pods (a bare control plane).
     */
    waitForFirstRun?: boolean;
}

/**
 * The inputs of {@link GcrPullSecrets}.
 *
 * Everything that decides which resources exist (namespaces, hosts, credential source, grants) is a
 * plain value rather than a `pulumi.Input`: Pulumi needs resource names when they are registered, and
 * checking plain values lets every mistake be reported at once before any resource is declared.
 */
export interface GcrPullSecretsArgs {
    /** Create this Google service account and a key for it. Exactly one credential source must be set. */
    serviceAccount?: ServiceAccountArgs;
    /** Use this existing service account (by email) and only mint a key for it. Exactly one credential source must be set. */
    existingServiceAccountEmail?: string;
    /**
     * An existing JSON key (the key file's text, or that text base64-encoded); no Google resources are
     * made. Keep it secret: pass `pulumi.secret(...)` or a secret config value. Exactly one
     * credential source must be set.
     * @secret
     */
    jsonKey?: pulumi.Input<string>;
    /**
     * No key at all: short-lived tokens through Workload Identity Federation, refreshed in the cluster
     * (see {@link KeylessArgs}). Exactly one credential source must be set.
     */
    keyless?: KeylessArgs;
    /** Google project for the created service account and grants. Default: the Google provider's project (`gcp:project`). */
    project?: string;
    /** Registry hosts the Secret covers (`gcr.io`, `asia.gcr.io`, `<location>-docker.pkg.dev`, ...). Required, at least one. */
    registries: string[];
    /** Artifact Registry repositories to grant `roles/artifactregistry.reader` on. Default: none. */
    artifactRegistryRepositories?: ArtifactRegistryRepositoryArgs[];
    /** Legacy Container Registry buckets to grant `roles/storage.objectViewer` on. Default: none. */
    gcrBuckets?: string[];
    /** Grant `roles/artifactregistry.reader` on the whole project. Default: false (least privilege). */
    projectWideRead?: boolean;
    /** Replace the key every this many days (0: never on a schedule). Default: 90. Only for keys this program creates. */
    rotationDays?: number;
    /** Any value; changing it replaces the key at the next update. Default: "". Only for keys this program creates. */
    rotationTrigger?: string;
    /** Docker username mode. Default: `_json_key`. */
    username?: UsernameMode;
    /** Name of the Secret in each namespace. Default: `regcred`. */
    secretName?: string;
    /**
     * Namespaces that receive the Secret: names, or {@link NamespaceArgs} (in languages other than
     * TypeScript, always the object form: `{ name }`). Required, at least one, unless
     * namespaceSelector is set.
     */
    namespaces?: (string | NamespaceArgs)[];
    /**
     * Also every namespace whose labels match this selector when the program runs, except those in
     * excludeNamespaces, system namespaces (unless allowSystemNamespaces) and namespaces being
     * deleted. An empty selector (`{}`) matches every namespace. A namespace also listed in
     * `namespaces` gets the options of its entry there. Default: none.
     */
    namespaceSelector?: NamespaceSelectorArgs;
    /** Namespaces namespaceSelector never selects, whatever their labels. Default: none. */
    excludeNamespaces?: string[];
    /** Allow kube-system, kube-public and kube-node-lease, listed by name or selected. Default: false. */
    allowSystemNamespaces?: boolean;
    /** How long to wait for a ServiceAccount to appear (the `default` one of a new namespace is made by a controller). Default: 60. */
    serviceAccountWaitSeconds?: number;
    /**
     * The cluster, as the text of a kubeconfig file. Every object the component touches (Namespaces,
     * Secrets, ServiceAccount entries) goes through it. Keep it secret: pass `pulumi.secret(...)` or a
     * secret config value. Required when a Kubernetes provider is passed in `opts`. Default: the
     * ambient kubeconfig (`KUBECONFIG`, else `~/.kube/config`).
     * @secret
     */
    kubeconfig?: pulumi.Input<string>;
    /** Context of the kubeconfig to use. Default: its current context. */
    kubeContext?: string;
    /**
     * A name of your choosing for the cluster, passed to this package's provider and to the Kubernetes
     * provider (their `clusterIdentifier`). While it stays the same, a kubeconfig pointing at another
     * URL (a new endpoint, DNS name or load balancer of the same cluster) updates the providers in
     * place; changing it replaces every pull Secret into the cluster it now names. Without it, a new
     * API server URL is taken for a new cluster (everything replaced). Default: none.
     */
    clusterIdentifier?: string;
    /**
     * After `pulumi up` has written the Secrets, ask the API server whether a pod would get ours: per
     * namespace and covered ServiceAccount, a server-side dry-run Pod (nothing is created) naming no
     * pull secrets must come back admitted with the Secret in `imagePullSecrets`. Each problem (an
     * admission webhook or policy removed it, a pod was refused, no permission to `create pods`) is a
     * warning, never a failure; the results are in the `pullAccess` output. Not run by `pulumi preview`.
     * Default: true.
     */
    verifyPullAccess?: boolean;
    /**
     * Repositories (`host/project/repository`, on a host of `registries`) that `pulumi up` checks each
     * namespace's credential can pull from, by asking the registry's token endpoint for pull access;
     * denied ones are warnings and show in the `pullAccess` output. Default: none (no check).
     */
    verifyRepositories?: string[];
    /**
     * Several clusters from one program: each by name, with its own kubeconfig or context, and
     * optionally its own namespaces, selector and ServiceAccount options (the top-level ones are the
     * defaults). Every cluster gets its own providers; one Google identity serves them all. Not with
     * the top-level kubeconfig, kubeContext or clusterIdentifier (each cluster has its own). Default:
     * none (one cluster: kubeconfig and kubeContext). See docs/fleets.md.
     */
    clusters?: ClusterArgs[];
    /**
     * Upgrade a stack deployed with 0.1 of this project's program in place: the component's provider
     * takes over the stack's default `pulumi-nodejs` provider (alias), so 0.1's dynamic resources are
     * retired by this package without losing an entry. Set by this repository's `index.ts`; leave it
     * off in a program that has dynamic resources of its own (the alias would claim their provider).
     * Default: false.
     * @typescriptOnly Only this repository's own stack was ever deployed with 0.1.
     */
    upgradeFrom01?: boolean;
}
