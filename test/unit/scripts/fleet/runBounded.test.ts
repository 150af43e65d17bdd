import * as assert from "assert";
import * as fc from "fast-check";
import { runBounded } from "../../../../scripts/fleet/runBounded";

describe("bounded fan-out", () => {
    it("never runs more than the limit at once, uses the whole limit, and keeps the items' order", async () => {
        await fc.assert(
            fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 20 }), fc.integer({ min: 1, max: 6 }), async (delays, limit) => {
                let running = 0;
                let most = 0;
                const results = await runBounded(delays, limit, async (delay) => {
                    running++;
                    most = Math.max(most, running);
                    await new Promise((resolve) => setTimeout(resolve, delay));
                    running--;
                    return delay * 10;
                });
                assert.deepStrictEqual(
                    results,
                    delays.map((d) => d * 10),
                );
                assert.ok(most <= limit, `${most} at once, limit ${limit}`);
                if (delays.length > 0) assert.strictEqual(most, Math.min(limit, delays.length));
            }),
            { numRuns: 40 },
        );
    });

    it("a slow item does not hold back the rest", async () => {
        const order: string[] = [];
        await runBounded(["slow", "a", "b", "c"], 2, async (item) => {
            await new Promise((resolve) => setTimeout(resolve, item === "slow" ? 60 : 5));
            order.push(item);
        });
        assert.deepStrictEqual(order, ["a", "b", "c", "slow"]);
    });

    it("refuses a limit below 1", async () => {
        await assert.rejects(
            runBounded([1], 0, async (x) => x),
            /limit must be a whole number of at least 1/,
        );
    });
});
