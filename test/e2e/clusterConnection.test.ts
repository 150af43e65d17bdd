import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { makeThrowawayKey } from "../../dev/keys/throwawayKey";
import { startFaultProxy } from "./faultProxy";
import { changes, copyProject, createNamespace, createTestStack, kube, pullSecretNames, readPullSecret, uniqueNamespace, waitFor } from "./harness";

/** The test cluster's kubeconfig text (the harness's, from KUBECONFIG). */
const clusterKubeconfig = () => fs.readFileSync(process.env.KUBECONFIG!, "utf8");

/**
 * A copy of the repository's project whose index.ts is `program` (which may import ./components):
 * the repository's program with one thing a user's program could do differently.
 */
function projectWith(program: string[]): string {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "gcr-pull-secrets-e2e-program-"));
    copyProject(workDir, [...program, ""].join("\n"));
    return workDir;
}

describe("end to end: a listed namespace that is being deleted", function () {
    it("fails the preview, naming it and the way out, and touches nothing", async () => {
        const present = uniqueNamespace("present");
        const leaving = uniqueNamespace("leaving");
        await createNamespace(present);
        await createNamespace(leaving);
        const { core } = kube();
        // A finalizer nobody removes keeps the namespace terminating until the test lets it go.
        const hold = { name: "hold", namespace: leaving };
        await core.createNamespacedConfigMap({ namespace: leaving, body: { metadata: { name: "hold", finalizers: ["e2e.gcr-pull-secrets/hold"] } } });
        await core.deleteNamespace({ name: leaving });
        await waitFor("the namespace to be terminating", async () => (await core.readNamespace({ name: leaving })).status?.phase === "Terminating");
        const t = await createTestStack();
        try {
            t.setSettings({ registries: ["asia.gcr.io"], namespaces: [present, leaving] });
            await t.setJsonKey(makeThrowawayKey("leaving"));
            const preview = await t.runCli(["preview"]);
            assert.notStrictEqual(preview.code, 0, preview.output);
            assert.match(
                preview.output,
                new RegExp(`namespace "${leaving}" is being deleted \\(terminating\\), and no Secret can be created in it: remove it from the namespaces`),
            );
            await assert.rejects(core.readNamespacedSecret({ name: "regcred", namespace: present }), (e: { code?: number }) => e.code === 404);
        } finally {
            await t.dispose();
            await core.patchNamespacedConfigMap({ ...hold, body: [{ op: "remove", path: "/metadata/finalizers" }] }).catch(() => undefined);
        }
    });
});

describe("end to end: an API server that is busy, or does not answer", function () {
    it("429 with Retry-After and 503 are retried after the wait asked for, and the update succeeds", async () => {
        const ns = uniqueNamespace("busy");
        await createNamespace(ns);
        const proxy = await startFaultProxy(process.env.KUBECONFIG!);
        const t = await createTestStack();
        try {
            t.setSettings({ registries: ["asia.gcr.io"], namespaces: [ns] });
            await t.setJsonKey(makeThrowawayKey("busy"));
            await t.stack.setConfig("gcr-pull-secrets:kubeconfig", { value: proxy.kubeconfigText, secret: true });
            const secretsPath = new RegExp(`^POST /api/v1/namespaces/${ns}/secrets`);
            proxy.faults.push({ match: secretsPath, answer: 429, retryAfterSeconds: 1, remaining: 2 });
            proxy.faults.push({ match: new RegExp(`^PATCH /api/v1/namespaces/${ns}/serviceaccounts/default`), answer: 503, remaining: 2 });

            const up = await t.runCli(["up", "--yes", "--skip-preview"]);
            assert.strictEqual(up.code, 0, up.output);
            assert.match(up.output, /createNamespacedSecret \S+: HTTP 429 \(too many requests\); trying again after 1s \(Retry-After\)/);
            assert.match(up.output, /patchNamespacedServiceAccount \S+: HTTP 503; trying again/);
            const creates = proxy.seen.filter((s) => secretsPath.test(s.request));
            assert.deepStrictEqual(
                creates.map((s) => s.fault),
                [429, 429, undefined],
                "two refused, the third passed",
            );
            assert.ok(creates[1].at - creates[0].at >= 950 && creates[2].at - creates[1].at >= 950, "each retry waited the 1 s asked for");
            assert.strictEqual((await readPullSecret(ns)).type, "kubernetes.io/dockerconfigjson");
            assert.deepStrictEqual(await pullSecretNames(ns), ["regcred"]);
        } finally {
            await t.dispose();
            await proxy.stop();
        }
    });

    it("a PullSecret's customTimeouts ends a call that hangs at its deadline, naming the timeout", async () => {
        const ns = uniqueNamespace("deadline");
        await createNamespace(ns);
        const proxy = await startFaultProxy(process.env.KUBECONFIG!);
        // The component's PullSecrets get customTimeouts as the docs say: through a transform.
        const workDir = projectWith([
            'import { GcrPullSecrets } from "./components/gcrPullSecrets";',
            'import { readStackConfig } from "./components/config";',
            'new GcrPullSecrets("gcr-pull-secrets", readStackConfig(), {',
            "    transforms: [",
            '        ({ type, props, opts }) => (type === "gcr-pull-secrets:index:PullSecret" ? { props, opts: { ...opts, customTimeouts: { create: "6s" } } } : undefined),',
            "    ],",
            "});",
        ]);
        const t = await createTestStack({ workDir });
        try {
            t.setSettings({ registries: ["asia.gcr.io"], namespaces: [ns] });
            await t.setJsonKey(makeThrowawayKey("deadline"));
            await t.stack.setConfig("gcr-pull-secrets:kubeconfig", { value: proxy.kubeconfigText, secret: true });
            const hang = { match: new RegExp(`^POST /api/v1/namespaces/${ns}/secrets`), answer: "hold" as const, remaining: 1000 };
            proxy.faults.push(hang);
            const started = Date.now();
            const up = await t.runCli(["up", "--yes", "--skip-preview"]);
            const took = Date.now() - started;
            assert.notStrictEqual(up.code, 0, up.output);
            assert.match(up.output, /creating gcr-pull-secrets-deadline-\w+ did not finish within its timeout of 6s \(customTimeouts\)/);
            assert.ok(took < 60_000, `pulumi up took ${took} ms (without customTimeouts a call waits up to 120 s)`);
            assert.strictEqual(proxy.held(), 0, "the pending request was aborted, not left open");
            hang.remaining = 0;
        } finally {
            await t.dispose();
            await proxy.stop();
            fs.rmSync(workDir, { recursive: true, force: true });
        }
    });

    it("Ctrl-C while calls hang: pulumi up ends within seconds, saying it was cancelled", async () => {
        const ns = uniqueNamespace("hang");
        await createNamespace(ns);
        const proxy = await startFaultProxy(process.env.KUBECONFIG!);
        const t = await createTestStack();
        try {
            t.setSettings({ registries: ["asia.gcr.io"], namespaces: [ns] });
            await t.setJsonKey(makeThrowawayKey("hang"));
            await t.stack.setConfig("gcr-pull-secrets:kubeconfig", { value: proxy.kubeconfigText, secret: true });
            const hang = { match: new RegExp(`^POST /api/v1/namespaces/${ns}/secrets`), answer: "hold" as const, remaining: 1000 };
            proxy.faults.push(hang);

            const up = t.spawnCli(["up", "--yes", "--skip-preview"]);
            let output = "";
            up.stdout!.on("data", (chunk: Buffer) => (output += String(chunk)));
            up.stderr!.on("data", (chunk: Buffer) => (output += String(chunk)));
            const exited = new Promise<number | null>((resolve) => up.on("close", resolve));
            await waitFor("a request held by the proxy", async () => proxy.held() > 0, 120_000);
            const interrupted = Date.now();
            up.kill("SIGINT");
            const code = await exited;
            const took = Date.now() - interrupted;
            assert.notStrictEqual(code, 0, output);
            assert.ok(took < 10_000, `pulumi up took ${took} ms to end after Ctrl-C (an attempt alone waits 15 s, a call 120 s)\n${output}`);
            assert.match(output, /the update was cancelled/);
            assert.strictEqual(proxy.held(), 0, "the pending request was aborted, not left open");
            hang.remaining = 0;
        } finally {
            await t.dispose();
            await proxy.stop();
        }
    });
});

describe("end to end: which cluster the provider is connected to", function () {
    it("with clusterIdentifier, another URL of the same cluster is an update, not a replacement; without it, a replacement", async () => {
        const ns = uniqueNamespace("moved");
        await createNamespace(ns);
        const kubeconfig = clusterKubeconfig();
        const server = (JSON.parse(kubeconfig) as { clusters: { cluster: { server: string } }[] }).clusters[0].cluster.server;
        assert.match(server, /^https:\/\/127\.0\.0\.1:\d+$/);
        // The serving certificate names localhost too: the same API server under another URL.
        const byName = kubeconfig.split(server).join(server.replace("127.0.0.1", "localhost"));
        const t = await createTestStack();
        try {
            t.setSettings({ registries: ["asia.gcr.io"], namespaces: [ns], clusterIdentifier: "e2e-cluster" });
            await t.setJsonKey(makeThrowawayKey("moved"));
            await t.stack.setConfig("gcr-pull-secrets:kubeconfig", { value: kubeconfig, secret: true });
            assert.strictEqual((await t.stack.up({ ...t.io })).summary.result, "succeeded");
            const before = await readPullSecret(ns);

            await t.stack.setConfig("gcr-pull-secrets:kubeconfig", { value: byName, secret: true });
            const preview = await t.stack.preview({ ...t.io });
            assert.deepStrictEqual(changes(preview.changeSummary), { update: 1 }, "the provider alone is updated");
            const up = await t.stack.up({ ...t.io });
            assert.deepStrictEqual(changes(up.summary.resourceChanges), { update: 1 });
            assert.strictEqual((await readPullSecret(ns)).uid, before.uid, "the Secret is the same object");
            assert.deepStrictEqual(await pullSecretNames(ns), ["regcred"]);

            // The control: without the identifier, the URL decides, and it changed.
            t.setSettings({ registries: ["asia.gcr.io"], namespaces: [ns] });
            await t.stack.setConfig("gcr-pull-secrets:kubeconfig", { value: kubeconfig, secret: true });
            const withoutIdentifier = await t.stack.preview({ ...t.io });
            assert.ok((withoutIdentifier.changeSummary.replace ?? 0) >= 1, JSON.stringify(withoutIdentifier.changeSummary));
        } finally {
            await t.dispose();
        }
    });

    it("a kubeconfig not known at preview (a cluster made in the same update) previews as a possible replacement", async () => {
        const ns = uniqueNamespace("unknown");
        await createNamespace(ns);
        // The repository's program, except that the kubeconfig is unknown in a preview when asked:
        // what a kubeconfig taken from a cluster resource that is changing looks like to the engine.
        const workDir = projectWith([
            'import * as pulumi from "@pulumi/pulumi";',
            'import { GcrPullSecrets } from "./components/gcrPullSecrets";',
            'import { readStackConfig } from "./components/config";',
            "const args = readStackConfig();",
            'const unknown = new pulumi.Config("e2e").getBoolean("unknownKubeconfig") && pulumi.runtime.isDryRun();',
            "const kubeconfig = unknown ? pulumi.secret(pulumi.output(pulumi.unknown as unknown as string)) : args.kubeconfig;",
            'new GcrPullSecrets("gcr-pull-secrets", Object.assign(Object.create(Object.getPrototypeOf(args)), args, { kubeconfig }));',
        ]);
        const t = await createTestStack({ workDir });
        try {
            t.setSettings({ registries: ["asia.gcr.io"], namespaces: [ns] });
            await t.setJsonKey(makeThrowawayKey("unknown"));
            await t.stack.setConfig("gcr-pull-secrets:kubeconfig", { value: clusterKubeconfig(), secret: true });
            assert.strictEqual((await t.stack.up({ ...t.io })).summary.result, "succeeded");

            await t.stack.setConfig("e2e:unknownKubeconfig", { value: "true" });
            const preview = await t.stack.preview({ ...t.io });
            assert.ok((preview.changeSummary.replace ?? 0) >= 1, `${JSON.stringify(preview.changeSummary)}\n${preview.stdout}`);
            assert.match(preview.stdout, /gcr-pull-secrets:index:PullSecret/);
            await t.stack.removeConfig("e2e:unknownKubeconfig");
        } finally {
            await t.dispose();
            fs.rmSync(workDir, { recursive: true, force: true });
        }
    });
});
