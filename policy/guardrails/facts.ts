/** What the rules see of a resource, and the helpers they share to read it (values may be unknown during preview). */
import { UnknownValueError } from "@pulumi/policy";
import { dockerConfigJsonType, foreignTypes, keySourceAnnotation, legacyTypes, managedLabels, systemNamespaces, types } from "../../components/contract";
import { parseUrn } from "../../components/urn";

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

/** Reads a value that may be unknown during preview, for uses where "absent" is a safe answer. */
export function known<T>(read: () => T): T | undefined {
    try {
        return read();
    } catch (error) {
        if (error instanceof UnknownValueError) {
            return undefined;
        }
        throw error;
    }
}

export type Metadata = { name?: unknown; namespace?: unknown; labels?: Record<string, unknown> };

/** `props.metadata`, or {} when there is none; an unknown metadata propagates unless `lenient`. */
export function metadataOf(props: Record<string, unknown>, lenient = false): Metadata {
    const metadata = lenient ? known(() => props.metadata) : props.metadata;
    return metadata && typeof metadata === "object" ? (metadata as Metadata) : {};
}

export function describeObject(resource: ResourceFacts): string {
    const metadata = metadataOf(resource.props, true);
    const name = known(() => metadata.name) ?? parseUrn(resource.urn)?.name ?? resource.urn;
    const namespace = known(() => metadata.namespace);
    return typeof namespace === "string" ? `"${namespace}/${String(name)}"` : `"${String(name)}"`;
}

/** `"namespace/name"` of a pull secret, whichever resource type writes it. */
export function describePullSecret(resource: ResourceFacts): string {
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
