/**
 * After `pulumi up` has written every PullSecret: the provider's `verifyPullAccess` function checks
 * that a pod in each namespace gets the Secret (and, with verifyRepositories, that its credential
 * may pull those repositories); each problem becomes a warning on the component, and the results
 * the `pullAccess` output.
 *
 * A function rather than a resource: it runs at every `pulumi up`, also when nothing changed (an
 * admission webhook installed since is caught then), and it adds nothing to the state but the
 * output, so a preview stays empty. `pulumi preview` does not run it: the Secrets it would check may
 * not be written yet, and the output shows as computed at update.
 *
 * Asked in batches of {@link checkBatchSize} namespaces, each as soon as its own PullSecrets are
 * written, so the checks run while the engine still works through the rest instead of after the last
 * one (at 1,000 namespaces a single request added ~4 s to every `up`: docs/performance.md). The
 * provider bounds its cluster calls across batches; the warnings come once every batch has answered.
 */
import * as pulumi from "@pulumi/pulumi";
import { functions } from "./contract";
import { Plan } from "./plan";
import { NamespacePullAccess, PullAccessRequest, pullAccessWarnings } from "./pullAccess";
import { NamespaceTarget } from "./selectNamespaces";

/** Namespaces per request: enough to keep the provider's bounded calls busy, few enough to start early. */
export const checkBatchSize = 50;

/** The PullSecret outputs the check waits for: it runs once the Secret and entries are written. */
export interface WrittenPullSecret {
    attached: pulumi.Output<string[]>;
}

/** The request for these targets, given what each PullSecret's entries are attached to. Pure. */
export function pullAccessRequest(plan: Plan, targets: readonly NamespaceTarget[], attached: Record<string, string[] | undefined>): PullAccessRequest {
    return {
        secretName: plan.secretName,
        registries: [...plan.registryHosts],
        pods: plan.verification.verifyPullAccess,
        repositories: [...plan.verification.verifyRepositories],
        namespaces: targets.map((target) => ({
            name: target.name,
            serviceAccounts: [...target.serviceAccounts],
            attached: [...(attached[target.name] ?? [])],
        })),
    };
}

/**
 * The results per namespace: `{}` when both checks are off, unknown in a preview.
 * @param parent The component: warnings are shown on it.
 * @param provider The `gcr-pull-secrets` provider that wrote the Secrets (same cluster).
 */
export function verifyPullAccess(
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource,
    plan: Plan,
    targets: readonly NamespaceTarget[],
    pullSecretOf: (namespace: string) => WrittenPullSecret,
): pulumi.Output<Record<string, NamespacePullAccess>> {
    const { verifyPullAccess: pods, verifyRepositories } = plan.verification;
    if ((!pods && verifyRepositories.length === 0) || targets.length === 0) return pulumi.output<Record<string, NamespacePullAccess>>({});
    if (pulumi.runtime.isDryRun()) return pulumi.output(pulumi.unknown) as unknown as pulumi.Output<Record<string, NamespacePullAccess>>;
    const batches = Array.from({ length: Math.ceil(targets.length / checkBatchSize) }, (_, index) =>
        targets.slice(index * checkBatchSize, (index + 1) * checkBatchSize),
    );
    const answers = batches.map((batch) =>
        pulumi.all(Object.fromEntries(batch.map((target) => [target.name, pullSecretOf(target.name).attached]))).apply(async (attachedBy) => {
            const result = (await pulumi.runtime.invoke(
                functions.verifyPullAccess,
                { ...pullAccessRequest(plan, batch, attachedBy) },
                { provider, parent },
            )) as {
                namespaces?: Record<string, NamespacePullAccess>;
            };
            return result?.namespaces ?? {};
        }),
    );
    return pulumi.all(answers).apply((found) => {
        const namespaces: Record<string, NamespacePullAccess> = Object.assign({}, ...found);
        for (const warning of pullAccessWarnings(namespaces)) pulumi.log.warn(warning, parent);
        return namespaces;
    });
}
