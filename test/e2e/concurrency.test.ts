import * as assert from "assert";
import { dockerConfigDigest } from "../../components/dockerConfig";
import { makeThrowawayKey } from "../../dev/keys/throwawayKey";
import {
    appendPullSecret,
    cliOutput,
    createNamespace,
    createTestStack,
    findKeyMaterial,
    heldDigest,
    keepForDebugging,
    kube,
    pullSecretNames,
    readPullSecret,
    uniqueNamespace,
} from "./harness";
import { startWriter } from "./zeroPauseWriter";

describe("end to end: two stacks, drift of content, and the secret scan at scale", function () {
    it("two stacks with different secret names manage the same namespaces at once; each keeps its own entry", async () => {
        const namespaces = [uniqueNamespace("shared-a"), uniqueNamespace("shared-b")];
        for (const ns of namespaces) {
            await createNamespace(ns);
            await appendPullSecret(ns, "someone-elses");
        }
        const first = await createTestStack();
        const second = await createTestStack();
        try {
            first.setSettings({ registries: ["asia.gcr.io"], namespaces, secretName: "regcred-first" });
            second.setSettings({ registries: ["asia.gcr.io"], namespaces, secretName: "regcred-second" });
            await first.setJsonKey(makeThrowawayKey("first"));
            await second.setJsonKey(makeThrowawayKey("second"));

            const ups = await Promise.all([first.stack.up({ ...first.io }), second.stack.up({ ...second.io })]);
            assert.deepStrictEqual(
                ups.map((u) => u.summary.result),
                ["succeeded", "succeeded"],
            );
            for (const ns of namespaces) {
                const names = await pullSecretNames(ns);
                assert.deepStrictEqual([...names].sort(), ["regcred-first", "regcred-second", "someone-elses"], `${ns}: ${names.join(",")}`);
            }

            const destroys = await Promise.all([first.stack.destroy({ ...first.io }), second.stack.destroy({ ...second.io })]);
            assert.deepStrictEqual(
                destroys.map((d) => d.summary.result),
                ["succeeded", "succeeded"],
            );
            for (const ns of namespaces) assert.deepStrictEqual(await pullSecretNames(ns), ["someone-elses"]);
        } finally {
            await first.dispose();
            await second.dispose();
        }
    });

    it("a Secret edited by hand shows in preview --refresh as a changed digest, and up --refresh writes ours back in place", async () => {
        const ns = uniqueNamespace("content-drift");
        await createNamespace(ns);
        const t = await createTestStack();
        try {
            const key = makeThrowawayKey("drift");
            t.setSettings({ registries: ["asia.gcr.io"], namespaces: [ns] });
            await t.setJsonKey(key);
            await t.stack.up({ ...t.io });
            const before = await readPullSecret(ns);

            const tampered = Buffer.from(JSON.stringify({ auths: { "asia.gcr.io": { auth: Buffer.from("x:y").toString("base64") } } })).toString("base64");
            await kube().core.replaceNamespacedSecret({
                name: "regcred",
                namespace: ns,
                body: { ...(await kube().core.readNamespacedSecret({ name: "regcred", namespace: ns })), data: { ".dockerconfigjson": tampered } },
            });
            const preview = await t.stack.preview({ ...t.io, refresh: true, diff: true });
            assert.strictEqual(preview.changeSummary.update, 1);
            // The digest of what refresh found, then ours: fingerprints, never the content.
            const [, found, ours] = /dockerConfigDigest: "(sha256:[0-9a-f]{64})" => "(sha256:[0-9a-f]{64})"/.exec(preview.stdout) ?? [];
            assert.strictEqual(found, dockerConfigDigest(Buffer.from(tampered, "base64").toString()));
            await t.stack.up({ ...t.io, refresh: true });
            assert.strictEqual(ours, await heldDigest(ns), "the digest of what up --refresh wrote back");
            const after = await readPullSecret(ns);
            assert.strictEqual(after.uid, before.uid);
            assert.strictEqual(after.config.auths["asia.gcr.io"].password, key);
        } finally {
            await t.dispose();
        }
    });

    it("at 60 namespaces, no key material anywhere in the state export or what the CLI printed", async () => {
        const namespaces = Array.from({ length: 60 }, (_, i) => uniqueNamespace(`scan${i}`));
        await Promise.all(namespaces.map((ns) => createNamespace(ns)));
        const t = await createTestStack();
        const printedBefore = cliOutput.length;
        try {
            const key = makeThrowawayKey("scan");
            t.setSettings({ registries: ["asia.gcr.io", "europe-west1-docker.pkg.dev"], namespaces });
            await t.setJsonKey(key);
            const result = await t.stack.up({ ...t.io });
            assert.strictEqual(result.summary.result, "succeeded");
            await t.stack.preview({ ...t.io, diff: true });
            const exported = t.exportState();
            assert.ok(exported.length > 100_000, "the export is the whole state of 60 namespaces");
            const printed = cliOutput.slice(printedBefore).join("");
            keepForDebugging("scale-state-export.json", exported);
            assert.strictEqual(findKeyMaterial(exported, key), undefined, "key material in the state");
            assert.strictEqual(findKeyMaterial(printed, key), undefined, "key material in CLI output");
            assert.strictEqual(
                JSON.parse(exported).deployment.resources.filter((r: { type: string }) => r.type === "gcr-pull-secrets:index:PullSecret").length,
                60,
            );
        } finally {
            await t.dispose();
        }
    });
});

describe("end to end: writers with no pause racing up and destroy", function () {
    it("over several trials no writer's entry is lost; ours is there once after up and gone after destroy", async () => {
        const namespaces = [uniqueNamespace("race-a"), uniqueNamespace("race-b"), uniqueNamespace("race-c")];
        await Promise.all(namespaces.map((ns) => createNamespace(ns)));
        const t = await createTestStack();
        try {
            t.setSettings({ registries: ["asia.gcr.io"], namespaces });
            await t.setJsonKey(makeThrowawayKey("race"));
            for (let trial = 0; trial < 4; trial++) {
                for (const phase of ["up", "destroy"] as const) {
                    const writers = namespaces.map((ns) => startWriter(ns, `w${trial}${phase}`, 5));
                    const result = phase === "up" ? await t.stack.up({ ...t.io }) : await t.stack.destroy({ ...t.io });
                    const expected = await Promise.all(writers.map((w) => w.stop()));
                    assert.strictEqual(result.summary.result, "succeeded");
                    assert.ok(
                        writers.every((w) => w.writes() > 0),
                        "every writer wrote",
                    );
                    for (const [i, ns] of namespaces.entries()) {
                        const names = await pullSecretNames(ns);
                        const theirs = names.filter((n) => n.startsWith(`w${trial}${phase}`));
                        assert.deepStrictEqual(new Set(theirs), expected[i], `${ns} after ${phase} #${trial}: the writer's entries differ`);
                        assert.strictEqual(
                            names.filter((n) => n === "regcred").length,
                            phase === "up" ? 1 : 0,
                            `${ns} after ${phase} #${trial}: [${names.join(",")}]`,
                        );
                    }
                }
            }
        } finally {
            await t.dispose();
        }
    });
});
