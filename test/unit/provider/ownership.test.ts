import * as assert from "assert";
import fc from "fast-check";
import { entriesAnnotation, ownerIdAnnotation, ownerUrnAnnotation, stackAnnotation, stackIdentityAnnotation } from "../../../components/contract";
import { SecretObject } from "../../../provider/kubeApi";
import { Claimant, decideRead, decideRelease, decideWrite, standingOf, ownerOf } from "../../../provider/ownership";

const stack = "gcr-pull-secrets/dev";
const urn = "urn:pulumi:dev::gcr-pull-secrets::gcr-pull-secrets:index:GcrPullSecrets$gcr-pull-secrets:index:PullSecret::p-apps";

function secret(annotations: Record<string, string>, uid = "uid-1", type = "kubernetes.io/dockerconfigjson"): SecretObject {
    return { type, metadata: { name: "regcred", namespace: "apps", uid, annotations } };
}
const ownedBy = (ownerId: string, owningStack = stack, entries = "default") =>
    secret({ [ownerIdAnnotation]: ownerId, [stackAnnotation]: owningStack, [ownerUrnAnnotation]: urn, [entriesAnnotation]: entries });
const request = (operation: "create" | "update", adopt = false) => ({ operation, adopt, namespace: "apps", secretName: "regcred" });

describe("ownership: who may write, read and delete a pull Secret", () => {
    it("the instance whose id the Secret carries owns it; another instance of the same stack, or another stack, does not", () => {
        assert.strictEqual(standingOf(ownerOf(ownedBy("a")), { ownerId: "a", stack }), "ours");
        assert.strictEqual(standingOf(ownerOf(ownedBy("a")), { ownerId: "b", stack }), "sameStack");
        assert.strictEqual(standingOf(ownerOf(ownedBy("a")), { ownerId: "b", stack: "other/dev" }), "foreign");
        assert.strictEqual(standingOf(ownerOf(ownedBy("a")), { stack }), "sameStack", "state without an id never matches a marked Secret");
    });

    it("a Secret without an owner id (0.2.0, import) is ours only if it is the object the state recorded and no other stack marked it", () => {
        const old = secret({ [stackAnnotation]: stack }, "uid-1");
        assert.strictEqual(standingOf(ownerOf(old), { stack, uid: "uid-1" }), "ours");
        assert.strictEqual(standingOf(ownerOf(old), { stack, uid: "uid-2" }), "sameStack");
        assert.strictEqual(standingOf(ownerOf(secret({ [stackAnnotation]: "other/dev" })), { stack, uid: "uid-1" }), "foreign");
        assert.strictEqual(standingOf(ownerOf(secret({})), { stack, uid: "uid-1" }), "ours", "imported by uid");
        assert.strictEqual(standingOf(ownerOf(secret({})), { stack }), "foreign", "made by hand");
    });

    it("a create takes a Secret over from another instance of its stack (replace, rename, re-declare) with its entries; anything else needs adopt", () => {
        assert.deepStrictEqual(decideWrite(undefined, { ownerId: "n", stack }, request("create")), { action: "create" });
        assert.deepStrictEqual(decideWrite(ownedBy("old", stack, "default,builder"), { ownerId: "n", stack }, request("create")), {
            action: "write",
            takeOver: true,
            adopted: false,
            inherited: ["default", "builder"],
        });
        const foreign = decideWrite(ownedBy("x", "other/prod"), { ownerId: "n", stack }, request("create"));
        assert.strictEqual(foreign.action, "refuse");
        assert.match(
            (foreign as { reason: string }).reason,
            /already exists and was not created by this stack \(its owner: resource urn:.* of stack "other\/prod"/,
        );
        assert.match((foreign as { reason: string }).reason, /set adopt: true on namespace "apps"/);
        assert.strictEqual(decideWrite(ownedBy("x", "other/prod"), { ownerId: "n", stack }, request("create", true)).action, "write");
        assert.strictEqual(decideWrite(secret({}, "u", "Opaque"), { ownerId: "n", stack }, request("create", true)).action, "refuse", "never another type");
    });

    it("an update refuses a Secret another owner holds, naming it, unless adopt", () => {
        const refused = decideWrite(ownedBy("other"), { ownerId: "mine", stack, uid: "uid-1" }, request("update"));
        assert.strictEqual(refused.action, "refuse");
        assert.match((refused as { reason: string }).reason, /is now owned by resource urn:pulumi:dev::.* \(owner id other\), not by this resource/);
        assert.strictEqual(decideWrite(ownedBy("other"), { ownerId: "mine", stack }, request("update", true)).action, "write");
        assert.deepStrictEqual(decideWrite(ownedBy("mine"), { ownerId: "mine", stack }, request("update")), {
            action: "write",
            takeOver: false,
            adopted: false,
            inherited: [],
        });
    });

    describe("the stack identity tells two stacks of one name (two backends) apart", () => {
        const stamped = (ownerId: string, identity: string, entries = "default") =>
            secret({
                [ownerIdAnnotation]: ownerId,
                [stackAnnotation]: stack,
                [stackIdentityAnnotation]: identity,
                [ownerUrnAnnotation]: urn,
                [entriesAnnotation]: entries,
            });

        it("same name and same identity is the same stack; same name and another identity is a namesake; a missing identity goes by the name", () => {
            assert.strictEqual(standingOf(ownerOf(stamped("a", "id-A")), { ownerId: "b", stack, stackIdentity: "id-A" }), "sameStack");
            assert.strictEqual(standingOf(ownerOf(stamped("a", "id-A")), { ownerId: "b", stack, stackIdentity: "id-B" }), "namesake");
            assert.strictEqual(standingOf(ownerOf(stamped("a", "id-A")), { ownerId: "a", stack, stackIdentity: "id-B" }), "ours", "the owner id decides first");
            assert.strictEqual(standingOf(ownerOf(stamped("a", "id-A")), { ownerId: "b", stack: "other/dev", stackIdentity: "id-A" }), "foreign");
            assert.strictEqual(standingOf(ownerOf(ownedBy("a")), { ownerId: "b", stack, stackIdentity: "id-B" }), "sameStack", "a Secret of 0.3 or earlier");
            assert.strictEqual(standingOf(ownerOf(stamped("a", "id-A")), { ownerId: "b", stack }), "sameStack", "a PullSecret declared without identity");
        });

        it("a create of the same stack (replace, rename, re-declare) still takes over silently, with the entries", () => {
            assert.deepStrictEqual(decideWrite(stamped("old", "id-A", "default,builder"), { ownerId: "n", stack, stackIdentity: "id-A" }, request("create")), {
                action: "write",
                takeOver: true,
                adopted: false,
                inherited: ["default", "builder"],
            });
        });

        it("a create by a namesake is refused naming the owner and both ways out; with adopt it is an adoption", () => {
            const refused = decideWrite(stamped("x", "id-A"), { ownerId: "n", stack, stackIdentity: "id-B" }, request("create"));
            assert.strictEqual(refused.action, "refuse");
            const reason = (refused as { reason: string }).reason;
            assert.match(
                reason,
                /^Secret apps\/regcred is owned by resource urn:pulumi:dev::.* of stack "gcr-pull-secrets\/dev" \(owner id x, stack identity id-A\)/,
            );
            assert.match(reason, /another backend/);
            assert.match(reason, /this stack's identity is id-B/);
            assert.match(reason, /set adopt: true on namespace "apps"/);
            assert.match(reason, /choose another secretName/);
            assert.deepStrictEqual(
                decideWrite(stamped("x", "id-A", "default,builder"), { ownerId: "n", stack, stackIdentity: "id-B" }, request("create", true)),
                {
                    action: "write",
                    takeOver: true,
                    adopted: true,
                    inherited: ["default", "builder"],
                },
            );
        });

        it("an update or a delete by the namesake's old owner after an adoption: refused and left alone; refresh reports it held", () => {
            const adopted = stamped("n", "id-B");
            const first: Claimant = { ownerId: "x", stack, stackIdentity: "id-A", uid: "uid-1" };
            assert.strictEqual(decideWrite(adopted, first, request("update")).action, "refuse");
            assert.strictEqual(decideRelease(adopted, first, ["default"]).action, "leave");
            assert.strictEqual(decideRead(adopted, first).action, "heldBy");
        });

        it("a Secret of 0.3 or earlier (no identity) is taken over once by a create of its stack name, then carries the writer's identity", () => {
            const decision = decideWrite(ownedBy("old"), { ownerId: "n", stack, stackIdentity: "id-B" }, request("create"));
            assert.deepStrictEqual(decision, { action: "write", takeOver: true, adopted: false, inherited: ["default"] });
            // Once stamped (secretWrites writes the identity with the owner id), the other backend's stack is a namesake.
            assert.strictEqual(decideWrite(stamped("n", "id-B"), { ownerId: "m", stack, stackIdentity: "id-A" }, request("create")).action, "refuse");
        });
    });

    it("a delete touches only what it owns; a Secret already gone still loses the entries we added", () => {
        assert.deepStrictEqual(decideRelease(ownedBy("mine", stack, "builder"), { ownerId: "mine", stack }, ["default"]), {
            action: "delete",
            entries: ["default", "builder"],
        });
        assert.strictEqual(decideRelease(ownedBy("new"), { ownerId: "mine", stack }, ["default"]).action, "leave");
        assert.strictEqual(decideRelease(secret({}, "theirs"), { stack, uid: "ours" }, ["default"]).action, "leave");
        assert.deepStrictEqual(decideRelease(undefined, { ownerId: "mine", stack }, ["default"]), { action: "entriesOnly", entries: ["default"] });
    });

    it("refresh: a Secret someone recreated is gone; the same object taken by another owner is held, not forgotten", () => {
        assert.deepStrictEqual(decideRead(undefined, { ownerId: "mine", stack, uid: "uid-1" }), { action: "gone" });
        assert.deepStrictEqual(decideRead(ownedBy("mine"), { ownerId: "mine", stack, uid: "uid-1" }), { action: "present" });
        assert.deepStrictEqual(decideRead(secret({}, "uid-2"), { ownerId: "mine", stack, uid: "uid-1" }), { action: "gone" });
        assert.strictEqual(decideRead(ownedBy("other", "other/prod"), { ownerId: "mine", stack, uid: "uid-1" }).action, "heldBy");
    });

    it("property: no instance other than the owner may delete, no update takes a Secret from another owner without adopt, and a create takes over silently only from its own stack", () => {
        const id = fc.constantFrom("a", "b", undefined);
        const stacks = fc.constantFrom(stack, "other/dev", undefined);
        fc.assert(
            fc.property(
                id,
                stacks,
                fc.constantFrom("uid-1", "uid-2"),
                id,
                fc.constantFrom("uid-1", "uid-2", undefined),
                fc.constantFrom("id-A", "id-B", undefined),
                fc.constantFrom("id-A", "id-B", undefined),
                fc.boolean(),
                (ownerId, owningStack, uid, mine, stateUid, identity, myIdentity, adopt) => {
                    const annotations: Record<string, string> = {};
                    if (ownerId) annotations[ownerIdAnnotation] = ownerId;
                    if (identity) annotations[stackIdentityAnnotation] = identity;
                    if (owningStack) annotations[stackAnnotation] = owningStack;
                    const live = secret(annotations, uid);
                    const claimant: Claimant = { ownerId: mine, stack, uid: stateUid, stackIdentity: myIdentity };
                    const marked = ownerId !== undefined;
                    const owns = marked ? ownerId === mine : stateUid === uid && owningStack !== "other/dev";
                    assert.strictEqual(decideRelease(live, claimant, []).action === "delete", owns);
                    assert.strictEqual(decideWrite(live, claimant, request("update")).action === "write", owns);
                    // A create takes over silently only from its own stack: same name, and no identity that differs.
                    const sameStack = owningStack === stack && (identity === undefined || myIdentity === undefined || identity === myIdentity);
                    const create = decideWrite(live, claimant, request("create", adopt));
                    if (!owns && !adopt) assert.strictEqual(create.action === "write", sameStack);
                    if (create.action === "write" && create.takeOver) assert.strictEqual(create.adopted, !sameStack);
                },
            ),
        );
    });
});
