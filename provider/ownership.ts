/**
 * Who owns a pull Secret, and what one PullSecret resource instance may do with a Secret it finds.
 * Pure decisions: the handler reads the Secret, asks here, and acts.
 *
 * The owner is one resource instance, named by a random id kept both in the Secret's annotation and
 * in the resource's `ownerId` output. Exactly one instance owns a Secret at a time, and only the
 * owner deletes it or changes the entries it added. Within one stack (same `<project>/<stack>`), a
 * new instance takes the Secret over from the one it replaces when it is created: the engine creates
 * the new instance before it deletes the old one (`--replace`, `state taint`, a rename without
 * alias, a provider replacement), and a resource removed with `pulumi state delete` and declared
 * again must not find its Secret refused. The old instance's delete then finds the Secret no longer
 * its own and leaves it, and the entries, alone. Any other change of hands needs `adopt`.
 *
 * "The same stack" is the same `<project>/<stack>` name *and* the same stack identity (a random id
 * the stack keeps in a StackIdentity resource of its own, written on the Secret): two backends can
 * hold stacks of one name, and only the identity tells them apart. A Secret written before
 * identities existed (0.3 and earlier) carries none: a stack of its name takes it over once, and
 * that write stamps its identity on it.
 *
 * Why one owner and not a list of co-owners released by the last: an owner that vanished without a
 * delete (`pulumi state delete`, a lost state) would stay on the list forever, and the Secret would
 * never be deleted by anyone.
 */
import {
    dockerConfigJsonType,
    entriesAnnotation,
    ownerIdAnnotation,
    ownerUrnAnnotation,
    stackAnnotation,
    stackIdentityAnnotation,
} from "../components/contract";
import type { SecretObject } from "./kubeApi";

/** The owner a live Secret names. */
export interface SecretOwner {
    /** The owning instance's random id; absent on Secrets written by 0.2.0 or earlier, or by hand. */
    ownerId?: string;
    /** `<project>/<stack>` of the owning stack; absent on a Secret no stack wrote. */
    stack?: string;
    /** The owning stack's identity; absent on Secrets written before identities existed (0.3 and earlier). */
    stackIdentity?: string;
    /** The owning instance's URN, for messages. */
    urn?: string;
    /** The Secret object's uid. */
    uid?: string;
    /** ServiceAccounts whose entry the owner added. */
    entries: string[];
}

/**
 * The claimant's stack identity while its StackIdentity is still to be made (the preview of the
 * stack's first update): a new id, so it matches no identity a Secret carries.
 */
export const identityToBeMade = "(made by this update)";

/** The resource instance that asks. */
export interface Claimant {
    /** Its id; absent in state written before ids existed (0.2.0) and for an instance not created yet. */
    ownerId?: string;
    /** `<project>/<stack>`. */
    stack: string;
    /** Its stack's identity; absent for a PullSecret declared without one (not through the component). */
    stackIdentity?: string;
    /** The uid of the Secret its state recorded, if any. */
    uid?: string;
}

/**
 * "ours": the claimant owns the Secret. "sameStack": another instance of the claimant's stack owns it.
 * "namesake": a stack of the same `<project>/<stack>` name but another identity (another backend, or
 * the stack removed and made again) owns it. "foreign": another stack owns it, or no stack does.
 */
export type Standing = "ours" | "sameStack" | "namesake" | "foreign";

/** The owner annotations of a live Secret. */
export function ownerOf(secret: SecretObject): SecretOwner {
    const annotations = secret.metadata?.annotations ?? {};
    const entries = (annotations[entriesAnnotation] ?? "").split(",").filter((name) => name !== "");
    return {
        ownerId: annotations[ownerIdAnnotation] || undefined,
        stack: annotations[stackAnnotation] || undefined,
        stackIdentity: annotations[stackIdentityAnnotation] || undefined,
        urn: annotations[ownerUrnAnnotation] || undefined,
        uid: secret.metadata?.uid,
        entries,
    };
}

/** How the claimant stands to the Secret's owner. */
export function standingOf(owner: SecretOwner, claimant: Claimant): Standing {
    if (owner.ownerId !== undefined) {
        if (owner.ownerId === claimant.ownerId) return "ours";
    } else if (claimant.uid !== undefined && owner.uid === claimant.uid && (owner.stack === undefined || owner.stack === claimant.stack)) {
        // Marked by no instance yet (written by 0.2.0, or imported): the very object the state recorded
        // is ours, unless another stack has put its name on it since.
        return "ours";
    }
    if (owner.stack !== claimant.stack) return "foreign";
    // Without an identity on one side (a Secret of 0.3 or earlier, a PullSecret declared without one),
    // the name is all there is to go by: taken as the same stack, as before identities existed.
    if (owner.stackIdentity === undefined || claimant.stackIdentity === undefined) return "sameStack";
    return owner.stackIdentity === claimant.stackIdentity ? "sameStack" : "namesake";
}

/** The owner in words, for messages: never the Secret's content. */
export function describeOwner(owner: SecretOwner): string {
    if (owner.stack === undefined) return "no gcr-pull-secrets stack (it was made by hand or by another tool)";
    const instance = owner.urn ? `resource ${owner.urn}` : "a resource written by gcr-pull-secrets 0.2.0 or earlier";
    const ids = [owner.ownerId ? `owner id ${owner.ownerId}` : "", owner.stackIdentity ? `stack identity ${owner.stackIdentity}` : ""].filter(
        (id) => id !== "",
    );
    return `${instance} of stack "${owner.stack}"${ids.length > 0 ? ` (${ids.join(", ")})` : ""}`;
}

/** What a create or update does with the Secret it finds. */
export type WriteDecision =
    | { action: "create" }
    /**
     * Patch the Secret in place; `takeOver` when it changes hands, `adopted` when that is an adoption
     * (from another stack, or from nobody), `inherited` the entries the previous owner added.
     */
    | { action: "write"; takeOver: boolean; adopted: boolean; inherited: string[] }
    | { action: "refuse"; reason: string };

/** What a resource may do when it is about to write. */
export function decideWrite(
    existing: SecretObject | undefined,
    claimant: Claimant,
    request: { operation: "create" | "update"; adopt: boolean; namespace: string; secretName: string },
): WriteDecision {
    if (!existing) return { action: "create" };
    const owner = ownerOf(existing);
    const standing = standingOf(owner, claimant);
    if (standing === "ours") return { action: "write", takeOver: false, adopted: false, inherited: [] };
    const where = `Secret ${request.namespace}/${request.secretName}`;
    if (standing === "sameStack" && request.operation === "create") {
        // The instance this one replaces (or a removed one declared again): it leaves the Secret alone on delete.
        return { action: "write", takeOver: true, adopted: false, inherited: owner.entries };
    }
    if (!request.adopt) {
        if (request.operation === "update") {
            return {
                action: "refuse",
                reason:
                    `${where} is now owned by ${describeOwner(owner)}, not by this resource; it is not taken back silently. ` +
                    `To take it back, set adopt: true on namespace "${request.namespace}"; to leave it to its owner, remove the namespace ` +
                    `from this stack (its delete then removes it from the state only).`,
            };
        }
        if (standing === "namesake") {
            return {
                action: "refuse",
                reason:
                    `${where} is owned by ${describeOwner(owner)}: a stack of this stack's name, but not this stack ` +
                    `(another backend, or a stack of this name removed and made again; this stack's identity is ${claimant.stackIdentity}). ` +
                    `To take it over on purpose (pods keep pulling; the other stack then leaves it alone), set adopt: true on namespace ` +
                    `"${request.namespace}"; otherwise choose another secretName, so that each stack writes its own Secret.`,
            };
        }
        return {
            action: "refuse",
            reason:
                `${where} already exists and was not created by this stack (its owner: ${describeOwner(owner)}). ` +
                `To take it over in place (pods keep pulling), set adopt: true on namespace "${request.namespace}" in the namespaces setting ` +
                `(or on namespaceSelector, if the selector chose it); otherwise choose another secretName, delete that Secret, or ` +
                `(for a selected namespace) add it to excludeNamespaces.`,
        };
    }
    if (existing.type !== dockerConfigJsonType) {
        return {
            action: "refuse",
            reason:
                `${where} exists with type "${existing.type}" and cannot be adopted: Kubernetes never ` +
                `changes a Secret's type. Delete it or choose another secretName.`,
        };
    }
    return { action: "write", takeOver: true, adopted: true, inherited: owner.stack === undefined ? [] : owner.entries };
}

/** What a delete does. */
export type ReleaseDecision =
    /** Remove our entries, then the Secret (with the uid precondition). */
    | { action: "delete"; entries: string[] }
    /** The Secret is gone already: remove the entries we added, which would name a missing Secret. */
    | { action: "entriesOnly"; entries: string[] }
    /** Someone else owns it: remove the resource from the state only. */
    | { action: "leave"; owner: SecretOwner };

/** What a delete may touch: only what the resource owns. */
export function decideRelease(existing: SecretObject | undefined, claimant: Claimant, stateEntries: string[]): ReleaseDecision {
    if (!existing) return { action: "entriesOnly", entries: stateEntries };
    const owner = ownerOf(existing);
    if (standingOf(owner, claimant) !== "ours") return { action: "leave", owner };
    return { action: "delete", entries: [...new Set([...stateEntries, ...owner.entries])] };
}

/** What refresh reports. */
export type ReadDecision =
    | { action: "gone" }
    | { action: "present" }
    /** The same object, taken by another owner (adopted by another stack): kept in state so an update refuses to take it back. */
    | { action: "heldBy"; owner: SecretOwner };

/** What refresh makes of the live Secret. */
export function decideRead(existing: SecretObject | undefined, claimant: Claimant): ReadDecision {
    if (!existing) return { action: "gone" };
    const owner = ownerOf(existing);
    if (standingOf(owner, claimant) === "ours") return { action: "present" };
    // Another object of that name (ours was deleted, someone made theirs): ours is gone, and theirs is not ours to track.
    if (claimant.uid !== undefined && owner.uid !== claimant.uid) return { action: "gone" };
    return { action: "heldBy", owner };
}
