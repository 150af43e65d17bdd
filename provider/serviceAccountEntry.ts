/**
 * Our Secret's entry in one ServiceAccount's `imagePullSecrets` (written for each ServiceAccount a
 * PullSecret names).
 *
 * Why not `kubernetes.core.v1.ServiceAccountPatch`: `imagePullSecrets` is an atomic list
 * (`+listType=atomic`, k8s.io/api core/v1 ServiceAccount). A server-side apply patch owns the whole
 * list: without force it conflicts with whoever else set entries, with force it overwrites their
 * entries, and on delete the provider applies an empty object so the list goes back to empty
 * (pulumi-kubernetes provider/pkg/ssa). So we read the list, add or remove our one entry, and write
 * it back with the resourceVersion we read: a concurrent writer makes the API server answer 409 and
 * we start again from the list as it is now, so nobody's entry is ever lost.
 */
import { LocalObjectReference } from "../components/imagePullSecrets";
import { Connection, CoreApi, describeApiError, ServiceAccountObject, sleep, statusOf } from "./kubeApi";

/** The entry's inputs. */
export interface EntryInputs {
    namespace: string;
    serviceAccount: string;
    secretName: string;
    /** How long to wait for the ServiceAccount to exist, in seconds. */
    waitSeconds: number;
}

/**
 * How long a write may keep losing to concurrent writers before it gives up. Contention is
 * measured in time, not attempts: a busy ServiceAccount can see many writes a second, and each
 * lost race costs only a read and a write.
 */
export const conflictBudgetMs = 120_000;

/**
 * Reads the ServiceAccount, waiting up to `waitSeconds` for it to appear; a fresh namespace gets its
 * `default` ServiceAccount from kube-controller-manager a moment after the namespace exists.
 */
async function readWhenPresent(api: CoreApi, inputs: EntryInputs): Promise<ServiceAccountObject> {
    const deadline = Date.now() + inputs.waitSeconds * 1000;
    let delay = 100;
    for (;;) {
        try {
            return await api.readNamespacedServiceAccount({ name: inputs.serviceAccount, namespace: inputs.namespace });
        } catch (error) {
            if (statusOf(error) !== 404) {
                throw new Error(`reading ServiceAccount ${inputs.namespace}/${inputs.serviceAccount} failed: ${describeApiError(error)}`);
            }
            if (Date.now() >= deadline) {
                const hint =
                    inputs.serviceAccount === "default"
                        ? "the namespace may not exist, or the cluster runs no ServiceAccount controller (kube-controller-manager)"
                        : `create it, or remove "${inputs.serviceAccount}" from this namespace's serviceAccounts`;
                throw new Error(
                    `ServiceAccount ${inputs.namespace}/${inputs.serviceAccount} did not appear within ${inputs.waitSeconds}s: ${hint} ` +
                        `(or raise serviceAccountWaitSeconds)`,
                );
            }
            await sleep(delay);
            delay = Math.min(delay * 2, 1000);
        }
    }
}

/**
 * Changes the ServiceAccount's list with `change`, starting from the list as it is now, and writes
 * it with the resourceVersion it read; on 409 Conflict it reads and applies the change again, with
 * jittered backoff, for up to `budgetMs`. Resolves false when `whenMissing` is "skip" and the
 * ServiceAccount is not there (nothing was written), true otherwise.
 */
export async function changePullSecrets(
    connection: Pick<Connection, "api" | "mergePatch">,
    inputs: EntryInputs,
    change: (list: LocalObjectReference[] | undefined) => { list: LocalObjectReference[]; changed: boolean },
    whenMissing: "wait" | "skip",
    budgetMs = conflictBudgetMs,
): Promise<boolean> {
    const { api, mergePatch } = connection;
    const deadline = Date.now() + budgetMs;
    let backoff = 20;
    for (let attempt = 1; ; attempt++) {
        let account: ServiceAccountObject;
        try {
            account =
                whenMissing === "wait"
                    ? await readWhenPresent(api, inputs)
                    : await api.readNamespacedServiceAccount({ name: inputs.serviceAccount, namespace: inputs.namespace });
        } catch (error) {
            if (whenMissing === "skip" && statusOf(error) === 404) {
                return false; // ServiceAccount (or its namespace) is gone, and our entry with it.
            }
            throw error instanceof Error && statusOf(error) === undefined
                ? error
                : new Error(`reading ServiceAccount ${inputs.namespace}/${inputs.serviceAccount} failed: ${describeApiError(error)}`);
        }
        const { list, changed } = change(account.imagePullSecrets);
        if (!changed) {
            return true;
        }
        try {
            await api.patchNamespacedServiceAccount(
                {
                    name: inputs.serviceAccount,
                    namespace: inputs.namespace,
                    // A merge patch replaces the list whole; resourceVersion makes it conditional.
                    body: { metadata: { resourceVersion: account.metadata?.resourceVersion }, imagePullSecrets: list.length > 0 ? list : null },
                },
                mergePatch,
            );
            return true;
        } catch (error) {
            const status = statusOf(error);
            if (status === 409 && Date.now() < deadline) {
                // Full jitter keeps two of our own writers (two stacks) from retrying in lockstep.
                await sleep(Math.floor(Math.random() * backoff));
                backoff = Math.min(backoff * 2, 1000);
                continue;
            }
            if (status === 404 && whenMissing === "skip") {
                return false;
            }
            throw new Error(
                `updating imagePullSecrets of ServiceAccount ${inputs.namespace}/${inputs.serviceAccount} failed` +
                    (status === 409 ? ` after ${attempt} conflicting writes in ${Math.round(budgetMs / 1000)}s` : "") +
                    `: ${describeApiError(error)}`,
            );
        }
    }
}
