import * as assert from "assert";
import { stackIdentityHandler } from "../../../provider/stackIdentity";

describe("StackIdentity provider", () => {
    it("each create makes a new random id; nothing ever changes or replaces it; read keeps it; delete touches nothing", async () => {
        const handler = stackIdentityHandler();
        const [a, b] = [await handler.create({}), await handler.create({})];
        assert.match(a.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        assert.notStrictEqual(a.id, b.id, "two stacks, two identities");
        assert.deepStrictEqual(await handler.check({}, {}), { inputs: {}, failures: [] });
        assert.deepStrictEqual(await handler.diff(a.id, {}, {}, {}), { changes: false, replaces: [], diffs: [] });
        assert.deepStrictEqual(await handler.read(a.id, {}), { id: a.id, props: {} });
        await handler.delete(a.id, {});
    });
});
