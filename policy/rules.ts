/*
 * The guardrails as pure functions over what the Pulumi engine shows a policy: a resource's type,
 * URN, input properties and options. `index.ts` only wires them into a PolicyPack, so every rule
 * is unit-tested here without the engine (test/unit/policy/rules.test.ts).
 *
 * Facts about @pulumi/policy 1.21 that shape these rules:
 * - Secret values reach a policy already unwrapped (`deserializeProperties(props, false)` in its
 *   server.js), and ResourceValidationArgs has no `isSecret`. What a policy can see is the
 *   resource option `additionalSecretOutputs`, which makes the engine store those outputs
 *   encrypted; @pulumi/kubernetes' Secret sets it to ["data", "stringData"].
 * - During `pulumi preview` an unknown value (the key of a service account not yet created)
 *   throws UnknownValueError when read, and the engine reports "can't run policy during preview"
 *   as advisory for that resource; `pulumi up` then checks the real value. Rules read only values
 *   known at preview (types, labels, namespaces, roles, keepers) and let an unexpected unknown
 *   propagate to get exactly that behaviour; only cosmetic reads (names in messages) and the
 *   label fallback swallow it.
 * - A policy is told the stack through the URN (`urn:pulumi:<stack>::<project>::...`); this works
 *   with every backend and CLI version, unlike stack tags or the stack config environment.
 */
import { UnknownValueError } from "@pulumi/policy";
import { dockerConfigJsonType, foreignTypes, keySourceAnnotation, legacyTypes, managedLabels, roles, systemNamespaces, types } from "../components/contract";
import { parseUrn, stackOfUrn } from "../components/urn";

export const partOfLabel = "app.kubernetes.io/part-of";
export const partOfValue = managedLabels[partOfLabel];
export const componentType = types.component;
export { dockerConfigJsonType, keySourceAnnotation, systemNamespaces };

export const resourceTypes = {
    secret: legacyTypes.pullSecret,
    pullSecret: types.pullSecret,

    namespace: foreignTypes.namespace,
    key: foreignTypes.key,
    repositoryIamMember: foreignTypes.repositoryIamMember,
    bucketIamMember: foreignTypes.bucketIamMember,
    projectIamMember: foreignTypes.projectIamMember,
    serviceAccountIamMember: foreignTypes.serviceAccountIamMember,
} as const;

/** The only IAM grants this program makes: resource type → the one role it may carry. */
export const allowedRoleByType: Readonly<Record<string, string>> = {
    [resourceTypes.repositoryIamMember]: roles.registryReader,
    [resourceTypes.bucketIamMember]: roles.gcrBucketReader,
    [resourceTypes.projectIamMember]: roles.registryReader,
    // Keyless mode with impersonation: the refresher's federated principal may act as the reader account.
    [resourceTypes.serviceAccountIamMember]: roles.workloadIdentityUser,
};

const grantScope: Readonly<Record<string, string>> = {
    [resourceTypes.repositoryIamMember]: "an Artifact Registry repository",
    [resourceTypes.bucketIamMember]: "a Container Registry bucket",
    [resourceTypes.projectIamMember]: "the project (projectWideRead)",
    [resourceTypes.serviceAccountIamMember]: "the reader service account (keyless impersonation)",
};

/** Stacks whose names match this are production: prod, production, prod-eu, prod_us1, ... */
export const defaultProdStackPattern = "^prod(uction)?([-_.].*)?$";
export const defaultMaxRotationDays = 90;

/** What a rule looks at: the same fields for a resource under validation and one in a stack. */
export interface ResourceFacts {
    type: string;
    urn: string;
    /** Inputs (resource policies) or outputs (stack policies), secrets unwrapped. */
    props: Record<string, unknown>;
    /** From the resource options; missing means none. */
    additionalSecretOutputs?: readonly string[];
}

export interface Violation {
    message: string;
    /** The resource at fault, for stack policies; resource policies report on the resource itself. */
    urn?: string;
}

export interface SystemNamespaceConfig {
    /** Stacks allowed to write into kube-system, kube-public and kube-node-lease. */
    allowedStacks?: readonly string[];
}

export interface ProdRotationConfig {
    /** Regular expression over the stack name; default {@link defaultProdStackPattern}. */
    prodStackPattern?: string;
    /** Longest allowed rotation period in prod, in days; default {@link defaultMaxRotationDays}. */
    maxRotationDays?: number;
}

export function isProdStack(stack: string, pattern: string = defaultProdStackPattern): boolean {
    return new RegExp(pattern).test(stack);
}

/** Reads a value that may be unknown during preview, for uses where "absent" is a safe answer. */
function known<T>(read: () => T): T | undefined {
    try {
        return read();
    } catch (error) {
        if (error instanceof UnknownValueError) {
            return undefined;
        }
        throw error;
    }
}

type Metadata = { name?: unknown; namespace?: unknown; labels?: Record<string, unknown> };

/** `props.metadata`, or {} when there is none; an unknown metadata propagates unless `lenient`. */
function metadataOf(props: Record<string, unknown>, lenient = false): Metadata {
    const metadata = lenient ? known(() => props.metadata) : props.metadata;
    return metadata && typeof metadata === "object" ? (metadata as Metadata) : {};
}

function describeObject(resource: ResourceFacts): string {
    const metadata = metadataOf(resource.props, true);
    const name = known(() => metadata.name) ?? parseUrn(resource.urn)?.name ?? resource.urn;
    const namespace = known(() => metadata.namespace);
    return typeof namespace === "string" ? `"${namespace}/${String(name)}"` : `"${String(name)}"`;
}

/** `"namespace/name"` of a pull secret, whichever resource type writes it. */
function describePullSecret(resource: ResourceFacts): string {
    if (resource.type !== resourceTypes.pullSecret) {
        return describeObject(resource);
    }
    return `"${String(known(() => resource.props.namespace))}/${String(known(() => resource.props.secretName))}"`;
}

/** A Secret this program writes: a PullSecret, or a Kubernetes Secret made by the component or labelled as part of it. */
export function isPullSecret(resource: ResourceFacts): boolean {
    if (resource.type === resourceTypes.pullSecret) {
        return true;
    }
    if (resource.type !== resourceTypes.secret) {
        return false;
    }
    if (parseUrn(resource.urn)?.typeChain.includes(componentType)) {
        return true;
    }
    const labels = known(() => metadataOf(resource.props, true).labels);
    return known(() => labels?.[partOfLabel]) === partOfValue;
}

/**
 * Pull secrets are `kubernetes.io/dockerconfigjson` Secrets whose data the engine stores encrypted.
 * A PullSecret is always of that type and carries no data in state (only a secret digest; the
 * content is the provider's secret configuration), so this looks at Kubernetes Secrets only.
 */
export function pullSecretViolations(resource: ResourceFacts): Violation[] {
    if (!isPullSecret(resource) || resource.type === resourceTypes.pullSecret) {
        return [];
    }
    const violations: Violation[] = [];
    const what = `Pull secret ${describeObject(resource)}`;
    const type = resource.props.type;
    if (type !== dockerConfigJsonType) {
        violations.push({
            message:
                `${what} has type ${type === undefined ? "(none, which Kubernetes treats as Opaque)" : `"${String(type)}"`}; ` +
                `a pull secret must be type "${dockerConfigJsonType}" with a ".dockerconfigjson" key, ` +
                "or the kubelet ignores it when pulling images.",
        });
    }
    const secretOutputs = resource.additionalSecretOutputs ?? [];
    for (const field of ["data", "stringData"]) {
        const present = Object.prototype.hasOwnProperty.call(resource.props, field);
        if (present && !secretOutputs.includes(field)) {
            violations.push({
                message:
                    `${what} does not mark "${field}" as secret (additionalSecretOutputs lacks "${field}"), so the ` +
                    "registry key would be stored in plain text in the Pulumi state. Create it with " +
                    `@pulumi/kubernetes core.v1.Secret, which marks data and stringData secret, or add "${field}" to additionalSecretOutputs.`,
            });
        }
    }
    if (!Object.prototype.hasOwnProperty.call(resource.props, "data") && !Object.prototype.hasOwnProperty.call(resource.props, "stringData")) {
        violations.push({ message: `${what} has neither data nor stringData; it carries no registry credentials.` });
    }
    return violations;
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

/** Google IAM grants (any *IamMember, *IamBinding or *IamPolicy resource of @pulumi/gcp). */
export function isIamGrant(type: string): boolean {
    return type.startsWith("gcp:") && /Iam(Member|Binding|Policy)$/i.test(type.split(":").pop() ?? "");
}

/** Only the three registry-read grants, each with its one role; no other IAM resource at all. */
export function iamViolations(resource: ResourceFacts): Violation[] {
    if (!isIamGrant(resource.type)) {
        return [];
    }
    const allowedRole = allowedRoleByType[resource.type];
    if (allowedRole === undefined) {
        return [
            {
                message:
                    `${resource.type} is an IAM grant this program must not make. It grants only registry read access, through ` +
                    "RepositoryIamMember (roles/artifactregistry.reader), BucketIAMMember (roles/storage.objectViewer), project " +
                    "IAMMember (roles/artifactregistry.reader) and, in keyless mode, service account IAMMember (roles/iam.workloadIdentityUser); bindings and policies are authoritative and would remove other members' access.",
            },
        ];
    }
    const role = resource.props.role;
    if (role === allowedRole) {
        return [];
    }
    const danger = typeof role === "string" && /^roles\/(owner|editor)$/.test(role) ? " (project-wide write access)" : "";
    return [
        {
            message:
                `This grant on ${grantScope[resource.type]} gives "${String(role)}"${danger}; this program may grant only ` +
                `"${allowedRole}" here, the read access image pulls need. Grant anything else outside this program.`,
        },
    ];
}

/**
 * In prod, every key this program manages rotates at least every `maxRotationDays` days. The key's
 * `keepers.rotationDays` is the period (a string, "0" = never); a key lives at most that long plus
 * the time until the next `pulumi up`, which is why deploy.yml also runs on a schedule.
 */
export function keyRotationViolations(resource: ResourceFacts, config: ProdRotationConfig = {}): Violation[] {
    if (resource.type !== resourceTypes.key) {
        return [];
    }
    const stack = stackOfUrn(resource.urn);
    if (!isProdStack(stack, config.prodStackPattern)) {
        return [];
    }
    const maxDays = config.maxRotationDays ?? defaultMaxRotationDays;
    const fix = `set gcr-pull-secrets:rotationDays to a whole number from 1 to ${maxDays} in Pulumi.${stack}.yaml`;
    const keepers = resource.props.keepers;
    const raw = keepers && typeof keepers === "object" ? (keepers as Record<string, unknown>).rotationDays : undefined;
    if (raw === undefined || raw === null || raw === "") {
        return [{ message: `The service account key in prod stack "${stack}" has no keepers.rotationDays, so its rotation period cannot be checked; ${fix}.` }];
    }
    const text = String(raw).trim();
    const days = /^\d+$/.test(text) ? Number(text) : NaN;
    if (Number.isNaN(days)) {
        return [{ message: `The service account key in prod stack "${stack}" has keepers.rotationDays "${text}", not a whole number of days; ${fix}.` }];
    }
    if (days === 0) {
        return [
            {
                message: `The service account key in prod stack "${stack}" is never rotated (rotationDays 0); prod keys must rotate at least every ${maxDays} days: ${fix}.`,
            },
        ];
    }
    if (days > maxDays) {
        return [
            {
                message: `The service account key in prod stack "${stack}" rotates every ${days} days; prod keys must rotate at least every ${maxDays} days: ${fix}.`,
            },
        ];
    }
    return [];
}

/**
 * A prod stack's pull secrets must come from a key this program manages (or no key: keyless). A supplied `jsonKey` has an
 * age nobody here can see and is never replaced by `pulumi up`, so the rotation rule could only be
 * met by luck; prod fails closed. Checked per Secret (from the key-source annotation the component
 * writes) so that the Secret is refused before it is written, also by `pulumi up --skip-preview`; a
 * pull secret without that annotation (made outside the component) cannot prove a managed key and
 * is refused too. (An explicit, reviewable way out is the policy config:
 * `"prod-uses-managed-key": "advisory"` in policy/config.json.)
 */
export function prodManagedKeyViolations(resource: ResourceFacts, config: Pick<ProdRotationConfig, "prodStackPattern"> = {}): Violation[] {
    if (!isPullSecret(resource)) {
        return [];
    }
    const stack = stackOfUrn(resource.urn);
    if (!isProdStack(stack, config.prodStackPattern)) {
        return [];
    }
    const annotations = known(() => (metadataOf(resource.props, true) as { annotations?: Record<string, unknown> }).annotations);
    const source = resource.type === resourceTypes.pullSecret ? known(() => resource.props.keySource) : known(() => annotations?.[keySourceAnnotation]);
    // Keyless Secrets hold one-hour tokens and no key at all: nothing to rotate.
    if (source === "managed" || source === "keyless") {
        return [];
    }
    return [
        {
            message:
                `Prod stack "${stack}" writes pull secret ${describePullSecret(resource)} from ` +
                (source === "supplied" ? "a supplied jsonKey" : "a key of unknown origin (no gcr-pull-secrets.dev/key-source annotation)") +
                ", which this program cannot rotate, so the rotation rule cannot be met. Use gcr-pull-secrets:serviceAccount (create an account) or " +
                "gcr-pull-secrets:existingServiceAccountEmail, so that the program mints the key and replaces it on schedule.",
        },
    ];
}
