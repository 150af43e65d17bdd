/**
 * The cluster section: which cluster (`kubeconfig`, `kubeContext`, `clusterIdentifier`) and how long to wait there for a
 * ServiceAccount (`serviceAccountWaitSeconds`).
 */
import { defaultWaitSeconds } from "../contract";
import { GcrPullSecretsArgs } from "../gcrPullSecretsArgs";
import { Checker, isEventual } from "./checker";

/** How the component reaches the cluster; the kubeconfig itself is a secret and stays out of the plan. */
export interface ClusterPlan {
    /** How long a PullSecret waits for a ServiceAccount to exist. Default: 60. */
    serviceAccountWaitSeconds: number;
    /** The kubeconfig's context. Default: its current context (undefined). */
    kubeContext?: string;
    /** The providers' clusterIdentifier. Default: none (the API server URL tells clusters apart). */
    clusterIdentifier?: string;
}

/** Checks the cluster settings; a kubeconfig given as an Output is checked by the provider that uses it. */
export function planCluster(args: GcrPullSecretsArgs, checker: Checker): ClusterPlan {
    const serviceAccountWaitSeconds = checker.integer(checker.setting("serviceAccountWaitSeconds", args.serviceAccountWaitSeconds), {
        fallback: defaultWaitSeconds,
        min: 1,
        max: 3600,
        unit: "seconds",
    });
    const contextField = checker.setting("kubeContext", args.kubeContext);
    const kubeContext = checker.text(contextField, {
        what: "a context name from your kubeconfig",
        example: "my-cluster",
        emptyFix: `${checker.howToRemove(contextField)} to use the kubeconfig's current context, or name a context from your kubeconfig`,
    });
    const identifierField = checker.setting("clusterIdentifier", args.clusterIdentifier);
    const clusterIdentifier = checker.text(identifierField, {
        what: "a name for the cluster that stays the same when its URL changes",
        example: "prod-europe-west1",
        emptyFix: `${checker.howToRemove(identifierField)} to tell clusters apart by their API server URL, or name the cluster`,
    });
    const kubeconfigField = checker.setting("kubeconfig", args.kubeconfig);
    if (!isEventual(kubeconfigField.value)) {
        const text = checker.text(kubeconfigField, {
            what: "the text of a kubeconfig file",
            example: "< kubeconfig.yaml",
            emptyFix: `set it from the file (\`pulumi config set --secret gcr-pull-secrets:kubeconfig < kubeconfig.yaml\`), or ${checker.howToRemove(kubeconfigField)} to use KUBECONFIG or ~/.kube/config`,
        });
        if (text !== undefined && !looksLikeKubeconfig(text)) {
            checker.fail(
                kubeconfigField,
                "is not a kubeconfig: it has no clusters section; set it from the file (`pulumi config set --secret gcr-pull-secrets:kubeconfig < kubeconfig.yaml`)",
            );
        }
    }
    return { serviceAccountWaitSeconds, ...(kubeContext ? { kubeContext } : {}), ...(clusterIdentifier ? { clusterIdentifier } : {}) };
}

/**
 * A shape check only: parse errors of a YAML parser quote the text, and this text is secret.
 * YAML or JSON: a `clusters` member at the start of a line or after `{` or `,`.
 */
export function looksLikeKubeconfig(text: string): boolean {
    return /(^|[\n{,])\s*"?clusters"?\s*:/.test(text);
}
