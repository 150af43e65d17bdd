/**
 * The writes of a PullSecret: the Secret (created, or patched in place so it never goes missing),
 * and its entries in ServiceAccounts. Which Secret may be written is decided in ownership.ts; this
 * file only carries the decision out.
 */
import {
    dockerConfigJsonType,
    entriesAnnotation,
    keyless,
    keySourceAnnotation,
    lastAppliedAnnotation,
    legacyPatchForceAnnotation,
    managedLabels,
    ownerIdAnnotation,
    ownerUrnAnnotation,
    registriesAnnotation,
    stackAnnotation,
    stackIdentityAnnotation,
} from "../components/contract";
import { dockerConfigDigest, dockerConfigSecretData } from "../components/dockerConfig";
import { LocalObjectReference, withoutPullSecret, withPullSecret } from "../components/imagePullSecrets";
import { Connection, describeApiError, readSecret, SecretObject, statusOf } from "./kubeApi";
import { Claimant, decideRelease, decideWrite, SecretOwner } from "./ownership";
import { PullSecretInputs, PullSecretState } from "./pullSecretInputs";
import { changePullSecrets } from "./serviceAccountEntry";

/** What the provider needs besides the inputs: the cluster, and the docker config when it is known. */
export interface PullSecretContext {
    connection(): Connection;
    /** The docker config text from the provider configuration; undefined while unknown (preview). */
    dockerConfigJson(): string | undefined;
    /** True when the cluster connection is known (not an unknown kubeconfig during preview). */
    clusterKnown(): boolean;
    /** Shows a warning in the CLI's output. */
    warn?(message: string): void;
}

/** The instance writing: its owner id and URN, written on the Secret. */
export interface Writer {
    ownerId: string;
    urn: string;
}

/** True when the in-cluster refresher, not this provider, writes the Secret's content. */
export function isKeyless(inputs: Pick<PullSecretInputs, "keySource">): boolean {
    return inputs.keySource === keyless.keySource;
}

/** The Secret's metadata and data as this resource writes them. */
function desiredSecret(inputs: PullSecretInputs, writer: Writer, dockerConfigJson: string): SecretObject {
    return {
        metadata: {
            name: inputs.secretName,
            namespace: inputs.namespace,
            labels: { ...managedLabels },
            annotations: {
                [stackAnnotation]: inputs.owner,
                ...(inputs.stackIdentity ? { [stackIdentityAnnotation]: inputs.stackIdentity } : {}),
                [ownerIdAnnotation]: writer.ownerId,
                [ownerUrnAnnotation]: writer.urn,
                [entriesAnnotation]: inputs.serviceAccounts.join(","),
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
function takeOverPatch(desired: SecretObject, withData: boolean, resourceVersion: string | undefined): object {
    // With a key, the refresher's annotations would describe a token the Secret no longer holds.
    const refresherAnnotations = withData
        ? { [keyless.expiresAnnotation]: null, [keyless.refreshedAnnotation]: null, [keyless.failedAtAnnotation]: null, [keyless.failureAnnotation]: null }
        : {};
    return {
        metadata: {
            // Conditional on the object we decided about: an owner change in between makes the API server answer 409.
            ...(resourceVersion ? { resourceVersion } : {}),
            labels: desired.metadata!.labels,
            annotations: {
                // A writer without a stack identity must not leave the previous owner's on the Secret.
                [stackIdentityAnnotation]: null,
                ...desired.metadata!.annotations,
                ...refresherAnnotations,
                [lastAppliedAnnotation]: null,
                [legacyPatchForceAnnotation]: null,
            },
        },
        ...(withData ? { data: desired.data } : {}),
    };
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

/** What a write did. */
export interface SecretWritten {
    uid?: string;
    /** The uid of a Secret another stack (or nobody) owned, taken over with adopt. */
    adoptedUid?: string;
    /** ServiceAccounts whose entry the previous owner added: ours now. */
    inherited: string[];
}

/**
 * Writes the Secret as `writer`, if ownership allows (see decideWrite). A create tries to create it
 * straight away (`check` just found no Secret there) and decides only when the API server says one
 * exists; an update reads it first.
 */
export async function writeSecret(
    context: PullSecretContext,
    inputs: PullSecretInputs,
    writer: Writer,
    claimant: Claimant,
    operation: "create" | "update",
): Promise<SecretWritten> {
    const { api, mergePatch } = context.connection();
    const desired = desiredSecret(inputs, writer, isKeyless(inputs) ? keyless.placeholderDockerConfigJson : contentFor(context, inputs));
    const where = `Secret ${inputs.namespace}/${inputs.secretName}`;
    for (let attempt = 1; ; attempt++) {
        const existing = operation === "update" || attempt > 1 ? await readSecret(api, inputs.namespace, inputs.secretName) : undefined;
        const decision = decideWrite(existing, claimant, { operation, adopt: inputs.adopt, namespace: inputs.namespace, secretName: inputs.secretName });
        if (decision.action === "refuse") throw new Error(decision.reason);
        try {
            if (decision.action === "create") {
                const created = await api.createNamespacedSecret({ namespace: inputs.namespace, body: desired });
                return { uid: created.metadata?.uid, inherited: [] };
            }
            const patched = await api.patchNamespacedSecret(
                {
                    name: inputs.secretName,
                    namespace: inputs.namespace,
                    body: takeOverPatch(desired, !isKeyless(inputs), existing?.metadata?.resourceVersion),
                },
                mergePatch,
            );
            return { uid: patched.metadata?.uid, inherited: decision.inherited, ...(decision.adopted ? { adoptedUid: existing?.metadata?.uid } : {}) };
        } catch (error) {
            // 409: created by someone meanwhile, or changed since we read it; 404: deleted since. Decide again on what is there now.
            const status = statusOf(error);
            if ((status === 409 || status === 404) && attempt < 5) continue;
            throw new Error(`${decision.action === "create" ? "creating" : "updating"} ${where} failed: ${describeApiError(error)}`);
        }
    }
}

/** What writing the entries did: those that list the Secret now, and what failed. */
export interface EntriesWritten {
    attached: string[];
    errors: Error[];
}

/**
 * Adds our entry to each ServiceAccount of the inputs (waiting for a named one not there yet,
 * skipping a found one that is gone) and removes it from `dropped`. Every ServiceAccount is tried
 * even when one fails, so the result says exactly which list the Secret.
 */
export async function writeEntries(context: PullSecretContext, inputs: PullSecretInputs, dropped: string[]): Promise<EntriesWritten> {
    const connection = context.connection();
    const entry = (serviceAccount: string) => ({ namespace: inputs.namespace, serviceAccount, secretName: inputs.secretName, waitSeconds: inputs.waitSeconds });
    const adding = inputs.serviceAccounts.map((sa) =>
        changePullSecrets(connection, entry(sa), (list) => withPullSecret(list, inputs.secretName), inputs.foundServiceAccounts.includes(sa) ? "skip" : "wait"),
    );
    const removing = dropped
        .filter((sa) => !inputs.serviceAccounts.includes(sa))
        .map((sa) => changePullSecrets(connection, entry(sa), (list) => withoutPullSecret(list, inputs.secretName), "skip"));
    const added = await Promise.allSettled(adding);
    const removed = await Promise.allSettled(removing);
    const errors = [...added, ...removed].filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => asError(r.reason));
    const attached = inputs.serviceAccounts.filter((_, index) => {
        const result = added[index];
        return result.status === "fulfilled" && result.value;
    });
    return { attached, errors };
}

/**
 * Deletes what the resource owns: its entries, then the Secret (only the object it decided about,
 * as read). A failure half-way puts the removed entries back before it is reported, so the state,
 * which keeps the resource, stays true. Resolves to the owner when someone else owns the Secret
 * (nothing was touched), else undefined.
 */
export async function releaseSecret(context: PullSecretContext, known: PullSecretState, claimant: Claimant): Promise<SecretOwner | undefined> {
    const where = { namespace: known.namespace, secretName: known.secretName };
    const id = `${known.namespace}/${known.secretName}`;
    const { api } = context.connection();
    const stateEntries = [...new Set([...known.attached, ...known.serviceAccounts])];
    for (let attempt = 1; ; attempt++) {
        const live = await readSecret(api, known.namespace, known.secretName);
        const decision = decideRelease(live, claimant, stateEntries);
        if (decision.action === "leave") return decision.owner;
        // Entries first: a ServiceAccount never lists a Secret that is gone.
        const { removed, errors } = await removeEntries(context, where, decision.entries);
        if (errors.length > 0) {
            await restoreEntries(context, where, removed);
            throw new Error(
                `deleting Secret ${id} stopped before the Secret was deleted; its entries are as they were: ${errors.map((e) => e.message).join("; ")}`,
            );
        }
        if (decision.action === "entriesOnly") return undefined;
        try {
            await api.deleteNamespacedSecret({
                name: known.secretName,
                namespace: known.namespace,
                body: { preconditions: { uid: live?.metadata?.uid, resourceVersion: live?.metadata?.resourceVersion } },
            });
            return undefined;
        } catch (error) {
            const status = statusOf(error);
            if (status === 404) return undefined;
            await restoreEntries(context, where, removed);
            // 409: changed since we read it (another owner, or the refresher): decide again.
            if (status === 409 && attempt < 5) continue;
            throw new Error(`deleting Secret ${id} failed (its entries are as they were): ${describeApiError(error)}`);
        }
    }
}

/** Applies `change` to the list of each of `serviceAccounts` (a missing one skipped), all at once; one result each. */
function changeEach(
    context: PullSecretContext,
    where: Pick<PullSecretInputs, "namespace" | "secretName">,
    serviceAccounts: string[],
    change: (list: LocalObjectReference[] | undefined) => { list: LocalObjectReference[]; changed: boolean },
): Promise<PromiseSettledResult<boolean>[]> {
    const connection = context.connection();
    return Promise.allSettled(
        serviceAccounts.map((serviceAccount) =>
            changePullSecrets(connection, { namespace: where.namespace, serviceAccount, secretName: where.secretName, waitSeconds: 0 }, change, "skip"),
        ),
    );
}

function failures(results: PromiseSettledResult<boolean>[]): Error[] {
    return results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => asError(r.reason));
}

/** Removes our entry from each of `serviceAccounts`; returns those it was removed from, and what failed. */
async function removeEntries(
    context: PullSecretContext,
    where: Pick<PullSecretInputs, "namespace" | "secretName">,
    serviceAccounts: string[],
): Promise<{ removed: string[]; errors: Error[] }> {
    const results = await changeEach(context, where, serviceAccounts, (list) => withoutPullSecret(list, where.secretName));
    return { removed: serviceAccounts.filter((_, index) => results[index].status === "fulfilled"), errors: failures(results) };
}

/** Puts our entry back into each of `serviceAccounts` (undoing a delete that failed half-way). */
async function restoreEntries(
    context: PullSecretContext,
    where: Pick<PullSecretInputs, "namespace" | "secretName">,
    serviceAccounts: string[],
): Promise<Error[]> {
    return failures(await changeEach(context, where, serviceAccounts, (list) => withPullSecret(list, where.secretName)));
}

function asError(reason: unknown): Error {
    return reason instanceof Error ? reason : new Error(String(reason));
}
