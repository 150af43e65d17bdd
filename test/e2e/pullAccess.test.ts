/*
 * verifyPullAccess and verifyRepositories against the real API server: after `pulumi up`, a dry-run
 * Pod per namespace and ServiceAccount must come back with the pull Secret. One namespace has a
 * mutating webhook (served by this test) that replaces imagePullSecrets with its own, one a
 * ValidatingAdmissionPolicy that refuses every pod, one is normal. The repository check goes to a
 * local HTTPS stand-in of Google's token endpoint, reached through the test-only endpoint override.
 */
import * as assert from "assert";
import { makeThrowawayKey } from "../../dev/keys/throwawayKey";
import { testEndpointsVariable } from "../../provider/registryToken";
import { changes, cliOutput, createNamespace, createTestStack, kube, uniqueNamespace, waitFor } from "./harness";
import { FakeRegistryToken, startFakeRegistryToken } from "./fakeRegistryToken";
import { LoopbackTls, loopbackTls } from "./loopbackTls";
import { secretsOnlyKubeconfig } from "./ownershipHelpers";
import { installDenyPolicy, installStripWebhook, StripWebhook } from "./stripWebhook";

/** Whether a dry-run Pod in `namespace` is refused. */
async function podsRefused(namespace: string): Promise<boolean> {
    try {
        await kube().core.createNamespacedPod({
            namespace,
            dryRun: "All",
            body: { metadata: { generateName: "probe-" }, spec: { containers: [{ name: "c", image: "asia.gcr.io/x/y:1" }] } },
        });
        return false;
    } catch {
        return true;
    }
}

describe("end to end: pull access is checked after pulumi up", function () {
    const nsOk = uniqueNamespace("access-ok");
    const nsStrip = uniqueNamespace("access-strip");
    const nsDeny = uniqueNamespace("access-deny");
    const host = "asia.gcr.io";
    const keyJson = makeThrowawayKey("e2e-access");
    let tls: LoopbackTls;
    let webhook: StripWebhook | undefined;
    let policy: { remove(): Promise<void> } | undefined;
    let registry: FakeRegistryToken;
    let t: Awaited<ReturnType<typeof createTestStack>>;
    const printedFrom = cliOutput.length;

    before(async function () {
        for (const ns of [nsOk, nsStrip, nsDeny]) await createNamespace(ns);
        tls = loopbackTls();
        webhook = await installStripWebhook(tls, nsStrip, `strip-${nsStrip}`);
        policy = await installDenyPolicy(nsDeny, `deny-${nsDeny}`);
        // Both take effect once the API server has loaded them.
        await waitFor("the policy to refuse pods", () => podsRefused(nsDeny));
        await waitFor("the webhook to be called", async () => (await podsRefused(nsStrip)) === false && webhook!.seen.length > 0);
        registry = await startFakeRegistryToken(tls, host, `_json_key:${keyJson}`, ["acme/web"]);
        t = await createTestStack({
            env: { [testEndpointsVariable]: JSON.stringify({ [host]: { url: registry.url, caFile: tls.certFile } }) },
        });
        t.setSettings({ registries: [host], namespaces: [nsOk, nsStrip, nsDeny], verifyRepositories: [`${host}/acme/web`, `${host}/acme/billing`] });
        await t.setJsonKey(keyJson);
    });

    after(async function () {
        await webhook?.remove();
        await policy?.remove();
        await t?.dispose();
        await registry?.close();
        tls?.remove();
    });

    it("up succeeds, reports the normal namespace verified, the stripped one stripped and the refused one denied, and warns about each", async () => {
        const result = await t.stack.up({ ...t.io });
        assert.strictEqual(result.summary.result, "succeeded");
        const pullAccess = result.outputs.pullAccess.value;
        assert.deepStrictEqual(pullAccess[nsOk].serviceAccounts, { default: { status: "verified" } });
        assert.strictEqual(pullAccess[nsOk].status, "verified");
        assert.strictEqual(pullAccess[nsStrip].status, "stripped");
        assert.match(
            pullAccess[nsStrip].serviceAccounts.default.detail,
            /^admitted without regcred \(it got mirror-cred\): something in admission removed it \(the ServiceAccount lists it\)/,
        );
        assert.strictEqual(pullAccess[nsDeny].status, "denied");
        assert.match(pullAccess[nsDeny].serviceAccounts.default.detail, /refused: .*no pods in this namespace \(e2e\)/);
        const printed = cliOutput.slice(printedFrom).join("");
        assert.match(
            printed,
            new RegExp(
                `pull access in namespace ${nsStrip}, ServiceAccount default: stripped: admitted without regcred \\(it got mirror-cred\\): something in admission removed it`,
            ),
        );
        assert.match(printed, new RegExp(`pull access in namespace ${nsDeny}, ServiceAccount default: denied`));
        assert.doesNotMatch(printed, new RegExp(`pull access in namespace ${nsOk}, ServiceAccount`));
        assert.ok(
            webhook!.seen.some((line) => line === `${nsStrip} dryRun=true`),
            "the webhook saw the check's dry-run Pod",
        );
    });

    it("the namespace's credential is allowed the granted repository and denied the other, asked once per repository", async () => {
        const outputs = await t.stack.outputs();
        for (const ns of [nsOk, nsStrip, nsDeny]) {
            assert.deepStrictEqual(outputs.pullAccess.value[ns].repositories[`${host}/acme/web`], { access: "allowed" });
            assert.strictEqual(outputs.pullAccess.value[ns].repositories[`${host}/acme/billing`].access, "denied");
            assert.match(outputs.pullAccess.value[ns].repositories[`${host}/acme/billing`].detail, /^HTTP 403: DENIED: Permission/);
        }
        assert.deepStrictEqual(registry.requests.map((r) => r.path).sort(), [
            `/v2/token?scope=repository%3Aacme%2Fbilling%3Apull&service=${host}`,
            `/v2/token?scope=repository%3Aacme%2Fweb%3Apull&service=${host}`,
        ]);
        assert.ok(registry.requests.every((r) => r.user === "_json_key"));
        const printed = cliOutput.slice(printedFrom).join("");
        assert.match(printed, new RegExp(`pull access in namespace ${nsOk} to ${host}/acme/billing: denied: HTTP 403: DENIED`));
        // Neither the key nor the docker config's auth nor the registry's token is printed or exported.
        const auth = Buffer.from(`_json_key:${keyJson}`).toString("base64");
        for (const text of [printed, JSON.stringify(outputs), t.exportState()]) {
            assert.ok(!text.includes(JSON.parse(keyJson).private_key.slice(40, 80)), "no key");
            assert.ok(!text.includes(auth.slice(0, 60)), "no auth");
            assert.ok(!text.includes("fake-registry-token"), "no registry token");
        }
    });

    it("creates no Pod, and a preview afterwards is empty and sends no dry-run Pod", async () => {
        for (const ns of [nsOk, nsStrip, nsDeny]) {
            assert.deepStrictEqual((await kube().core.listNamespacedPod({ namespace: ns })).items, []);
        }
        const seenBefore = webhook!.seen.length;
        const asked = registry.requests.length;
        const preview = await t.stack.preview({ ...t.io });
        assert.deepStrictEqual(changes(preview.changeSummary), {});
        // As a drift check in a pipeline runs it: the output, unknown in a preview, is not a change.
        const strict = await t.runCli(["preview", "--diff", "--expect-no-changes", "--debug"]);
        assert.strictEqual(strict.code, 0, strict.output);
        // --debug shows debug messages, but not the SDK's trace of each registration (components/sdkTraceLogs.ts).
        assert.match(strict.output, /debug: /);
        assert.doesNotMatch(strict.output, /(Registering resource|RegisterResource RPC \w+): t=gcr-pull-secrets:index:PullSecret/);
        assert.strictEqual(webhook!.seen.length, seenBefore);
        assert.strictEqual(registry.requests.length, asked);
    });

    it("an up with nothing to change checks again: the webhook gone, the namespace is verified", async () => {
        await webhook!.remove();
        webhook = undefined;
        await waitFor("the webhook to be gone", async () => {
            const pod = await kube().core.createNamespacedPod({
                namespace: nsStrip,
                dryRun: "All",
                body: { metadata: { generateName: "probe-" }, spec: { containers: [{ name: "c", image: "asia.gcr.io/x/y:1" }] } },
            });
            return (pod.spec?.imagePullSecrets ?? []).some((ref) => ref.name === "regcred");
        });
        const again = await t.stack.up({ ...t.io });
        assert.deepStrictEqual(changes(again.summary.resourceChanges), {});
        assert.strictEqual(again.outputs.pullAccess.value[nsStrip].status, "verified");
        assert.strictEqual(again.outputs.pullAccess.value[nsDeny].status, "denied");
    });

    it("verifyPullAccess: false and no verifyRepositories turn both checks off", async () => {
        t.setSettings({ registries: [host], namespaces: [nsOk, nsStrip, nsDeny], verifyPullAccess: false });
        const asked = registry.requests.length;
        const result = await t.stack.up({ ...t.io });
        assert.deepStrictEqual(changes(result.summary.resourceChanges), {});
        assert.deepStrictEqual(result.outputs.pullAccess.value, {});
        assert.strictEqual(registry.requests.length, asked);
    });

    it("a deploy identity without `create pods` still succeeds: the check is skipped with a warning naming the verb", async () => {
        const ns = uniqueNamespace("access-rbac");
        await createNamespace(ns);
        const kubeconfig = await secretsOnlyKubeconfig([ns], `deployer-${ns}`, { patchServiceAccounts: true });
        const limited = await createTestStack({ env: { KUBECONFIG: kubeconfig } });
        try {
            limited.setSettings({ registries: [host], namespaces: [ns] });
            await limited.setJsonKey(keyJson);
            const from = cliOutput.length;
            const result = await limited.stack.up({ ...limited.io });
            assert.strictEqual(result.summary.result, "succeeded");
            assert.strictEqual(result.outputs.pullAccess.value[ns].status, "skipped");
            assert.match(result.outputs.pullAccess.value[ns].serviceAccounts.default.detail, /^no permission to create pods in .*needs `create` on `pods`/);
            assert.match(
                cliOutput.slice(from).join(""),
                new RegExp(`pull access in namespace ${ns}, ServiceAccount default: skipped: no permission to create pods`),
            );
        } finally {
            await limited.dispose();
        }
    });
});
