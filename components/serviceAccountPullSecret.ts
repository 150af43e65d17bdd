import * as pulumi from "@pulumi/pulumi";
import { legacyTypes, types } from "./contract";

/** The inputs of one ServiceAccount's pull-secret entry. */
export interface ServiceAccountPullSecretArgs {
    /** Namespace of the ServiceAccount. Required. */
    namespace: pulumi.Input<string>;
    /** ServiceAccount name (`default` for the namespace default). Required. */
    serviceAccount: pulumi.Input<string>;
    /** The Secret to list in `imagePullSecrets`. Required. */
    secretName: pulumi.Input<string>;
    /** How long to wait for the ServiceAccount to exist, in seconds. Default: 60. */
    waitSeconds?: pulumi.Input<number>;
}

/**
 * Our Secret's entry in one ServiceAccount's `imagePullSecrets` (an atomic list): added next to
 * everyone else's, restored when refresh finds it gone, and removed (alone) on delete. Written by
 * the `gcr-pull-secrets` provider with read-modify-write on resourceVersion.
 */
export class ServiceAccountPullSecret extends pulumi.CustomResource {
    /** Whether our entry was present when last written or refreshed. */
    public readonly attached!: pulumi.Output<boolean>;

    /**
     * @param name Resource name; the component uses `<namespace resource>/<serviceAccount>`.
     * @param args The entry's inputs.
     * @param opts Resource options; `provider` must be a {@link PullSecretsProvider}.
     */
    constructor(name: string, args: ServiceAccountPullSecretArgs, opts?: pulumi.CustomResourceOptions) {
        super(types.serviceAccountPullSecret, name, { ...args, attached: undefined }, {
            ...opts,
            // Up to 0.1 a dynamic provider wrote this entry: the same entry, now kept by our provider.
            aliases: [...(opts?.aliases ?? []), { type: legacyTypes.serviceAccountPullSecret }],
        });
    }
}
