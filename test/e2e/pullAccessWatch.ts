import * as k8s from "@kubernetes/client-node";
import { EngineEvent } from "@pulumi/pulumi/automation";
import { kube, TestStack } from "./harness";

/**
 * Every write to the given ServiceAccounts and to the Secret, seen through watches (a watch delivers
 * every change, so a moment without our entry cannot slip between two polls). A problem is a
 * ServiceAccount without the entry, or the Secret deleted.
 */
export async function watchPullAccess(accounts: Record<string, string[]>, secretName = "regcred") {
    const { config } = kube();
    const watch = new k8s.Watch(config);
    const problems: string[] = [];
    const events: string[] = [];
    const aborts: AbortController[] = [];
    for (const [ns, names] of Object.entries(accounts)) {
        aborts.push(
            await watch.watch(
                `/api/v1/namespaces/${ns}/serviceaccounts`,
                {},
                (phase, account: k8s.V1ServiceAccount) => {
                    const name = account.metadata?.name ?? "";
                    if (!names.includes(name)) return;
                    const list = (account.imagePullSecrets ?? []).map((ref) => ref.name);
                    events.push(`${phase} sa ${ns}/${name} [${list.join(",")}]`);
                    if (phase === "DELETED" || !list.includes(secretName)) problems.push(`ServiceAccount ${ns}/${name} without ${secretName} (${phase})`);
                    if (list.filter((entry) => entry === secretName).length > 1) problems.push(`ServiceAccount ${ns}/${name} lists ${secretName} twice`);
                },
                () => undefined,
            ),
            await watch.watch(
                `/api/v1/namespaces/${ns}/secrets`,
                { fieldSelector: `metadata.name=${secretName}` },
                (phase, secret: k8s.V1Secret) => {
                    events.push(`${phase} secret ${ns}/${secretName} uid=${secret.metadata?.uid}`);
                    if (phase === "DELETED") problems.push(`Secret ${ns}/${secretName} was deleted`);
                },
                () => undefined,
            ),
        );
    }
    // Let the watches settle past the initial ADDED events.
    await new Promise((resolve) => setTimeout(resolve, 500));
    return { problems, events, stop: () => aborts.forEach((abort) => abort.abort()) };
}

/**
 * `pulumi up` of a stack moving to this version, while each namespace's `default` ServiceAccount and
 * Secret are watched: its result, every step that is not `same` ("op type"), and what the watch saw.
 */
export async function upgradeWatched(t: TestStack, namespaces: readonly string[]) {
    const watching = await watchPullAccess(Object.fromEntries(namespaces.map((ns) => [ns, ["default"]])));
    const steps: string[] = [];
    const onEvent = (event: EngineEvent) => {
        const step = event.resOutputsEvent?.metadata;
        if (step && step.op !== "same") steps.push(`${step.op} ${step.type}`);
    };
    const result = await t.stack.up({ ...t.io, onEvent }).finally(watching.stop);
    return { result, steps, watching };
}
