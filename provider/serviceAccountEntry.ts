/**
 * `gcr-pull-secrets:index:ServiceAccountPullSecret`: our Secret's entry in one ServiceAccount's
 * `imagePullSecrets`.
 *
 * Why not `kubernetes.core.v1.ServiceAccountPatch`: `imagePullSecrets` is an atomic list
 * (`+listType=atomic`, k8s.io/api core/v1 ServiceAccount). A server-side apply patch owns the whole
 * list: without force it conflicts with whoever else set entries, with force it overwrites their
 * entries, and on delete the provider applies an empty object so the list goes back to empty
 * (pulumi-kubernetes provider/pkg/ssa). So we read the list, add or remove our one entry, and write
 * it back with the resourceVersion we read: a concurrent writer makes the API server answer 409 and
 * we start again from the list as it is now, so nobody's entry is ever lost.
 */
import { hasPullSecret, LocalObjectReference, withoutPullSecret, withPullSecret } from "../components/imagePullSecrets";
import { Connection, CoreApi, describeApiError, ServiceAccountObject, sleep, statusOf } from "./kubeApi";
import { stringProperty } from "./propertyValues";
import { CheckFailure, DiffOutcome, ResourceHandler } from "./resourceHandler";

/** The entry's inputs. */
export interface EntryInputs {
    namespace: string;
    serviceAccount: string;
    secretName: string;
    /** How long to wait for the ServiceAccount to exist, in seconds. */
    waitSeconds: number;
}

/** The entry's state: its inputs, and whether our entry was in the list when last seen. */
export interface EntryOutputs extends EntryInputs {
    attached: boolean;
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
 * jittered backoff, for up to `budgetMs`.
 */
export async function changePullSecrets(
    connection: Pick<Connection, "api" | "mergePatch">,
    inputs: EntryInputs,
    change: (list: LocalObjectReference[] | undefined) => { list: LocalObjectReference[]; changed: boolean },
    whenMissing: "wait" | "skip",
    budgetMs = conflictBudgetMs,
): Promise<void> {
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
                return; // ServiceAccount (or its namespace) is gone, and our entry with it.
            }
            throw error instanceof Error && statusOf(error) === undefined
                ? error
                : new Error(`reading ServiceAccount ${inputs.namespace}/${inputs.serviceAccount} failed: ${describeApiError(error)}`);
        }
        const { list, changed } = change(account.imagePullSecrets);
        if (!changed) {
            return;
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
            return;
        } catch (error) {
            const status = statusOf(error);
            if (status === 409 && Date.now() < deadline) {
                // Full jitter keeps two of our own writers (two stacks) from retrying in lockstep.
                await sleep(Math.floor(Math.random() * backoff));
                backoff = Math.min(backoff * 2, 1000);
                continue;
            }
            if (status === 404 && whenMissing === "skip") {
                return;
            }
            throw new Error(
                `updating imagePullSecrets of ServiceAccount ${inputs.namespace}/${inputs.serviceAccount} failed` +
                    (status === 409 ? ` after ${attempt} conflicting writes in ${Math.round(budgetMs / 1000)}s` : "") +
                    `: ${describeApiError(error)}`,
            );
        }
    }
}

/** The entry's inputs from a property map, or the problems with it. */
function readInputs(props: Record<string, unknown>): EntryInputs {
    const wait = props.waitSeconds;
    return {
        namespace: stringProperty(props, "namespace") ?? "",
        serviceAccount: stringProperty(props, "serviceAccount") ?? "",
        secretName: stringProperty(props, "secretName") ?? "",
        waitSeconds: typeof wait === "number" ? wait : 60,
    };
}

/** The state written by the dynamic provider this resource replaced, which carried its code in `__provider`. */
function isLegacyState(olds: Record<string, unknown>): boolean {
    return "__provider" in olds;
}

/** The provider-side logic of the entry. */
export function serviceAccountEntryHandler(connection: () => Connection): ResourceHandler {
    return {
        async check(_olds, news) {
            const failures: CheckFailure[] = [];
            for (const property of ["namespace", "serviceAccount", "secretName"] as const) {
                const value = news[property];
                if (value !== undefined && typeof value !== "string") {
                    failures.push({ property, reason: `${property} must be a string` });
                } else if (value === "") {
                    failures.push({ property, reason: `${property} must not be empty` });
                }
            }
            const wait = news.waitSeconds;
            if (wait !== undefined && (typeof wait !== "number" || !Number.isInteger(wait) || wait < 0)) {
                failures.push({ property: "waitSeconds", reason: "waitSeconds must be a whole number of seconds, 0 or more" });
            }
            return { inputs: news, failures };
        },

        async diff(_id, olds, news): Promise<DiffOutcome> {
            const before = readInputs(olds);
            const after = readInputs(news);
            const replaces = (["namespace", "serviceAccount"] as const).filter((key) => before[key] !== after[key]);
            const diffs = (["namespace", "serviceAccount", "secretName", "waitSeconds"] as const).filter((key) => before[key] !== after[key]);
            // `attached` false means refresh found our entry removed by hand: an update puts it back.
            // State left by the old dynamic provider is rewritten once, without its serialized code.
            const changes = diffs.length > 0 || olds.attached !== true || isLegacyState(olds);
            return { changes, replaces, diffs: diffs.length > 0 || !changes ? diffs : ["attached"] };
        },

        async create(inputs) {
            const entry = readInputs(inputs);
            await changePullSecrets(connection(), entry, (list) => withPullSecret(list, entry.secretName), "wait");
            const outs: EntryOutputs = { ...entry, attached: true };
            return { id: `${entry.namespace}/${entry.serviceAccount}`, outs: { ...outs } };
        },

        async read(id, props) {
            const entry = readInputs(props);
            const { api } = connection();
            try {
                const account = await api.readNamespacedServiceAccount({ name: entry.serviceAccount, namespace: entry.namespace });
                return { id, props: { ...entry, attached: hasPullSecret(account.imagePullSecrets, entry.secretName) } };
            } catch (error) {
                if (statusOf(error) === 404) {
                    return { id, props: { ...entry, attached: false } };
                }
                throw new Error(`reading ServiceAccount ${entry.namespace}/${entry.serviceAccount} failed: ${describeApiError(error)}`);
            }
        },

        async update(_id, olds, news) {
            const before = readInputs(olds);
            const after = readInputs(news);
            await changePullSecrets(
                connection(),
                after,
                (list) => {
                    const without = before.secretName !== after.secretName ? withoutPullSecret(list, before.secretName) : { list: list ?? [], changed: false };
                    const added = withPullSecret(without.list, after.secretName);
                    return { list: added.list, changed: without.changed || added.changed };
                },
                "wait",
            );
            return { outs: { ...after, attached: true } };
        },

        async delete(_id, props) {
            const entry = readInputs(props);
            await changePullSecrets(connection(), entry, (list) => withoutPullSecret(list, entry.secretName), "skip");
        },
    };
}
