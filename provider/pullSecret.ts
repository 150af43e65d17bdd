/**
 * `gcr-pull-secrets:index:PullSecret`: one namespace's `kubernetes.io/dockerconfigjson` Secret, and
 * its entry in the `imagePullSecrets` of each ServiceAccount named (see serviceAccountEntry.ts for
 * why each entry is a read-modify-write). One resource per namespace keeps an update's cost
 * linear: the engine rewrites the whole state after every step, so steps and state size multiply.
 *
 * The docker config itself lives once, in the provider's configuration; each resource keeps only a
 * digest of it. That keeps a namespace's state small (the key is in state once, not once per
 * namespace), while a key change still shows, masked, on every Secret it updates.
 *
 * Keyless (keySource "keyless"): the in-cluster refresher owns the content. The Secret is created
 * with placeholder content if absent; afterwards only its metadata is ever written, and its content
 * is never compared, so a refreshed token is neither drift nor overwritten. Switching a Secret back
 * to a key writes the key's docker config and drops the refresher's annotations; the refresher
 * writes only Secrets whose key-source annotation says keyless, so a late run leaves it alone.
 *
 * Existing Secrets are never taken over silently: a Secret of the same name that this stack did not
 * write is refused (already at preview, in `check`) unless the namespace opted into adoption.
 */
import {
    dockerConfigJsonType,
    keyless,
    keySourceAnnotation,
    lastAppliedAnnotation,
    legacyPatchForceAnnotation,
    managedLabels,
    registriesAnnotation,
    stackAnnotation,
} from "../components/contract";
import { dockerConfigDigest, dockerConfigSecretData } from "../components/dockerConfig";
import { hasPullSecret, withoutPullSecret, withPullSecret } from "../components/imagePullSecrets";
import { Connection, describeApiError, readSecret, SecretObject, statusOf } from "./kubeApi";
import { containsUnknown, revealed, secretValue, stringProperty } from "./propertyValues";
import { namespaceProblem } from "./namespaceCheck";
import { changePullSecrets } from "./serviceAccountEntry";
import { CheckFailure, DiffOutcome, ResourceHandler } from "./resourceHandler";

/** The pull Secret's inputs. */
export interface PullSecretInputs {
    namespace: string;
    secretName: string;
    /** Whether an existing Secret of that name, not written by this stack, may be taken over. */
    adopt: boolean;
    /** `<project>/<stack>`: a Secret annotated with it is this stack's. */
    owner: string;
    /** "managed" or "supplied" (see keySourceAnnotation). */
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

/** What the provider needs besides the inputs: the cluster, and the docker config when it is known. */
export interface PullSecretContext {
    connection(): Connection;
    /** The docker config text from the provider configuration; undefined while unknown (preview). */
    dockerConfigJson(): string | undefined;
    /** True when the cluster connection is known (not an unknown kubeconfig during preview). */
    clusterKnown(): boolean;
}

const changeKeys = [
    "namespace",
    "secretName",
    "adopt",
    "owner",
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
function isLegacyState(props: Record<string, unknown>): boolean {
    return props.kind === "Secret" && typeof props.metadata === "object" && props.metadata !== null;
}

/** The inputs from a property map; legacy state is read from its object metadata. */
export function readPullSecretProps(props: Record<string, unknown>): PullSecretInputs & { uid?: string; attached: string[] } {
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
            waitSeconds: 60,
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
        keySource: stringProperty(props, "keySource") ?? "",
        registries: stringList(props.registries),
        dockerConfigDigest: stringProperty(props, "dockerConfigDigest") ?? "",
        namespaceCreatedByStack: revealed(props.namespaceCreatedByStack) === true,
        serviceAccounts: stringList(props.serviceAccounts),
        foundServiceAccounts: stringList(props.foundServiceAccounts),
        waitSeconds: typeof wait === "number" ? wait : 60,
        uid: stringProperty(props, "uid"),
        attached: stringList(props.attached),
    };
}

/**
 * Why an existing Secret must not be taken over, or undefined when it may be. Only its metadata and
 * type are looked at; its data never is.
 */
export function takeOverProblem(existing: SecretObject, inputs: Pick<PullSecretInputs, "namespace" | "secretName" | "adopt" | "owner">): string | undefined {
    if (existing.metadata?.annotations?.[stackAnnotation] === inputs.owner) {
        return undefined;
    }
    if (!inputs.adopt) {
        return (
            `Secret ${inputs.namespace}/${inputs.secretName} already exists and was not created by this stack. ` +
            `To take it over in place (pods keep pulling), set adopt: true on namespace "${inputs.namespace}" in the namespaces setting ` +
            `(or on namespaceSelector, if the selector chose it); otherwise choose another secretName, delete that Secret, or ` +
            `(for a selected namespace) add it to excludeNamespaces.`
        );
    }
    if (existing.type !== dockerConfigJsonType) {
        return (
            `Secret ${inputs.namespace}/${inputs.secretName} exists with type "${existing.type}" and cannot be adopted: Kubernetes never ` +
            `changes a Secret's type. Delete it or choose another secretName.`
        );
    }
    return undefined;
}

/** True when the in-cluster refresher, not this provider, writes the Secret's content. */
export function isKeyless(inputs: Pick<PullSecretInputs, "keySource">): boolean {
    return inputs.keySource === keyless.keySource;
}

/** The Secret's metadata and data as this stack writes them. */
function desiredSecret(inputs: PullSecretInputs, dockerConfigJson: string): SecretObject {
    return {
        metadata: {
            name: inputs.secretName,
            namespace: inputs.namespace,
            labels: { ...managedLabels },
            annotations: {
                [stackAnnotation]: inputs.owner,
                [keySourceAnnotation]: inputs.keySource,
                [registriesAnnotation]: inputs.registries.join(","),
            },
        },
        type: dockerConfigJsonType,
        data: { ".dockerconfigjson": dockerConfigSecretData(dockerConfigJson) },
    };
}

/**
 * A merge patch that makes an existing Secret ours: our data, labels and annotations; others'
 * labels and annotations kept, except two that must go: `kubectl apply`'s copy of the old object
 * (its data, in plaintext) and the patchForce of 0.1's Kubernetes provider (whose absence tells
 * 0.1's retired entries that this version now owns the entries; see legacyResources.ts).
 */
function takeOverPatch(desired: SecretObject, withData: boolean): object {
    // With a key, the refresher's annotations would describe a token the Secret no longer holds.
    const refresherAnnotations = withData ? { [keyless.expiresAnnotation]: null, [keyless.refreshedAnnotation]: null } : {};
    return {
        metadata: {
            labels: desired.metadata!.labels,
            annotations: { ...desired.metadata!.annotations, ...refresherAnnotations, [lastAppliedAnnotation]: null, [legacyPatchForceAnnotation]: null },
        },
        ...(withData ? { data: desired.data } : {}),
    };
}

/**
 * The state's outputs: only what the inputs do not already say, and what read and delete need.
 * The engine keeps inputs and outputs apart and rewrites both at every step, so repeating the
 * inputs here would cost every namespace its size again. The docker config digest appears only
 * when refresh found the Secret's content changed by hand (see read).
 */
function outputsOf(
    inputs: Pick<PullSecretInputs, "namespace" | "secretName" | "serviceAccounts">,
    uid: string | undefined,
    attached: string[],
    adoptedUid?: string,
): Record<string, unknown> {
    return {
        namespace: inputs.namespace,
        secretName: inputs.secretName,
        serviceAccounts: inputs.serviceAccounts,
        attached,
        ...(uid ? { uid } : {}),
        ...(adoptedUid ? { adoptedUid } : {}),
    };
}

/**
 * Adds our entry to each ServiceAccount (waiting for a named one not there yet, skipping a found one
 * that is gone) and removes it from `dropped`. Returns the ServiceAccounts that now list the Secret.
 */
async function writeEntries(context: PullSecretContext, inputs: PullSecretInputs, dropped: string[]): Promise<string[]> {
    const connection = context.connection();
    const entry = (serviceAccount: string) => ({ namespace: inputs.namespace, serviceAccount, secretName: inputs.secretName, waitSeconds: inputs.waitSeconds });
    const [written] = await Promise.all([
        Promise.all(
            inputs.serviceAccounts.map((sa) =>
                changePullSecrets(
                    connection,
                    entry(sa),
                    (list) => withPullSecret(list, inputs.secretName),
                    inputs.foundServiceAccounts.includes(sa) ? "skip" : "wait",
                ),
            ),
        ),
        Promise.all(dropped.map((sa) => changePullSecrets(connection, entry(sa), (list) => withoutPullSecret(list, inputs.secretName), "skip"))),
    ]);
    return inputs.serviceAccounts.filter((_, index) => written[index]);
}

/** The docker config for a write, checked against the digest the resource asks for. */
function contentFor(context: PullSecretContext, inputs: PullSecretInputs): string {
    const content = context.dockerConfigJson();
    if (content === undefined) {
        throw new Error("the provider's dockerConfigJson is not known; it must be known before a pull Secret is written");
    }
    if (dockerConfigDigest(content) !== inputs.dockerConfigDigest) {
        // Both come from the same component; a mismatch means a provider and resources of two different components were mixed.
        throw new Error(
            `the docker config of the gcr-pull-secrets provider does not match the one Secret ${inputs.namespace}/${inputs.secretName} asks for; ` +
                "use the provider created by the same GcrPullSecrets component",
        );
    }
    return content;
}

/** Writes the Secret: created, or (ours, or adopted) patched in place so it never goes missing. */
async function writeSecret(context: PullSecretContext, inputs: PullSecretInputs, mayTakeOver: boolean): Promise<{ uid?: string; adoptedUid?: string }> {
    const { api, mergePatch } = context.connection();
    const desired = desiredSecret(inputs, isKeyless(inputs) ? keyless.placeholderDockerConfigJson : contentFor(context, inputs));
    const where = `Secret ${inputs.namespace}/${inputs.secretName}`;
    // A Secret about to be created was just checked (`check`) and usually does not exist: create it
    // straight away, and read it only when the API server says it exists. An update reads first.
    let existing = mayTakeOver ? await readSecret(api, inputs.namespace, inputs.secretName) : undefined;
    for (let attempt = 1; !existing; attempt++) {
        try {
            const created = await api.createNamespacedSecret({ namespace: inputs.namespace, body: desired });
            return { uid: created.metadata?.uid };
        } catch (error) {
            if (statusOf(error) !== 409 || attempt >= 3) {
                throw new Error(`creating ${where} failed: ${describeApiError(error)}`);
            }
        }
        // It exists (made by someone else, or before a restarted update): decide as for any existing Secret.
        existing = await readSecret(api, inputs.namespace, inputs.secretName);
    }
    const problem = mayTakeOver ? undefined : takeOverProblem(existing, inputs);
    if (problem) {
        throw new Error(problem);
    }
    const adopted = existing.metadata?.annotations?.[stackAnnotation] !== inputs.owner;
    try {
        const patched = await api.patchNamespacedSecret(
            { name: inputs.secretName, namespace: inputs.namespace, body: takeOverPatch(desired, !isKeyless(inputs)) },
            mergePatch,
        );
        return { uid: patched.metadata?.uid, ...(adopted ? { adoptedUid: existing.metadata?.uid } : {}) };
    } catch (error) {
        throw new Error(`updating ${where} failed: ${describeApiError(error)}`);
    }
}

/** The provider-side logic of the pull Secret. */
export function pullSecretHandler(context: PullSecretContext): ResourceHandler {
    return {
        async check(olds, news) {
            const failures: CheckFailure[] = [];
            for (const property of ["namespace", "secretName", "owner", "keySource"] as const) {
                const value = revealed(news[property]);
                if (typeof value !== "string" || value === "") {
                    if (!containsUnknown(value)) failures.push({ property, reason: `${property} must be a non-empty string` });
                }
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
            if (failures.length > 0 || Object.keys(olds).length > 0 || containsUnknown(news) || !context.clusterKnown()) {
                // Only a Secret about to be created is checked against the cluster; afterwards it is ours.
                return { inputs: news, failures };
            }
            const inputs = readPullSecretProps(news);
            const { api } = context.connection();
            const namespaceFailure = await namespaceProblem(api, inputs.namespace, inputs.namespaceCreatedByStack);
            if (namespaceFailure) return { inputs: news, failures: [namespaceFailure] };
            const existing = await readSecret(api, inputs.namespace, inputs.secretName);
            const problem = existing ? takeOverProblem(existing, inputs) : undefined;
            if (problem) failures.push({ property: "secretName", reason: problem });
            return { inputs: news, failures };
        },

        async diff(_id, outputs, news, oldInputs): Promise<DiffOutcome> {
            // Outputs win: a digest refresh read from the cluster replaces the one the inputs asked for.
            const olds = { ...oldInputs, ...outputs };
            const before = readPullSecretProps(olds);
            const after = readPullSecretProps(news);
            const replaces = (["namespace", "secretName"] as const).filter((key) => before[key] !== after[key]);
            if (isLegacyState(olds)) {
                // Written by the Kubernetes provider: rewritten in place once, as this resource type.
                return { changes: true, replaces, diffs: [...changeKeys] };
            }
            const diffs: string[] = changeKeys.filter((key) => containsUnknown(news[key]) || JSON.stringify(before[key]) !== JSON.stringify(after[key]));
            // Refresh found our entry missing from a ServiceAccount (removed by hand): an update puts it back.
            if (!containsUnknown(news.serviceAccounts) && after.serviceAccounts.some((sa) => !before.attached.includes(sa))) {
                diffs.push("attached");
            }
            return { changes: diffs.length > 0, replaces, diffs };
        },

        async create(props) {
            const inputs = readPullSecretProps(props);
            const { uid, adoptedUid } = await writeSecret(context, inputs, false);
            const attached = await writeEntries(context, inputs, []);
            return { id: `${inputs.namespace}/${inputs.secretName}`, outs: outputsOf(inputs, uid, attached, adoptedUid) };
        },

        async read(id, props, inputs) {
            const known = readPullSecretProps(props);
            const { api } = context.connection();
            const live = await readSecret(api, known.namespace, known.secretName);
            if (!live) {
                return { props: {} };
            }
            const data = live.data?.[".dockerconfigjson"];
            const expected = inputs ? readPullSecretProps(inputs) : undefined;
            // Drift in the content shows as a changed (masked) digest, and the next update writes ours back;
            // a keyless Secret's content is the refresher's, so it is never compared.
            const contentOwned = !(expected && isKeyless(expected));
            const liveDigest = contentOwned && data ? dockerConfigDigest(Buffer.from(data, "base64").toString("utf8")) : "none";
            const attached: string[] = [];
            for (const serviceAccount of known.serviceAccounts) {
                try {
                    const account = await api.readNamespacedServiceAccount({ name: serviceAccount, namespace: known.namespace });
                    if (hasPullSecret(account.imagePullSecrets, known.secretName)) attached.push(serviceAccount);
                } catch (error) {
                    if (statusOf(error) !== 404)
                        throw new Error(`reading ServiceAccount ${known.namespace}/${serviceAccount} failed: ${describeApiError(error)}`);
                }
            }
            const drift = contentOwned && liveDigest !== (expected?.dockerConfigDigest ?? "") ? { dockerConfigDigest: secretValue(liveDigest) } : {};
            if (isLegacyState(props)) {
                return { id, props: { ...outputsOf(known, live.metadata?.uid, attached), ...drift } };
            }
            const { dockerConfigDigest: _stale, ...rest } = props;
            return { id, props: { ...rest, uid: live.metadata?.uid, attached, ...drift } };
        },

        async update(_id, olds, news, oldInputs) {
            const inputs = readPullSecretProps(news);
            const before = readPullSecretProps({ ...oldInputs, ...olds });
            // The Secret is ours already (created, adopted, or written by this stack's earlier version).
            const { uid } = await writeSecret(context, inputs, true);
            const dropped = before.serviceAccounts.filter((sa) => !inputs.serviceAccounts.includes(sa));
            const attached = await writeEntries(context, inputs, dropped);
            const adoptedUid = stringProperty(olds, "adoptedUid");
            return { outs: outputsOf(inputs, uid ?? before.uid, attached, adoptedUid) };
        },

        async delete(_id, props) {
            const { namespace, secretName, uid, serviceAccounts } = readPullSecretProps(props);
            // Entries first: a ServiceAccount never lists a Secret that is gone.
            await writeEntries(context, { ...readPullSecretProps(props), serviceAccounts: [], foundServiceAccounts: [] }, serviceAccounts);
            const { api } = context.connection();
            try {
                // The uid precondition: a Secret of that name made by someone after ours went away is not ours to delete.
                await api.deleteNamespacedSecret({ name: secretName, namespace, ...(uid ? { body: { preconditions: { uid } } } : {}) });
            } catch (error) {
                const status = statusOf(error);
                if (status === 404 || status === 409) return;
                throw new Error(`deleting Secret ${namespace}/${secretName} failed: ${describeApiError(error)}`);
            }
        },
    };
}
