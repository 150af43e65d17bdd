/**
 * What may end the provider's waiting before an API call answers: the engine's Cancel (the user
 * pressed Ctrl-C; the engine then waits for the steps in flight, so they must stop waiting) and the
 * resource's `customTimeouts` (the engine sends the create, read, update or delete timeout with the
 * request). Each Create, Read, Update and Delete runs in an operation that carries its signal and
 * deadline; API calls read it from there, so no handler has to pass it along.
 */
import { AsyncLocalStorage } from "async_hooks";

/** Why waiting ended early: the error an interrupted call fails with. */
export class Interrupted extends Error {}

/** The operation an API call belongs to. */
export interface Operation {
    /** Aborted on Cancel, or when the deadline passes. */
    signal: AbortSignal;
    /** Epoch milliseconds by which the operation must end (`customTimeouts`), if it has one. */
    deadline?: number;
}

/** The Cancel of one plugin process and the operations it interrupts. */
export class Interruptions {
    private readonly cancelled = new AbortController();
    private readonly operations = new AsyncLocalStorage<Operation>();

    /** Fails every pending and later call: after Cancel the engine only winds the update down. */
    cancel(): void {
        this.cancelled.abort(new Interrupted("the update was cancelled (Ctrl-C or the engine's Cancel); nothing more is written"));
    }

    /** The operation of the calling code; outside one (Check, Diff, Read, Invoke), Cancel alone. */
    current(): Operation {
        return this.operations.getStore() ?? { signal: this.cancelled.signal };
    }

    /**
     * Runs `work` as one operation. `timeoutSeconds` is the engine's (0 when the resource sets no
     * customTimeouts): with it, the operation's calls are retried until the deadline instead of
     * for the default budget, and a call still pending at the deadline is aborted.
     */
    async run<T>(timeoutSeconds: number, what: string, work: () => Promise<T>): Promise<T> {
        if (!(timeoutSeconds > 0)) return this.operations.run({ signal: this.cancelled.signal }, work);
        const deadline = Date.now() + timeoutSeconds * 1000;
        const expired = new AbortController();
        const timer = setTimeout(
            () =>
                expired.abort(
                    new Interrupted(`${what} did not finish within its timeout of ${timeoutSeconds}s (customTimeouts); raise it, or check the cluster`),
                ),
            timeoutSeconds * 1000,
        );
        try {
            return await this.operations.run({ signal: AbortSignal.any([this.cancelled.signal, expired.signal]), deadline }, work);
        } finally {
            clearTimeout(timer);
        }
    }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function interruptibleSleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        const onAbort = () => {
            clearTimeout(timer);
            reject(signal.reason);
        };
        const timer = setTimeout(() => {
            signal.removeEventListener("abort", onAbort);
            resolve();
        }, ms);
        signal.addEventListener("abort", onAbort, { once: true });
    });
}

/** A promise that rejects with the signal's reason when it aborts (never settles otherwise). */
export function whenAborted(signal: AbortSignal): { promise: Promise<never>; release(): void } {
    let onAbort: () => void = () => undefined;
    const promise = new Promise<never>((_, reject) => {
        onAbort = () => reject(signal.reason);
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
    });
    promise.catch(() => undefined);
    return { promise, release: () => signal.removeEventListener("abort", onAbort) };
}
