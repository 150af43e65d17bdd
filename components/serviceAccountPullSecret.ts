import * as pulumi from "@pulumi/pulumi";
import { hasPullSecret, LocalObjectReference, withoutPullSecret, withPullSecret } from "./imagePullSecrets";
import { connect, CoreApi, describeApiError, ServiceAccountObject, sleep, statusOf } from "./kubeAccess";

/*
 * Why a dynamic provider and not `kubernetes.core.v1.ServiceAccountPatch`:
 * `imagePullSecrets` is an atomic list (`+listType=atomic`, k8s.io/api core/v1 ServiceAccount).
 * A server-side apply patch owns the whole list: without force it conflicts with whoever else set
 * entries (`kubectl patch` leaves a manager that owns the list), with force it overwrites their
 * entries, and on delete the provider applies an empty object so the list goes back to empty
 * (pulumi-kubernetes provider/pkg/ssa). Its preview also never reads the cluster. We need a
 * read-modify-write that adds or removes one entry, guarded by resourceVersion so a concurrent
 * writer is never lost, a bounded wait for the `default` ServiceAccount the controller creates
 * asynchronously, and a `read` that notices when our entry was removed by hand.
 */

/** Inputs of one ServiceAccount's pull-secret entry. */
export interface ServiceAccountPullSecretArgs {
    /** Namespace of the ServiceAccount. */
    namespace: pulumi.Input<string>;
    /** ServiceAccount name (`default` for the namespace default). */
    serviceAccount: pulumi.Input<string>;
    /** The Secret to list in `imagePullSecrets`. */
    secretName: pulumi.Input<string>;
    /** How long to wait for the ServiceAccount to exist, in seconds. */
    waitSeconds: pulumi.Input<number>;
    /** kubeconfig context; default: the current context. */
    kubeContext?: pulumi.Input<string>;
}

/** Inputs of the entry as the provider receives them. */
export interface EntryInputs {
    namespace: string;
    serviceAccount: string;
    secretName: string;
    waitSeconds: number;
    kubeContext?: string;
}

/** Outputs of the entry as stored in state. */
export interface EntryOutputs extends EntryInputs {
    /** True while our entry is in the ServiceAccount's list; `read` sets false when someone removed it. */
    attached: boolean;
}

const maxConflictRetries = 10;

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
 * it with the resourceVersion it read: if anyone wrote in between, the API server answers 409
 * Conflict and we read and apply the change again, so their write survives.
 */
export async function changePullSecrets(
    connection: { api: CoreApi; mergePatch: unknown },
    inputs: EntryInputs,
    change: (list: LocalObjectReference[] | undefined) => { list: LocalObjectReference[]; changed: boolean },
    whenMissing: "wait" | "skip",
): Promise<void> {
    const { api, mergePatch } = connection;
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
            throw error;
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
            if (status === 409 && attempt < maxConflictRetries) {
                await sleep(50 * attempt + Math.floor(Math.random() * 50));
                continue;
            }
            if (status === 404 && whenMissing === "skip") {
                return;
            }
            throw new Error(
                `updating imagePullSecrets of ServiceAccount ${inputs.namespace}/${inputs.serviceAccount} failed` +
                    (status === 409 ? ` after ${attempt} conflicting writes` : "") +
                    `: ${describeApiError(error)}`,
            );
        }
    }
}

function sameInputs(olds: EntryOutputs, news: EntryInputs): boolean {
    return (
        olds.namespace === news.namespace &&
        olds.serviceAccount === news.serviceAccount &&
        olds.secretName === news.secretName &&
        olds.waitSeconds === news.waitSeconds &&
        (olds.kubeContext ?? "") === (news.kubeContext ?? "")
    );
}

/** The entry's dynamic provider (exported for tests). */
export const serviceAccountPullSecretProvider: pulumi.dynamic.ResourceProvider = {
    async check(_olds: EntryInputs, news: EntryInputs) {
        const failures: pulumi.dynamic.CheckFailure[] = [];
        for (const property of ["namespace", "serviceAccount", "secretName"] as const) {
            if (typeof news[property] !== "string" || news[property] === "") {
                failures.push({ property, reason: `${property} must be a non-empty string` });
            }
        }
        return { inputs: news, failures };
    },

    async diff(_id: string, olds: EntryOutputs, news: EntryInputs) {
        const replaces = (["namespace", "serviceAccount"] as const).filter((key) => olds[key] !== news[key]);
        // `attached` false means refresh found our entry removed by hand: an update puts it back.
        const changes = !sameInputs(olds, news) || olds.attached !== true;
        return { changes, replaces, deleteBeforeReplace: false };
    },

    async create(inputs: EntryInputs) {
        await changePullSecrets(connect(inputs.kubeContext), inputs, (list) => withPullSecret(list, inputs.secretName), "wait");
        const outs: EntryOutputs = { ...inputs, attached: true };
        return { id: `${inputs.namespace}/${inputs.serviceAccount}`, outs };
    },

    async read(id: string, props: EntryOutputs) {
        const { api } = connect(props.kubeContext);
        try {
            const account = await api.readNamespacedServiceAccount({ name: props.serviceAccount, namespace: props.namespace });
            return { id, props: { ...props, attached: hasPullSecret(account.imagePullSecrets, props.secretName) } };
        } catch (error) {
            if (statusOf(error) === 404) {
                return { id, props: { ...props, attached: false } };
            }
            throw new Error(`reading ServiceAccount ${props.namespace}/${props.serviceAccount} failed: ${describeApiError(error)}`);
        }
    },

    async update(_id: string, olds: EntryOutputs, news: EntryInputs) {
        await changePullSecrets(
            connect(news.kubeContext),
            news,
            (list) => {
                const without = olds.secretName !== news.secretName ? withoutPullSecret(list, olds.secretName) : { list: list ?? [], changed: false };
                const added = withPullSecret(without.list, news.secretName);
                return { list: added.list, changed: without.changed || added.changed };
            },
            "wait",
        );
        const outs: EntryOutputs = { ...news, attached: true };
        return { outs };
    },

    async delete(_id: string, props: EntryOutputs) {
        await changePullSecrets(connect(props.kubeContext), props, (list) => withoutPullSecret(list, props.secretName), "skip");
    },
};

/**
 * Our Secret's entry in one ServiceAccount's `imagePullSecrets`: added on create, kept in place
 * next to everyone else's, restored when refresh finds it gone, and removed (alone) on delete.
 */
export class ServiceAccountPullSecret extends pulumi.dynamic.Resource {
    /** Whether our entry was present when last written or refreshed. */
    public readonly attached!: pulumi.Output<boolean>;

    constructor(name: string, args: ServiceAccountPullSecretArgs, opts?: pulumi.CustomResourceOptions) {
        super(serviceAccountPullSecretProvider, name, { ...args, attached: undefined }, opts, "", "ServiceAccountPullSecret");
    }
}
