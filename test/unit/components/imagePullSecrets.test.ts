import * as assert from "assert";
import fc from "fast-check";
import { hasPullSecret, LocalObjectReference, withoutPullSecret, withPullSecret } from "../../../components/imagePullSecrets";

const names = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), { maxLength: 8 });

describe("imagePullSecrets merge", () => {
    it("adds ours to an absent list", () => {
        assert.deepStrictEqual(withPullSecret(undefined, "regcred"), { list: [{ name: "regcred" }], changed: true });
    });

    it("keeps others' entries, in order, and appends ours", () => {
        assert.deepStrictEqual(withPullSecret([{ name: "dockerhub" }, { name: "quay" }], "regcred"), {
            list: [{ name: "dockerhub" }, { name: "quay" }, { name: "regcred" }],
            changed: true,
        });
    });

    it("changes nothing when ours is already there", () => {
        const current = [{ name: "regcred" }, { name: "dockerhub" }];
        assert.deepStrictEqual(withPullSecret(current, "regcred"), { list: current, changed: false });
    });

    it("removal drops only ours and keeps the others", () => {
        assert.deepStrictEqual(withoutPullSecret([{ name: "a" }, { name: "regcred" }, { name: "b" }], "regcred"), {
            list: [{ name: "a" }, { name: "b" }],
            changed: true,
        });
        assert.deepStrictEqual(withoutPullSecret([{ name: "a" }], "regcred"), { list: [{ name: "a" }], changed: false });
        assert.deepStrictEqual(withoutPullSecret(undefined, "regcred"), { list: [], changed: false });
    });

    it("add then remove gives back exactly the others' list (property)", () => {
        fc.assert(
            fc.property(names, fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), (others, ours) => {
                const current: LocalObjectReference[] = others.filter((n) => n !== ours).map((name) => ({ name }));
                const added = withPullSecret(current, ours);
                assert.ok(hasPullSecret(added.list, ours));
                assert.deepStrictEqual(added.list.slice(0, current.length), current);
                assert.deepStrictEqual(withPullSecret(added.list, ours).changed, false, "adding twice is a no-op");
                assert.deepStrictEqual(withoutPullSecret(added.list, ours).list, current);
            }),
        );
    });

    it("does not mutate its input", () => {
        const current = Object.freeze([Object.freeze({ name: "a" })]);
        withPullSecret(current, "b");
        withoutPullSecret(current, "a");
        assert.deepStrictEqual(current, [{ name: "a" }]);
    });
});
