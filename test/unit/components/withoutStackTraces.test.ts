import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { withoutStackTraces } from "../../../components/withoutStackTraces";

/** The SDK's capture of a resource's creation stack trace (what the engine keeps in the state). */
const creationTrace = (): unknown[] => (pulumi.Resource as unknown as { stackTrace(skip: number): unknown[] }).stackTrace(0);

describe("withoutStackTraces", () => {
    it("leaves the SDK no creation stack trace to record, and errors only their first line", () => {
        assert.ok(creationTrace().length > 0, "outside, the SDK sees frames");
        const inside = withoutStackTraces(() => ({ trace: creationTrace(), stack: new Error("bad input").stack, plain: new TypeError().stack }));
        assert.deepStrictEqual(inside, { trace: [], stack: "Error: bad input", plain: "TypeError" });
    });

    it("restores the frame limit and the stack formatter afterwards, also when the work throws", () => {
        const limit = Error.stackTraceLimit;
        const prepare = Error.prepareStackTrace;
        assert.strictEqual(
            withoutStackTraces(() => 42),
            42,
        );
        assert.throws(
            () =>
                withoutStackTraces(() => {
                    throw new RangeError("out of range");
                }),
            (error: Error) => error instanceof RangeError && error.message === "out of range",
        );
        assert.strictEqual(Error.stackTraceLimit, limit);
        assert.strictEqual(Error.prepareStackTrace, prepare);
        assert.match(new Error("after").stack ?? "", /\n\s+at /, "frames again after it");
    });
});
