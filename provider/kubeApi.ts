/**
 * The provider's one connection to the cluster: the kubeconfig given in the provider's
 * configuration (the component passes the same one to the Kubernetes provider), else the ambient
 * one (`KUBECONFIG`, else `~/.kube/config`), at an optional context.
 */
import type * as k8sTypes from "@kubernetes/client-node";

/**
 * client-node is loaded on first use: it is the slowest module to load (~0.5 s of CPU), and a
 * no-op preview only diffs, without a cluster call.
 */
function clientNode(): typeof k8sTypes {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("@kubernetes/client-node");
}

/** The structural subset of `@kubernetes/client-node`'s CoreV1Api the provider uses (tests pass fakes). */
export interface CoreApi {
    readNamespacedServiceAccount(req: { name: string; namespace: string }): Promise<ServiceAccountObject>;
    patchNamespacedServiceAccount(req: { name: string; namespace: string; body: object }, options?: unknown): Promise<ServiceAccountObject>;
    readNamespacedSecret(req: { name: string; namespace: string }): Promise<SecretObject>;
    createNamespacedSecret(req: { namespace: string; body: SecretObject }): Promise<SecretObject>;
    patchNamespacedSecret(req: { name: string; namespace: string; body: object }, options?: unknown): Promise<SecretObject>;
    deleteNamespacedSecret(req: { name: string; namespace: string; body?: object }): Promise<unknown>;
    readNamespace(req: { name: string }): Promise<unknown>;
    listNamespace(req: ListRequest): Promise<ObjectList>;
    listServiceAccountForAllNamespaces(req: ListRequest): Promise<ObjectList>;
}

/** One page of a list call. */
export interface ListRequest {
    limit?: number;
    _continue?: string;
    fieldSelector?: string;
}

/** The fields of a list (of Namespaces or ServiceAccounts) the provider reads. */
export interface ObjectList {
    metadata?: { _continue?: string };
    items: { metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; deletionTimestamp?: unknown }; status?: { phase?: string } }[];
}

/** The fields of a ServiceAccount the provider reads. */
export interface ServiceAccountObject {
    metadata?: { resourceVersion?: string; uid?: string };
    imagePullSecrets?: { name?: string }[];
}

/** The fields of a Secret the provider reads and writes. */
export interface SecretObject {
    type?: string;
    metadata?: {
        name?: string;
        namespace?: string;
        uid?: string;
        resourceVersion?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
    };
    data?: Record<string, string>;
}

/** A connection: the API and the request options that pick a patch type. */
export interface Connection {
    api: CoreApi;
    /** The API server's URL, for messages. */
    server?: string;
    mergePatch: unknown;
    jsonPatch: unknown;
}

/** Where the cluster comes from: the provider configuration's `kubeconfig` text and `context`. */
export interface ClusterSettings {
    kubeconfig?: string;
    context?: string;
}

/** Opens the connection. Errors name the setting, never quote the kubeconfig. */
export function connect(settings: ClusterSettings): Connection {
    const k8s = clientNode();
    const config = new k8s.KubeConfig();
    if (settings.kubeconfig !== undefined) {
        try {
            config.loadFromString(settings.kubeconfig);
        } catch (error) {
            throw new Error(`the kubeconfig setting is not a readable kubeconfig file (${firstLine(error)}); set it to the text of a kubeconfig file`);
        }
    } else {
        config.loadFromDefault();
    }
    if (settings.context) {
        if (!config.getContextObject(settings.context)) {
            const source = settings.kubeconfig !== undefined ? "the kubeconfig setting" : "the ambient kubeconfig (KUBECONFIG or ~/.kube/config)";
            throw new Error(
                `kubeContext "${settings.context}" is not a context of ${source}; known: ${
                    config
                        .getContexts()
                        .map((c) => c.name)
                        .join(", ") || "none"
                }`,
            );
        }
        config.setCurrentContext(settings.context);
    }
    if (!config.getCurrentCluster()) {
        throw new Error("no cluster: the kubeconfig has no current context; set kubeContext, or point KUBECONFIG at a cluster");
    }
    reuseConnections(config);
    return {
        api: config.makeApiClient(k8s.CoreV1Api) as unknown as CoreApi,
        server: config.getCurrentCluster()?.server,
        mergePatch: k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
        jsonPatch: k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.JsonPatch),
    };
}

/**
 * client-node makes a new connection pool for every request: 1.x a new https.Agent
 * (applySecurityAuthentication -> createAgent), 2.x a new undici Agent (-> createDispatcher). So every
 * API call paid a TLS handshake on both ends: measured at 300 namespaces, that was most of the
 * provider's CPU time. One keep-alive pool per connection reuses sockets; its options (CA, client
 * certificate) do not change within an update, and tokens travel in headers.
 */
function reuseConnections(config: k8sTypes.KubeConfig): void {
    const withDispatcher = config as unknown as { createDispatcher?(cluster: unknown, options: Record<string, unknown>): unknown };
    if (typeof withDispatcher.createDispatcher !== "function") {
        throw new Error("@kubernetes/client-node has no KubeConfig.createDispatcher: this provider needs client-node 2.x");
    }
    const createDispatcher = withDispatcher.createDispatcher.bind(config);
    let dispatcher: unknown;
    // undefined (no TLS settings: fetch's global pool, already shared) is asked for again, and cheap.
    withDispatcher.createDispatcher = (cluster, options) => (dispatcher ??= createDispatcher(cluster, options));
}

/**
 * Request options (`given`, e.g. a patch type's) that also carry `signal` to the HTTP request, so
 * aborting it cancels the request instead of leaving it running. client-node 2.x passes the
 * RequestContext's signal to fetch; a middleware is the way to set it per call.
 */
export function withSignal(given: unknown, signal: AbortSignal): unknown {
    const k8s = clientNode();
    const options = (given ?? {}) as { middleware?: unknown[] };
    const setSignal = {
        pre(context: k8sTypes.RequestContext) {
            context.setSignal(signal);
            return new k8s.Observable(Promise.resolve(context));
        },
        post: (response: k8sTypes.ResponseContext) => new k8s.Observable(Promise.resolve(response)),
    };
    // "append" keeps the client's own middleware and the patch type's header.
    return { ...options, middleware: [...(options.middleware ?? []), setSignal], middlewareMergeStrategy: "append" };
}

/** The server URL the settings point at, or undefined when it cannot be told (used to notice a change of cluster). */
export function clusterServer(settings: ClusterSettings): string | undefined {
    try {
        const config = new (clientNode().KubeConfig)();
        if (settings.kubeconfig !== undefined) config.loadFromString(settings.kubeconfig);
        else config.loadFromDefault();
        if (settings.context) config.setCurrentContext(settings.context);
        return config.getCurrentCluster()?.server;
    } catch {
        return undefined;
    }
}

function firstLine(error: unknown): string {
    const text = error instanceof Error ? error.message : String(error);
    // A YAML parser may quote the offending line, which can hold a token: keep only its kind.
    return text.split("\n")[0].replace(/:.*$/, "");
}

/** The HTTP status of a failed API call, if it has one. */
export function statusOf(error: unknown): number | undefined {
    const code = (error as { code?: unknown } | undefined)?.code;
    return typeof code === "number" ? code : undefined;
}

/** What the common connection failures mean for a user. */
const connectionHints: Record<string, string> = {
    ENOTFOUND: "the API server's host name does not resolve; check the kubeconfig's server",
    EAI_AGAIN: "the API server's host name could not be resolved now (DNS)",
    ECONNREFUSED: "nothing listens at the API server's address; is the cluster up?",
    ECONNRESET: "the connection to the API server was reset",
    ETIMEDOUT: "the API server did not answer in time",
    UND_ERR_CONNECT_TIMEOUT: "the API server did not answer in time",
    DEPTH_ZERO_SELF_SIGNED_CERT: "the API server's certificate is not signed by the kubeconfig's certificate authority",
    SELF_SIGNED_CERT_IN_CHAIN: "the API server's certificate is not signed by the kubeconfig's certificate authority",
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the API server's certificate is not signed by the kubeconfig's certificate authority",
    CERT_HAS_EXPIRED: "the API server's certificate has expired",
    ERR_TLS_CERT_ALTNAME_INVALID: "the API server's certificate does not name the server address the kubeconfig uses",
};

/**
 * A short, secret-free description of a failed API call. client-node's own messages carry the
 * whole response (headers included); the Status body's `message` is what a user needs.
 */
export function describeApiError(error: unknown): string {
    const code = statusOf(error);
    if (code === undefined) {
        const text = (error instanceof Error ? error.message : String(error)).split("\n")[0];
        // fetch says only "fetch failed"; the reason is in its cause. Its code alone is given: the
        // cause's message names the server, which comes from the (secret) kubeconfig.
        const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
        return typeof cause === "string" ? `${text} (${cause}${connectionHints[cause] ? `: ${connectionHints[cause]}` : ""})` : text;
    }
    let body = (error as { body?: unknown }).body;
    if (typeof body === "string") {
        try {
            body = JSON.parse(body);
        } catch {
            // not a Status object
        }
    }
    const message = (body as { message?: unknown } | undefined)?.message;
    return `HTTP ${code}${typeof message === "string" ? `: ${message}` : ""}`;
}

/**
 * An Error that keeps what caused it (so `unanswered` can tell a cluster that never answered). Not
 * `new Error(message, { cause })`: under `pulumi package add` the language host type-checks this
 * plugin with TypeScript settings of its own, whose library lacks that ES2022 signature.
 */
export function errorWithCause(message: string, cause: unknown): Error {
    return Object.assign(new Error(message), { cause });
}

/** The Secret, or undefined when it (or its namespace) does not exist; other failures throw, naming it. */
export async function readSecret(api: CoreApi, namespace: string, name: string): Promise<SecretObject | undefined> {
    try {
        return await api.readNamespacedSecret({ name, namespace });
    } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw errorWithCause(`reading Secret ${namespace}/${name} failed: ${describeApiError(error)}`, error);
    }
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * True when a failed call never got an answer from the API server (no HTTP status anywhere in its
 * causes, and a socket or name-lookup error code, or undici's `fetch failed`): the cluster could
 * not be reached, which says nothing about the request.
 */
export function unanswered(error: unknown): boolean {
    for (let at: unknown = error, depth = 0; at !== undefined && at !== null && depth < 5; at = (at as { cause?: unknown }).cause, depth++) {
        if (statusOf(at) !== undefined) return false;
        const { code, message } = at as { code?: unknown; message?: unknown };
        if ((typeof code === "string" && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) || message === "fetch failed") return true;
    }
    return false;
}
