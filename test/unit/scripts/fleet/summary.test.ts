import * as assert from "assert";
import { parseFleet } from "../../../../scripts/fleet/fleetFile";
import {
    anyFailed,
    describeChanges,
    describeDuration,
    markdownSummary,
    parseResult,
    resultsForFleet,
    StackResult,
    textSummary,
} from "../../../../scripts/fleet/summary";

const ok: StackResult = { cluster: "eu", stack: "prod-eu", operation: "up", result: "succeeded", changes: { create: 3, update: 1 }, durationSeconds: 42.4 };
const failed: StackResult = {
    cluster: "us",
    stack: "prod-us",
    operation: "up",
    result: "failed",
    durationSeconds: 185,
    error: "configured Kubernetes cluster is unreachable | a|b",
};

describe("fleet summary", () => {
    it("changes and durations read as a person would say them", () => {
        assert.strictEqual(describeChanges({ create: 2, same: 7, delete: 0, update: 1 }), "create 2, update 1");
        assert.strictEqual(describeChanges({ same: 7 }), "no changes");
        assert.strictEqual(describeChanges(undefined), "unknown");
        assert.strictEqual(describeDuration(42.4), "42s");
        assert.strictEqual(describeDuration(185), "3m 05s");
    });

    it("the Markdown table has a row per stack, a failure's reason, and escapes | in cells", () => {
        const md = markdownSummary([ok, failed]);
        assert.deepStrictEqual(md.split("\n"), [
            "### Fleet up: 1 of 2 stacks succeeded, 1 failed",
            "",
            "| Cluster | Stack | Result | Changes | Duration |",
            "| --- | --- | --- | --- | --- |",
            "| eu | prod-eu | ✅ succeeded | create 3, update 1 | 42s |",
            "| us | prod-us | ❌ failed: configured Kubernetes cluster is unreachable \\| a\\|b | unknown | 3m 05s |",
            "",
        ]);
    });

    it("the text table aligns its columns and ends with the count", () => {
        const text = textSummary([ok, { ...ok, cluster: "asia-east1", stack: "p", changes: {} }]);
        const lines = text.trimEnd().split("\n");
        assert.strictEqual(lines[0], "Cluster     Stack    Result     Changes             Duration");
        assert.strictEqual(lines[1], "----------  -------  ---------  ------------------  --------");
        assert.strictEqual(lines[3], "asia-east1  p        succeeded  no changes          42s");
        assert.strictEqual(lines[4], "up: 2 of 2 stacks succeeded");
    });

    it("a cluster without a result file counts as failed, and the rows follow the fleet file", () => {
        const fleet = parseFleet("clusters:\n  us: {stack: prod-us}\n  eu: {stack: prod-eu}\n  asia: {stack: prod-asia}\n").fleet!;
        const rows = resultsForFleet(fleet, [ok, failed]);
        assert.deepStrictEqual(
            rows.map((r) => [r.cluster, r.result]),
            [
                ["us", "failed"],
                ["eu", "succeeded"],
                ["asia", "failed"],
            ],
        );
        assert.match(rows[2].error!, /no result: the job failed before the stack ran/);
        assert.strictEqual(rows[2].stack, "prod-asia");
        assert.ok(anyFailed(rows));
        assert.ok(!anyFailed([ok]));
    });

    it("a result file is read back as written, and anything else is refused by name", () => {
        assert.deepStrictEqual(parseResult(JSON.stringify(failed), "us.json"), failed);
        assert.throws(() => parseResult(JSON.stringify({ cluster: "eu" }), "eu.json"), /eu\.json is not a fleet result file/);
    });
});
