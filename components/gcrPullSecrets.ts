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
import { SpecContext } from "./specs/resourceSpec";
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
 * entries (the `gcr-pull-secrets` provider).
 */
export class GcrPullSecrets extends pulumi.ComponentResource {
    /** The pull Secret's name in each namespace, keyed by namespace. */
    public readonly secretNames: pulumi.Output<Record<string, string>>;
    /** Email of the Google service account the key belongs to. */
    public readonly serviceAccountEmail: pulumi.Output<string>;
    /** Id of the key in use (never the key itself). */
    public readonly keyId: pulumi.Output<string>;
    /** Registry hosts the Secret covers, sorted. */
    public readonly registryHosts: pulumi.Output<string[]>;
    /**
     * What `pulumi up` found when it checked pull access (verifyPullAccess, verifyRepositories), keyed
     * by namespace: verified, stripped, denied or skipped, per ServiceAccount and repository. Unknown
     * in a preview; `{}` when both checks are off.
     */
    public readonly pullAccess: pulumi.Output<Record<string, NamespacePullAccess>>;
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
        resources.declare(specsBeforeNamespaces(plan, context));
        // Two components of this program writing one Secret are refused (secretClaims.ts); the cluster is
        // known once the kubeconfig is, so the refusal travels in the outputs.
        const claims: pulumi.Output<unknown>[] = [];
        const checks: pulumi.Output<Record<string, NamespacePullAccess>>[] = [];
        const declareFor = (targets: NamespaceTarget[]): Record<string, string> => {
            const names = targets.map((namespace) => namespace.name);
            claims.push(
                pulumi
                    .output(validated.kubeconfig)
                    .apply((kubeconfig) => claimPullSecrets(name, clusterKey(kubeconfig, plan.kubeContext), names, plan.secretName)),
            );
            resources.declare(specsForNamespaces(plan, context, targets));
            checks.push(verifyPullAccess(this, resources.provider(providerKeys.pullSecrets), plan, targets, (namespace) => resources.pullSecret(namespace)));
            return Object.fromEntries(targets.map((namespace) => [namespace.name, plan.secretName]));
        };

        const lookups = clusterLookups(plan);
        if (!lookups) {
            // Declared in a continuation rather than under this constructor: the engine keeps every
            // resource's creation stack trace in the state, and the frames below the constructor (the
            // program's module loading) were a third of each namespace's state, which the file and
            // bucket backends rewrite after every step (docs/performance.md).
            const targets = resolveNamespaces(plan);
            this.secretNames = pulumi.output(Promise.resolve(targets).then(declareFor));
        } else {
            const listed = pulumi.runtime.invoke(
                functions.listNamespaces,
                { serviceAccounts: lookups.serviceAccounts },
                { provider: resources.provider(providerKeys.clusterReader), parent: this },
            );
            this.secretNames = pulumi.output(
                listed.then((result: { namespaces?: ClusterNamespace[] } | undefined) => {
                    const cluster = Array.isArray(result?.namespaces) ? result.namespaces : undefined;
                    if (!cluster) {
                        const message = unresolvedMessage(plan.namespaceSelector !== undefined);
                        // Going on would delete the Secrets of every namespace selected before.
                        if (!pulumi.runtime.isDryRun()) throw new Error(message);
                        pulumi.log.warn(message, this);
                    }
                    return declareFor(resolveNamespaces(plan, cluster));
                }),
            );
        }
        const credentials = credentialOutputs(plan);
        this.serviceAccountEmail = resources.output(credentials.serviceAccountEmail);
        this.keyId = resources.output(credentials.keyId);
        this.registryHosts = pulumi.output([...plan.registryHosts]);
        this.pullAccess = this.secretNames.apply(() => checks[0] ?? {});
        this.registerOutputs({
            // Resolves to nothing (no output is recorded); a refused claim fails the program.
            pullSecretClaims: this.secretNames.apply(() => pulumi.all(claims).apply(() => undefined)),
            secretNames: this.secretNames,
            serviceAccountEmail: this.serviceAccountEmail,
            keyId: this.keyId,
            registryHosts: this.registryHosts,
            pullAccess: this.pullAccess,
        });
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
