import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { makeThrowawayKey } from "../../dev/keys/throwawayKey";
import { appendPullSecret, createNamespace, createTestStack, kube, projectAtCommit, pullSecretNames, readPullSecret, uniqueNamespace } from "./harness";
import { watchPullAccess } from "./pullAccessWatch";

/** The last 0.1 release on main: Secrets through the Kubernetes provider, entries through dynamic providers. */
const version01 = "429bec28c01cd9235e7a3e08a30dc931556f0079";

describe("end to end: upgrading a stack deployed with 0.1 (Kubernetes Secret + dynamic providers)", function () {
    it("one pulumi up moves every resource to the provider plugin with no moment without pull access", async () => {
        const existing = uniqueNamespace("up-existing");
        const created = uniqueNamespace("up-created");
        const builder = uniqueNamespace("up-builder");
        await createNamespace(existing);
        await createNamespace(builder);
        await kube().core.createNamespacedServiceAccount({ namespace: builder, body: { metadata: { name: "builder" } } });
        await appendPullSecret(existing, "someone-elses");
        const settings = {
            registries: ["asia.gcr.io"],
            namespaces: [existing, { name: created, create: true }, { name: builder, serviceAccounts: ["builder"] }],
        };
        const key = makeThrowawayKey("upgrade");

        const legacyDir = projectAtCommit(version01);
        const old = await createTestStack({ workDir: legacyDir });
        let current: Awaited<ReturnType<typeof createTestStack>> | undefined;
        try {
            old.setSettings(settings);
            await old.setJsonKey(key);
            const deployed = await old.stack.up({ ...old.io });
            assert.strictEqual(deployed.summary.result, "succeeded");
            const before = old.exportState();
            assert.match(before, /pulumi-nodejs:dynamic:ServiceAccountPullSecret/, "0.1 wrote its entries through the dynamic provider");
            assert.match(before, /kubernetes:core\/v1:Secret/);
            const uids: Record<string, string | undefined> = {};
            for (const ns of [existing, created, builder]) uids[ns] = (await readPullSecret(ns)).uid;

            // The same stack, now run by this version of the program.
            const stackFile = `Pulumi.${old.name}.yaml`;
            current = await createTestStack({ name: old.name, select: true });
            fs.copyFileSync(path.join(legacyDir, stackFile), path.join(current.stack.workspace.workDir, stackFile));
            const watching = await watchPullAccess({
                [existing]: ["default"],
                [created]: ["default"],
                [builder]: ["default", "builder"],
            });
            const upgraded = await current.stack.up({ ...current.io }).finally(watching.stop);
            assert.strictEqual(upgraded.summary.result, "succeeded");
            assert.deepStrictEqual(watching.problems, [], `pull access was interrupted:\n${watching.events.join("\n")}`);
            // The watches did see the upgrade: each Secret was rewritten in place (0.1's annotations dropped).
            for (const ns of [existing, created, builder]) {
                assert.ok(
                    watching.events.includes(`MODIFIED secret ${ns}/regcred uid=${uids[ns]}`),
                    `no write to ${ns}/regcred seen:\n${watching.events.join("\n")}`,
                );
            }

            for (const ns of [existing, created, builder]) {
                assert.strictEqual((await readPullSecret(ns)).uid, uids[ns], `the Secret in ${ns} was recreated`);
                assert.strictEqual((await readPullSecret(ns)).config.auths["asia.gcr.io"].password, key);
            }
            assert.deepStrictEqual(await pullSecretNames(existing), ["someone-elses", "regcred"]);
            assert.deepStrictEqual(await pullSecretNames(created), ["regcred"]);
            assert.deepStrictEqual(await pullSecretNames(builder, "builder"), ["regcred"]);

            const after = current.exportState();
            const resources: { type: string }[] = JSON.parse(after).deployment.resources;
            const leftOver = resources.filter(
                (r) => r.type.startsWith("pulumi-nodejs") || r.type.includes("pulumi-nodejs") || r.type === "kubernetes:core/v1:Secret",
            );
            assert.deepStrictEqual(leftOver, [], "nothing of 0.1 is left in the state");
            assert.doesNotMatch(after, /"__provider"/, "no serialized provider code is left in the state");
            assert.strictEqual(resources.filter((r) => r.type === "gcr-pull-secrets:index:PullSecret").length, 3, "one PullSecret per namespace");

            const again = await current.stack.preview({ ...current.io });
            const changed = Object.entries(again.changeSummary).filter(([op, n]) => op !== "same" && (n ?? 0) > 0);
            assert.deepStrictEqual(changed, [], "a second run changes nothing");
        } finally {
            if (current) await current.dispose();
            else await old.dispose();
        }
        assert.deepStrictEqual(await pullSecretNames(existing), ["someone-elses"], "destroy removed only our entry");
    });
});
