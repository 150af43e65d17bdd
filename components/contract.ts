/**
 * Names shared by the component, the provider plugin, the policy pack, tests and tools: type
 * tokens, annotation keys, labels, IAM roles and system namespaces. Change one here and every user
 * of it follows.
 */

/** The Pulumi package name: provider plugin `pulumi-resource-gcr-pull-secrets`, type tokens `gcr-pull-secrets:...`. */
export const packageName = "gcr-pull-secrets";

/** Type tokens of the package's resources. */
export const types = {
    component: `${packageName}:index:GcrPullSecrets`,
    /** One namespace's pull Secret and its entries in that namespace's ServiceAccounts. */
    pullSecret: `${packageName}:index:PullSecret`,
    /** The stack's random identity: one per stack, whatever its components (components/stackIdentity.ts). */
    stackIdentity: `${packageName}:index:StackIdentity`,
} as const;

/** Type tokens of the other packages' resources the component declares (and the policy pack judges). */
export const foreignTypes = {
    kubernetesProvider: "pulumi:providers:kubernetes",
    provider: `pulumi:providers:${packageName}`,
    namespace: "kubernetes:core/v1:Namespace",
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    configMap: "kubernetes:core/v1:ConfigMap",
    role: "kubernetes:rbac.authorization.k8s.io/v1:Role",
    roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    cronJob: "kubernetes:batch/v1:CronJob",
    job: "kubernetes:batch/v1:Job",
    account: "gcp:serviceaccount/account:Account",
    key: "gcp:serviceaccount/key:Key",
    repositoryIamMember: "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
    bucketIamMember: "gcp:storage/bucketIAMMember:BucketIAMMember",
    projectIamMember: "gcp:projects/iAMMember:IAMMember",
    serviceAccountIamMember: "gcp:serviceaccount/iAMMember:IAMMember",
    workloadIdentityPool: "gcp:iam/workloadIdentityPool:WorkloadIdentityPool",
    workloadIdentityPoolProvider: "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
} as const;

/** The only IAM roles the package grants. */
export const roles = {
    /** Read images from Artifact Registry (a repository, or the project with projectWideRead). */
    registryReader: "roles/artifactregistry.reader",
    /** Read a legacy Container Registry bucket. */
    gcrBucketReader: "roles/storage.objectViewer",
    /** Keyless with impersonation: the refresher's federated principal acts as the reader account. */
    workloadIdentityUser: "roles/iam.workloadIdentityUser",
} as const;

/** Namespaces that hold cluster machinery: never written unless allowSystemNamespaces (and, in prod, a policy opt-in). */
export const systemNamespaces: readonly string[] = ["kube-system", "kube-public", "kube-node-lease"];

/** Function tokens of the package (invokes). */
export const functions = {
    /** The cluster's namespaces with their labels (and, when asked, their ServiceAccounts): what namespaceSelector is resolved against. */
    listNamespaces: `${packageName}:index:listNamespaces`,
    /** After `pulumi up`: would a pod get the pull Secret, and can its credential read the repositories named? */
    verifyPullAccess: `${packageName}:index:verifyPullAccess`,
} as const;

/** What 0.1 stored, which an upgrade takes over or retires. */
export const legacyTypes = {
    /** The pull Secret, written by the Kubernetes provider; an alias turns it into a PullSecret. */
    pullSecret: "kubernetes:core/v1:Secret",
    /** The ServiceAccount entry, a dynamic provider; retired (its entry now belongs to the PullSecret). */
    serviceAccountPullSecret: "pulumi-nodejs:dynamic:ServiceAccountPullSecret",
    /** The adoption guard, a dynamic provider that only looked; retired. */
    pullSecretGuard: "pulumi-nodejs:dynamic:PullSecretGuard",
    /** The default provider of dynamic resources, which 0.1's entries and guards name as their provider. */
    dynamicProvider: "pulumi:providers:pulumi-nodejs",
} as const;

/** The annotation the Kubernetes provider of 0.1 put on every pull Secret; a PullSecret removes it when it takes one over. */
export const legacyPatchForceAnnotation = "pulumi.com/patchForce";

/** The annotation naming the stack (`<project>/<stack>`) that owns a pull Secret. */
export const stackAnnotation = "gcr-pull-secrets.dev/stack";

/**
 * The random id of the one PullSecret resource instance that owns a pull Secret (the resource keeps
 * the same id in its `ownerId` output). Not the URN: a replacement (`--replace`, `state taint`, a
 * provider replacement) and the same stack name in another backend all reuse one URN, while each is
 * a different instance that must not delete or take what another holds.
 */
export const ownerIdAnnotation = "gcr-pull-secrets.dev/owner-id";

/**
 * The random id of the stack that owns a pull Secret (the StackIdentity resource's, see
 * components/stackIdentity.ts). It tells apart two stacks of one `<project>/<stack>` name kept in two
 * backends, which the stack annotation and URNs cannot; it stays the same through every replacement
 * and rename within one stack, which owner ids do not.
 */
export const stackIdentityAnnotation = "gcr-pull-secrets.dev/stack-identity";

/** The URN of the resource instance that owns a pull Secret: for messages that name the owner, never for decisions. */
export const ownerUrnAnnotation = "gcr-pull-secrets.dev/owner-urn";

/**
 * The ServiceAccounts whose `imagePullSecrets` entry the owner added (comma-separated): what an
 * instance that takes the Secret over (a replacement, a renamed resource) inherits and must remove
 * when it no longer covers them.
 */
export const entriesAnnotation = "gcr-pull-secrets.dev/service-accounts";

/**
 * Where the key in a pull Secret comes from: "managed" (a key this program mints and rotates) or
 * "supplied" (a jsonKey). The policy pack reads it to refuse supplied keys in prod.
 */
export const keySourceAnnotation = "gcr-pull-secrets.dev/key-source";

/** The registry hosts a pull Secret covers, comma-separated. */
export const registriesAnnotation = "gcr-pull-secrets.dev/registries";

/** `kubectl apply` keeps the previous object, data included, in this annotation. */
export const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

/** How long a PullSecret waits for a ServiceAccount to exist, in seconds, unless told otherwise (`default` comes from a controller). */
export const defaultWaitSeconds = 60;

/** Labels on every Kubernetes object this package creates. */
export const managedLabels: Readonly<Record<string, string>> = {
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/part-of": "gcr-pull-secrets",
};

/** The Secret type of a pull Secret. */
export const dockerConfigJsonType = "kubernetes.io/dockerconfigjson";

/**
 * Keyless mode (the `keyless` credential source): names shared by the component, the provider
 * plugin, the refresher script (components/refreshPullSecrets.js, which repeats them because it
 * must run on a stock Node image without this package) and the tests.
 */
export const keyless = {
    /** The `keySource` of a PullSecret whose content the in-cluster refresher writes, not the stack. */
    keySource: "keyless",
    /** When the access token in the Secret expires (RFC 3339), written by the refresher. */
    expiresAnnotation: "gcr-pull-secrets.dev/token-expires-at",
    /** When the refresher last wrote the Secret (RFC 3339). */
    refreshedAnnotation: "gcr-pull-secrets.dev/token-refreshed-at",
    /** When the refresher last failed to refresh the Secret (RFC 3339); removed by its next success. */
    failedAtAnnotation: "gcr-pull-secrets.dev/refresh-failed-at",
    /** Why it failed (Google's or the API server's answer, never a token); removed by its next success. */
    failureAnnotation: "gcr-pull-secrets.dev/refresh-failure",
    /** The `reportingController` of the refresher's Events (events.k8s.io/v1). */
    eventController: "gcr-pull-secrets.dev/token-refresher",
    /** The docker username Google registries accept with an OAuth access token as the password. */
    username: "oauth2accesstoken",
    /** What a keyless Secret holds until the refresher's first run: valid docker config, no credentials. */
    placeholderDockerConfigJson: '{"auths":{}}',
    /** Where the refresher pod mounts its projected token for Google STS. */
    stsTokenPath: "/var/run/secrets/gcr-pull-secrets/sts-token",
    /** Where the refresher pod mounts its script. */
    scriptPath: "/opt/gcr-pull-secrets/refresh-pull-secrets.js",
    /** The refresher's component label (app.kubernetes.io/component). */
    component: "token-refresher",
} as const;
