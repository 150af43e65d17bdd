import * as assert from "assert";
import { makeThrowawayKey } from "../../dev/keys/throwawayKey";
import { cliOutput, createNamespace, kube, manualRecipe, pullSecretNames, readPullSecret, uniqueNamespace, withStack } from "./harness";

describe("end to end: migrating from the manual kubectl recipe", function () {
    it("refuses to take over an existing regcred unless adopt is set, then adopts it in place (same UID)", async () => {
        const ns = uniqueNamespace("legacy");
        const oldKey = makeThrowawayKey("manual");
        const newKey = makeThrowawayKey("adopted");
        await createNamespace(ns);
        await manualRecipe(ns, oldKey, "asia.gcr.io");
        const before = await readPullSecret(ns);
        assert.deepStrictEqual(await pullSecretNames(ns), ["regcred"]);

        await withStack(async (t) => {
            t.setSettings({ registries: ["asia.gcr.io"], namespaces: [ns] });
            await t.setJsonKey(newKey);

            // Without adopt: refused already at preview, naming the fix, and nothing is touched.
            const printedBefore = cliOutput.length;
            await assert.rejects(t.stack.preview({ ...t.io }), (error: Error) => {
                const text = `${error.message}${cliOutput.slice(printedBefore).join("")}`;
                assert.match(text, new RegExp(`Secret ${ns}/regcred already exists and was not created by this stack`));
                assert.match(text, /set adopt: true on namespace/);
                return true;
            });
            await assert.rejects(t.stack.up({ ...t.io }));
            assert.strictEqual((await readPullSecret(ns)).uid, before.uid);
            assert.deepStrictEqual((await readPullSecret(ns)).config, before.config, "the refused update changed nothing");

            // With adopt: the same Secret object now carries our content; no moment without it.
            t.setSettings({ registries: ["asia.gcr.io"], namespaces: [{ name: ns, adopt: true }] });
            const result = await t.stack.up({ ...t.io });
            assert.strictEqual(result.summary.result, "succeeded");
            const after = await readPullSecret(ns);
            assert.strictEqual(after.uid, before.uid, "the Secret was not recreated");
            assert.strictEqual(after.config.auths["asia.gcr.io"].password, newKey);
            assert.strictEqual(after.labels["app.kubernetes.io/managed-by"], "pulumi");
            assert.deepStrictEqual(await pullSecretNames(ns), ["regcred"], "the entry is listed once");

            const exported = t.exportState();
            const oldPem = JSON.parse(oldKey).private_key.split("\n")[1];
            assert.ok(!exported.includes(oldPem), "the adopted Secret's old content is not in the state");
        });

        // Adopted means owned: destroy removed the Secret and our entry.
        await assert.rejects(kube().core.readNamespacedSecret({ name: "regcred", namespace: ns }), (e: { code?: number }) => e.code === 404);
        assert.deepStrictEqual(await pullSecretNames(ns), []);
    });

    it("a namespace marked create that already exists is taken over, not refused, and is still there after destroy", async () => {
        const ns = uniqueNamespace("precreated");
        await createNamespace(ns);
        const before = await kube().core.readNamespace({ name: ns });
        await withStack(async (t) => {
            t.setSettings({ registries: ["asia.gcr.io"], namespaces: [{ name: ns, create: true }] });
            await t.setJsonKey(makeThrowawayKey("precreated"));
            const result = await t.stack.up({ ...t.io });
            assert.strictEqual(result.summary.result, "succeeded");
            assert.deepStrictEqual(await pullSecretNames(ns), ["regcred"]);
            // @pulumi/kubernetes 4.29+ refuses such a create (AlreadyExists) without this; 4.25 upserts anyway.
            const resources: { type: string; inputs?: Record<string, unknown> }[] = JSON.parse(t.exportState()).deployment.resources;
            const kubernetesProvider = resources.find((r) => r.type === "pulumi:providers:kubernetes");
            assert.strictEqual(kubernetesProvider?.inputs?.upsertExistingObjects, "true");
        });
        const after = await kube().core.readNamespace({ name: ns });
        assert.strictEqual(after.metadata?.uid, before.metadata?.uid, "the namespace was neither recreated nor deleted");
    });

    it("waits for a ServiceAccount that appears later, and names a missing one in a clear error", async () => {
        const ns = uniqueNamespace("late-sa");
        await createNamespace(ns);
        await withStack(async (t) => {
            t.setSettings({ registries: ["gcr.io"], namespaces: [{ name: ns, serviceAccounts: ["builder"] }], serviceAccountWaitSeconds: 20 });
            await t.setJsonKey(makeThrowawayKey("late"));
            const up = t.stack.up({ ...t.io });
            await new Promise((resolve) => setTimeout(resolve, 3000));
            await kube().core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: "builder" } } });
            assert.strictEqual((await up).summary.result, "succeeded");
            assert.deepStrictEqual(await pullSecretNames(ns, "builder"), ["regcred"]);

            t.setSettings({ registries: ["gcr.io"], namespaces: [{ name: ns, serviceAccounts: ["builder", "ghost"] }], serviceAccountWaitSeconds: 2 });
            const printedBefore = cliOutput.length;
            await assert.rejects(t.stack.up({ ...t.io }), (error: Error) => {
                assert.match(
                    `${error.message}${cliOutput.slice(printedBefore).join("")}`,
                    new RegExp(`ServiceAccount ${ns}/ghost did not appear within 2s: create it`),
                );
                return true;
            });
        });
    });

    it("bad configuration fails before any resource is touched, listing every problem", async () => {
        await withStack(async (t) => {
            t.setSettings({ registries: ["quay.io"], namespaces: ["Bad", "kube-system"], namespce: "x" });
            const key = makeThrowawayKey("bad");
            await t.setJsonKey(key);
            const printedBefore = cliOutput.length;
            await assert.rejects(t.stack.preview({ ...t.io }), (error: Error) => {
                const text = `${error.message}${cliOutput.slice(printedBefore).join("")}`;
                assert.match(text, /Invalid gcr-pull-secrets stack configuration \(4 problems\); nothing was changed/);
                assert.match(text, /gcr-pull-secrets:registries\[0\] is "quay.io"/);
                assert.match(text, /did you mean gcr-pull-secrets:namespaces\?/);
                assert.ok(!text.includes(JSON.parse(key).private_key.split("\n")[1]));
                return true;
            });
            const state = await t.stack.exportStack();
            assert.strictEqual((state.deployment.resources ?? []).length, 0);
        });
    });
});
