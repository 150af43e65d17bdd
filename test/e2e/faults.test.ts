import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { startControlPlane } from "../../dev/cluster/controlPlane";
import { makeThrowawayKey } from "../../dev/keys/throwawayKey";
import { createNamespace, createTestStack, kube, pullSecretNames, uniqueNamespace } from "./harness";

/**
 * Processes of this checkout's provider plugin still running (the launcher runs it by its real
 * path). Other checkouts on the machine run their own plugins, which are not this test's to judge.
 */
function providerProcesses(): string[] {
    const mainScript = path.join(fs.realpathSync(path.resolve(__dirname, "../..")), "provider", "main.ts");
    try {
        return execFileSync("pgrep", ["-f", "--", mainScript.replace(/[.]/g, "\\.")], { encoding: "utf8" })
            .split("\n")
            .filter(Boolean);
    } catch {
        return []; // pgrep exits 1 when nothing matches
    }
}

describe("end to end: pulumi up killed hard in the middle of an update", function () {
    it("the recovery docs/troubleshooting.md gives converges: one Secret and exactly one entry per namespace, nothing pending, no plugin left", async () => {
        const namespaces = Array.from({ length: 30 }, (_, i) => uniqueNamespace(`kill${i}`));
        await Promise.all(namespaces.map((ns) => createNamespace(ns)));
        const t = await createTestStack();
        try {
            t.setSettings({ registries: ["asia.gcr.io"], namespaces });
            await t.setJsonKey(makeThrowawayKey("kill"));
            // Kill after a few, about half, and nearly all Secrets were written.
            for (const killAfter of [2, 15, 27]) {
                const up = t.spawnCli(["up", "--yes", "--skip-preview"]);
                let created = 0;
                let killed = false;
                up.stdout!.on("data", (chunk) => {
                    created += (String(chunk).match(/gcr-pull-secrets:index:PullSecret .* created/g) ?? []).length;
                    if (!killed && created >= killAfter) {
                        killed = true;
                        up.kill("SIGKILL");
                    }
                });
                await new Promise((resolve) => up.on("close", resolve));
                assert.ok(killed, `the update finished before ${killAfter} Secrets were written; nothing was interrupted`);
                await new Promise((resolve) => setTimeout(resolve, 2500));
                assert.deepStrictEqual(providerProcesses(), [], "a provider plugin outlived the killed CLI");

                // The recovery docs/troubleshooting.md gives ("the stack is currently locked"). First the
                // step for a kill that landed while the file backend wrote a metadata sidecar (`failed
                // to load checkpoint: EOF`): its storage library writes `<file>.attrs` in place.
                execFileSync("find", [path.join(t.backendDir, ".pulumi"), "-name", "*.attrs", "-size", "0", "-delete"]);
                const cancel = await t.runCli(["cancel", "--yes"]);
                assert.strictEqual(cancel.code, 0, cancel.output);
                const refresh = await t.runCli(["refresh", "--yes", "--clear-pending-creates"]);
                assert.strictEqual(refresh.code, 0, refresh.output);
                const again = await t.stack.up({ ...t.io });
                assert.strictEqual(again.summary.result, "succeeded");

                const state = JSON.parse(t.exportState()).deployment;
                assert.deepStrictEqual(state.pending_operations ?? [], [], "nothing pending");
                assert.strictEqual(state.resources.filter((r: { type: string }) => r.type === "gcr-pull-secrets:index:PullSecret").length, namespaces.length);
                const { core } = kube();
                for (const ns of namespaces) {
                    assert.strictEqual((await core.readNamespacedSecret({ name: "regcred", namespace: ns })).type, "kubernetes.io/dockerconfigjson");
                    assert.deepStrictEqual(await pullSecretNames(ns), ["regcred"], `${ns} must list ours exactly once`);
                }
                const preview = await t.stack.preview({ ...t.io });
                const changed = Object.entries(preview.changeSummary).filter(([op, n]) => op !== "same" && (n ?? 0) > 0);
                assert.deepStrictEqual(changed, [], "the next preview is empty");

                await t.stack.destroy({ ...t.io });
                for (const ns of namespaces) assert.deepStrictEqual(await pullSecretNames(ns), []);
            }
        } finally {
            await t.dispose();
        }
    });
});

describe("end to end: the API server stops answering in the middle of an update", function () {
    it("the user is told what is awaited, and the update succeeds once the server answers again", async () => {
        // A control plane of its own, so freezing it disturbs no other test; the stack reaches it
        // through the kubeconfig setting.
        const controlPlane = await startControlPlane();
        const pid = Number(fs.readFileSync(path.join(controlPlane.dir, "kube-apiserver", "kube-apiserver.pid"), "utf8"));
        const namespaces = Array.from({ length: 8 }, (_, i) => uniqueNamespace(`frozen${i}`));
        const t = await createTestStack();
        let frozen = false;
        try {
            await Promise.all(namespaces.map((ns) => createNamespace(ns, controlPlane.kubeconfigPath)));
            t.setSettings({ registries: ["asia.gcr.io"], namespaces });
            await t.setJsonKey(makeThrowawayKey("frozen"));
            await t.stack.setConfig("gcr-pull-secrets:kubeconfig", { value: fs.readFileSync(controlPlane.kubeconfigPath, "utf8"), secret: true });

            const up = t.spawnCli(["up", "--yes", "--skip-preview"]);
            let output = "";
            const freezeSeconds = 35;
            up.stdout!.on("data", (chunk: Buffer) => {
                output += String(chunk);
                if (!frozen && /gcr-pull-secrets:index:PullSecret .* creating/.test(output)) {
                    frozen = true;
                    process.kill(pid, "SIGSTOP");
                    setTimeout(() => process.kill(pid, "SIGCONT"), freezeSeconds * 1000);
                }
            });
            up.stderr!.on("data", (chunk: Buffer) => (output += String(chunk)));
            const started = Date.now();
            const code = await new Promise((resolve) => up.on("close", resolve));
            assert.ok(frozen, "the API server was never frozen");
            assert.strictEqual(code, 0, output);
            assert.ok(Date.now() - started < (freezeSeconds + 60) * 1000, "the update ended soon after the server answered again");
            assert.match(output, /waiting for the Kubernetes API server at https:\/\/127\.0\.0\.1:\d+: \w+ \S+: no answer for 15s; trying again/);

            for (const ns of namespaces) assert.deepStrictEqual(await pullSecretNames(ns, "default", controlPlane.kubeconfigPath), ["regcred"]);
            const preview = await t.stack.preview({ ...t.io });
            const changed = Object.entries(preview.changeSummary).filter(([op, n]) => op !== "same" && (n ?? 0) > 0);
            assert.deepStrictEqual(changed, [], "the next preview is empty");
        } finally {
            if (frozen) process.kill(pid, "SIGCONT");
            await t.dispose();
            await controlPlane.stop();
        }
    });
});

describe("end to end: a namespace that does not exist", function () {
    it("fails the preview at once, naming it, and touches nothing", async () => {
        const missing = uniqueNamespace("missing");
        const present = uniqueNamespace("present");
        await createNamespace(present);
        const t = await createTestStack();
        try {
            t.setSettings({ registries: ["asia.gcr.io"], namespaces: [present, missing] });
            await t.setJsonKey(makeThrowawayKey("missing"));
            const started = Date.now();
            const preview = await t.runCli(["preview"]);
            assert.notStrictEqual(preview.code, 0);
            assert.match(preview.output, new RegExp(`namespace "${missing}" does not exist in the cluster: create it first, or set create: true on it`));
            assert.ok(Date.now() - started < 30_000, `the preview took ${Date.now() - started} ms to fail`);
            await assert.rejects(kube().core.readNamespacedSecret({ name: "regcred", namespace: present }), (e: { code?: number }) => e.code === 404);
        } finally {
            await t.dispose();
        }
    });
});
