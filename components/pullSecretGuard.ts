import * as pulumi from "@pulumi/pulumi";
import { connect, CoreApi, describeApiError, statusOf } from "./kubeAccess";

/*
 * Why this exists: pulumi-kubernetes 4.25 creates objects with server-side apply, which silently
 * takes over an object that already exists (pulumi/pulumi-kubernetes#2926, changed in #4278).
 * For a pull Secret that means overwriting someone's `regcred` and deleting it on destroy. This
 * guard runs before our Secret is created: it refuses an existing Secret unless the namespace
 * opted into adoption, and it already refuses in `pulumi preview` (its `check` reads the cluster).
 */

/** The annotation naming the stack that owns a pull Secret. */
export const stackAnnotation = "gcr-pull-secrets.dev/stack";

/** Inputs of the guard of one namespace's pull Secret. */
export interface PullSecretGuardArgs {
    /** Namespace of the Secret. */
    namespace: pulumi.Input<string>;
    /** Name of the Secret. */
    secretName: pulumi.Input<string>;
    /** Whether an existing Secret may be taken over. */
    adopt: pulumi.Input<boolean>;
    /** `<project>/<stack>` of this stack; a Secret annotated with it is ours already. */
    stack: pulumi.Input<string>;
    /** kubeconfig context; default: the current context. */
    kubeContext?: pulumi.Input<string>;
}

/** Inputs of the guard as the provider receives them. */
export interface GuardInputs {
    namespace: string;
    secretName: string;
    adopt: boolean;
    stack: string;
    kubeContext?: string;
}

interface GuardOutputs extends GuardInputs {
    /** UID of the Secret that existed before this stack managed it, if one did. */
    adoptedUid?: string;
}

/** Returns why the existing Secret must not be taken over, or undefined when it may be (or there is none). */
export async function existingSecretProblem(api: CoreApi, inputs: GuardInputs): Promise<{ problem?: string; uid?: string; lastApplied?: boolean }> {
    let secret;
    try {
        secret = await api.readNamespacedSecret({ name: inputs.secretName, namespace: inputs.namespace });
    } catch (error) {
        if (statusOf(error) === 404) {
            return {}; // no Secret (or no namespace yet): nothing to take over.
        }
        throw new Error(`checking for an existing Secret ${inputs.namespace}/${inputs.secretName} failed: ${describeApiError(error)}`);
    }
    // Only metadata and type are kept from here on; the Secret's data is never looked at.
    const uid = secret.metadata?.uid;
    const lastApplied = Boolean(secret.metadata?.annotations?.["kubectl.kubernetes.io/last-applied-configuration"]);
    if (secret.metadata?.annotations?.[stackAnnotation] === inputs.stack) {
        return { uid, lastApplied };
    }
    if (!inputs.adopt) {
        return {
            uid,
            problem:
                `Secret ${inputs.namespace}/${inputs.secretName} already exists and was not created by this stack. ` +
                `To take it over in place (pods keep pulling), set adopt: true on namespace "${inputs.namespace}" in the namespaces setting; ` +
                `otherwise choose another secretName or delete that Secret.`,
        };
    }
    if (secret.type !== "kubernetes.io/dockerconfigjson") {
        return {
            uid,
            problem:
                `Secret ${inputs.namespace}/${inputs.secretName} exists with type "${secret.type}" and cannot be adopted: Kubernetes never ` +
                `changes a Secret's type. Delete it or choose another secretName.`,
        };
    }
    return { uid, lastApplied };
}

/** The guard's dynamic provider (exported for tests). */
export const pullSecretGuardProvider: pulumi.dynamic.ResourceProvider = {
    async check(olds: Partial<GuardInputs>, news: GuardInputs) {
        // Only a guard being created has anything to check; afterwards the Secret is ours.
        if (olds && olds.namespace !== undefined) {
            return { inputs: news };
        }
        const { api } = connect(news.kubeContext);
        const { problem } = await existingSecretProblem(api, news);
        return { inputs: news, failures: problem ? [{ property: "secretName", reason: problem }] : [] };
    },

    async diff(_id: string, olds: GuardOutputs, news: GuardInputs) {
        const changes =
            olds.namespace !== news.namespace ||
            olds.secretName !== news.secretName ||
            olds.adopt !== news.adopt ||
            olds.stack !== news.stack ||
            (olds.kubeContext ?? "") !== (news.kubeContext ?? "");
        return { changes, replaces: olds.namespace !== news.namespace || olds.secretName !== news.secretName ? ["secretName"] : [] };
    },

    async create(inputs: GuardInputs) {
        const { api, jsonPatch } = connect(inputs.kubeContext);
        const { problem, uid, lastApplied } = await existingSecretProblem(api, inputs);
        if (problem) {
            throw new Error(problem);
        }
        if (lastApplied) {
            // `kubectl apply` leaves the Secret's previous data in this annotation, which the
            // Kubernetes provider would then copy, in plaintext, into the stack's state.
            await api.patchNamespacedSecret(
                {
                    name: inputs.secretName,
                    namespace: inputs.namespace,
                    body: [{ op: "remove", path: "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration" }],
                },
                jsonPatch,
            );
        }
        const outs: GuardOutputs = { ...inputs, ...(uid ? { adoptedUid: uid } : {}) };
        return { id: `${inputs.namespace}/${inputs.secretName}`, outs };
    },

    async update(_id: string, _olds: GuardOutputs, news: GuardInputs) {
        return { outs: { ...news } };
    },

    async delete() {
        // Nothing to undo: the guard only looked.
    },
};

/**
 * Stops a namespace's pull Secret from silently taking over a Secret of the same name that this
 * stack did not create, unless the namespace opted into adoption.
 */
export class PullSecretGuard extends pulumi.dynamic.Resource {
    /** UID of the Secret that existed before (adopted), if one did. */
    public readonly adoptedUid!: pulumi.Output<string | undefined>;

    constructor(name: string, args: PullSecretGuardArgs, opts?: pulumi.CustomResourceOptions) {
        super(pullSecretGuardProvider, name, { ...args, adoptedUid: undefined }, opts, "", "PullSecretGuard");
    }
}
