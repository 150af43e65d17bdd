/**
 * Whether a keyless pull Secret needs its operator's attention, from the annotations the in-cluster
 * refresher writes on it: its token has expired (pods that start now cannot pull), or the
 * refresher's last run failed for it. `pulumi preview` (Diff) and `pulumi refresh` (Read) show the
 * answer as a warning naming the namespace, so an operator learns of it before ImagePullBackOff.
 */
import { keyless } from "../components/contract";
import { SecretObject } from "./kubeApi";

/** A Secret's name and annotations, as read from the cluster. */
export interface KeylessSecretStatus {
    namespace: string;
    name: string;
    annotations: Record<string, string | undefined>;
}

function timeOf(text: string | undefined): number | undefined {
    const time = text === undefined ? NaN : Date.parse(text);
    return Number.isNaN(time) ? undefined : time;
}

/** "3h 5m", "12m", "40s": how long a span is, for a warning. */
export function spanText(ms: number): string {
    const minutes = Math.floor(Math.abs(ms) / 60_000);
    if (minutes === 0) return `${Math.floor(Math.abs(ms) / 1000)}s`;
    const hours = Math.floor(minutes / 60);
    return hours > 0 ? `${hours}h ${minutes % 60}m` : `${minutes}m`;
}

/**
 * The warning for one keyless Secret, or undefined when all is well: its token has not expired and
 * no failure is recorded after its last refresh. A Secret the refresher has not written yet says
 * nothing (the first run is awaited by `pulumi up`, or skipped on purpose).
 */
export function keylessHealthWarning(secret: KeylessSecretStatus, now: number): string | undefined {
    const expiresAt = timeOf(secret.annotations[keyless.expiresAnnotation]);
    const refreshedAt = timeOf(secret.annotations[keyless.refreshedAnnotation]);
    const failedAt = timeOf(secret.annotations[keyless.failedAtAnnotation]);
    const expired = expiresAt !== undefined && expiresAt <= now;
    const failing = failedAt !== undefined && (refreshedAt === undefined || failedAt >= refreshedAt);
    if (!expired && !failing) return undefined;
    const where = `keyless pull Secret ${secret.namespace}/${secret.name} in namespace ${secret.namespace}`;
    const state = expired
        ? `its token expired at ${new Date(expiresAt).toISOString()} (${spanText(now - expiresAt)} ago): pods that start in namespace ${secret.namespace} cannot pull images`
        : expiresAt !== undefined
          ? `its token expires at ${new Date(expiresAt).toISOString()} (in ${spanText(expiresAt - now)}) and is not being refreshed`
          : "it has no token yet";
    // The refresher scrubs tokens from the reason; the length bound keeps a warning a warning.
    const reason = (secret.annotations[keyless.failureAnnotation] ?? "no reason recorded").slice(0, 500);
    const failure = failing ? `; the refresher's last run failed at ${new Date(failedAt).toISOString()}: ${reason}` : "";
    return `${where}: ${state}${failure}. See "When a refresh fails" in docs/keyless.md (the refresher's Jobs, logs and Events).`;
}

/**
 * Warns, once per Secret and message in this provider process, about a live keyless Secret that needs
 * attention (Diff and Read may both see it in one `preview --refresh`).
 */
export function keylessHealthWarner(warn: (message: string) => void, now: () => number = Date.now): (live: SecretObject | undefined) => void {
    const warned = new Set<string>();
    return (live) => {
        const metadata = live?.metadata;
        if (!metadata?.namespace || !metadata.name) return;
        const message = keylessHealthWarning({ namespace: metadata.namespace, name: metadata.name, annotations: metadata.annotations ?? {} }, now());
        if (message === undefined || warned.has(message)) return;
        warned.add(message);
        warn(message);
    };
}
