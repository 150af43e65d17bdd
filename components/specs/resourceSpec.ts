/**
 * The shape of a resource spec: one resource the component declares, as plain data. Values that
 * exist only once another resource does are references to it; secrets are named, never carried.
 * Nothing here depends on Pulumi, so specs are compared, printed and property-tested as they are.
 */

/** A value of another resource, known only once that resource exists (an Output when declared). */
export interface Reference {
    /** The key of the spec whose resource has the value; it always comes earlier in the list. */
    $ref: string;
    /** The output property; a nested one dotted (`metadata.name`). */
    property: string;
    /** Only this `/`-separated part of the value (`projects/NUMBER/...`: 1 is the number; -1 the last part). */
    part?: number;
    /** The value put into a text: `{}` stands for it (`serviceAccount:{}`). */
    format?: string;
}

/** The key material a docker config is made from: the created key's `privateKey` (base64), or the supplied `jsonKey`. */
export type KeySource = Reference | "jsonKey";

/**
 * A secret input. The spec names it and, for the docker config, the key it is made from; the
 * wiring supplies the value (never in a spec).
 */
export type SecretInput =
    /** The kubeconfig given to the component. */
    | { $secret: "kubeconfig" }
    /** The supplied key exactly as given (the provider builds the docker config from it). */
    | { $secret: "jsonKey" }
    /** Its SHA-256 digest, which each PullSecret keeps instead of the content. */
    | { $secret: "dockerConfigDigest"; key: KeySource };

/** The stack's identity (components/stackIdentity.ts): one per stack, declared by the wiring, never by a spec. */
export const stackIdentityInput = { $stack: "identity" } as const;

/** An input value: plain data, with references, secret inputs and the stack's identity where it has them. */
export type SpecValue = string | number | boolean | Reference | SecretInput | typeof stackIdentityInput | SpecValue[] | { [name: string]: SpecValue };

/** The Kubernetes provider passed to the component in its resource options. */
export const callersKubernetes = { $provider: "kubernetes from the component's options" } as const;

/** Resource options that the component decides (every child also has the component as `parent`). */
export interface SpecOptions {
    /** The provider: a spec's key, or the Kubernetes provider the caller passed. Default: Pulumi's default provider. */
    provider?: string | typeof callersKubernetes;
    /** Keys of specs whose resources must exist first, beyond those its references imply. */
    dependsOn?: string[];
    /** Left in place when the stack is destroyed. */
    retainOnDelete?: true;
    /** URNs this resource had before. */
    aliases?: string[];
    /** Outputs the engine must keep secret. */
    additionalSecretOutputs?: string[];
    customTimeouts?: { create?: string; update?: string };
}

/** One resource the component declares. */
export interface ResourceSpec {
    /** Unique among the specs of a component: what references, `dependsOn` and `provider` name. */
    key: string;
    /** The Pulumi resource name: unique per type, made from stable names (a namespace's, never its position). */
    name: string;
    /** The type token (components/contract.ts). */
    type: string;
    /** The inputs, as the resource's class takes them. */
    inputs: { [name: string]: SpecValue };
    options: SpecOptions;
}

/** A value the component exports; `$jsonKey` is a fact of a supplied key that is read only when it resolves. */
export type OutputSpec = string | Reference | { $jsonKey: "clientEmail" | "privateKeyId" };

/** What the specs need to know besides the plan: where the component stands and what it was given. */
export interface SpecContext {
    /** The component's name; every resource name starts with it. */
    name: string;
    /** The Pulumi project and stack: the owner annotation `<project>/<stack>`, and the 0.1 alias. */
    project: string;
    stack: string;
    /** Take over 0.1's default dynamic provider (the `upgradeFrom01` argument). */
    upgradeFrom01: boolean;
    /** A kubeconfig was given: both providers take it (a secret input). */
    kubeconfig: boolean;
    /** A Kubernetes provider was passed in the component's options: it is used, and none is made. */
    callersKubernetes: boolean;
}

/** A reference to `property` of the spec with `key`. */
export function ref(key: string, property: string, more: Pick<Reference, "part" | "format"> = {}): Reference {
    return { $ref: key, property, ...more };
}

export function isReference(value: unknown): value is Reference {
    return typeof value === "object" && value !== null && "$ref" in value;
}

export function isStackIdentityInput(value: unknown): value is typeof stackIdentityInput {
    return typeof value === "object" && value !== null && "$stack" in value;
}

export function isSecretInput(value: unknown): value is SecretInput {
    return typeof value === "object" && value !== null && "$secret" in value;
}

/** Every reference in a value, secret inputs' key sources included. */
export function referencesIn(value: SpecValue | OutputSpec): Reference[] {
    if (isReference(value)) return [value];
    if (isSecretInput(value)) return value.$secret === "dockerConfigDigest" && isReference(value.key) ? [value.key] : [];
    if (Array.isArray(value)) return value.flatMap(referencesIn);
    if (typeof value === "object" && value !== null) return Object.values(value).flatMap(referencesIn);
    return [];
}

/** The keys of the specs one spec needs first: what it refers to, its provider, and `dependsOn`. */
export function prerequisites(spec: ResourceSpec): string[] {
    const keys = [...referencesIn(spec.inputs).map((reference) => reference.$ref), ...(spec.options.dependsOn ?? [])];
    if (typeof spec.options.provider === "string") keys.push(spec.options.provider);
    return [...new Set(keys)];
}
