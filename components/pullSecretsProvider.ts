import * as pulumi from "@pulumi/pulumi";
import { packageName } from "./contract";

/** The configuration of a {@link PullSecretsProvider}. */
export interface PullSecretsProviderArgs {
    /**
     * A supplied service account key, exactly as the stack holds it (the key file's JSON text, or
     * that text base64-encoded): the provider builds the docker config from it. Pass the very value
     * of a secret setting, unchanged, so that the Pulumi CLI can mask it in its logs. Secret.
     * Default: none (see `privateKey`; with neither, and without `keyless`, the provider only reads
     * the cluster: the component's namespace lookups).
     * @secret
     */
    jsonKey?: pulumi.Input<string>;
    /** A created key's `privateKey` (`gcp.serviceaccount.Key`), as the Google provider returns it. Secret. Default: none. @secret */
    privateKey?: pulumi.Input<string>;
    /** The registry hosts the docker config covers, comma-separated. Required with a key. */
    registries?: pulumi.Input<string>;
    /** Docker username mode with a key: `_json_key` or `_json_key_base64`. Default: `_json_key`. */
    username?: pulumi.Input<string>;
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
 * every pull Secret and ServiceAccount entry of a component, and the key they carry, kept once in
 * state rather than once per namespace. The docker config is built by the plugin from the key, so
 * that no text derived from the key crosses the engine (see components/providerKey.ts).
 */
export class PullSecretsProvider extends pulumi.ProviderResource {
    /**
     * @param name The provider's name.
     * @param args Its configuration.
     * @param opts Resource options.
     */
    constructor(name: string, args: PullSecretsProviderArgs, opts?: pulumi.ResourceOptions) {
        const hasKey = args.jsonKey !== undefined || args.privateKey !== undefined;
        super(
            packageName,
            name,
            {
                ...(args.jsonKey !== undefined ? { jsonKey: pulumi.secret(args.jsonKey) } : {}),
                ...(args.privateKey !== undefined ? { privateKey: pulumi.secret(args.privateKey) } : {}),
                ...(hasKey ? { registries: args.registries, username: args.username ?? "_json_key" } : {}),
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
