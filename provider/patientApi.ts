/**
 * API calls that neither hang silently nor give up at the first dropped connection or busy server.
 * An API server that stops answering (overloaded, paused, restarting) would otherwise leave
 * `pulumi up` printing progress dots with no end. Each attempt gets `timeoutMs` and is aborted when
 * it runs out (its request is cancelled, not left running); an attempt that times out, whose
 * connection is refused or reset, or that the server answers 429 (API Priority and Fairness) or
 * 500/503/504 is tried again, after the server's Retry-After if it sent one, for up to `budgetMs` in
 * all (or until the operation's `customTimeouts` deadline), with a warning each time saying what is
 * awaited. Other answers of the server are returned at once. Cancel ends the waiting at once.
 *
 * Retrying is safe here because every write is idempotent or conditional: a Secret create that
 * landed late answers 409 to its retry, entries are written with the resourceVersion they read, and
 * deletes carry a uid precondition. A 429 was not processed at all.
 */
import { CoreApi, statusOf } from "./kubeApi";
import { WarningLogger } from "./engineLog";
import { interruptibleSleep, Interrupted, Operation, whenAborted } from "./interruption";

/** Limits of one call. */
export interface Patience {
    timeoutMs: number;
    budgetMs: number;
}

/** The limits in force: 15 s per attempt, 120 s per call. */
export const defaultPatience: Patience = { timeoutMs: 15_000, budgetMs: 120_000 };

/** How calls learn what may interrupt them, and how a signal reaches the HTTP request. */
export interface CallControl {
    /** The operation the call belongs to (its Cancel signal and deadline). */
    operation(): Operation;
    /** The call's request options with `signal` attached (client-node: a middleware; see kubeApi.ts). */
    withSignal(options: unknown, signal: AbortSignal): unknown;
}

const uninterrupted: CallControl = { operation: () => ({ signal: new AbortController().signal }), withSignal: (options) => options };

class CallTimeout extends Error {}

/** HTTP statuses that say "not now" rather than "no": APF's 429, and a server or proxy in trouble. */
const retriedStatuses = new Set([429, 500, 503, 504]);

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
function isConnectionFailure(error: unknown): boolean {
    if (error instanceof CallTimeout) return true;
    if (statusOf(error) !== undefined) return false;
    // client-node 2.x calls undici's fetch, which rejects with `TypeError: fetch failed` and puts the
    // socket error (ECONNREFUSED, UND_ERR_SOCKET "other side closed", ...) in `cause`.
    const cause = (error as { cause?: unknown } | undefined)?.cause;
    if (cause !== undefined && cause !== error && isConnectionFailure(cause)) return true;
    const { code, errno, message } = (error ?? {}) as { code?: unknown; errno?: unknown; message?: unknown };
    return (
        [code, errno].some((c) => typeof c === "string" && transientCodes.has(c)) ||
        /socket hang up|other side closed|ECONNRESET|ECONNREFUSED/.test(String(message))
    );
}

/**
 * The wait a Retry-After header asks for (delay-seconds or an HTTP date), in milliseconds, or
 * undefined when there is none. client-node puts the response headers, lower-cased, on its error.
 */
export function retryAfterMs(error: unknown, now = Date.now()): number | undefined {
    const headers = (error as { headers?: unknown } | undefined)?.headers;
    const value = headers && typeof headers === "object" ? (headers as Record<string, unknown>)["retry-after"] : undefined;
    if (typeof value !== "string" || value.trim() === "") return undefined;
    if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
    const date = Date.parse(value);
    return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** `<method> <namespace>/<name>` of a call, for messages. */
function describeCall(method: string, args: unknown[]): string {
    const request = (args[0] ?? {}) as { namespace?: string; name?: string };
    const target = [request.namespace, request.name].filter(Boolean).join("/");
    return target ? `${method} ${target}` : method;
}

const seconds = (ms: number) => `${Math.round(ms / 1000)}s`;

/** Why an attempt failed in a way worth another try, or undefined when its outcome is final. */
function retryReason(error: unknown, patience: Patience): string | undefined {
    if (error instanceof CallTimeout) return `no answer for ${seconds(patience.timeoutMs)}`;
    const status = statusOf(error);
    if (status !== undefined) return retriedStatuses.has(status) ? `HTTP ${status}${status === 429 ? " (too many requests)" : ""}` : undefined;
    return isConnectionFailure(error) ? "connection failed" : undefined;
}

/**
 * `api` with every method (whatever its name) given a timeout that aborts it, retries of
 * transient failures, and warnings while it waits. `control` says what may interrupt a call.
 */
export function patientApi(
    api: CoreApi,
    server: string,
    warn: WarningLogger,
    patience: Patience = defaultPatience,
    control: CallControl = uninterrupted,
): CoreApi {
    const wrap =
        (method: string, call: (...a: unknown[]) => Promise<unknown>) =>
        async (...args: unknown[]): Promise<unknown> => {
            const operation = control.operation();
            const started = Date.now();
            // customTimeouts, when the resource sets them, replace the default budget (longer or shorter).
            const giveUpAt = operation.deadline ?? started + patience.budgetMs;
            const what = describeCall(method, args);
            const interrupted = (): never => {
                const reason = operation.signal.reason;
                throw reason instanceof Interrupted ? new Interrupted(`${reason.message} (while waiting for ${what} from ${server})`) : reason;
            };
            for (let attempt = 1; ; attempt++) {
                if (operation.signal.aborted) interrupted();
                const attemptTimeout = new AbortController();
                const signal = AbortSignal.any([operation.signal, attemptTimeout.signal]);
                // A customTimeouts deadline aborts the operation's signal itself, with its own message.
                const timer = setTimeout(() => attemptTimeout.abort(new CallTimeout()), patience.timeoutMs);
                // A fake, or a request past the point where aborting helps, may ignore the signal: stop waiting for it anyway.
                const aborted = whenAborted(signal);
                const pending = call(args[0], control.withSignal(args[1], signal));
                pending.catch(() => undefined);
                let failure: unknown;
                try {
                    return await Promise.race([pending, aborted.promise]);
                } catch (error) {
                    failure = attemptTimeout.signal.aborted && !operation.signal.aborted ? new CallTimeout() : error;
                } finally {
                    clearTimeout(timer);
                    aborted.release();
                }
                if (operation.signal.aborted) interrupted();
                const why = retryReason(failure, patience);
                if (why === undefined) throw failure;
                const askedWait = statusOf(failure) !== undefined ? retryAfterMs(failure) : undefined;
                const wait = askedWait ?? Math.min(500 * attempt, 5000);
                const budget = seconds(giveUpAt - started);
                if (Date.now() + (askedWait ?? 0) >= giveUpAt) {
                    const limit = operation.deadline !== undefined ? `its timeout of ${budget} (customTimeouts)` : budget;
                    throw new Error(
                        `the Kubernetes API server at ${server} did not answer ${what} within ${limit} (${why}` +
                            (askedWait !== undefined ? `, asked to retry after ${seconds(askedWait)}` : "") +
                            "); check that it is up and reachable, then run pulumi up again",
                    );
                }
                warn(
                    `waiting for the Kubernetes API server at ${server}: ${what}: ${why}; trying again` +
                        (askedWait !== undefined ? ` after ${seconds(askedWait)} (Retry-After)` : "") +
                        ` (${seconds(Date.now() - started)} of at most ${budget})`,
                );
                await interruptibleSleep(Math.min(wait, Math.max(0, giveUpAt - Date.now())), operation.signal).catch(interrupted);
            }
        };
    const wrapped = new Map<string | symbol, unknown>();
    return new Proxy(api, {
        get(target, property, receiver) {
            const value = Reflect.get(target, property, receiver);
            if (typeof value !== "function" || typeof property !== "string") return value;
            if (!wrapped.has(property)) wrapped.set(property, wrap(property, value.bind(target)));
            return wrapped.get(property);
        },
    });
}
