/**
 * The pure parts of the refresher script (refreshPullSecrets.js), as the tests use them. The script
 * itself stays plain JavaScript: it runs on a stock Node image with nothing of this package.
 */

/** The process exit code for each way a run ends (documented in docs/keyless.md). */
export declare const exitCodes: Readonly<{ ok: 0; unexpected: 1; config: 2; sts: 3; iamCredentials: 4; kubernetes: 5 }>;

/** A failure the script explains; `stage` (a key of exitCodes) says which step failed. */
export declare class RefreshError extends Error {
    constructor(message: string, stage?: keyof typeof exitCodes);
    stage: keyof typeof exitCodes;
}

/** A request that got no answer: worth another attempt. */
export declare class NoAnswerError extends RefreshError {}

/** The exit code for what ended the run (undefined: nothing did). */
export declare function exitCodeFor(error: unknown): number;

/** How the calls to Google are retried. */
export interface RetryPolicy {
    attempts: number;
    baseMs: number;
    capMs: number;
    budgetMs: number;
}

/** The wait before attempt `attempt + 1`: exponential with equal jitter, at least `retryAfterMs`. */
export declare function backoffDelayMs(attempt: number, policy: Pick<RetryPolicy, "baseMs" | "capMs">, random?: () => number, retryAfterMs?: number): number;

/** Retry-After (seconds or an HTTP date) in milliseconds; 0 when absent or unreadable. */
export declare function retryAfterMs(header: string | string[] | undefined, now?: number): number;

/** Whether and when to try again after failed attempt `attempt`; undefined when the attempts or the budget are spent. */
export declare function nextRetry(options: {
    attempt: number;
    elapsedMs: number;
    retryAfter?: number;
    policy: RetryPolicy;
    random?: () => number;
}): { delayMs: number } | undefined;

/** Google's answers worth another attempt. */
export declare const retryableStatuses: ReadonlySet<number>;

/** The merge patch of a Secret for a refresh (`content`, `expiresAt`) or a failure (`failure`). */
export declare function secretPatch(
    resourceVersion: string,
    outcome: { content: string; expiresAt: Date } | { failure: string },
    now?: Date,
): { metadata: { resourceVersion: string; annotations: Record<string, string | null> }; data?: Record<string, string> };

/** The events.k8s.io/v1 Event about one Secret. */
export declare function eventBody(options: {
    namespace: string;
    name: string;
    uid?: string;
    reason: "Refreshed" | "RefreshFailed";
    note: string;
    instance: string;
    now?: Date;
    /** The unique part of the Event's name; default: random. */
    suffix?: string;
}): Record<string, unknown> & { note: string; reason: string; type: string; eventTime: string };

/** Registers a value that must never be printed (or put into an Event or annotation). */
export declare function redact(value: string): void;

/** The text with every registered value replaced by [redacted]. */
export declare function scrub(text: string): string;
