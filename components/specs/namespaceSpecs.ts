/**
 * What each namespace gets: its PullSecret (the Secret and its entries in the ServiceAccounts),
 * and the Namespace itself when the stack creates it.
 */
import { defaultWaitSeconds, foreignTypes, keyless as keylessNames, managedLabels, types } from "../contract";
import { Plan } from "../plan";
import { NamespaceTarget } from "../selectNamespaces";
import { dockerConfigKey, providerKeys } from "./providerSpecs";
import { callersKubernetes, ref, ResourceSpec, SpecContext, stackIdentityInput } from "./resourceSpec";

/** The key of a namespace's Namespace spec. */
export function namespaceKey(namespace: string): string {
    return `namespace/${namespace}`;
}

/** The key of a namespace's PullSecret spec. */
export function pullSecretKey(namespace: string): string {
    return `pullSecret/${namespace}`;
}

/** The Namespace (when created) and the PullSecret of every target, in the targets' order. */
export function namespaceSpecs(plan: Plan, context: SpecContext, targets: readonly NamespaceTarget[]): ResourceSpec[] {
    const key = dockerConfigKey(plan);
    const keySource = plan.credentials.kind === "keyless" ? keylessNames.keySource : plan.credentials.kind === "jsonKey" ? "supplied" : "managed";
    const kubernetes = context.callersKubernetes ? callersKubernetes : providerKeys.kubernetes;
    const specs: ResourceSpec[] = [];
    for (const namespace of targets) {
        // Names come from the namespace, never its position, so reordering changes nothing, and a
        // namespace moving between the list and the selector keeps its resources.
        const name = `${context.name}-${namespace.name}`;
        if (namespace.create) {
            specs.push({
                key: namespaceKey(namespace.name),
                name,
                type: foreignTypes.namespace,
                inputs: { metadata: { name: namespace.name, labels: { ...managedLabels } } },
                // A namespace holds workloads other stacks own; destroying pull access must not delete them.
                options: { provider: kubernetes, retainOnDelete: true },
            });
        }
        specs.push({
            key: pullSecretKey(namespace.name),
            name,
            type: types.pullSecret,
            inputs: {
                namespace: namespace.create ? ref(namespaceKey(namespace.name), "metadata.name") : namespace.name,
                secretName: plan.secretName,
                owner: `${context.project}/${context.stack}`,
                stackIdentity: stackIdentityInput,
                keySource,
                registries: [...plan.registryHosts],
                ...(key ? { dockerConfigDigest: { $secret: "dockerConfigDigest", key } } : {}),
                serviceAccounts: [...namespace.serviceAccounts],
                // Inputs at their default are left out (the provider reads an absent one as its default):
                // the state keeps each input, and its dependency list, for every namespace, and the file
                // and bucket backends rewrite all of it after every step.
                ...(namespace.adopt ? { adopt: true } : {}),
                ...(namespace.create ? { namespaceCreatedByStack: true } : {}),
                ...(namespace.foundServiceAccounts.length > 0 ? { foundServiceAccounts: [...namespace.foundServiceAccounts] } : {}),
                ...(plan.serviceAccountWaitSeconds !== defaultWaitSeconds ? { waitSeconds: plan.serviceAccountWaitSeconds } : {}),
            },
            options: { provider: providerKeys.pullSecrets, ...(namespace.create ? { dependsOn: [namespaceKey(namespace.name)] } : {}) },
        });
    }
    return specs;
}
