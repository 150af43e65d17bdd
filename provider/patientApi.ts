/**
 * API calls that neither hang silently nor give up at the first dropped connection. An API server
 * that stops answering (overloaded, paused, restarting) would otherwise leave `pulumi up` printing
 * progress dots with no end. Each call gets `timeoutMs`; a call that times out, or whose connection
 * is refused or reset, is tried again with backoff for up to `budgetMs` in all, with a warning each
 * time saying what is awaited. Answers from the server (any HTTP status) are returned at once.
 *
 * Retrying is safe here because every write is idempotent or conditional: a Secret create that
 * landed late answers 409 to its retry, and entries are written with the resourceVersion they read.
 */
import { CoreApi, sleep, statusOf } from "./kubeApi";
import { WarningLogger } from "./engineLog";

/** Limits of one call. */
export interface Patience {
    timeoutMs: number;
    budgetMs: number;
}

/** The limits in force: 15 s per attempt, 120 s per call. */
export const defaultPatience: Patience = { timeoutMs: 15_000, budgetMs: 120_000 };

class CallTimeout extends Error {}

const transientCodes = new Set([
    "ECONNREFUSED",
    "ECONNRESET",
    "ETIMEDOUT",
    "EPIPE",
    "EHOSTUNREACH",
    "ENETUNREACH",
    // undici's names for a socket closed or timed out under a request
    "UND_ERR_SOCKET",
    "UND_ERR_CONNECT_TIMEOUT",
    "UND_ERR_HEADERS_TIMEOUT",
    "UND_ERR_CLOSED",
]);

/** True for failures that say nothing about the request itself: no answer, or no connection. */
function isTransient(error: unknown): boolean {
    if (error instanceof CallTimeout) return true;
    if (statusOf(error) !== undefined) return false;
    // client-node 2.x calls undici's fetch, which rejects with `TypeError: fetch failed` and puts the
    // socket error (ECONNREFUSED, UND_ERR_SOCKET "other side closed", ...) in `cause`.
    const cause = (error as { cause?: unknown } | undefined)?.cause;
    if (cause !== undefined && cause !== error && isTransient(cause)) return true;
    const { code, errno, message } = (error ?? {}) as { code?: unknown; errno?: unknown; message?: unknown };
    return (
        [code, errno].some((c) => typeof c === "string" && transientCodes.has(c)) ||
        /socket hang up|other side closed|ECONNRESET|ECONNREFUSED/.test(String(message))
    );
}

/** `<method> <namespace>/<name>` of a call, for messages. */
function describeCall(method: string, args: unknown[]): string {
    const request = (args[0] ?? {}) as { namespace?: string; name?: string };
    const target = [request.namespace, request.name].filter(Boolean).join("/");
    return target ? `${method} ${target}` : method;
}

/** `api` with every method given a timeout, retries of transient failures, and warnings while it waits. */
export function patientApi(api: CoreApi, server: string, warn: WarningLogger, patience: Patience = defaultPatience): CoreApi {
    const wrap =
        (method: keyof CoreApi) =>
        async (...args: unknown[]): Promise<unknown> => {
            const started = Date.now();
            for (let attempt = 1; ; attempt++) {
                const call = (api[method] as (...a: unknown[]) => Promise<unknown>)(...args);
                call.catch(() => undefined); // an abandoned attempt may still fail later; nobody waits for it
                let timer: NodeJS.Timeout | undefined;
                const timeout = new Promise<never>((_, reject) => {
                    timer = setTimeout(() => reject(new CallTimeout()), patience.timeoutMs);
                });
                try {
                    return await Promise.race([call, timeout]);
                } catch (error) {
                    if (!isTransient(error)) throw error;
                    const waited = Math.round((Date.now() - started) / 1000);
                    const what = describeCall(method, args);
                    const why = error instanceof CallTimeout ? `no answer for ${Math.round(patience.timeoutMs / 1000)}s` : "connection failed";
                    if (Date.now() - started >= patience.budgetMs) {
                        throw new Error(
                            `the Kubernetes API server at ${server} did not answer ${what} within ${Math.round(patience.budgetMs / 1000)}s (${why}); ` +
                                "check that it is up and reachable, then run pulumi up again",
                        );
                    }
                    warn(
                        `waiting for the Kubernetes API server at ${server}: ${what}: ${why}; trying again (${waited}s of at most ${Math.round(patience.budgetMs / 1000)}s)`,
                    );
                    await sleep(Math.min(500 * attempt, 5000));
                } finally {
                    clearTimeout(timer);
                }
            }
        };
    const methods: (keyof CoreApi)[] = [
        "readNamespacedServiceAccount",
        "patchNamespacedServiceAccount",
        "readNamespacedSecret",
        "createNamespacedSecret",
        "patchNamespacedSecret",
        "deleteNamespacedSecret",
        "readNamespace",
        "listNamespace",
        "listServiceAccountForAllNamespaces",
    ];
    return Object.fromEntries(methods.map((method) => [method, wrap(method)])) as unknown as CoreApi;
}
