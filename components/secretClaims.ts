/**
 * The pull Secrets each GcrPullSecrets component of one program claims. Two components writing one
 * Secret (same cluster, namespace and name) are two owners of the same stack for one object: each
 * update would take it from the other (see provider/ownership.ts). The second claim is refused,
 * already at preview, naming both components.
 */
import { createHash } from "crypto";
import { ConfigError } from "./configError";

/** `cluster, namespace/secretName` -> the component that claimed it. */
const claimed = new Map<string, string>();

/**
 * The cluster a component writes to, as a claim key: a digest of its kubeconfig text (never the
 * text), or the ambient kubeconfig; with the context.
 */
export function clusterKey(kubeconfig: string | undefined, kubeContext: string | undefined): string {
    const source = kubeconfig === undefined ? "ambient" : createHash("sha256").update(kubeconfig).digest("hex");
    return `${source}@${kubeContext ?? ""}`;
}

/** Records that `component` writes `secretName` in each of `namespaces`; throws when another component of the program does. */
export function claimPullSecrets(component: string, cluster: string, namespaces: readonly string[], secretName: string): void {
    const problems = namespaces.flatMap((namespace) => {
        const holder = claimed.get(`${cluster} ${namespace}/${secretName}`);
        return holder !== undefined && holder !== component
            ? [
                  {
                      path: "namespaces",
                      message:
                          `lists "${namespace}", whose Secret ${secretName} GcrPullSecrets "${holder}" of this program writes too: ` +
                          `each would take it from the other. Remove "${namespace}" from one of them, or give one another secretName`,
                  },
              ]
            : [];
    });
    if (problems.length > 0) throw new ConfigError(problems, `GcrPullSecrets "${component}" arguments`);
    for (const namespace of namespaces) claimed.set(`${cluster} ${namespace}/${secretName}`, component);
}

/** Forgets every claim: for tests that build several programs in one process. */
export function forgetClaims(): void {
    claimed.clear();
}
