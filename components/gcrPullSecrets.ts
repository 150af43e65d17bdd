import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./configError";
import { functions, types } from "./contract";
import { GcrPullSecretsArgs } from "./gcrPullSecretsArgs";
import { Plan } from "./plan";
import { claimPullSecrets, clusterKey } from "./secretClaims";
import { ClusterNamespace, clusterLookups, NamespaceTarget, resolveNamespaces } from "./selectNamespaces";
import { SpecResources } from "./specResources";
import { credentialOutputs } from "./specs/googleSpecs";
import { providerKeys } from "./specs/providerSpecs";
import { clusterSpecsBeforeNamespaces, clusterSpecsForNamespaces, fleetSpecs, planForCluster } from "./specs/fleetSpecs";
import { ResourceSpec, SpecContext } from "./specs/resourceSpec";
import { specsBeforeNamespaces, specsForNamespaces } from "./specs/resourceSpecs";
import { ValidatedArgs, validateArgs } from "./validatedArgs";
import { NamespacePullAccess } from "./pullAccess";
import { verifyPullAccess } from "./verifyPullAccess";

/**
 * Pull access to private Google registries for Kubernetes namespaces: a Google service account
 * with read-only registry access and a key (or a supplied JSON key, or no key at all: keyless
 * mode's Workload Identity Federation and in-cluster token refresher), and per namespace one
 * PullSecret: a `kubernetes.io/dockerconfigjson` Secret, listed in the `imagePullSecrets` of the
 * namespace's `default` ServiceAccount (and any others named), so pods pull without naming it.
 *
 * Every object goes to one cluster: `args.kubeconfig` (else the ambient kubeconfig) at
 * `args.kubeContext`, for the Namespaces (Kubernetes provider) as for the Secrets and ServiceAccount
 * entries (the `gcr-pull-secrets` provider). With `args.clusters`, to several: each cluster gets
 * providers of its own, and one Google identity serves them all.
 */
export class GcrPullSecrets extends pulumi.ComponentResource {
    /** The pull Secret's name in each namespace, keyed by namespace (with `clusters`: by `<cluster>/<namespace>`). */
    public readonly secretNames: pulumi.Output<Record<string, string>>;
    /** With `clusters`: the pull Secret's name in each namespace, keyed by cluster, then namespace. Otherwise undefined. */
    public readonly clusterSecretNames?: pulumi.Output<Record<string, Record<string, string>>>;
    /**
     * What `pulumi up` found when it checked pull access (verifyPullAccess, verifyRepositories), keyed
     * by namespace: verified, stripped, denied or skipped, per ServiceAccount and repository. Unknown
     * in a preview; `{}` when both checks are off.
     */
    public readonly pullAccess: pulumi.Output<Record<string, NamespacePullAccess>>;
    /** Email of the Google service account the key belongs to. */
    public readonly serviceAccountEmail: pulumi.Output<string>;
    /** Id of the key in use (never the key itself). */
    public readonly keyId: pulumi.Output<string>;
    /** Registry hosts the Secret covers, sorted. */
    public readonly registryHosts: pulumi.Output<string[]>;
    /** The validated plan this component was built from. */
    public readonly plan: Plan;

    /**
     * @param name The component's name; child resource names start with it.
     * @param args What to create; checked as a whole before any resource is declared, unless
     *   already checked ({@link ValidatedArgs}, from `validateArgs` or the stack config).
     * @param opts Resource options. A `kubernetes` provider passed here is used for the Namespaces
     *   it creates, and then `args.kubeconfig` must name the same cluster for everything else.
     */
    constructor(name: string, args: GcrPullSecretsArgs | ValidatedArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before the component itself is registered: bad input touches nothing, not even the
        // component's own entry in the engine (whose pending registration would outlive the error).
        const validated = args instanceof ValidatedArgs ? args : validateArgs(args);
        super(types.component, name, {}, opts);
        // What it creates is decided by the plan (validation/) and spelled out as resource specs
        // (specs/); this constructor only declares them, after reading the cluster when a selector needs it.
        const plan = validated.plan;
        this.plan = plan;

        const callersKubernetes = this.getProvider("kubernetes:core/v1:Namespace");
        if (callersKubernetes && plan.clusters) {
            // One provider cannot reach several clusters; each cluster gets its own.
            throw new ConfigError(
                [
                    {
                        path: "clusters",
                        message:
                            "is set, but a Kubernetes provider was passed in opts: each cluster gets Kubernetes providers of its own " +
                            "(from its kubeconfig or kubeContext), so remove the provider from opts",
                    },
                ],
                "GcrPullSecrets arguments",
            );
        }
        if (callersKubernetes && validated.kubeconfig === undefined) {
            // Guessing from KUBECONFIG could write Secrets into one cluster and Namespaces into another.
            throw new ConfigError(
                [
                    {
                        path: "kubeconfig",
                        message:
                            "is not set, but a Kubernetes provider was passed in opts: set kubeconfig (and kubeContext, if needed) " +
                            "to the kubeconfig that provider uses, so that every object goes to the same cluster",
                    },
                ],
                "GcrPullSecrets arguments",
            );
        }
        const context: SpecContext = {
            name,
            project: pulumi.getProject(),
            stack: pulumi.getStack(),
            upgradeFrom01: validated.upgradeFrom01,
            kubeconfig: validated.kubeconfig !== undefined,
            callersKubernetes: callersKubernetes !== undefined,
        };
        const resources = new SpecResources(this, plan, validated, callersKubernetes);
        // Two components of this program writing one Secret are refused (secretClaims.ts); the cluster is
        // known once the kubeconfig is, so the refusal travels in the outputs.
        const claims: pulumi.Output<unknown>[] = [];
        // What pulumi up finds checking pull access, per cluster (verifyPullAccess.ts).
        const checks: pulumi.Output<Record<string, NamespacePullAccess>>[] = [];
        if (!plan.clusters) {
            resources.declare(specsBeforeNamespaces(plan, context));
            this.secretNames = this.declareCluster({ claimant: name, plan, resources, kubeconfig: validated.kubeconfig, claims, checks }, (targets) =>
                specsForNamespaces(plan, context, targets),
            );
        } else {
            resources.declare(fleetSpecs(plan, context));
            const byCluster: Record<string, pulumi.Output<Record<string, string>>> = {};
            for (const cluster of plan.clusters) {
                const clusterPlan = planForCluster(plan, cluster);
                const kubeconfig = validated.clusterKubeconfigs.get(cluster.name);
                const own = new SpecResources(this, clusterPlan, { kubeconfig, suppliedKey: validated.suppliedKey }, undefined, resources);
                own.declare(clusterSpecsBeforeNamespaces(plan, cluster, context));
                byCluster[cluster.name] = this.declareCluster(
                    // Two entries reaching the same cluster would write the same Secrets: claimed per cluster, they are refused.
                    { claimant: `${name}, cluster ${cluster.name}`, clusterName: cluster.name, plan: clusterPlan, resources: own, kubeconfig, claims, checks },
                    (targets) => clusterSpecsForNamespaces(plan, cluster, context, targets),
                );
            }
            this.clusterSecretNames = pulumi.output(byCluster);
            this.secretNames = this.clusterSecretNames.apply((names) =>
                Object.fromEntries(
                    Object.entries(names).flatMap(([cluster, namespaces]) =>
                        Object.entries(namespaces).map(([namespace, secretName]) => [`${cluster}/${namespace}`, secretName]),
                    ),
                ),
            );
        }
        const credentials = credentialOutputs(plan);
        this.serviceAccountEmail = resources.output(credentials.serviceAccountEmail);
        this.keyId = resources.output(credentials.keyId);
        this.registryHosts = pulumi.output([...plan.registryHosts]);
        // Keyed as secretNames is: by namespace, or by cluster/namespace with clusters.
        this.pullAccess = this.secretNames.apply(() => pulumi.all(checks).apply((found) => Object.assign({}, ...found) as Record<string, NamespacePullAccess>));
        this.registerOutputs({
            // Resolves to nothing (no output is recorded); a refused claim fails the program.
            pullSecretClaims: this.secretNames.apply(() => pulumi.all(claims).apply(() => undefined)),
            secretNames: this.secretNames,
            serviceAccountEmail: this.serviceAccountEmail,
            keyId: this.keyId,
            registryHosts: this.registryHosts,
            pullAccess: this.pullAccess,
            ...(this.clusterSecretNames ? { clusterSecretNames: this.clusterSecretNames } : {}),
        });
    }

    /**
     * Declares one cluster's namespaces once they are known (read from the cluster when a selector
     * needs it): the pull Secret's name in each, by namespace.
     */
    private declareCluster(
        cluster: {
            /** Who claims the Secrets (secretClaims.ts). */
            claimant: string;
            /** A fleet cluster's name, for messages. */
            clusterName?: string;
            plan: Plan;
            resources: SpecResources;
            kubeconfig: pulumi.Output<string> | undefined;
            claims: pulumi.Output<unknown>[];
            checks: pulumi.Output<Record<string, NamespacePullAccess>>[];
        },
        specsFor: (targets: NamespaceTarget[]) => ResourceSpec[],
    ): pulumi.Output<Record<string, string>> {
        const { claimant, clusterName, plan, resources, kubeconfig, claims, checks } = cluster;
        const declareFor = (targets: NamespaceTarget[]): Record<string, string> => {
            const names = targets.map((namespace) => namespace.name);
            claims.push(pulumi.output(kubeconfig).apply((text) => claimPullSecrets(claimant, clusterKey(text, plan.kubeContext), names, plan.secretName)));
            resources.declare(specsFor(targets));
            const check = verifyPullAccess(this, resources.provider(providerKeys.pullSecrets), plan, targets, (namespace) => resources.pullSecret(namespace));
            checks.push(
                clusterName
                    ? check.apply((found) => Object.fromEntries(Object.entries(found).map(([namespace, access]) => [`${clusterName}/${namespace}`, access])))
                    : check,
            );
            return Object.fromEntries(targets.map((namespace) => [namespace.name, plan.secretName]));
        };

        const lookups = clusterLookups(plan);
        if (!lookups) {
            // Declared in a continuation rather than under this constructor: the engine keeps every
            // resource's creation stack trace in the state, and the frames below the constructor (the
            // program's module loading) were a third of each namespace's state, which the file and
            // bucket backends rewrite after every step (docs/performance.md).
            const targets = resolveNamespaces(plan);
            return pulumi.output(Promise.resolve(targets).then(declareFor));
        }
        const listed = pulumi.runtime.invoke(
            functions.listNamespaces,
            { serviceAccounts: lookups.serviceAccounts },
            { provider: resources.provider(providerKeys.clusterReader), parent: this },
        );
        return pulumi.output(
            listed.then((result: { namespaces?: ClusterNamespace[] } | undefined) => {
                const found = Array.isArray(result?.namespaces) ? result.namespaces : undefined;
                if (!found) {
                    const message = `${clusterName ? `cluster ${clusterName}: ` : ""}${unresolvedMessage(plan.namespaceSelector !== undefined)}`;
                    // Going on would delete the Secrets of every namespace selected before.
                    if (!pulumi.runtime.isDryRun()) throw new Error(message);
                    pulumi.log.warn(message, this);
                }
                return declareFor(resolveNamespaces(plan, found));
            }),
        );
    }
}

/** Why a preview covers only the namespaces and ServiceAccounts named in the config. */
function unresolvedMessage(selector: boolean): string {
    const what = selector
        ? "namespaceSelector and the ServiceAccounts chosen by allServiceAccounts or serviceAccountSelector"
        : "the ServiceAccounts chosen by allServiceAccounts or serviceAccountSelector";
    return (
        `${what} could not be read from the cluster: its kubeconfig is not known in this preview (it comes from a resource this update creates or changes). ` +
        "This preview shows only the namespaces and ServiceAccounts named in the config" +
        (selector ? ", and the namespaces selected before as deleted; " : "; ") +
        "pulumi up reads the cluster once the kubeconfig is known, and covers what the selectors choose then"
    );
}
