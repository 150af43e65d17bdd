/** Rule system-namespaces-need-opt-in. */
import { stackOfUrn } from "../../components/urn";
import { describeObject, known, metadataOf, ResourceFacts, resourceTypes, systemNamespaces, Violation } from "./facts";

export interface SystemNamespaceConfig {
    /** Stacks allowed to write into kube-system, kube-public and kube-node-lease. */
    allowedStacks?: readonly string[];
}

/** The namespace a resource writes into, if it is a namespaced Kubernetes object or our ServiceAccount entry. */
function namespaceOf(resource: ResourceFacts): { namespace: string; what: string } | undefined {
    const { type, props } = resource;
    if (type === resourceTypes.namespace) {
        const name = metadataOf(props).name;
        return typeof name === "string" ? { namespace: name, what: `Namespace "${name}"` } : undefined;
    }
    if (type.startsWith("kubernetes:")) {
        const namespace = metadataOf(props).namespace;
        const kind = type.split(":").pop();
        return typeof namespace === "string" ? { namespace, what: `${kind} ${describeObject(resource)}` } : undefined;
    }
    // The package's PullSecret (the Secret and its ServiceAccount entries) and 0.1's dynamic
    // resources have a top-level `namespace`.
    if (type === resourceTypes.pullSecret || type.startsWith("pulumi-nodejs:dynamic")) {
        const namespace = props.namespace;
        const account = known(() => props.serviceAccount);
        const what =
            typeof account === "string"
                ? `The imagePullSecrets entry of ServiceAccount "${String(namespace)}/${account}"`
                : `${type === resourceTypes.pullSecret ? `Secret "${String(namespace)}/${String(known(() => props.secretName))}"` : `${type.split(":").pop()} for namespace "${String(namespace)}"`}`;
        return typeof namespace === "string" ? { namespace, what } : undefined;
    }
    return undefined;
}

/** Nothing in kube-system, kube-public or kube-node-lease unless the stack is listed in the policy config. */
export function systemNamespaceViolations(resource: ResourceFacts, config: SystemNamespaceConfig = {}): Violation[] {
    const target = namespaceOf(resource);
    if (!target || !systemNamespaces.includes(target.namespace)) {
        return [];
    }
    const stack = stackOfUrn(resource.urn);
    if ((config.allowedStacks ?? []).includes(stack)) {
        return [];
    }
    return [
        {
            message:
                `${target.what} is in the system namespace "${target.namespace}", and stack "${stack}" has not opted in. ` +
                `Remove "${target.namespace}" from gcr-pull-secrets:namespaces, or opt the stack in: add "${stack}" to ` +
                `allowedStacks of policy "system-namespaces-need-opt-in" in policy/config.json and set gcr-pull-secrets:allowSystemNamespaces: true.`,
        },
    ];
}
