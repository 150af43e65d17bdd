import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { dockerConfigSecretData } from "./dockerConfig";
import { GcrPullSecretsArgs } from "./gcrPullSecretsArgs";
import { googleCredentials } from "./googleCredentials";
import { Plan, planFromArgs } from "./plan";
import { PullSecretGuard, stackAnnotation } from "./pullSecretGuard";

/**
 * Where the key in a pull Secret comes from: "managed" (a key this program mints and rotates) or
 * "supplied" (a jsonKey). The policy pack reads it to refuse supplied keys in prod before the
 * Secret is written.
 */
export const keySourceAnnotation = "gcr-pull-secrets.dev/key-source";
import { ServiceAccountPullSecret } from "./serviceAccountPullSecret";

/** Labels on every Kubernetes object this component creates. */
export const managedLabels = {
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/part-of": "gcr-pull-secrets",
};

/**
 * Pull access to private Google registries for Kubernetes namespaces: a Google service account
 * with read-only registry access and a key (or a supplied JSON key), a `kubernetes.io/dockerconfigjson`
 * Secret in each namespace, and that Secret in the `imagePullSecrets` of each namespace's `default`
 * ServiceAccount (and any others named), so pods pull without naming the Secret.
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
     * @param args What to create; checked as a whole before any resource is declared.
     * @param opts Resource options; a `kubernetes` provider passed here is used for the Secrets and Namespaces.
     */
    constructor(name: string, args: GcrPullSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gcr-pull-secrets:index:GcrPullSecrets", name, {}, opts);
        const plan = planFromArgs(args);
        this.plan = plan;

        const google = googleCredentials(name, plan, args.jsonKey, this);
        const dockerConfig = pulumi.secret(google.keyJson.apply((json) => dockerConfigSecretData(plan.registryHosts, json, plan.username)));
        const stack = `${pulumi.getProject()}/${pulumi.getStack()}`;

        // Secrets must be updated in place when the key changes (same object, no moment without
        // it); pulumi-kubernetes replaces Secrets on data changes unless enableSecretMutable is set.
        // A provider passed in by the caller is used as is (it should set enableSecretMutable too).
        const callersProvider = this.getProvider("kubernetes:core/v1:Secret");
        const kubernetesProvider =
            callersProvider ??
            new k8s.Provider(name, { enableSecretMutable: true, ...(plan.kubeContext ? { context: plan.kubeContext } : {}) }, { parent: this });
        const k8sOpts = { provider: kubernetesProvider };

        const secretNames: Record<string, string> = {};
        for (const namespace of plan.namespaces) {
            // Names come from the namespace, never its position, so reordering changes nothing.
            const base = `${name}-${namespace.name}`;
            const created = namespace.create
                ? new k8s.core.v1.Namespace(
                      base,
                      { metadata: { name: namespace.name, labels: managedLabels } },
                      // A namespace holds workloads other stacks own; destroying pull access must not delete them.
                      { parent: this, retainOnDelete: true, ...k8sOpts },
                  )
                : undefined;
            const guard = new PullSecretGuard(
                base,
                {
                    namespace: namespace.name,
                    secretName: plan.secretName,
                    adopt: namespace.adopt,
                    stack,
                    ...(plan.kubeContext ? { kubeContext: plan.kubeContext } : {}),
                },
                { parent: this, dependsOn: created ? [created] : [] },
            );
            const secret = new k8s.core.v1.Secret(
                base,
                {
                    metadata: {
                        name: plan.secretName,
                        namespace: namespace.name,
                        labels: managedLabels,
                        annotations: {
                            // Our data must win over any other field manager: an adopted Secret's
                            // creator (kubectl) owns .data, and a later `kubectl edit` would too.
                            // The guard has already made sure the Secret is ours to take.
                            "pulumi.com/patchForce": "true",
                            [stackAnnotation]: stack,
                            [keySourceAnnotation]: plan.credentials.kind === "jsonKey" ? "supplied" : "managed",
                            "gcr-pull-secrets.dev/registries": plan.registryHosts.join(","),
                        },
                    },
                    type: "kubernetes.io/dockerconfigjson",
                    data: { ".dockerconfigjson": dockerConfig },
                },
                { parent: this, dependsOn: [guard], additionalSecretOutputs: ["data", "stringData"], ...k8sOpts },
            );
            for (const serviceAccount of namespace.serviceAccounts) {
                new ServiceAccountPullSecret(
                    `${base}/${serviceAccount}`,
                    {
                        namespace: namespace.name,
                        serviceAccount,
                        secretName: secret.metadata.name,
                        waitSeconds: plan.serviceAccountWaitSeconds,
                        ...(plan.kubeContext ? { kubeContext: plan.kubeContext } : {}),
                    },
                    { parent: this, dependsOn: [secret] },
                );
            }
            secretNames[namespace.name] = plan.secretName;
        }

        this.secretNames = pulumi.output(secretNames);
        this.serviceAccountEmail = google.email;
        this.keyId = google.keyId;
        this.registryHosts = pulumi.output([...plan.registryHosts]);
        this.registerOutputs({
            secretNames: this.secretNames,
            serviceAccountEmail: this.serviceAccountEmail,
            keyId: this.keyId,
            registryHosts: this.registryHosts,
        });
    }
}
