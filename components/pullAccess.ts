/**
 * What `pulumi up` found when it checked pull access after writing the Secrets (the provider's
 * `verifyPullAccess` function runs the checks; provider/pullAccessCheck.ts): the shapes of the
 * `pullAccess` output, and the warnings made from them. Pure.
 */

/**
 * verified: a pod gets the Secret. stripped: a pod is admitted without it. denied: a pod is not
 * admitted at all. skipped: not checked (no permission, not reachable, or switched off).
 */
export type PullAccessStatus = "verified" | "stripped" | "denied" | "skipped";

/** One ServiceAccount's dry-run Pod. */
export interface ServiceAccountPullAccess {
    /** verified, stripped, denied or skipped. */
    status: PullAccessStatus;
    /** What happened, when it is not `verified`. */
    detail?: string;
}

/** allowed: the token endpoint granted pull. denied: it refused. unknown: no answer to go by. */
export type RepositoryAccess = "allowed" | "denied" | "unknown";

/** One repository, asked with the namespace's credential. */
export interface RepositoryPullAccess {
    /** allowed, denied or unknown. */
    access: RepositoryAccess;
    /** What the registry said, when it is not `allowed`. */
    detail?: string;
}

/** One namespace's results. */
export interface NamespacePullAccess {
    /** The worst of its ServiceAccounts' (stripped, then denied, then skipped); skipped when none was checked. */
    status: PullAccessStatus;
    /** Per covered ServiceAccount; absent when verifyPullAccess is off. */
    serviceAccounts?: Record<string, ServiceAccountPullAccess>;
    /** Per repository of verifyRepositories; absent when none is listed. */
    repositories?: Record<string, RepositoryPullAccess>;
}

/** What the component asks the provider to check. */
export interface PullAccessRequest {
    /** The pull Secret's name. */
    secretName: string;
    /** The registry hosts the Secret covers: one container image per host in the dry-run Pod. */
    registries: string[];
    /** Whether to send dry-run Pods (verifyPullAccess). */
    pods: boolean;
    /** `host/path` repositories to ask about (verifyRepositories). */
    repositories: string[];
    /** The namespaces, each with its covered ServiceAccounts. */
    namespaces: {
        /** The namespace. */
        name: string;
        /** The ServiceAccounts the namespace's PullSecret covers. */
        serviceAccounts: string[];
        /** Those whose list held our entry when the PullSecret last wrote it. */
        attached: string[];
    }[];
}

const severity: Record<PullAccessStatus, number> = { verified: 0, skipped: 1, denied: 2, stripped: 3 };

/** A namespace's status from its ServiceAccounts': the worst one; skipped when there is none. */
export function namespaceStatus(accounts: readonly ServiceAccountPullAccess[]): PullAccessStatus {
    if (accounts.length === 0) return "skipped";
    return accounts.reduce<PullAccessStatus>((worst, account) => (severity[account.status] > severity[worst] ? account.status : worst), "verified");
}

/** One warning per ServiceAccount or repository that is not fine, naming the namespace and what happened. */
export function pullAccessWarnings(results: Record<string, NamespacePullAccess>): string[] {
    const warnings: string[] = [];
    for (const [namespace, result] of Object.entries(results)) {
        for (const [account, check] of Object.entries(result.serviceAccounts ?? {})) {
            if (check.status === "verified") continue;
            warnings.push(`pull access in namespace ${namespace}, ServiceAccount ${account}: ${check.status}: ${check.detail ?? "no detail"}`);
        }
        for (const [repository, check] of Object.entries(result.repositories ?? {})) {
            if (check.access === "allowed") continue;
            warnings.push(`pull access in namespace ${namespace} to ${repository}: ${check.access}: ${check.detail ?? "no detail"}`);
        }
    }
    return warnings;
}
