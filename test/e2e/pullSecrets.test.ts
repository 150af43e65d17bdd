import * as assert from "assert";
import { Stack } from "@pulumi/pulumi/automation";
import { makeThrowawayKey } from "../../dev/keys/throwawayKey";
import {
    admittedPullSecrets,
    appendPullSecret,
    changes,
    cliOutput,
    createNamespace,
    heldDigest,
    kube,
    pullSecretNames,
    readPullSecret,
    StackSettings,
    uniqueNamespace,
    createTestStack,
    findKeyMaterial,
    keepForDebugging,
} from "./harness";

/** Changes besides "same" in a preview's or update's summary. */
describe("end to end: one stack's whole life on a real cluster", function () {
    const nsA = uniqueNamespace("team-a");
    const nsB = uniqueNamespace("team-b");
    const nsNew = uniqueNamespace("fresh");
    const hosts = ["asia.gcr.io", "europe-west1-docker.pkg.dev"];
    let keyJson = makeThrowawayKey("e2e");
    const oldKeys: string[] = [];
    let t: Awaited<ReturnType<typeof createTestStack>>;
    let stack: Stack;
    let settings: StackSettings;
    const uids: Record<string, string | undefined> = {};

    before(async function () {
        await createNamespace(nsA);
        await createNamespace(nsB);
        // Someone else's entry, put there the way `kubectl patch` users do.
        await appendPullSecret(nsA, "someone-elses");
        settings = { registries: hosts, namespaces: [nsA, nsB] };
        t = await createTestStack();
        stack = t.stack;
        t.setSettings(settings);
        await t.setJsonKey(keyJson);
    });

    after(async function () {
        // Scenario 9 destroys; this only cleans up when a test failed before it.
        await t?.dispose();
    });

    it("up writes a dockerconfigjson Secret in every namespace and adds it to default; a Pod without imagePullSecrets gets ours", async () => {
        const result = await stack.up({ ...t.io });
        assert.strictEqual(result.summary.result, "succeeded");
        for (const ns of [nsA, nsB]) {
            const secret = await readPullSecret(ns);
            assert.strictEqual(secret.type, "kubernetes.io/dockerconfigjson");
            assert.strictEqual(secret.labels["app.kubernetes.io/part-of"], "gcr-pull-secrets");
            assert.deepStrictEqual(Object.keys(secret.config.auths).sort(), hosts);
            for (const host of hosts) {
                const entry = secret.config.auths[host];
                assert.strictEqual(entry.username, "_json_key");
                assert.strictEqual(entry.password, JSON.parse(JSON.stringify(keyJson)));
                assert.strictEqual(Buffer.from(entry.auth, "base64").toString(), `_json_key:${keyJson}`);
            }
            uids[ns] = secret.uid;
        }
        assert.deepStrictEqual(await pullSecretNames(nsA), ["someone-elses", "regcred"]);
        assert.deepStrictEqual(await pullSecretNames(nsB), ["regcred"]);
        assert.deepStrictEqual(await admittedPullSecrets(nsB, "no-pull-secrets"), ["regcred"]);
        assert.deepStrictEqual(await admittedPullSecrets(nsA, "no-pull-secrets"), ["someone-elses", "regcred"]);
        assert.deepStrictEqual(result.outputs.secretNames.value, { [nsA]: "regcred", [nsB]: "regcred" });
        assert.strictEqual(result.outputs.keyId.value, JSON.parse(keyJson).private_key_id);
        assert.strictEqual(result.outputs.keyId.secret, false);
        assert.deepStrictEqual(result.outputs.registryHosts.value, hosts);
    });

    it("a second up changes nothing, and a preview right after reports no changes", async () => {
        const again = await stack.up({ ...t.io });
        assert.deepStrictEqual(changes(again.summary.resourceChanges), {});
        const preview = await stack.preview({ ...t.io });
        assert.deepStrictEqual(changes(preview.changeSummary), {});
    });

    it("adding a namespace (created in the same up) previews as exactly its resources; it gets its Secret and default entry", async () => {
        settings = { ...settings, namespaces: [nsA, { name: nsNew, create: true }, nsB] };
        t.setSettings(settings);
        const preview = await stack.preview({ ...t.io });
        // The Kubernetes provider (the first namespace the stack creates), the Namespace, and its
        // PullSecret (the Secret and its default ServiceAccount entry).
        assert.deepStrictEqual(changes(preview.changeSummary), { create: 3 });
        const result = await stack.up({ ...t.io });
        assert.deepStrictEqual(changes(result.summary.resourceChanges), { create: 3 });
        assert.strictEqual((await readPullSecret(nsNew)).type, "kubernetes.io/dockerconfigjson");
        assert.deepStrictEqual(await pullSecretNames(nsNew), ["regcred"]);
        uids[nsNew] = (await readPullSecret(nsNew)).uid;
    });

    it("reordering namespaces previews as no change", async () => {
        t.setSettings({ ...settings, namespaces: [nsB, nsA, { name: nsNew, create: true }], registries: [...hosts].reverse() });
        const preview = await stack.preview({ ...t.io });
        assert.deepStrictEqual(changes(preview.changeSummary), {});
        t.setSettings(settings);
    });

    it("drift: removing our entry by hand shows in preview --refresh, and up --refresh restores it", async () => {
        const { core } = kube();
        const names = await pullSecretNames(nsB);
        const ours = names.indexOf("regcred");
        await core.patchNamespacedServiceAccount(
            { name: "default", namespace: nsB, body: [{ op: "remove", path: `/imagePullSecrets/${ours}` }] },
            (await import("@kubernetes/client-node")).setHeaderOptions("Content-Type", "application/json-patch+json"),
        );
        assert.deepStrictEqual(await pullSecretNames(nsB), []);
        const preview = await stack.preview({ ...t.io, refresh: true });
        assert.deepStrictEqual(changes(preview.changeSummary), { update: 1 });
        const result = await stack.up({ ...t.io, refresh: true });
        assert.deepStrictEqual(changes(result.summary.resourceChanges), { update: 1 });
        assert.deepStrictEqual(await pullSecretNames(nsB), ["regcred"]);
    });

    it("entries others add survive refresh, and a concurrent writer's entry is never lost", async () => {
        await appendPullSecret(nsB, "added-later");
        const refresh = await stack.refresh({ ...t.io });
        assert.strictEqual(refresh.summary.result, "succeeded");
        assert.deepStrictEqual(await pullSecretNames(nsB), ["regcred", "added-later"]);

        // Take ours away again so the next up must write, and race a writer against it.
        const { core } = kube();
        const k8s = await import("@kubernetes/client-node");
        await core.patchNamespacedServiceAccount(
            { name: "default", namespace: nsB, body: [{ op: "remove", path: "/imagePullSecrets/0" }] },
            k8s.setHeaderOptions("Content-Type", "application/json-patch+json"),
        );
        let stop = false;
        const written: string[] = [];
        const writer = (async () => {
            for (let i = 0; !stop && i < 400; i++) {
                await appendPullSecret(nsB, `racer-${i}`);
                written.push(`racer-${i}`);
                await new Promise((resolve) => setTimeout(resolve, 20));
            }
        })();
        const result = await stack.up({ ...t.io, refresh: true });
        stop = true;
        await writer;
        assert.strictEqual(result.summary.result, "succeeded");
        const final = await pullSecretNames(nsB);
        assert.ok(written.length > 0, "the writer wrote");
        for (const name of ["added-later", ...written]) {
            assert.ok(final.includes(name), `${name} was lost: ${final.join(",")}`);
        }
        assert.strictEqual(final.filter((n) => n === "regcred").length, 1);
    });

    it("a new key updates each Secret in place (same UID), the key masked and each digest a new fingerprint", async () => {
        oldKeys.push(keyJson);
        keyJson = makeThrowawayKey("e2e-rotated");
        await t.setJsonKey(keyJson);
        const preview = await stack.preview({ ...t.io, diff: true });
        // The provider's key, then each of the three Secrets.
        assert.deepStrictEqual(changes(preview.changeSummary), { update: 4 });
        assert.match(preview.stdout, /jsonKey: \[secret\] => \[secret\]/);
        // Each Secret's digest, from that of the content it holds to that of the content up writes.
        const digests = [...preview.stdout.matchAll(/dockerConfigDigest: "(sha256:[0-9a-f]{64})" => "(sha256:[0-9a-f]{64})"/g)].map(
            ([, from, to]) => `${from} => ${to}`,
        );
        const held = await Promise.all([nsA, nsB, nsNew].map((ns) => heldDigest(ns)));
        const result = await stack.up({ ...t.io });
        assert.deepStrictEqual(changes(result.summary.resourceChanges), { update: 4 });
        const written = await Promise.all([nsA, nsB, nsNew].map((ns) => heldDigest(ns)));
        assert.deepStrictEqual(digests.sort(), held.map((from, i) => `${from} => ${written[i]}`).sort());
        assert.ok(
            held.every((from, i) => from !== written[i]),
            "each digest changes",
        );
        for (const ns of [nsA, nsB, nsNew]) {
            const secret = await readPullSecret(ns);
            assert.strictEqual(secret.uid, uids[ns], `Secret in ${ns} was replaced`);
            assert.strictEqual(secret.config.auths["asia.gcr.io"].password, keyJson);
        }
        assert.strictEqual(result.outputs.keyId.value, JSON.parse(keyJson).private_key_id);
    });

    it("no secret in plaintext: state export, preview --diff and all CLI output", async () => {
        const exported = t.exportState();
        const printed = cliOutput.join("");
        keepForDebugging("state-export.json", exported);
        keepForDebugging("cli-output.txt", printed);
        for (const key of [keyJson, ...oldKeys]) {
            assert.strictEqual(findKeyMaterial(exported, key), undefined, "key material in the state");
            assert.strictEqual(findKeyMaterial(printed, key), undefined, "key material in CLI output");
            // The scan itself must be able to see what it looks for.
            assert.ok(findKeyMaterial(Buffer.from(Buffer.from(`_json_key:${key}`).toString("base64")).toString("base64"), key));
        }
        assert.match(exported, /"ciphertext"/, "the state holds the secrets encrypted");
    });

    it("the state keeps no creation stack trace or source position for the PullSecrets", () => {
        // The engine rewrites the whole state after every step; these frames only ever pointed into the component.
        const resources: { type: string; stackTrace?: unknown; sourcePosition?: unknown }[] = JSON.parse(t.exportState()).deployment.resources;
        const pullSecrets = resources.filter((r) => r.type === "gcr-pull-secrets:index:PullSecret");
        assert.strictEqual(pullSecrets.length, 3);
        for (const r of pullSecrets) assert.deepStrictEqual([r.stackTrace, r.sourcePosition], [undefined, undefined]);
    });

    it("destroy removes our Secrets and only our entries; everything else stays", async () => {
        const result = await stack.destroy({ ...t.io });
        assert.strictEqual(result.summary.result, "succeeded");
        const { core } = kube();
        for (const ns of [nsA, nsB, nsNew]) {
            await assert.rejects(core.readNamespacedSecret({ name: "regcred", namespace: ns }), (e: { code?: number }) => e.code === 404);
            assert.ok(!(await pullSecretNames(ns)).includes("regcred"));
        }
        assert.deepStrictEqual(await pullSecretNames(nsA), ["someone-elses"]);
        const rest = await pullSecretNames(nsB);
        assert.ok(rest.includes("added-later") && rest.some((n) => n.startsWith("racer-")));
        // A namespace the stack created is left for its workloads' owners.
        await core.readNamespace({ name: nsNew });
    });
});
