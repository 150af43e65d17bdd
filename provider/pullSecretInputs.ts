/**
 * A PullSecret's inputs and state as the engine sends them: read into one typed shape, and the
 * declared inputs checked (without the cluster) before anything else looks at them.
 */
import { defaultWaitSeconds } from "../components/contract";
import { containsUnknown, revealed, stringProperty } from "./propertyValues";
import { CheckFailure } from "./resourceHandler";

/** The pull Secret's inputs. */
export interface PullSecretInputs {
    namespace: string;
    secretName: string;
    /** Whether an existing Secret of that name, owned by someone else, may be taken over. */
    adopt: boolean;
    /** `<project>/<stack>`: the stack the resource belongs to, written as an annotation. */
    owner: string;
    /**
     * The owning stack's identity (its StackIdentity resource's id), written as an annotation: what tells
     * this stack from one of the same name in another backend. Absent when declared without one.
     */
    stackIdentity?: string;
    /** "managed", "supplied" or "keyless" (see keySourceAnnotation). */
    keySource: string;
    /** Registry hosts the docker config covers. */
    registries: string[];
    /** Digest of the docker config the Secret must hold (see dockerConfigDigest). */
    dockerConfigDigest: string;
    /** True when the stack creates the namespace in the same update (so it may not exist at preview). */
    namespaceCreatedByStack: boolean;
    /** ServiceAccounts of the namespace whose `imagePullSecrets` list the Secret. */
    serviceAccounts: string[];
    /**
     * Those of `serviceAccounts` the program found in the cluster (allServiceAccounts,
     * serviceAccountSelector) rather than was told to cover: one deleted since is skipped, not waited for.
     */
    foundServiceAccounts: string[];
    /** How long to wait for a ServiceAccount to exist, in seconds. */
    waitSeconds: number;
}

/** What the state adds to the inputs: what the resource observed and owns. */
export interface PullSecretState extends PullSecretInputs {
    /** The uid of the Secret the resource wrote or took over. */
    uid?: string;
    /** ServiceAccounts whose list held our entry when last written or refreshed. */
    attached: string[];
    /** The resource instance's owner id (see ownership.ts); absent in state written by 0.2.0 or earlier. */
    ownerId?: string;
    /** Set by refresh when another owner holds the Secret now (its description). */
    heldBy?: string;
}

/** Inputs whose change the diff reports. */
export const changeKeys = [
    "namespace",
    "secretName",
    "adopt",
    "owner",
    "stackIdentity",
    "keySource",
    "registries",
    "dockerConfigDigest",
    "serviceAccounts",
    "foundServiceAccounts",
    "waitSeconds",
] as const;

function stringList(value: unknown): string[] {
    const list = revealed(value);
    return Array.isArray(list) ? list.filter((item): item is string => typeof item === "string") : [];
}

/** State written by the Kubernetes provider, which managed the pull Secret before this resource type. */
export function isLegacyState(props: Record<string, unknown>): boolean {
    return props.kind === "Secret" && typeof props.metadata === "object" && props.metadata !== null;
}

/** The inputs and state from a property map; legacy state is read from its object metadata. */
export function readPullSecretProps(props: Record<string, unknown>): PullSecretState {
    if (isLegacyState(props)) {
        const metadata = props.metadata as Record<string, unknown>;
        return {
            namespace: stringProperty(metadata, "namespace") ?? "",
            secretName: stringProperty(metadata, "name") ?? "",
            adopt: false,
            owner: "",
            keySource: "",
            registries: [],
            dockerConfigDigest: "",
            namespaceCreatedByStack: false,
            serviceAccounts: [],
            foundServiceAccounts: [],
            waitSeconds: defaultWaitSeconds,
            uid: stringProperty(metadata, "uid"),
            attached: [],
        };
    }
    const wait = revealed(props.waitSeconds);
    return {
        namespace: stringProperty(props, "namespace") ?? "",
        secretName: stringProperty(props, "secretName") ?? "",
        adopt: revealed(props.adopt) === true,
        owner: stringProperty(props, "owner") ?? "",
        stackIdentity: stringProperty(props, "stackIdentity") || undefined,
        keySource: stringProperty(props, "keySource") ?? "",
        registries: stringList(props.registries),
        dockerConfigDigest: stringProperty(props, "dockerConfigDigest") ?? "",
        namespaceCreatedByStack: revealed(props.namespaceCreatedByStack) === true,
        serviceAccounts: stringList(props.serviceAccounts),
        foundServiceAccounts: stringList(props.foundServiceAccounts),
        waitSeconds: typeof wait === "number" ? wait : defaultWaitSeconds,
        uid: stringProperty(props, "uid"),
        attached: stringList(props.attached),
        ownerId: stringProperty(props, "ownerId"),
        heldBy: stringProperty(props, "heldBy"),
    };
}

/** Problems with the declared inputs themselves; unknown values (preview) are not judged. */
export function declaredInputProblems(news: Record<string, unknown>): CheckFailure[] {
    const failures: CheckFailure[] = [];
    for (const property of ["namespace", "secretName", "owner", "keySource"] as const) {
        const value = revealed(news[property]);
        if (typeof value !== "string" || value === "") {
            if (!containsUnknown(value)) failures.push({ property, reason: `${property} must be a non-empty string` });
        }
    }
    const identity = revealed(news.stackIdentity);
    if (identity !== undefined && !containsUnknown(identity) && (typeof identity !== "string" || identity === "")) {
        failures.push({ property: "stackIdentity", reason: "stackIdentity must be the id of the stack's StackIdentity resource, a non-empty string" });
    }
    const registries = revealed(news.registries);
    if (!containsUnknown(registries) && (!Array.isArray(registries) || registries.length === 0 || registries.some((h) => typeof h !== "string"))) {
        failures.push({ property: "registries", reason: "registries must be a non-empty list of registry hosts" });
    }
    const accounts = revealed(news.serviceAccounts);
    if (
        !containsUnknown(accounts) &&
        (!Array.isArray(accounts) || accounts.some((a) => typeof a !== "string" || a === "") || new Set(accounts).size !== accounts.length)
    ) {
        failures.push({ property: "serviceAccounts", reason: "serviceAccounts must be a list of ServiceAccount names, each once" });
    }
    const found = revealed(news.foundServiceAccounts);
    if (
        found !== undefined &&
        !containsUnknown(found) &&
        !containsUnknown(accounts) &&
        (!Array.isArray(found) || found.some((a) => typeof a !== "string" || !Array.isArray(accounts) || !accounts.includes(a)))
    ) {
        failures.push({ property: "foundServiceAccounts", reason: "foundServiceAccounts must list only names that serviceAccounts lists" });
    }
    const wait = revealed(news.waitSeconds);
    if (wait !== undefined && !containsUnknown(wait) && (typeof wait !== "number" || !Number.isInteger(wait) || wait < 0)) {
        failures.push({ property: "waitSeconds", reason: "waitSeconds must be a whole number of seconds, 0 or more" });
    }
    return failures;
}

/**
 * The state's outputs: only what the inputs do not already say, and what read and delete need.
 * The engine keeps inputs and outputs apart and rewrites both at every step, so repeating the
 * inputs here would cost every namespace its size again.
 */
export function pullSecretOutputs(
    inputs: Pick<PullSecretInputs, "namespace" | "secretName" | "serviceAccounts">,
    ownerId: string,
    uid: string | undefined,
    attached: string[],
    adoptedUid?: string,
): Record<string, unknown> {
    return {
        namespace: inputs.namespace,
        secretName: inputs.secretName,
        serviceAccounts: inputs.serviceAccounts,
        attached,
        ownerId,
        ...(uid ? { uid } : {}),
        ...(adoptedUid ? { adoptedUid } : {}),
    };
}
