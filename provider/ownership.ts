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
 * Why one owner and not a list of co-owners released by the last: an owner that vanished without a
 * delete (`pulumi state delete`, a lost state) would stay on the list forever, and the Secret would
 * never be deleted by anyone.
 */
import { dockerConfigJsonType, entriesAnnotation, ownerIdAnnotation, ownerUrnAnnotation, stackAnnotation } from "../components/contract";
import type { SecretObject } from "./kubeApi";

/** The owner a live Secret names. */
export interface SecretOwner {
    /** The owning instance's random id; absent on Secrets written by 0.2.0 or earlier, or by hand. */
    ownerId?: string;
    /** `<project>/<stack>` of the owning stack; absent on a Secret no stack wrote. */
    stack?: string;
    /** The owning instance's URN, for messages. */
    urn?: string;
    /** The Secret object's uid. */
    uid?: string;
    /** ServiceAccounts whose entry the owner added. */
    entries: string[];
}

/** The resource instance that asks. */
export interface Claimant {
    /** Its id; absent in state written before ids existed (0.2.0) and for an instance not created yet. */
    ownerId?: string;
    /** `<project>/<stack>`. */
    stack: string;
    /** The uid of the Secret its state recorded, if any. */
    uid?: string;
}

/**
 * "ours": the claimant owns the Secret. "sameStack": another instance of the claimant's stack (or of a
 * stack of the same name in another backend) owns it. "foreign": another stack owns it, or no stack does.
 */
export type Standing = "ours" | "sameStack" | "foreign";

/** The owner annotations of a live Secret. */
export function ownerOf(secret: SecretObject): SecretOwner {
    const annotations = secret.metadata?.annotations ?? {};
    const entries = (annotations[entriesAnnotation] ?? "").split(",").filter((name) => name !== "");
    return {
        ownerId: annotations[ownerIdAnnotation] || undefined,
        stack: annotations[stackAnnotation] || undefined,
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
    return owner.stack === claimant.stack ? "sameStack" : "foreign";
}

/** The owner in words, for messages: never the Secret's content. */
export function describeOwner(owner: SecretOwner): string {
    if (owner.stack === undefined) return "no gcr-pull-secrets stack (it was made by hand or by another tool)";
    const instance = owner.urn ? `resource ${owner.urn}` : "a resource written by gcr-pull-secrets 0.2.0 or earlier";
    return `${instance} of stack "${owner.stack}"${owner.ownerId ? ` (owner id ${owner.ownerId})` : ""}`;
}

/** What a create or update does with the Secret it finds. */
export type WriteDecision =
    | { action: "create" }
    /** Patch the Secret in place; `takeOver` when it changes hands, `inherited` the entries the previous owner added. */
    | { action: "write"; takeOver: boolean; inherited: string[] }
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
    if (standing === "ours") return { action: "write", takeOver: false, inherited: [] };
    const where = `Secret ${request.namespace}/${request.secretName}`;
    if (standing === "sameStack" && request.operation === "create") {
        // The instance this one replaces (or a removed one declared again): it leaves the Secret alone on delete.
        return { action: "write", takeOver: true, inherited: owner.entries };
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
    return { action: "write", takeOver: true, inherited: owner.stack === undefined ? [] : owner.entries };
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
