import * as assert from "assert";
import { parseFleet } from "../../../../scripts/fleet/fleetFile";
import { fleetMatrix, githubOutputs } from "../../../../scripts/fleet/matrix";

const fleet = parseFleet(
    [
        "parallel: 3",
        "clusters:",
        "  eu:",
        "    stack: prod-eu",
        "    environment: prod",
        "    gke: { cluster: prod-eu, location: europe-west1, project: acme-prod }",
        "  us:",
        "    stackFile: stacks/us.yaml",
    ].join("\n"),
).fleet!;

describe("fleet matrix", () => {
    it("one entry per cluster, in the file's order, every key present (empty when unset)", () => {
        assert.deepStrictEqual(fleetMatrix(fleet), {
            include: [
                {
                    cluster: "eu",
                    stack: "prod-eu",
                    stackFile: "",
                    environment: "prod",
                    gkeCluster: "prod-eu",
                    gkeLocation: "europe-west1",
                    gkeProject: "acme-prod",
                },
                { cluster: "us", stack: "us", stackFile: "stacks/us.yaml", environment: "us", gkeCluster: "", gkeLocation: "", gkeProject: "" },
            ],
        });
    });

    it("$GITHUB_OUTPUT gets the matrix on one line and max-parallel", () => {
        const lines = githubOutputs(fleet).split("\n");
        assert.deepStrictEqual(lines.slice(1), ["parallel=3", ""]);
        assert.match(lines[0], /^matrix=\{.*\}$/);
        assert.deepStrictEqual(JSON.parse(lines[0].slice("matrix=".length)), fleetMatrix(fleet));
    });
});
