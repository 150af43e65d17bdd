import * as assert from "assert";
import * as fs from "fs";
import { ControlPlane, startControlPlane } from "../../dev/cluster/controlPlane";
import { makeThrowawayKey } from "../../dev/keys/throwawayKey";
import { appendPullSecret, createNamespace, kube, pullSecretNames, uniqueNamespace, withStack } from "./harness";

describe("end to end: one cluster connection", function () {
    let second: ControlPlane | undefined;

    before(async function () {
        this.timeout(180_000);
        second = await startControlPlane();
    });

    after(async function () {
        await second?.stop();
    });

    it("with KUBECONFIG on one cluster and the stack's kubeconfig on another, everything lands in the other", async () => {
        const otherKubeconfig = second!.kubeconfigPath;
        const shared = uniqueNamespace("both");
        const fresh = uniqueNamespace("fresh");
        // The same namespace, with someone's entry, in both clusters: only the configured one may change.
        for (const kubeconfig of [undefined, otherKubeconfig]) {
            await createNamespace(shared, kubeconfig);
            await appendPullSecret(shared, "someone-elses", "default", kubeconfig);
        }

        await withStack(async (t) => {
            t.setSettings({ registries: ["asia.gcr.io"], namespaces: [shared, { name: fresh, create: true }] });
            await t.setJsonKey(makeThrowawayKey("one-cluster"));
            await t.stack.setConfig("gcr-pull-secrets:kubeconfig", { value: fs.readFileSync(otherKubeconfig, "utf8"), secret: true });
            const result = await t.stack.up({ ...t.io });
            assert.strictEqual(result.summary.result, "succeeded");

            const other = kube(otherKubeconfig).core;
            assert.strictEqual((await other.readNamespacedSecret({ name: "regcred", namespace: shared })).type, "kubernetes.io/dockerconfigjson");
            assert.strictEqual((await other.readNamespacedSecret({ name: "regcred", namespace: fresh })).type, "kubernetes.io/dockerconfigjson");
            assert.deepStrictEqual(await pullSecretNames(shared, "default", otherKubeconfig), ["someone-elses", "regcred"]);
            assert.deepStrictEqual(await pullSecretNames(fresh, "default", otherKubeconfig), ["regcred"]);

            const first = kube().core;
            await assert.rejects(first.readNamespacedSecret({ name: "regcred", namespace: shared }), (e: { code?: number }) => e.code === 404);
            await assert.rejects(first.readNamespace({ name: fresh }), (e: { code?: number }) => e.code === 404);
            assert.deepStrictEqual(await pullSecretNames(shared), ["someone-elses"], "the first cluster's ServiceAccount is untouched");
        });

        assert.deepStrictEqual(await pullSecretNames(shared, "default", otherKubeconfig), ["someone-elses"], "destroy cleaned the other cluster");
        assert.deepStrictEqual(await pullSecretNames(shared), ["someone-elses"]);
    });
});
