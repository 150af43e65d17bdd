import * as pulumi from "@pulumi/pulumi";
import { packageName } from "./contract";

/** The configuration of a {@link PullSecretsProvider}. */
export interface PullSecretsProviderArgs {
    /**
     * The docker config JSON text every pull Secret carries. Secret. Default: none; without it (and
     * without `keyless`) the provider only reads the cluster (the component's namespace lookups).
     * @secret
     */
    dockerConfigJson?: pulumi.Input<string>;
    /** The Secrets' content is written in the cluster by the keyless refresher, not from here. Default: false. */
    keyless?: boolean;
    /**
     * The cluster, as the text of a kubeconfig file. Secret. Default: the ambient kubeconfig (`KUBECONFIG`, else `~/.kube/config`).
     * @secret
     */
    kubeconfig?: pulumi.Input<string>;
    /** Context of the kubeconfig. Default: its current context. */
    context?: pulumi.Input<string>;
    /**
     * A name for the cluster: while it stays the same, another kubeconfig URL is an update, not a
     * replacement; a new one replaces (as the Kubernetes provider's `clusterIdentifier`). Default: none
     * (the API server URL tells clusters apart).
     */
    clusterIdentifier?: pulumi.Input<string>;
}

/**
 * An instance of the `gcr-pull-secrets` provider plugin (`provider/`): one cluster connection for
 * every pull Secret and ServiceAccount entry of a component, and the docker config they carry,
 * kept once in state rather than once per namespace.
 */
export class PullSecretsProvider extends pulumi.ProviderResource {
    /**
     * @param name The provider's name.
     * @param args Its configuration.
     * @param opts Resource options.
     */
    constructor(name: string, args: PullSecretsProviderArgs, opts?: pulumi.ResourceOptions) {
        super(
            packageName,
            name,
            {
                ...(args.dockerConfigJson !== undefined ? { dockerConfigJson: pulumi.secret(args.dockerConfigJson) } : {}),
                // A string: provider configuration reaches older engines' Configure as text.
                ...(args.keyless ? { keyless: "true" } : {}),
                ...(args.kubeconfig !== undefined ? { kubeconfig: pulumi.secret(args.kubeconfig) } : {}),
                ...(args.context !== undefined ? { context: args.context } : {}),
                ...(args.clusterIdentifier !== undefined ? { clusterIdentifier: args.clusterIdentifier } : {}),
            },
            opts,
        );
    }
}
