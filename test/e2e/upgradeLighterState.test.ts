/**
 * A stack deployed before the state got lighter (each PullSecret's docker config digest kept as a
 * secret, the program run through ts-node) moves to this version with one `pulumi up` that changes
 * nothing in the cluster: the preview before it is empty, no step but `same`, the Secrets and their
 * entries untouched throughout, and afterwards the digests are fingerprints in the clear.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { types } from "../../components/contract";
import { buildDockerConfigJson, dockerConfigDigest } from "../../components/dockerConfig";
import { makeThrowawayKey } from "../../dev/keys/throwawayKey";
import { changes, createNamespace, createTestStack, kube, projectAtCommit, pullSecretNames, uniqueNamespace } from "./harness";
import { stateResources } from "./ownershipHelpers";
import { upgradeWatched } from "./pullAccessWatch";

/** The last commit whose PullSecrets kept the digest as a secret. */
const secretDigests = "d3ab6a3";

describe("end to end: upgrading a stack whose state kept the digests as secrets", function () {
    it("previews empty, takes one up with no step but same and no moment without the entry, and then holds the digests in the clear", async () => {
        const namespaces = [uniqueNamespace("lighter"), uniqueNamespace("lighter")];
        for (const ns of namespaces) await createNamespace(ns);
        const oldDir = projectAtCommit(secretDigests, ["provider"]);
        const old = await createTestStack({ workDir: oldDir });
        let current: Awaited<ReturnType<typeof createTestStack>> | undefined;
        try {
            const keyJson = makeThrowawayKey("lighter-state");
            old.setSettings({ registries: ["asia.gcr.io"], namespaces });
            await old.setJsonKey(keyJson);
            assert.strictEqual((await old.stack.up({ ...old.io })).summary.result, "succeeded");
            const digestsIn = (t: typeof old) =>
                stateResources(t)
                    .filter((r) => r.type === types.pullSecret)
                    .map((r) => r.inputs?.dockerConfigDigest);
            assert.ok(
                digestsIn(old).every((d) => typeof d === "object" && d !== null && "ciphertext" in d),
                "the old version kept each digest as a secret",
            );
            const before = Object.fromEntries(
                await Promise.all(namespaces.map(async (ns) => [ns, await kube().core.readNamespacedSecret({ name: "regcred", namespace: ns })] as const)),
            );

            const stackFile = `Pulumi.${old.name}.yaml`;
            current = await createTestStack({ name: old.name, select: true });
            fs.copyFileSync(path.join(oldDir, stackFile), path.join(current.stack.workspace.workDir, stackFile));
            assert.deepStrictEqual(changes((await current.stack.preview({ ...current.io })).changeSummary), {}, "the preview of the upgrade is empty");

            const { result: upgraded, steps, watching } = await upgradeWatched(current, namespaces);
            assert.strictEqual(upgraded.summary.result, "succeeded");
            assert.deepStrictEqual(steps, [], "nothing but same steps");
            assert.deepStrictEqual(watching.problems, [], `pull access was interrupted:\n${watching.events.join("\n")}`);

            const fingerprint = dockerConfigDigest(buildDockerConfigJson(["asia.gcr.io"], keyJson, "_json_key"));
            assert.deepStrictEqual(digestsIn(current), [fingerprint, fingerprint], "the state now holds each digest as a plain fingerprint");
            for (const ns of namespaces) {
                const now = await kube().core.readNamespacedSecret({ name: "regcred", namespace: ns });
                assert.deepStrictEqual(
                    { uid: now.metadata?.uid, resourceVersion: now.metadata?.resourceVersion, data: now.data },
                    { uid: before[ns].metadata?.uid, resourceVersion: before[ns].metadata?.resourceVersion, data: before[ns].data },
                    `the Secret in ${ns} was written`,
                );
                assert.deepStrictEqual(await pullSecretNames(ns), ["regcred"]);
            }
            assert.deepStrictEqual(changes((await current.stack.preview({ ...current.io })).changeSummary), {}, "the next preview is empty");
        } finally {
            await (current ?? old).dispose();
        }
    });
});
