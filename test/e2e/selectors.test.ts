import * as assert from "assert";
import { randomBytes } from "crypto";
import { makeThrowawayKey } from "../../dev/keys/throwawayKey";
import { appendPullSecret, changes, createNamespace, kube, pullSecretNames, secretExists, uniqueNamespace, withStack } from "./harness";

/** Sets or removes (value null) one label of a namespace or ServiceAccount with a merge patch. */
async function label(target: { namespace: string; serviceAccount?: string }, key: string, value: string | null): Promise<void> {
    const k8s = await import("@kubernetes/client-node");
    const { core } = kube();
    const body = { metadata: { labels: { [key]: value } } };
    const merge = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);
    if (target.serviceAccount) await core.patchNamespacedServiceAccount({ name: target.serviceAccount, namespace: target.namespace, body }, merge);
    else await core.patchNamespace({ name: target.namespace, body }, merge);
}

describe("end to end: namespaces and ServiceAccounts chosen by label", function () {
    it("follows the labels from one update to the next, and never touches excluded or system namespaces", async () => {
        // A label of this run only: the cluster is shared with the other tests.
        const pulls = `e2e-pulls-${randomBytes(3).toString("hex")}`;
        const [labelled, excluded, later, listed] = ["sel-a", "sel-excluded", "sel-later", "sel-listed"].map(uniqueNamespace);
        for (const ns of [labelled, excluded, later, listed]) await createNamespace(ns);
        const { core } = kube();
        await core.createNamespacedServiceAccount({ namespace: labelled, body: { metadata: { name: "runner", labels: { [pulls]: "yes" } } } });
        await core.createNamespacedServiceAccount({ namespace: labelled, body: { metadata: { name: "unlabelled" } } });
        await core.createNamespacedServiceAccount({ namespace: listed, body: { metadata: { name: "worker" } } });
        await appendPullSecret(labelled, "someone-elses");
        for (const ns of [labelled, excluded, "kube-system"]) await label({ namespace: ns }, pulls, "yes");

        try {
            await withStack(async (t) => {
                t.setSettings({
                    registries: ["asia.gcr.io"],
                    namespaces: [{ name: listed, allServiceAccounts: true }],
                    namespaceSelector: { matchLabels: { [pulls]: "yes" }, serviceAccountSelector: { matchLabels: { [pulls]: "yes" } } },
                    excludeNamespaces: [excluded],
                });
                await t.setJsonKey(makeThrowawayKey("selectors"));

                // The preview already reads the cluster: it names exactly the namespaces the update will cover.
                const preview = await t.stack.preview({ ...t.io });
                const previewed = [...preview.stdout.matchAll(/gcr-pull-secrets:index:PullSecret\s+gcr-pull-secrets-(\S+)\s+create/g)].map((m) => m[1]).sort();
                assert.deepStrictEqual(previewed, [labelled, listed].sort());

                let result = await t.stack.up({ ...t.io });
                assert.strictEqual(result.summary.result, "succeeded");
                assert.deepStrictEqual(Object.keys(result.outputs.secretNames.value).sort(), [labelled, listed].sort());
                assert.deepStrictEqual(await pullSecretNames(labelled), ["someone-elses", "regcred"]);
                assert.deepStrictEqual(await pullSecretNames(labelled, "runner"), ["regcred"], "the labelled ServiceAccount is covered");
                assert.deepStrictEqual(await pullSecretNames(labelled, "unlabelled"), [], "an unlabelled ServiceAccount is not");
                assert.deepStrictEqual(await pullSecretNames(listed, "worker"), ["regcred"], "allServiceAccounts covers every one");
                for (const untouched of [excluded, later, "kube-system"]) {
                    assert.strictEqual(await secretExists(untouched), false, `no Secret in ${untouched}`);
                    assert.deepStrictEqual(await pullSecretNames(untouched), [], `no entry in ${untouched}`);
                }
                assert.deepStrictEqual(changes((await t.stack.preview({ ...t.io })).changeSummary), {}, "a second preview changes nothing");

                // A namespace labelled later, and ServiceAccounts made later, are covered by the next update.
                await label({ namespace: later }, pulls, "yes");
                await core.createNamespacedServiceAccount({ namespace: listed, body: { metadata: { name: "made-later" } } });
                await core.createNamespacedServiceAccount({ namespace: labelled, body: { metadata: { name: "labelled-later", labels: { [pulls]: "yes" } } } });
                assert.deepStrictEqual(changes((await t.stack.preview({ ...t.io })).changeSummary), { create: 1, update: 2 });
                result = await t.stack.up({ ...t.io });
                assert.deepStrictEqual(changes(result.summary.resourceChanges), { create: 1, update: 2 });
                assert.deepStrictEqual(await pullSecretNames(later), ["regcred"]);
                assert.deepStrictEqual(await pullSecretNames(listed, "made-later"), ["regcred"]);
                assert.deepStrictEqual(await pullSecretNames(labelled, "labelled-later"), ["regcred"]);

                // The label removed: the next update removes only ours there.
                await label({ namespace: labelled }, pulls, null);
                const dropped = await t.stack.preview({ ...t.io });
                assert.deepStrictEqual(changes(dropped.changeSummary), { delete: 1 });
                assert.match(dropped.stdout, new RegExp(`gcr-pull-secrets:index:PullSecret\\s+gcr-pull-secrets-${labelled}\\s+delete`));
                result = await t.stack.up({ ...t.io });
                assert.deepStrictEqual(changes(result.summary.resourceChanges), { delete: 1 });
                assert.strictEqual(await secretExists(labelled), false);
                assert.deepStrictEqual(await pullSecretNames(labelled), ["someone-elses"]);
                for (const account of ["runner", "labelled-later"]) assert.deepStrictEqual(await pullSecretNames(labelled, account), []);
                assert.strictEqual(await secretExists(later), true, "the other selected namespace keeps its Secret");
                for (const untouched of [excluded, "kube-system"]) assert.strictEqual(await secretExists(untouched), false);
            });
            for (const ns of [later, listed]) assert.strictEqual(await secretExists(ns), false, `destroy removed the Secret in ${ns}`);
        } finally {
            for (const ns of [excluded, later, "kube-system"]) await label({ namespace: ns }, pulls, null);
        }
    });
});
