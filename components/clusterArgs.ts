import * as pulumi from "@pulumi/pulumi";
import type { NamespaceArgs, NamespaceSelectorArgs } from "./gcrPullSecretsArgs";

/**
 * One cluster of a fleet ({@link GcrPullSecretsArgs.clusters}): how to reach it, and what differs
 * there from the top-level settings, which are every cluster's defaults.
 */
export interface ClusterArgs {
    /**
     * The cluster's name in this program: 1-32 lowercase letters, digits and '-', starting with a
     * letter and ending with a letter or digit. Its resources' names end in `.<name>` and the outputs
     * are keyed by it, so renaming a cluster replaces its resources. Required.
     */
    name: string;
    /**
     * The cluster, as the text of a kubeconfig file. Keep it secret: pass `pulumi.secret(...)` or set
     * it with `pulumi config set --secret --path`. Default: the ambient kubeconfig (`KUBECONFIG`, else
     * `~/.kube/config`), and then kubeContext is required.
     * @secret
     */
    kubeconfig?: pulumi.Input<string>;
    /** Context of the kubeconfig to use. Default: its current context (required without kubeconfig). */
    kubeContext?: string;
    /** The providers' `clusterIdentifier` for this cluster (see {@link GcrPullSecretsArgs.clusterIdentifier}). Default: none. */
    clusterIdentifier?: string;
    /** Namespaces in this cluster, instead of the top-level `namespaces`. Default: the top-level `namespaces`. */
    namespaces?: (string | NamespaceArgs)[];
    /** Namespaces chosen by label in this cluster, instead of the top-level `namespaceSelector`. Default: the top-level one. */
    namespaceSelector?: NamespaceSelectorArgs;
    /** Instead of the top-level `excludeNamespaces`. Default: the top-level one. */
    excludeNamespaces?: string[];
    /** Instead of the top-level `allowSystemNamespaces`. Default: the top-level one. */
    allowSystemNamespaces?: boolean;
    /** Instead of the top-level `serviceAccountWaitSeconds`. Default: the top-level one. */
    serviceAccountWaitSeconds?: number;
    /** With the top-level `keyless`: this cluster's ServiceAccount issuer, trusted by a provider of its own in the fleet's pool. Required then. */
    keyless?: ClusterKeylessArgs;
}

/** A fleet cluster's issuer in keyless mode: the pool is the fleet's (`keyless.poolId`), the provider the cluster's. */
export interface ClusterKeylessArgs {
    /** The cluster's ServiceAccount token issuer (as the top-level `keyless.issuerUri`). Required. */
    issuerUri: string;
    /** The issuer's JSON Web Key Set as text, inlined (as the top-level `keyless.jwks`). Default: none. */
    jwks?: string;
    /** Id of the cluster's provider in the pool (4-32 lowercase letters, digits, '-', not starting with gcp-). Default: the cluster's name. */
    providerId?: string;
}
