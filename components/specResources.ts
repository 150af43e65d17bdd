/**
 * Specs -> resources: the one place that knows each type's class. Every resource is a child of
 * the component; references become the referenced resource's outputs, secret inputs the secrets
 * the component was given (or made from them), and nothing else is decided here.
 */
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./configError";
import { foreignTypes, types } from "./contract";
import { buildDockerConfigJson, dockerConfigDigest } from "./dockerConfig";
import { JsonKeyFacts, readJsonKey } from "./jsonKey";
import { Plan } from "./plan";
import { privateKeyJson } from "./providerKey";
import { PullSecret, PullSecretArgs } from "./pullSecret";
import { PullSecretsProvider, PullSecretsProviderArgs } from "./pullSecretsProvider";
import {
    isReference,
    isSecretInput,
    isStackIdentityInput,
    KeySource,
    OutputSpec,
    Reference,
    ResourceSpec,
    SecretInput,
    SpecOptions,
    SpecValue,
} from "./specs/resourceSpec";
import { stackIdentity } from "./stackIdentity";
import { pullSecretKey } from "./specs/namespaceSpecs";
import { SuppliedKey } from "./validatedArgs";
import { withoutStackTraces } from "./withoutStackTraces";

type Declare = (name: string, inputs: pulumi.Inputs, opts: pulumi.CustomResourceOptions) => pulumi.Resource;

/** Each type the specs use, and how its resource is declared. */
const declarers: Record<string, Declare> = {
    [foreignTypes.account]: (name, inputs, opts) => new gcp.serviceaccount.Account(name, inputs as gcp.serviceaccount.AccountArgs, opts),
    [foreignTypes.key]: (name, inputs, opts) => new gcp.serviceaccount.Key(name, inputs as gcp.serviceaccount.KeyArgs, opts),
    [foreignTypes.repositoryIamMember]: (name, inputs, opts) =>
        new gcp.artifactregistry.RepositoryIamMember(name, inputs as gcp.artifactregistry.RepositoryIamMemberArgs, opts),
    [foreignTypes.bucketIamMember]: (name, inputs, opts) => new gcp.storage.BucketIAMMember(name, inputs as gcp.storage.BucketIAMMemberArgs, opts),
    [foreignTypes.projectIamMember]: (name, inputs, opts) => new gcp.projects.IAMMember(name, inputs as gcp.projects.IAMMemberArgs, opts),
    [foreignTypes.serviceAccountIamMember]: (name, inputs, opts) => new gcp.serviceaccount.IAMMember(name, inputs as gcp.serviceaccount.IAMMemberArgs, opts),
    [foreignTypes.workloadIdentityPool]: (name, inputs, opts) => new gcp.iam.WorkloadIdentityPool(name, inputs as gcp.iam.WorkloadIdentityPoolArgs, opts),
    [foreignTypes.workloadIdentityPoolProvider]: (name, inputs, opts) =>
        new gcp.iam.WorkloadIdentityPoolProvider(name, inputs as gcp.iam.WorkloadIdentityPoolProviderArgs, opts),
    [foreignTypes.provider]: (name, inputs, opts) => new PullSecretsProvider(name, inputs as PullSecretsProviderArgs, opts),
    [foreignTypes.kubernetesProvider]: (name, { upsertExistingObjects, ...inputs }, opts) => {
        // 4.25's Provider class drops inputs it does not know, so this one is added as newer classes send it.
        // Without a kubeconfig the class would send KUBECONFIG's path, which the plugin (4.25) then copies
        // into a temp file it never removes (docs/security.md); left out, the plugin reads KUBECONFIG itself.
        const asSent: pulumi.ResourceTransformation = ({ props, opts }) => ({
            props: { ...props, ...(upsertExistingObjects !== undefined ? { upsertExistingObjects } : {}), kubeconfig: inputs.kubeconfig },
            opts,
        });
        return new k8s.Provider(name, inputs as k8s.ProviderArgs, { ...opts, transformations: [asSent] });
    },
    [foreignTypes.namespace]: (name, inputs, opts) => new k8s.core.v1.Namespace(name, inputs as k8s.core.v1.NamespaceArgs, opts),
    [foreignTypes.serviceAccount]: (name, inputs, opts) => new k8s.core.v1.ServiceAccount(name, inputs as k8s.core.v1.ServiceAccountArgs, opts),
    [foreignTypes.configMap]: (name, inputs, opts) => new k8s.core.v1.ConfigMap(name, inputs as k8s.core.v1.ConfigMapArgs, opts),
    [foreignTypes.role]: (name, inputs, opts) => new k8s.rbac.v1.Role(name, inputs as k8s.rbac.v1.RoleArgs, opts),
    [foreignTypes.roleBinding]: (name, inputs, opts) => new k8s.rbac.v1.RoleBinding(name, inputs as k8s.rbac.v1.RoleBindingArgs, opts),
    [foreignTypes.cronJob]: (name, inputs, opts) => new k8s.batch.v1.CronJob(name, inputs as k8s.batch.v1.CronJobArgs, opts),
    [foreignTypes.job]: (name, inputs, opts) => new k8s.batch.v1.Job(name, inputs as k8s.batch.v1.JobArgs, opts),
    [types.pullSecret]: (name, inputs, opts) => new PullSecret(name, inputs as unknown as PullSecretArgs, opts),
};

/** The secrets the component was given; specs only name them. */
export interface SpecSecrets {
    kubeconfig?: pulumi.Output<string>;
    suppliedKey?: SuppliedKey;
}

/** The resources declared from specs so far, by key, and how to declare more. */
export class SpecResources {
    private readonly resources = new Map<string, pulumi.Resource>();
    /** Outputs made once and shared by every input that names them: references, the docker config's digest. */
    private readonly made = new Map<string, pulumi.Output<unknown>>();

    /**
     * @param parent The component: every resource's parent.
     * @param plan The plan the specs come from (registry hosts and username of the docker config).
     * @param secrets The secrets the component was given.
     * @param callersKubernetes The Kubernetes provider passed in the component's options, if any.
     * @param shared Resources declared before, which specs here may name (a fleet's Google side, named by every cluster's).
     */
    constructor(
        private readonly parent: pulumi.Resource,
        private readonly plan: Plan,
        private readonly secrets: SpecSecrets,
        private readonly callersKubernetes: pulumi.ProviderResource | undefined,
        private readonly shared?: SpecResources,
    ) {}

    /** Declares a resource for each spec, in order. */
    declare(specs: readonly ResourceSpec[]): void {
        for (const spec of specs) {
            const declare = declarers[spec.type];
            if (!declare) throw new Error(`internal error: no resource class for ${spec.type}`);
            if (this.resources.has(spec.key)) throw new Error(`internal error: two specs with the key ${spec.key}`);
            this.resources.set(
                spec.key,
                withoutStackTraces(() => declare(spec.name, this.input(spec.inputs) as pulumi.Inputs, this.options(spec.options))),
            );
        }
    }

    /** The provider declared for a spec's key. */
    provider(key: string): pulumi.ProviderResource {
        const resource = this.resource(key);
        if (!(resource instanceof pulumi.ProviderResource)) throw new Error(`internal error: ${key} is not a provider`);
        return resource;
    }

    /** The PullSecret declared for a namespace. */
    pullSecret(namespace: string): PullSecret {
        const resource = this.resource(pullSecretKey(namespace));
        if (!(resource instanceof PullSecret)) throw new Error(`internal error: no PullSecret for ${namespace}`);
        return resource;
    }

    /** One of the component's outputs. */
    output(spec: OutputSpec): pulumi.Output<string> {
        if (typeof spec === "string") return pulumi.output(spec);
        if (isReference(spec)) return pulumi.output(this.reference(spec) as pulumi.Input<string>);
        // Who the key belongs to and its id are not secret; the key is.
        const fact = spec.$jsonKey;
        return pulumi.unsecret(this.keyReading().apply((reading) => reading.facts[fact]));
    }

    private resource(key: string): pulumi.Resource {
        const resource = this.resources.get(key) ?? (this.shared?.resources.has(key) ? this.shared.resource(key) : undefined);
        if (!resource) throw new Error(`internal error: ${key} is named before it is declared`);
        return resource;
    }

    private options(options: SpecOptions): pulumi.CustomResourceOptions {
        const provider = typeof options.provider === "string" ? this.provider(options.provider) : options.provider ? this.callersKubernetes : undefined;
        return {
            parent: this.parent,
            ...(provider ? { provider } : {}),
            ...(options.dependsOn ? { dependsOn: options.dependsOn.map((key) => this.resource(key)) } : {}),
            ...(options.retainOnDelete ? { retainOnDelete: true } : {}),
            ...(options.aliases ? { aliases: [...options.aliases] } : {}),
            ...(options.additionalSecretOutputs ? { additionalSecretOutputs: [...options.additionalSecretOutputs] } : {}),
            ...(options.customTimeouts ? { customTimeouts: { ...options.customTimeouts } } : {}),
        };
    }

    private input(value: SpecValue): pulumi.Input<unknown> {
        if (isReference(value)) return this.reference(value);
        if (isSecretInput(value)) return this.secret(value);
        // The stack's, not the component's: declared once per stack, outside every component.
        if (isStackIdentityInput(value)) return stackIdentity();
        if (Array.isArray(value)) return value.map((item) => this.input(item));
        if (typeof value === "object") return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, this.input(item)]));
        return value;
    }

    /** The referenced output, read as the code would write it (`namespace.metadata.name`, lifted), then cut and formatted. */
    private reference(reference: Reference): pulumi.Input<unknown> {
        return this.once(JSON.stringify(reference), () => {
            let value: unknown = this.resource(reference.$ref);
            for (const property of reference.property.split(".")) value = (value as Record<string, unknown>)[property];
            if (reference.part === undefined && reference.format === undefined) return value as pulumi.Output<unknown>;
            return pulumi.output(value as pulumi.Input<string>).apply((text) => {
                const piece = reference.part === undefined ? text : (text.split("/").at(reference.part) ?? text);
                return reference.format === undefined ? piece : reference.format.split("{}").join(piece);
            });
        });
    }

    private secret(input: SecretInput): pulumi.Output<unknown> | undefined {
        switch (input.$secret) {
            case "kubeconfig":
                return this.secrets.kubeconfig;
            case "jsonKey":
                // Exactly the text given, so that the CLI, which knows it as a secret setting, masks it in its logs.
                return this.secrets.suppliedKey?.text;
            case "dockerConfigDigest":
                // A SHA-256 fingerprint of key material reveals nothing of it, so it is kept in the clear: as a secret
                // the engine encrypted it again at every checkpoint, once per namespace, and cached every ciphertext
                // for the rest of the update (at 1,000 namespaces: 760 MiB of the CLI's memory and a sixth of `up`).
                return this.once(`digest of ${JSON.stringify(input.key)}`, () => pulumi.unsecret(this.dockerConfigJson(input.key).apply(dockerConfigDigest)));
        }
    }

    /** The docker config the provider builds from the same key (components/providerKey.ts); only its digest leaves the component. */
    private dockerConfigJson(key: KeySource): pulumi.Output<string> {
        return this.once(`docker config of ${JSON.stringify(key)}`, () =>
            pulumi.secret(this.keyJson(key).apply((json) => buildDockerConfigJson(this.plan.registryHosts, json, this.plan.username))),
        );
    }

    /** The key file's JSON text. Secret. */
    private keyJson(key: KeySource): pulumi.Output<string> {
        if (key !== "jsonKey") {
            const privateKey = this.reference(key) as pulumi.Output<string>;
            return pulumi.secret(privateKey.apply(privateKeyJson));
        }
        const supplied = this.secrets.suppliedKey;
        if (supplied?.read) return supplied.json;
        return pulumi.secret(this.keyReading().apply((reading) => reading.json));
    }

    /** A supplied key given as an Output, read once when it resolves (a plain one was read during validation). */
    private keyReading(): pulumi.Output<{ json: string; facts: JsonKeyFacts }> {
        return this.once("jsonKey reading", () => {
            const supplied = this.secrets.suppliedKey;
            if (!supplied || supplied.read) throw new Error("internal error: no supplied key left to read");
            return supplied.text.apply((text) => {
                const result = readJsonKey(text);
                if (!result.ok) {
                    // Reached only when the key came as an Output; plain strings were checked up front.
                    throw new ConfigError(
                        result.problems.map((message) => ({ path: "jsonKey", message })),
                        "GcrPullSecrets arguments",
                    );
                }
                return result;
            });
        });
    }

    private once<T>(what: string, make: () => pulumi.Output<T>): pulumi.Output<T> {
        let made = this.made.get(what) as pulumi.Output<T> | undefined;
        if (!made) {
            made = make();
            this.made.set(what, made);
        }
        return made;
    }
}
