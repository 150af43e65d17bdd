import * as k8s from "@kubernetes/client-node";
import { kube } from "./harness";

/**
 * Every write to the ServiceAccounts and pull Secrets of some namespaces, seen through watches (a
 * watch delivers every change, so a moment without our entry cannot slip between two polls).
 */
export async function watchPullAccess(namespaces: string[], accounts: Record<string, string[]>) {
    const { config } = kube();
    const watch = new k8s.Watch(config);
    const problems: string[] = [];
    const events: string[] = [];
    const aborts: AbortController[] = [];
    for (const ns of namespaces) {
        aborts.push(
            await watch.watch(
                `/api/v1/namespaces/${ns}/serviceaccounts`,
                {},
                (phase, account: k8s.V1ServiceAccount) => {
                    const name = account.metadata?.name ?? "";
                    if (!accounts[ns].includes(name)) return;
                    const list = (account.imagePullSecrets ?? []).map((ref) => ref.name);
                    events.push(`${phase} sa ${ns}/${name} [${list.join(",")}]`);
                    if (phase === "DELETED" || !list.includes("regcred"))
                        problems.push(`ServiceAccount ${ns}/${name} without regcred (${phase}): [${list.join(",")}]`);
                },
                () => undefined,
            ),
            await watch.watch(
                `/api/v1/namespaces/${ns}/secrets`,
                { fieldSelector: "metadata.name=regcred" },
                (phase, secret: k8s.V1Secret) => {
                    events.push(`${phase} secret ${ns}/regcred uid=${secret.metadata?.uid}`);
                    if (phase === "DELETED") problems.push(`Secret ${ns}/regcred was deleted`);
                },
                () => undefined,
            ),
        );
    }
    // Let the watches settle past the initial ADDED events.
    await new Promise((resolve) => setTimeout(resolve, 500));
    return {
        problems,
        events,
        stop: () => aborts.forEach((abort) => abort.abort()),
    };
}
