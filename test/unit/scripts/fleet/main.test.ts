import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArguments } from "../../../../scripts/fleet/main";

const repoRoot = path.resolve(__dirname, "../../../..");

/** `npm run fleet -- <args>` without npm: main.ts as the script runs it. */
function fleet(args: string[]) {
    const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/fleet/main.ts", ...args], { cwd: repoRoot, encoding: "utf8" });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("npm run fleet (the command line)", function () {
    this.timeout(60_000);

    it("reads a command, flags with values (repeatable, or --flag=value) and switches; names what it does not know", () => {
        const parsed = parseArguments(["up", "--only=eu,us", "--policy-pack", "a", "--policy-pack", "b", "--markdown"]);
        assert.strictEqual(parsed.command, "up");
        assert.deepStrictEqual(parsed.values.get("--only"), ["eu,us"]);
        assert.deepStrictEqual(parsed.values.get("--policy-pack"), ["a", "b"]);
        assert.ok(parsed.on.has("--markdown"));
        assert.deepStrictEqual(parsed.problems, []);
        assert.deepStrictEqual(parseArguments(["up", "--paralel", "2", "extra", "--fleet"]).problems, [
            "unknown option --paralel",
            "unexpected argument 2",
            "unexpected argument extra",
            "--fleet needs a value",
        ]);
    });

    it("check passes the example fleet, each stack file checked offline; matrix prints its jobs", () => {
        const check = fleet(["check", "--fleet", "examples/fleet/fleet.yaml"]);
        assert.strictEqual(check.code, 0, check.stderr);
        assert.match(check.stdout, /^\[dev-europe-west1\] Pulumi\.dev\.yaml: ok /m);
        assert.match(check.stdout, /^\[staging-europe-west1\] Pulumi\.staging\.yaml: ok /m);
        const matrix = fleet(["matrix", "--fleet", "examples/fleet/fleet.yaml"]);
        assert.deepStrictEqual(
            JSON.parse(matrix.stdout).include.map((entry: { cluster: string; stack: string }) => [entry.cluster, entry.stack]),
            [
                ["dev-europe-west1", "dev"],
                ["staging-europe-west1", "staging"],
            ],
        );
    });

    it("a bad fleet file stops every command with exit 1 and the list of problems; a missing stack file is named by check", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-cli-"));
        try {
            const bad = path.join(dir, "fleet.yaml");
            fs.writeFileSync(bad, "clusters:\n  eu:\n    kubeconfig: 'apiVersion: v1 token: hunter2-secret'\n");
            for (const command of ["check", "up"]) {
                const run = fleet([command, "--fleet", bad]);
                assert.strictEqual(run.code, 1, command);
                assert.match(
                    run.stderr,
                    /Invalid fleet file .* \(1 problem\); nothing was changed:\n {2}- clusters\.eu\.kubeconfig looks like a kubeconfig's content/,
                );
                assert.ok(!run.stderr.includes("hunter2"), "the value is never repeated");
            }
            const missing = path.join(dir, "missing.yaml");
            fs.writeFileSync(missing, `project: ${repoRoot}\nclusters:\n  europe: {stack: no-such-stack}\n`);
            const check = fleet(["check", "--fleet", missing]);
            assert.strictEqual(check.code, 1);
            assert.match(check.stderr, /\[europe\] Pulumi\.no-such-stack\.yaml does not exist: `pulumi stack init no-such-stack`/);
            const only = fleet(["up", "--fleet", missing, "--only", "europa", "--parallel", "0"]);
            assert.strictEqual(only.code, 2);
            assert.match(only.stderr, /- --only europa is not a cluster of the fleet file; did you mean europe\?/);
            assert.match(only.stderr, /- --parallel must be a whole number of at least 1/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
