import * as assert from "assert";
import * as fs from "fs";
import { ownerIdAnnotation, ownerUrnAnnotation } from "../../components/contract";
import { makeThrowawayKey } from "../../dev/keys/throwawayKey";
import { changes, cliOutput, createNamespace, createTestStack, kube, pullSecretNames, secretExists, TestStack, uniqueNamespace } from "./harness";
import { moveStackFile, programCopy, pullSecretsInState, pullSecretUrn, secretsOnlyKubeconfig, stateResources } from "./ownershipHelpers";
import { watchPullAccess } from "./pullAccessWatch";
import { startWriter } from "./zeroPauseWriter";

type DisposableStack = Awaited<ReturnType<typeof createTestStack>>;

/**
 * Exactly one Secret and one entry per ServiceAccount in each namespace, the Secret owned by the one
 * PullSecret the state holds for it, and an empty next preview.
 */
async function assertOneOwner(t: TestStack, accounts: Record<string, string[]>, when: string): Promise<void> {
    const inState = pullSecretsInState(t);
    for (const [ns, names] of Object.entries(accounts)) {
        assert.strictEqual((inState[ns] ?? []).length, 1, `${when}: one PullSecret of ${ns} in the state`);
        const secret = await kube().core.readNamespacedSecret({ name: "regcred", namespace: ns });
        assert.strictEqual(secret.metadata?.annotations?.[ownerIdAnnotation], inState[ns][0].outputs?.ownerId, `${when}: ${ns}/regcred names its owner`);
        for (const sa of names) {
            const listed = (await pullSecretNames(ns, sa)).filter((name) => name === "regcred");
            assert.deepStrictEqual(listed, ["regcred"], `${when}: ${ns}/${sa} lists regcred once`);
        }
    }
    const preview = await t.stack.preview({ ...t.io });
    assert.deepStrictEqual(changes(preview.changeSummary), {}, `${when}: the next preview is empty`);
}

describe("end to end: a PullSecret only ever touches what it owns", function () {
    it("replace, taint, rename without alias and state delete + re-declare keep one Secret and one entry, never absent; a Secret someone recreated is theirs", async () => {
        const [first, second] = [uniqueNamespace("own-a"), uniqueNamespace("own-b")];
        await createNamespace(first);
        await createNamespace(second);
        await kube().core.createNamespacedServiceAccount({ namespace: first, body: { metadata: { name: "builder" } } });
        const accounts = { [first]: ["default", "builder"], [second]: ["default"] };
        let t = await createTestStack();
        const originalDir = t.stack.workspace.workDir;
        try {
            t.setSettings({ registries: ["asia.gcr.io"], namespaces: [{ name: first, serviceAccounts: ["default", "builder"] }, second] });
            await t.setJsonKey(makeThrowawayKey("owner"));
            assert.strictEqual((await t.stack.up({ ...t.io })).summary.result, "succeeded");
            const uid = (await kube().core.readNamespacedSecret({ name: "regcred", namespace: first })).metadata?.uid;

            const watching = await watchPullAccess(accounts);
            const writer = startWriter(first, "writer");
            try {
                // The engine creates the new instance before it deletes the old one, both for the same Secret.
                const replaced = await t.runCli(["up", "--yes", "--skip-preview", "--replace", pullSecretUrn(t, first)]);
                assert.strictEqual(replaced.code, 0, replaced.output);
                await assertOneOwner(t, accounts, "after up --replace");
                assert.strictEqual((await kube().core.readNamespacedSecret({ name: "regcred", namespace: first })).metadata?.uid, uid, "taken over in place");

                const tainted = await t.runCli(["state", "taint", pullSecretUrn(t, second), "--yes"]);
                assert.strictEqual(tainted.code, 0, tainted.output);
                assert.strictEqual((await t.stack.up({ ...t.io })).summary.result, "succeeded");
                await assertOneOwner(t, accounts, "after state taint + up");

                // The component renamed in index.ts, without an alias: every PullSecret gets a new URN.
                const renamedDir = programCopy((source) => source.replace('new GcrPullSecrets("gcr-pull-secrets"', 'new GcrPullSecrets("pull-access"'));
                moveStackFile(t.name, originalDir, renamedDir);
                t = await createTestStack({ name: t.name, select: true, workDir: renamedDir });
                const printedBefore = cliOutput.length;
                const renamed = await t.stack.up({ ...t.io });
                assert.strictEqual(renamed.summary.result, "succeeded");
                assert.ok((renamed.summary.resourceChanges?.delete ?? 0) >= 2, "the old instances were deleted from the state");
                assert.match(cliOutput.slice(printedBefore).join(""), /Secret own-a-\w+\/regcred is owned by resource urn:pulumi:[^ ]*pull-access/);
                await assertOneOwner(t, accounts, "after a rename without alias");

                const deleted = await t.runCli(["state", "delete", pullSecretUrn(t, first), "--yes"]);
                assert.strictEqual(deleted.code, 0, deleted.output);
                assert.strictEqual((await t.stack.up({ ...t.io })).summary.result, "succeeded");
                await assertOneOwner(t, accounts, "after state delete + re-declare");
            } finally {
                const expected = await writer.stop();
                watching.stop();
                const theirs = (await pullSecretNames(first)).filter((name) => name !== "regcred");
                assert.deepStrictEqual(new Set(theirs), expected, "the zero-pause writer's entries are all there");
                assert.ok(writer.writes() > 0, "the writer wrote");
            }
            assert.deepStrictEqual(watching.problems, [], `pull access lapsed:\n${watching.events.join("\n")}`);

            // Ours deleted by hand, and someone makes their own regcred: refresh forgets ours, destroy leaves theirs.
            await kube().core.deleteNamespacedSecret({ name: "regcred", namespace: second });
            const theirs = await kube().core.createNamespacedSecret({
                namespace: second,
                body: { metadata: { name: "regcred" }, type: "kubernetes.io/dockerconfigjson", data: { ".dockerconfigjson": "eyJhdXRocyI6e319" } },
            });
            const refreshed = await t.runCli(["refresh", "--yes", "--skip-preview"]);
            assert.strictEqual(refreshed.code, 0, refreshed.output);
            assert.strictEqual(pullSecretsInState(t)[second], undefined, "refresh reports ours gone");
            assert.strictEqual((await t.stack.destroy({ ...t.io })).summary.result, "succeeded");
            assert.strictEqual((await kube().core.readNamespacedSecret({ name: "regcred", namespace: second })).metadata?.uid, theirs.metadata?.uid);
            assert.strictEqual(await secretExists(first), false, "destroy removed our Secret");
            assert.deepStrictEqual(await pullSecretNames(first, "builder"), [], "and our entries");
        } finally {
            await t.dispose();
        }
    });

    it("a provider replacement (the same cluster under another URL) keeps one Secret and one entry, never absent", async () => {
        const ns = uniqueNamespace("own-url");
        await createNamespace(ns);
        const kubeconfig = fs.readFileSync(process.env.KUBECONFIG ?? "", "utf8");
        const byName = kubeconfig.replace(/https:\/\/127\.0\.0\.1:/g, "https://localhost:");
        assert.notStrictEqual(byName, kubeconfig, "the cluster is reached through 127.0.0.1");
        const t = await createTestStack();
        try {
            t.setSettings({ registries: ["asia.gcr.io"], namespaces: [ns] });
            await t.setJsonKey(makeThrowawayKey("url"));
            await t.stack.setConfig("gcr-pull-secrets:kubeconfig", { value: kubeconfig, secret: true });
            assert.strictEqual((await t.stack.up({ ...t.io })).summary.result, "succeeded");
            const ownerBefore = pullSecretsInState(t)[ns][0].outputs?.ownerId;

            await t.stack.setConfig("gcr-pull-secrets:kubeconfig", { value: byName, secret: true });
            const watching = await watchPullAccess({ [ns]: ["default"] });
            const moved = await t.stack.up({ ...t.io }).finally(watching.stop);
            assert.strictEqual(moved.summary.result, "succeeded");
            assert.ok((moved.summary.resourceChanges?.replace ?? 0) >= 1, `the PullSecret was replaced: ${JSON.stringify(moved.summary.resourceChanges)}`);
            assert.deepStrictEqual(watching.problems, [], `pull access lapsed:\n${watching.events.join("\n")}`);
            assert.notStrictEqual(pullSecretsInState(t)[ns][0].outputs?.ownerId, ownerBefore, "a new instance owns it");
            await assertOneOwner(t, { [ns]: ["default"] }, "after the provider replacement");
        } finally {
            await t.dispose();
        }
    });

    it("a Secret another stack adopted is theirs: up refuses to take it back, destroy leaves it", async () => {
        const ns = uniqueNamespace("own-moved");
        await createNamespace(ns);
        const before = await createTestStack();
        const after = await createTestStack();
        try {
            before.setSettings({ registries: ["asia.gcr.io"], namespaces: [ns] });
            await before.setJsonKey(makeThrowawayKey("before"));
            assert.strictEqual((await before.stack.up({ ...before.io })).summary.result, "succeeded");
            const uid = (await kube().core.readNamespacedSecret({ name: "regcred", namespace: ns })).metadata?.uid;

            after.setSettings({ registries: ["asia.gcr.io"], namespaces: [{ name: ns, adopt: true }] });
            const afterKey = makeThrowawayKey("after");
            await after.setJsonKey(afterKey);
            assert.strictEqual((await after.stack.up({ ...after.io })).summary.result, "succeeded");
            const taken = await kube().core.readNamespacedSecret({ name: "regcred", namespace: ns });
            assert.strictEqual(taken.metadata?.uid, uid, "adopted in place");
            const afterUrn = pullSecretUrn(after, ns);
            assert.strictEqual(taken.metadata?.annotations?.[ownerUrnAnnotation], afterUrn);

            const retaken = await before.runCli(["up", "--yes", "--skip-preview", "--refresh"]);
            assert.notStrictEqual(retaken.code, 0, "the first stack does not take it back");
            assert.match(retaken.output, new RegExp(`Secret ${ns}/regcred is now owned by resource ${afterUrn.replace(/[$.]/g, "\\$&")}`));
            const content = (await kube().core.readNamespacedSecret({ name: "regcred", namespace: ns })).data;
            assert.deepStrictEqual(content, taken.data, "the content is the second stack's");

            const destroyed = await before.runCli(["destroy", "--yes", "--skip-preview"]);
            assert.strictEqual(destroyed.code, 0, destroyed.output);
            assert.match(destroyed.output, /removed from the state only/);
            assert.strictEqual((await kube().core.readNamespacedSecret({ name: "regcred", namespace: ns })).metadata?.uid, uid, "destroy left it");
            assert.deepStrictEqual(await pullSecretNames(ns), ["regcred"]);
            const preview = await after.stack.preview({ ...after.io });
            assert.deepStrictEqual(changes(preview.changeSummary), {});

            await after.stack.destroy({ ...after.io });
            assert.strictEqual(await secretExists(ns), false);
            assert.deepStrictEqual(await pullSecretNames(ns), []);
        } finally {
            await before.dispose();
            await after.dispose();
        }
    });

    it("an identity that may write Secrets but not ServiceAccounts: the Secrets it wrote are in the state, and the next up finishes them", async () => {
        const namespaces = [uniqueNamespace("own-partial"), uniqueNamespace("own-partial")];
        for (const ns of namespaces) await createNamespace(ns);
        const kubeconfig = await secretsOnlyKubeconfig(namespaces, `deployer-${namespaces[0]}`);
        const limited = await createTestStack({ env: { KUBECONFIG: kubeconfig } });
        let full: DisposableStack | undefined;
        try {
            limited.setSettings({ registries: ["asia.gcr.io"], namespaces });
            await limited.setJsonKey(makeThrowawayKey("partial"));
            const failed = await limited.runCli(["up", "--yes", "--skip-preview"]);
            assert.notStrictEqual(failed.code, 0, "up fails");
            assert.match(failed.output, /forbidden|403/i);
            const recorded = stateResources(limited).filter((r) => r.type === "gcr-pull-secrets:index:PullSecret");
            assert.strictEqual(recorded.length, 2, "every Secret written is in the state");
            for (const resource of recorded) assert.ok((resource.initErrors ?? []).length > 0, `${resource.urn} is marked unfinished`);
            for (const ns of namespaces) assert.strictEqual(await secretExists(ns), true);

            full = await createTestStack({ name: limited.name, select: true });
            assert.strictEqual((await full.stack.up({ ...full.io })).summary.result, "succeeded");
            await assertOneOwner(full, Object.fromEntries(namespaces.map((ns) => [ns, ["default"]])), "after the next up");

            // Import: the Secret of a resource removed from the state comes back with its inputs read from the cluster.
            const removed = await full.runCli(["state", "delete", pullSecretUrn(full, namespaces[1]), "--yes"]);
            assert.strictEqual(removed.code, 0, removed.output);
            const imported = await full.runCli([
                "import",
                "gcr-pull-secrets:index:PullSecret",
                "imported",
                `${namespaces[1]}/regcred`,
                "--yes",
                "--skip-preview",
                "--protect=false",
                "--generate-code=false",
            ]);
            assert.strictEqual(imported.code, 0, imported.output);
            const record = stateResources(full).find((r) => r.urn.endsWith("::imported"));
            assert.ok(record, "the imported resource is in the state");
            assert.deepStrictEqual(
                [record.inputs?.namespace, record.inputs?.secretName, record.inputs?.serviceAccounts, record.inputs?.registries, record.inputs?.keySource],
                [namespaces[1], "regcred", ["default"], ["asia.gcr.io"], "supplied"],
            );
            assert.deepStrictEqual(record.outputs?.attached, ["default"]);
            await full.stack.destroy({ ...full.io });
            for (const ns of namespaces) {
                assert.strictEqual(await secretExists(ns), false, "nothing the stack wrote outlives its destroy");
                assert.deepStrictEqual(await pullSecretNames(ns), []);
            }
        } finally {
            await (full ?? limited).dispose();
        }
    });
});

describe("end to end: two components of one program claiming one Secret", function () {
    it("are refused at preview, naming both, before anything is written", async () => {
        const ns = uniqueNamespace("own-twice");
        await createNamespace(ns);
        const twice = programCopy(
            (source) =>
                `${source}\n// A second component with the same settings: the same Secret in the same namespaces.\nnew GcrPullSecrets("second", readStackConfig());\n`,
        );
        const t = await createTestStack({ workDir: twice });
        try {
            t.setSettings({ registries: ["asia.gcr.io"], namespaces: [ns] });
            await t.setJsonKey(makeThrowawayKey("twice"));
            const printedBefore = cliOutput.length;
            await assert.rejects(t.stack.preview({ ...t.io }), (error: Error) => {
                const text = `${error.message}${cliOutput.slice(printedBefore).join("")}`;
                assert.match(text, new RegExp(`lists "${ns}", whose Secret regcred GcrPullSecrets "gcr-pull-secrets" of this program writes too`));
                return true;
            });
            assert.strictEqual(await secretExists(ns), false);
        } finally {
            await t.dispose();
        }
    });
});
