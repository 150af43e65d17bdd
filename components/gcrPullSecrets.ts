import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { functions, keyless as contractKeyless, legacyTypes, managedLabels, types } from "./contract";
import { buildDockerConfigJson, dockerConfigDigest } from "./dockerConfig";
import { GcrPullSecretsArgs } from "./gcrPullSecretsArgs";
import { googleCredentials } from "./googleCredentials";
import { keylessGoogleAccess } from "./keylessGoogleAccess";
import { ConfigError } from "./configError";
import { Plan } from "./plan";
import { ValidatedArgs, validateArgs } from "./validatedArgs";
import { PullSecret } from "./pullSecret";
import { PullSecretsProvider } from "./pullSecretsProvider";
import { ClusterNamespace, clusterLookups, NamespaceTarget, resolveNamespaces } from "./selectNamespaces";
import { tokenRefresher } from "./tokenRefresher";

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
        super(types.component, name, {}, opts);
        const validated = args instanceof ValidatedArgs ? args : validateArgs(args);
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
        const kubeconfig = validated.kubeconfig;

        // Keyless: no key and no docker config in the stack; the in-cluster refresher writes the Secrets' content.
        const keyless = plan.credentials.kind === "keyless" ? plan.credentials.keyless : undefined;
        const google = keyless ? undefined : googleCredentials(name, plan, validated.suppliedKey, this);
        const dockerConfigJson = google && pulumi.secret(google.keyJson.apply((json) => buildDockerConfigJson(plan.registryHosts, json, plan.username)));
        const provider = new PullSecretsProvider(
            name,
            { ...(dockerConfigJson ? { dockerConfigJson } : { keyless: true }), kubeconfig, ...(plan.kubeContext ? { context: plan.kubeContext } : {}) },
            {
                parent: this,
                // 0.1's entries and guards name the default dynamic provider; taking it over sends their
                // deletes here (provider/legacyResources.ts) rather than to the code 0.1 stored in the state.
                ...(validated.upgradeFrom01
                    ? { aliases: [`urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${legacyTypes.dynamicProvider}::default`] }
                    : {}),
            },
        );
        const digest = dockerConfigJson && pulumi.secret(dockerConfigJson.apply(dockerConfigDigest));
        const owner = `${pulumi.getProject()}/${pulumi.getStack()}`;
        const keySource = keyless ? contractKeyless.keySource : plan.credentials.kind === "jsonKey" ? "supplied" : "managed";

        // Only namespaces the stack creates need the Kubernetes provider; made on first use.
        let kubernetes: pulumi.ProviderResource | undefined = callersKubernetes;
        // `create: true` on a namespace that already exists takes it over (never deleting it:
        // retainOnDelete). The Kubernetes provider before 4.29 does that by itself (server-side apply
        // upserts); 4.29+ refuses with AlreadyExists unless upsertExistingObjects. 4.25's Provider class
        // drops inputs it does not know, so the setting is added as newer classes send it; 4.25's
        // plugin ignores it.
        const upsertExistingObjects: pulumi.ResourceTransformation = ({ props, opts }) => ({
            props: { ...props, upsertExistingObjects: "true" },
            opts,
        });
        const kubernetesProvider = () =>
            (kubernetes ??= new k8s.Provider(
                name,
                {
                    // Kept from earlier versions (which wrote Secrets through it) so that their provider is unchanged.
                    enableSecretMutable: true,
                    ...(kubeconfig ? { kubeconfig } : {}),
                    ...(plan.kubeContext ? { context: plan.kubeContext } : {}),
                },
                { parent: this, transformations: [upsertExistingObjects] },
            ));

        // Declared once, whatever the namespaces: the Google side of keyless does not depend on them.
        const keylessAccess = keyless ? keylessGoogleAccess(name, plan, keyless, this) : undefined;
        const wire = (targets: NamespaceTarget[]): Record<string, string> => {
            const secretNames: Record<string, string> = {};
            const pullSecrets: PullSecret[] = [];
            for (const namespace of targets) {
                // Names come from the namespace, never its position, so reordering changes nothing,
                // and a namespace moving between the list and the selector keeps its resources.
                const base = `${name}-${namespace.name}`;
                const created = namespace.create
                    ? new k8s.core.v1.Namespace(
                          base,
                          { metadata: { name: namespace.name, labels: { ...managedLabels } } },
                          // A namespace holds workloads other stacks own; destroying pull access must not delete them.
                          { parent: this, retainOnDelete: true, provider: kubernetesProvider() },
                      )
                    : undefined;
                const pullSecret = new PullSecret(
                    base,
                    {
                        namespace: created ? created.metadata.name : namespace.name,
                        secretName: plan.secretName,
                        adopt: namespace.adopt,
                        owner,
                        keySource,
                        registries: [...plan.registryHosts],
                        ...(digest ? { dockerConfigDigest: digest } : {}),
                        namespaceCreatedByStack: namespace.create,
                        serviceAccounts: [...namespace.serviceAccounts],
                        // Only when there are some: a stack without rules keeps its inputs as they were.
                        ...(namespace.foundServiceAccounts.length > 0 ? { foundServiceAccounts: [...namespace.foundServiceAccounts] } : {}),
                        waitSeconds: plan.serviceAccountWaitSeconds,
                    },
                    { parent: this, provider, ...(created ? { dependsOn: [created] } : {}) },
                );
                pullSecrets.push(pullSecret);
                secretNames[namespace.name] = plan.secretName;
            }
            if (keyless && keylessAccess) {
                tokenRefresher(name, plan, targets, keyless, keylessAccess, kubernetesProvider(), this, pullSecrets);
            }
            return secretNames;
        };

        const lookups = clusterLookups(plan);
        if (!lookups) {
            this.secretNames = pulumi.output(wire(resolveNamespaces(plan)));
        } else {
            // Its own provider instance, without the docker config: that one is unknown in a preview
            // that makes or rotates a key, and the engine answers no function call of a provider
            // whose configuration is not fully known.
            const clusterReader = new PullSecretsProvider(
                `${name}-cluster`,
                { kubeconfig, ...(plan.kubeContext ? { context: plan.kubeContext } : {}) },
                { parent: this },
            );
            const listed = pulumi.runtime.invoke(
                functions.listNamespaces,
                { serviceAccounts: lookups.serviceAccounts },
                { provider: clusterReader, parent: this },
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
                    return wire(resolveNamespaces(plan, cluster));
                }),
            );
        }
        this.serviceAccountEmail = google ? google.email : pulumi.output(keyless?.serviceAccountEmail ?? "");
        this.keyId = google ? google.keyId : pulumi.output("");
        this.registryHosts = pulumi.output([...plan.registryHosts]);
        this.registerOutputs({
            secretNames: this.secretNames,
            serviceAccountEmail: this.serviceAccountEmail,
            keyId: this.keyId,
            registryHosts: this.registryHosts,
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
