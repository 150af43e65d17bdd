import * as pulumi from "@pulumi/pulumi";
import { legacyTypes, types } from "./contract";

/** The inputs of one namespace's pull Secret. */
export interface PullSecretArgs {
    /** Namespace of the Secret. Required. */
    namespace: pulumi.Input<string>;
    /** Name of the Secret. Required. */
    secretName: pulumi.Input<string>;
    /** Take over an existing Secret of that name that another owner holds (another stack, or nobody). Default: false. */
    adopt?: pulumi.Input<boolean>;
    /** `<project>/<stack>` of the owning stack, written as an annotation. Required. */
    owner: pulumi.Input<string>;
    /**
     * The owning stack's identity (the id of its `StackIdentity`), written as an annotation: a Secret
     * of another stack of the same `<project>/<stack>` name (another backend) then needs `adopt`.
     * Default: none (the stack is told by its name alone).
     */
    stackIdentity?: pulumi.Input<string>;
    /** Where the key comes from: "managed", "supplied", or "keyless" (the in-cluster refresher writes the content). Required. */
    keySource: pulumi.Input<string>;
    /** Registry hosts the docker config covers. Required. */
    registries: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * SHA-256 digest of the docker config the provider holds (`dockerConfigDigest`): a fingerprint, not
     * the key, so not a secret (docs/security.md). Required unless keyless.
     */
    dockerConfigDigest?: pulumi.Input<string>;
    /** The stack creates the namespace in the same update, so it need not exist at preview. Default: false. */
    namespaceCreatedByStack?: pulumi.Input<boolean>;
    /** ServiceAccounts of the namespace whose `imagePullSecrets` get the Secret. Required (usually `["default"]`). */
    serviceAccounts: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Those of serviceAccounts that are covered because they were found in the cluster, not named:
     * one deleted before the write is skipped instead of waited for. Default: none.
     */
    foundServiceAccounts?: pulumi.Input<pulumi.Input<string>[]>;
    /** How long to wait for a ServiceAccount to exist, in seconds (`default` comes from a controller). Default: 60. */
    waitSeconds?: pulumi.Input<number>;
}

/**
 * One namespace's `kubernetes.io/dockerconfigjson` Secret, written by the `gcr-pull-secrets`
 * provider with the docker config held in that provider's configuration, and its entry in the
 * `imagePullSecrets` of each ServiceAccount named: added next to everyone else's, restored when
 * refresh finds it gone, removed (alone) on delete. Refuses (at preview) a Secret of the same name
 * that the stack did not write, unless `adopt`.
 */
export class PullSecret extends pulumi.CustomResource {
    // `declare`: with ES2022 class fields a plain declaration would be initialised to undefined after
    // super() has set the output, so `pullSecret.attached` would read undefined.
    /** Namespace of the Secret. */
    declare public readonly namespace: pulumi.Output<string>;
    /** The ServiceAccounts whose `imagePullSecrets` get the Secret. */
    declare public readonly serviceAccounts: pulumi.Output<string[]>;
    /**
     * SHA-256 digest of the docker config the Secret held when refresh last found its content changed
     * by hand (the next update writes ours back); absent otherwise.
     */
    declare public readonly dockerConfigDigest: pulumi.Output<string | undefined>;
    /** UID of the Secret in the cluster. */
    declare public readonly uid: pulumi.Output<string>;
    /**
     * The random id of this resource instance, written on the Secret as its owner: only the
     * instance whose id the Secret carries deletes it or changes its entries.
     */
    declare public readonly ownerId: pulumi.Output<string>;
    /** Set by refresh when another owner holds the Secret now (who): the next update refuses to take it back unless adopt. */
    declare public readonly heldBy: pulumi.Output<string | undefined>;
    /** UID of a Secret that existed before and was adopted, if one was. */
    declare public readonly adoptedUid: pulumi.Output<string | undefined>;
    /** Name of the Secret. */
    declare public readonly secretName: pulumi.Output<string>;
    /** The ServiceAccounts whose list held our entry when last written or refreshed. */
    declare public readonly attached: pulumi.Output<string[]>;

    /**
     * @param name Resource name; the component derives it from the namespace.
     * @param args The Secret's inputs.
     * @param opts Resource options; `provider` must be a {@link PullSecretsProvider}.
     */
    constructor(name: string, args: PullSecretArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            types.pullSecret,
            name,
            {
                ...args,
                uid: undefined,
                ownerId: undefined,
                heldBy: undefined,
                adoptedUid: undefined,
                attached: undefined,
            },
            {
                ...opts,
                // Up to 0.1 the Kubernetes provider wrote this Secret: the same object, now written by us.
                aliases: [...(opts?.aliases ?? []), { type: legacyTypes.pullSecret }],
            },
        );
    }
}
