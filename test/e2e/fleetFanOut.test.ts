/**
 * The local fan-out of a fleet (`npm run fleet -- up`), run as a user runs it: the real CLI of
 * scripts/fleet/main.ts, over two stacks in one backend, at once. One control plane: the cluster
 * "reachable" is the suite's, the cluster "unreachable" has a kubeconfig whose API server does not
 * exist. The reachable stack must be deployed, the other must fail with its reason in the table,
 * and the run must exit non-zero.
 */
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { makeThrowawayKey } from "../../dev/keys/throwawayKey";
import { parseResult } from "../../scripts/fleet/summary";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import * as yaml from "js-yaml";
import { copyProject, createNamespace, createTestStack, findKeyMaterial, pullSecretNames, secretExists } from "./harness";

const repoRoot = path.resolve(__dirname, "../..");
/** A duration as the table shows it: `42s`, `1m 05s`. */
const duration = "(?:\\d+m )?\\d+s";

/** A kubeconfig that parses but whose server name never resolves (.invalid is reserved, RFC 2606). */
const unreachableKubeconfig = [
    "apiVersion: v1",
    "kind: Config",
    "clusters: [{name: gone, cluster: {server: 'https://fleet-unreachable.invalid:6443'}}]",
    "users: [{name: gone, user: {token: not-a-token}}]",
    "contexts: [{name: gone, context: {cluster: gone, user: gone}}]",
    "current-context: gone",
    "",
].join("\n");

/** Runs `npm run fleet -- <args>` as main.ts with the stacks' backend; its exit code and what it printed. */
function fleet(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(repoRoot, "scripts/fleet/main.ts"), ...args], {
        cwd: repoRoot,
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += String(chunk)));
    child.stderr.on("data", (chunk: Buffer) => (stderr += String(chunk)));
    return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

describe("end to end: a fleet of stacks fanned out locally (npm run fleet)", function () {
    it("deploys the reachable cluster's stack, reports the unreachable one as failed, and exits 1", async () => {
        const reachableNs = `fleet-ok-${Math.random().toString(36).slice(2, 8)}`;
        const unreachableNs = `fleet-bad-${Math.random().toString(36).slice(2, 8)}`;
        await createNamespace(reachableNs);
        await createNamespace(unreachableNs);
        const reachable = await createTestStack();
        const unreachable = await createTestStack();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gcr-pull-secrets-e2e-fleet-"));
        const keys = [makeThrowawayKey("fleet-ok"), makeThrowawayKey("fleet-bad")];
        try {
            reachable.setSettings({ registries: ["asia.gcr.io"], namespaces: [reachableNs] });
            unreachable.setSettings({ registries: ["asia.gcr.io"], namespaces: [unreachableNs] });
            await reachable.setJsonKey(keys[0]);
            await unreachable.setJsonKey(keys[1]);
            fs.writeFileSync(path.join(dir, "unreachable.kubeconfig"), unreachableKubeconfig);
            const projectDir = reachable.stack.workspace.workDir;
            fs.writeFileSync(
                path.join(dir, "fleet.yaml"),
                [
                    `project: ${projectDir}`,
                    "parallel: 2",
                    "clusters:",
                    `  reachable: {stack: ${reachable.name}}`,
                    `  unreachable: {stack: ${unreachable.name}, kubeconfig: unreachable.kubeconfig}`,
                    "",
                ].join("\n"),
            );
            const workspace = reachable.stack.workspace;
            const env = { ...workspace.envVars, PULUMI_HOME: workspace.pulumiHome! };
            const logDir = path.join(dir, "logs");
            const resultDir = path.join(dir, "results");
            const common = ["--fleet", path.join(dir, "fleet.yaml"), "--log-dir", logDir, "--result-dir", resultDir];

            const started = Date.now();
            const up = await fleet(["up", ...common], env);
            const upSeconds = (Date.now() - started) / 1000;
            const printed = `${up.stdout}${up.stderr}`;
            assert.strictEqual(up.code, 1, printed);

            // The table, as printed: both rows, the failure's reason, the count.
            const row = (cluster: string) => up.stdout.split("\n").find((line) => line.startsWith(`${cluster} `)) ?? "";
            assert.match(row("reachable"), new RegExp(`^reachable\\s+${reachable.name}\\s+succeeded\\s+create \\d+\\s+${duration}$`), up.stdout);
            assert.match(
                row("unreachable"),
                // The preview only warns of a cluster that does not answer; the create fails (creating, or reading, the Secret).
                new RegExp(
                    `^unreachable\\s+${unreachable.name}\\s+failed: (creating|reading) Secret ${unreachableNs}/regcred failed: fetch failed \\(ENOTFOUND: .*\\s+unknown\\s+${duration}$`,
                ),
                up.stdout,
            );
            assert.match(up.stdout, /^up: 1 of 2 stacks succeeded, 1 failed$/m);

            // The reachable cluster got its Secret and entry; the unreachable stack's namespace (in
            // the suite's cluster, which its kubeconfig does not name) got nothing.
            assert.ok(await secretExists(reachableNs), "the reachable stack's Secret");
            assert.deepStrictEqual(await pullSecretNames(reachableNs), ["regcred"]);
            assert.strictEqual(await secretExists(unreachableNs), false, "nothing written by the unreachable stack");

            // One result file and one log per cluster.
            const results = ["reachable", "unreachable"].map((c) => parseResult(fs.readFileSync(path.join(resultDir, `${c}.json`), "utf8"), c));
            assert.deepStrictEqual(
                results.map((r) => [r.cluster, r.stack, r.operation, r.result]),
                [
                    ["reachable", reachable.name, "up", "succeeded"],
                    ["unreachable", unreachable.name, "up", "failed"],
                ],
            );
            assert.ok((results[0].changes?.create ?? 0) > 0 && results[1].changes === undefined);
            const logs = ["reachable", "unreachable"].map((c) => fs.readFileSync(path.join(logDir, `${c}.log`), "utf8"));
            assert.match(logs[0], /Resources:[\s\S]*created/);
            assert.match(logs[1], new RegExp(`error: (creating|reading) Secret ${unreachableNs}/regcred failed`));
            // Both ran at once: neither log is in the other, and the run took less than the two one after the other would.
            assert.ok(
                upSeconds < results[0].durationSeconds + results[1].durationSeconds,
                `${upSeconds}s for ${results[0].durationSeconds}s + ${results[1].durationSeconds}s`,
            );

            // The CI summary job's view of the same result files: Markdown, exit 1.
            const summary = await fleet(["summary", "--markdown", ...common], env);
            assert.strictEqual(summary.code, 1, summary.stderr);
            assert.match(summary.stdout, /^### Fleet up: 1 of 2 stacks succeeded, 1 failed$/m);
            assert.match(summary.stdout, new RegExp(`^\\| reachable \\| ${reachable.name} \\| ✅ succeeded \\| create \\d+ \\| ${duration} \\|$`, "m"));
            assert.match(summary.stdout, new RegExp(`^\\| unreachable \\| ${unreachable.name} \\| ❌ failed: .* \\| unknown \\| ${duration} \\|$`, "m"));

            // The deployed stack previews as no change, and alone it exits 0.
            const preview = await fleet(["preview", "--only", "reachable", ...common], env);
            assert.strictEqual(preview.code, 0, `${preview.stdout}${preview.stderr}`);
            assert.match(preview.stdout, new RegExp(`^reachable\\s+${reachable.name}\\s+succeeded\\s+no changes\\s+${duration}$`, "m"));

            for (const text of [printed, ...logs, preview.stdout, summary.stdout]) {
                for (const key of keys) assert.strictEqual(findKeyMaterial(text, key), undefined, "key material in the fleet's output or logs");
            }
        } finally {
            await reachable.dispose();
            // Its cluster never existed: nothing to destroy, only the stack to remove.
            await unreachable.dispose({ destroy: false });
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
    it("a stack whose cluster is another stack's kubeconfig output (the program of docs/fleets.md) lands there, whatever its KUBECONFIG", async () => {
        const ns = `fleet-ref-${Math.random().toString(36).slice(2, 8)}`;
        await createNamespace(ns);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gcr-pull-secrets-e2e-fleet-ref-"));
        const clusterKubeconfig = fs.readFileSync(process.env.KUBECONFIG!, "utf8");
        // The kubeconfig's client key: it must never be in the state or the output unencrypted.
        const clientKey = (yaml.load(clusterKubeconfig) as { users: { user: Record<string, string> }[] }).users[0].user["client-key-data"];
        assert.ok(clientKey, "the suite's kubeconfig carries its client key");

        // Stands in for a project that creates clusters: one stack per cluster, its kubeconfig a secret output.
        const clusterProject = path.join(dir, "clusters");
        fs.mkdirSync(clusterProject);
        fs.writeFileSync(path.join(clusterProject, "Pulumi.yaml"), "name: e2e-clusters\nruntime: nodejs\n");
        fs.writeFileSync(path.join(clusterProject, "package.json"), JSON.stringify({ name: "e2e-clusters", main: "index.js" }));
        fs.writeFileSync(
            path.join(clusterProject, "index.js"),
            'const pulumi = require("@pulumi/pulumi");\nexports.kubeconfig = new pulumi.Config().requireSecret("kubeconfig");\n',
        );
        fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(clusterProject, "node_modules"));

        // This project with the index.ts of docs/fleets.md, as written there.
        const docs = fs.readFileSync(path.join(repoRoot, "docs/fleets.md"), "utf8");
        const program = [...docs.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).find((block) => block.includes("StackReference"));
        assert.ok(program, "docs/fleets.md shows the program");
        const variant = path.join(dir, "variant");
        fs.mkdirSync(variant);
        copyProject(variant, program);

        const pull = await createTestStack({ workDir: variant });
        const workspace = pull.stack.workspace;
        const env = { ...workspace.envVars, PULUMI_HOME: workspace.pulumiHome! };
        const clusterStack = await LocalWorkspace.createStack(
            { stackName: pull.name, workDir: clusterProject },
            { envVars: workspace.envVars, pulumiHome: workspace.pulumiHome },
        );
        const key = makeThrowawayKey("fleet-ref");
        try {
            await clusterStack.setConfig("e2e-clusters:kubeconfig", { value: clusterKubeconfig, secret: true });
            await clusterStack.up({ color: "never" });
            pull.setSettings({ registries: ["asia.gcr.io"], namespaces: [ns], "cluster:stack": `organization/e2e-clusters/${pull.name}` });
            await pull.setJsonKey(key);
            fs.writeFileSync(path.join(dir, "unreachable.kubeconfig"), unreachableKubeconfig);
            fs.writeFileSync(
                path.join(dir, "fleet.yaml"),
                [`project: ${variant}`, "clusters:", `  made-elsewhere: {stack: ${pull.name}, kubeconfig: unreachable.kubeconfig}`, ""].join("\n"),
            );
            const common = ["--fleet", path.join(dir, "fleet.yaml"), "--log-dir", path.join(dir, "logs")];

            const up = await fleet(["up", ...common], env);
            const printed = `${up.stdout}${up.stderr}`;
            assert.strictEqual(up.code, 0, printed);
            assert.match(up.stdout, new RegExp(`^made-elsewhere\\s+${pull.name}\\s+succeeded\\s+create \\d+\\s+${duration}$`, "m"));
            assert.ok(await secretExists(ns), "the Secret is in the cluster the other stack named");
            assert.deepStrictEqual(await pullSecretNames(ns), ["regcred"]);

            const exported = pull.exportState();
            for (const text of [exported, printed]) {
                assert.ok(!text.includes(clientKey), "the other stack's kubeconfig in plaintext");
                assert.strictEqual(findKeyMaterial(text, key), undefined, "key material");
            }

            // The same stack config with its own kubeconfig as well: refused, naming the way out, before anything is touched.
            await pull.stack.setConfig("gcr-pull-secrets:kubeconfig", { value: clusterKubeconfig, secret: true });
            const twice = await fleet(["preview", ...common], env);
            assert.strictEqual(twice.code, 1);
            assert.match(
                twice.stdout,
                /failed: Invalid gcr-pull-secrets stack configuration \(1 problem\); nothing was changed: - gcr-pull-secrets:kubeconfig is set in the stack/,
            );
            assert.match(
                fs.readFileSync(path.join(dir, "logs/made-elsewhere.log"), "utf8"),
                /gcr-pull-secrets:kubeconfig is set in the stack, and the program gives the kubeconfig too \(from another stack's output\)/,
            );
            await pull.stack.removeConfig("gcr-pull-secrets:kubeconfig");
        } finally {
            await pull.dispose();
            await clusterStack.destroy({ color: "never" }).catch(() => undefined);
            await clusterStack.workspace.removeStack(pull.name, { force: true }).catch(() => undefined);
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
