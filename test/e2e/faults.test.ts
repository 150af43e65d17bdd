import * as assert from "assert";
import { execFileSync } from "child_process";
import { makeThrowawayKey } from "../../tools/throwawayKey";
import { createNamespace, createTestStack, kube, pullSecretNames, uniqueNamespace } from "./harness";

/** Processes of this project's provider plugin still running. */
function providerProcesses(): string[] {
    try {
        return execFileSync("pgrep", ["-f", "provider/main.ts"], { encoding: "utf8" }).split("\n").filter(Boolean);
    } catch {
        return []; // pgrep exits 1 when nothing matches
    }
}

describe("end to end: pulumi up killed hard in the middle of an update", function () {
    it("the README's recovery converges: one Secret and exactly one entry per namespace, nothing pending, no plugin left", async () => {
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

                // The recovery the README gives (Troubleshooting: "the stack is locked").
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
