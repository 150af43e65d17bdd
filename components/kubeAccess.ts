/**
 * Kubernetes API access for the dynamic providers.
 *
 * These functions are serialized into the dynamic providers' state by Pulumi's closure
 * serialization, so they `require` their modules inside the function body: a module captured from
 * the outside would be serialized by value into every resource's checkpoint.
 */

/** The structural subset of `@kubernetes/client-node`'s CoreV1Api the providers use. */
export interface CoreApi {
    readNamespacedServiceAccount(req: { name: string; namespace: string }): Promise<ServiceAccountObject>;
    patchNamespacedServiceAccount(req: { name: string; namespace: string; body: object }, options?: unknown): Promise<ServiceAccountObject>;
    readNamespacedSecret(req: { name: string; namespace: string }): Promise<SecretObject>;
    patchNamespacedSecret(req: { name: string; namespace: string; body: object }, options?: unknown): Promise<SecretObject>;
}

/** The fields of a ServiceAccount the providers read. */
export interface ServiceAccountObject {
    metadata?: { resourceVersion?: string; uid?: string };
    imagePullSecrets?: { name?: string }[];
}

/** The fields of a Secret the providers read; its data is never read or kept. */
export interface SecretObject {
    type?: string;
    metadata?: { uid?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

/** A client for the kubeconfig the Kubernetes provider also uses (KUBECONFIG or ~/.kube/config), optionally at a context. */
export function connect(kubeContext: string | undefined): { api: CoreApi; mergePatch: unknown; jsonPatch: unknown } {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const k8s = require("@kubernetes/client-node");
    const config = new k8s.KubeConfig();
    config.loadFromDefault();
    if (kubeContext) {
        config.setCurrentContext(kubeContext);
    }
    return {
        api: config.makeApiClient(k8s.CoreV1Api),
        mergePatch: k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
        jsonPatch: k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.JsonPatch),
    };
}

/** The HTTP status of a failed API call, if it has one. */
export function statusOf(error: unknown): number | undefined {
    const code = (error as { code?: unknown } | undefined)?.code;
    return typeof code === "number" ? code : undefined;
}

/**
 * A short, secret-free description of a failed API call. client-node's own messages carry the
 * whole response (headers included); the Status body's `message` is what a user needs.
 */
export function describeApiError(error: unknown): string {
    const code = statusOf(error);
    if (code === undefined) {
        return error instanceof Error ? error.message : String(error);
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

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
