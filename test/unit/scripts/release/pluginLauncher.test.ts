import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const repoRoot = path.resolve(__dirname, "../../../..");
const launcher = path.join(repoRoot, "scripts/release/pulumi-resource-gcr-pull-secrets");

/**
 * Runs the released plugin's launcher with a PATH of `dirname` and `node` (a stand-in printing
 * `nodeVersion`) or no node at all: this machine has a node of its own in /usr/bin.
 */
function launch(nodeVersion: string | undefined): { code: number | null; stdout: string; stderr: string } {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "gcr-pull-secrets-launcher-"));
    fs.symlinkSync(spawnSync("/bin/sh", ["-c", "command -v dirname"], { encoding: "utf8" }).stdout.trim(), path.join(bin, "dirname"));
    if (nodeVersion) {
        // Answers `node -p process.versions.node`, and otherwise prints what it was asked to run.
        fs.writeFileSync(path.join(bin, "node"), `#!/bin/sh\nif [ "$1" = "-p" ]; then echo ${nodeVersion}; else echo "ran $*"; fi\n`, { mode: 0o755 });
    }
    const run = spawnSync("/bin/bash", [launcher, "127.0.0.1:12345"], { env: { PATH: bin }, encoding: "utf8" });
    fs.rmSync(bin, { recursive: true });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("the released plugin's launcher", () => {
    it("asks for the Node version package.json's engines name", () => {
        const engines: string = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).engines.node;
        const text = fs.readFileSync(launcher, "utf8");
        const [major, minor] = engines.replace(">=", "").split(".");
        assert.match(text, new RegExp(`^required_major=${major}$`, "m"));
        assert.match(text, new RegExp(`^required_minor=${minor}$`, "m"));
    });

    it("without node on PATH, says what it needs and exits 1 before the engine waits for a port", () => {
        const run = launch(undefined);
        assert.strictEqual(run.code, 1);
        assert.match(run.stderr, /needs Node\.js 22\.19 or later on PATH, found no node/);
    });

    it("with a node older than 22.19, names the one it found and exits 1", () => {
        for (const old of ["20.19.2", "22.18.0", "18.20.8"]) {
            const run = launch(old);
            assert.strictEqual(run.code, 1, old);
            assert.match(run.stderr, new RegExp(`found ${old.replace(/\./g, "\\.")} at /`), old);
            assert.strictEqual(run.stdout, "", `${old}: nothing started`);
        }
    });

    it("with node 22.19 or later, runs the package's plugin entry with the engine's address", () => {
        for (const supported of ["22.19.0", "22.23.3", "24.21.0", "26.1.0"]) {
            const run = launch(supported);
            assert.strictEqual(run.code, 0, `${supported}: ${run.stderr}`);
            assert.match(run.stdout, /^ran \S+\/node_modules\/@gcr-pull-secrets\/pulumi\/provider\/plugin\.js 127\.0\.0\.1:12345$/m, supported);
        }
    });
});
