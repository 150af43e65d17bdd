/**
 * Keyless mode against the real control plane. The stack's Kubernetes objects (the refresher's
 * Namespace, ServiceAccount, Roles, RoleBindings, ConfigMap, CronJob, first-run Job) are created on
 * the API server by the real CLI. This control plane has no scheduler and no kubelet, so no pod ever
 * runs: the refresher script (the very file the ConfigMap carries) runs here as a local process,
 * with the credentials its pod would have: a token of its ServiceAccount from the TokenRequest API
 * for the API server (RBAC enforced: not an admin certificate) and one for the audience the CronJob
 * projects, exchanged at a fake STS on loopback that verifies it against the API server's real JWKS.
 * The Google side needs Google and is covered under mocks (test/unit/components/validation/planKeyless.test.ts); here the
 * stack names an existing pool provider and lists no grants, so it declares no Google resource.
 */
import * as k8s from "@kubernetes/client-node";
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { keyless as names, keySourceAnnotation } from "../../components/contract";
import { exitCodes } from "../../components/refreshPullSecrets";
import { refresherRoleName, refresherScriptFile } from "../../components/specs/refresherSpecs";
import { makeThrowawayKey } from "../../dev/keys/throwawayKey";
import { FakeSts, startFakeSts } from "./fakeSts";
import { changes, cliOutput, createNamespace, createTestStack, kube, pullSecretNames, readPullSecret, uniqueNamespace } from "./harness";

const providerName = "projects/123456789012/locations/global/workloadIdentityPools/e2e-pool/providers/local-cluster";
const tokenAudience = `https://iam.googleapis.com/${providerName}`;
const stsAudience = `//iam.googleapis.com/${providerName}`;
const reader = "reader@acme-dev-123456.iam.gserviceaccount.com";

/** A token of the refresher's ServiceAccount from the TokenRequest API, as the kubelet would project it. */
async function serviceAccountToken(namespace: string, audience: string): Promise<string> {
    const request = await kube().core.createNamespacedServiceAccountToken({
        name: "token-refresher",
        namespace,
        body: { spec: { audiences: [audience], expirationSeconds: 600 } },
    });
    const token = request.status?.token;
    if (!token) throw new Error(`the TokenRequest for ${namespace}/token-refresher returned no token`);
    return token;
}

/** A Secret's annotations, read as an administrator. */
async function secretAnnotations(namespace: string, name = "regcred"): Promise<Record<string, string | undefined>> {
    return (await kube().core.readNamespacedSecret({ name, namespace })).metadata?.annotations ?? {};
}

/** The refresher's Events in a namespace (events.k8s.io/v1), oldest first. */
async function refresherEvents(namespace: string): Promise<k8s.EventsV1Event[]> {
    const events = await kube().config.makeApiClient(k8s.EventsV1Api).listNamespacedEvent({ namespace });
    return events.items
        .filter((event) => event.reportingController === names.eventController)
        .sort((a, b) => String(a.eventTime).localeCompare(String(b.eventTime)));
}

interface RefresherRun {
    code: number | null;
    output: string;
}

describe("end to end: keyless mode (the refresher run as a local process against the real API server)", function () {
    const nsA = uniqueNamespace("kl-a");
    const nsB = uniqueNamespace("kl-b");
    const nsOther = uniqueNamespace("kl-other");
    const refresherNamespace = uniqueNamespace("kl-refresher");
    const hosts = ["asia.gcr.io", "europe-west1-docker.pkg.dev"];
    const keyJson = makeThrowawayKey("keyless-e2e");
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "gcr-pull-secrets-keyless-"));
    const files = { ca: path.join(workDir, "ca.crt"), kubeToken: path.join(workDir, "kube-token"), stsToken: path.join(workDir, "sts-token") };
    const tokens: string[] = [];
    let t: Awaited<ReturnType<typeof createTestStack>>;
    let sts: FakeSts;
    let serverUrl: string;
    /** The API server's own audience (its ServiceAccount issuer, as --api-audiences is not set). */
    let apiAudience: string;
    const uids: Record<string, string | undefined> = {};
    const keylessSettings = {
        registries: hosts,
        namespaces: [nsA, nsB],
        keyless: { workloadIdentityProvider: providerName, namespace: refresherNamespace, waitForFirstRun: false },
    };

    /** Runs the refresher script with the local equivalents of what its pod gets. */
    function runRefresher(env: Record<string, string> = {}): Promise<RefresherRun> {
        const child = spawn(process.execPath, [refresherScriptFile], {
            env: {
                PATH: process.env.PATH ?? "",
                PULL_SECRETS: `${nsA}/regcred,${nsB}/regcred`,
                REGISTRIES: hosts.join(","),
                STS_AUDIENCE: stsAudience,
                STS_URL: sts.url,
                STS_TOKEN_FILE: files.stsToken,
                KUBE_API_URL: serverUrl,
                KUBE_CA_FILE: files.ca,
                KUBE_TOKEN_FILE: files.kubeToken,
                ...env,
            },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        child.stdout.on("data", (chunk: Buffer) => (output += String(chunk)));
        child.stderr.on("data", (chunk: Buffer) => (output += String(chunk)));
        return new Promise((resolve) => child.on("close", (code) => resolve({ code, output })));
    }

    /** Every token this test has seen, in every form the refresher might print it. */
    function assertNoToken(text: string, where: string): void {
        for (const token of [...tokens, ...sts.issued]) {
            for (const form of [token, Buffer.from(`oauth2accesstoken:${token}`).toString("base64"), token.split(".")[1] ?? token]) {
                assert.ok(!text.includes(form), `${where} contains a token`);
            }
        }
    }

    before(async function () {
        for (const ns of [nsA, nsB, nsOther]) await createNamespace(ns);
        const { core, config } = kube();
        // Secrets the refresher must neither read nor write: another in a target namespace, and a
        // Secret of the same name in a namespace the stack does not list.
        for (const [namespace, name] of [
            [nsA, "someone-elses"],
            [nsOther, "regcred"],
        ]) {
            await core.createNamespacedSecret({
                namespace,
                body: { metadata: { name }, type: "kubernetes.io/dockerconfigjson", data: { ".dockerconfigjson": Buffer.from("{}").toString("base64") } },
            });
        }
        const cluster = config.getCurrentCluster()!;
        serverUrl = cluster.server;
        fs.writeFileSync(files.ca, cluster.caData ? Buffer.from(cluster.caData, "base64") : fs.readFileSync(cluster.caFile!));

        // Typed as text, but client-node hands over the parsed document.
        const json = (value: unknown) => (typeof value === "string" ? JSON.parse(value) : value);
        const discovery = json(await config.makeApiClient(k8s.WellKnownApi).getServiceAccountIssuerOpenIDConfiguration());
        const jwks = json(await config.makeApiClient(k8s.OpenidApi).getServiceAccountIssuerOpenIDKeyset());
        apiAudience = discovery.issuer;
        sts = await startFakeSts({
            issuer: discovery.issuer,
            jwks,
            tokenAudience,
            stsAudience,
            subject: `system:serviceaccount:${refresherNamespace}:token-refresher`,
            impersonable: reader,
        });

        t = await createTestStack();
        t.setSettings({ registries: hosts, namespaces: [nsA, nsB] });
        await t.setJsonKey(keyJson);
    });

    after(async function () {
        await sts?.close();
        await t?.dispose();
        fs.rmSync(workDir, { recursive: true, force: true });
    });

    it("1. a stack on a key switches to keyless in place: same Secrets, refresher objects created, nothing replaced", async () => {
        const first = await t.stack.up({ ...t.io });
        assert.strictEqual(first.summary.result, "succeeded");
        for (const ns of [nsA, nsB]) uids[ns] = (await readPullSecret(ns)).uid;

        await t.stack.removeConfig("gcr-pull-secrets:jsonKey");
        t.setSettings(keylessSettings);
        const preview = await t.stack.preview({ ...t.io, diff: true });
        const summary = changes(preview.changeSummary);
        assert.strictEqual(summary.replace, undefined, `nothing is replaced: ${JSON.stringify(summary)}`);
        assert.strictEqual(summary.delete, undefined, `nothing is deleted: ${JSON.stringify(summary)}`);
        // In place: the provider and the two PullSecrets. New: the Kubernetes provider, Namespace,
        // ServiceAccount, 2 Roles, 2 RoleBindings, ConfigMap, CronJob, Job.
        assert.deepStrictEqual(summary, { update: 3, create: 10 });
        assert.match(preview.stdout, /keySource\s*: "supplied" => "keyless"/);

        const up = await t.stack.up({ ...t.io });
        assert.strictEqual(up.summary.result, "succeeded");
        for (const ns of [nsA, nsB]) {
            const secret = await readPullSecret(ns);
            assert.strictEqual(secret.uid, uids[ns], "the same object");
            assert.strictEqual(secret.config.auths["asia.gcr.io"].username, "_json_key", "the key stays until the first refresh");
            assert.deepStrictEqual(await pullSecretNames(ns), ["regcred"]);
        }
        assert.strictEqual(up.outputs.keyId.value, "");
    });

    it("2. the refresher's objects are on the API server: Roles allow get and patch on the one Secret, the ConfigMap carries the script", async () => {
        const { config } = kube();
        const rbac = config.makeApiClient(k8s.RbacAuthorizationV1Api);
        const batch = config.makeApiClient(k8s.BatchV1Api);
        const core = kube().core;
        await core.readNamespace({ name: refresherNamespace });
        await core.readNamespacedServiceAccount({ name: "token-refresher", namespace: refresherNamespace });
        for (const ns of [nsA, nsB]) {
            const role = await rbac.readNamespacedRole({ name: refresherRoleName("regcred"), namespace: ns });
            assert.deepStrictEqual(
                role.rules?.map((r) => ({ apiGroups: r.apiGroups, resources: r.resources, resourceNames: r.resourceNames, verbs: r.verbs })),
                [
                    { apiGroups: [""], resources: ["secrets"], resourceNames: ["regcred"], verbs: ["get", "patch"] },
                    { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: ["create"], resourceNames: undefined },
                ],
            );
            const binding = await rbac.readNamespacedRoleBinding({ name: refresherRoleName("regcred"), namespace: ns });
            assert.deepStrictEqual(
                binding.subjects?.map((s) => `${s.kind}:${s.namespace}/${s.name}`),
                [`ServiceAccount:${refresherNamespace}/token-refresher`],
            );
        }
        const configMaps = await core.listNamespacedConfigMap({ namespace: refresherNamespace, labelSelector: "app.kubernetes.io/component=token-refresher" });
        assert.strictEqual(configMaps.items.length, 1);
        assert.strictEqual(configMaps.items[0].data?.[path.basename(names.scriptPath)], fs.readFileSync(refresherScriptFile, "utf8"));
        const cronJob = await batch.readNamespacedCronJob({ name: "token-refresher", namespace: refresherNamespace });
        assert.strictEqual(cronJob.spec?.schedule, "*/30 * * * *");
        const pod = cronJob.spec!.jobTemplate.spec!.template.spec!;
        const projected = pod.volumes?.find((v) => v.name === "sts-token")?.projected?.sources?.[0].serviceAccountToken;
        assert.strictEqual(projected?.audience, tokenAudience);
        assert.strictEqual(pod.containers[0].env?.find((e) => e.name === "STS_AUDIENCE")?.value, stsAudience);
        const jobs = await batch.listNamespacedJob({ namespace: refresherNamespace });
        assert.strictEqual(jobs.items.length, 1, "the first run exists (no kubelet here runs its pod)");
        for (const job of [cronJob.spec!.jobTemplate.spec!, jobs.items[0].spec!]) {
            // As the API server stored them: a configuration error (exit 2) fails the Job at once; the pod is locked down.
            assert.deepStrictEqual(
                job.podFailurePolicy?.rules?.map((rule) => [rule.action, rule.onExitCodes?.values]),
                [["FailJob", [2]]],
            );
            const container = job.template.spec!.containers[0];
            assert.match(container.image ?? "", /^node:22-alpine@sha256:[0-9a-f]{64}$/);
            assert.deepStrictEqual(container.securityContext?.capabilities?.drop, ["ALL"]);
            assert.strictEqual(container.securityContext?.readOnlyRootFilesystem, true);
            assert.strictEqual(job.template.spec!.securityContext?.seccompProfile?.type, "RuntimeDefault");
        }
    });

    it("3. the refresher refreshes every listed Secret with its own ServiceAccount's tokens, and prints no token", async () => {
        // What the kubelet would give its pod: the default token for the API server, and one for the federation's audience.
        fs.writeFileSync(files.kubeToken, await serviceAccountToken(refresherNamespace, apiAudience));
        fs.writeFileSync(files.stsToken, await serviceAccountToken(refresherNamespace, tokenAudience));
        tokens.push(fs.readFileSync(files.kubeToken, "utf8"), fs.readFileSync(files.stsToken, "utf8"));
        const before = Date.now();
        const run = await runRefresher();
        assert.strictEqual(run.code, 0, run.output);
        assert.strictEqual(sts.issued.length, 1, `one exchange; refusals: ${sts.refusals.join("; ")}`);
        const token = sts.issued[0];
        for (const ns of [nsA, nsB]) {
            const secret = await readPullSecret(ns);
            assert.strictEqual(secret.uid, uids[ns]);
            assert.deepStrictEqual(Object.keys(secret.config.auths).sort(), hosts);
            for (const host of hosts) {
                assert.deepStrictEqual(secret.config.auths[host], {
                    username: "oauth2accesstoken",
                    password: token,
                    auth: Buffer.from(`oauth2accesstoken:${token}`).toString("base64"),
                });
            }
            const annotations = (await kube().core.readNamespacedSecret({ name: "regcred", namespace: ns })).metadata?.annotations ?? {};
            const expires = Date.parse(annotations[names.expiresAnnotation]);
            assert.ok(expires > before + 3500_000 && expires < Date.now() + 3600_000, `expiry about an hour ahead: ${annotations[names.expiresAnnotation]}`);
            assert.match(run.output, new RegExp(`refreshed ${ns}/regcred: token expires at `));
        }
        assert.doesNotMatch(run.output, /could not record/, "every Event is recorded");
        assertNoToken(run.output, "the refresher's output");
    });

    it("3b. Google STS failing twice (503, then 503 with Retry-After) is retried within one run, which then refreshes every Secret", async () => {
        const exchangesBefore = sts.exchangeTimes.length;
        sts.failNext(1, 503);
        sts.failNext(1, 503, 2);
        const run = await runRefresher();
        assert.strictEqual(run.code, exitCodes.ok, run.output);
        const times = sts.exchangeTimes.slice(exchangesBefore);
        assert.strictEqual(times.length, 3, "two failed attempts and the one that succeeded, all in one run");
        // Backoff with jitter: the first wait is 0.5-1 s; the second honours Retry-After: 2 s (its own backoff is at most 2 s).
        assert.ok(times[1] - times[0] >= 450, `first wait ${times[1] - times[0]} ms`);
        assert.ok(times[2] - times[1] >= 1950, `Retry-After honoured: second wait ${times[2] - times[1]} ms`);
        assert.match(
            run.output,
            /the token exchange at Google STS: attempt 1 failed \(HTTP 503: temporarily_unavailable: The service is currently unavailable\.\); trying again in /,
        );
        assert.match(run.output, /attempt 2 failed \(HTTP 503[^)]*\); trying again in 2\.0s/);
        const token = sts.issued[sts.issued.length - 1];
        for (const ns of [nsA, nsB]) assert.strictEqual((await readPullSecret(ns)).config.auths["asia.gcr.io"].password, token);
        assertNoToken(run.output, "the refresher's output");
    });

    it("3c. a misconfigured run exits 2 and touches nothing; an outage longer than the run's budget exits 3 and records the failure", async () => {
        const before = await readPullSecret(nsA);
        const misconfigured = await runRefresher({ PULL_SECRETS: "not a namespace/name" });
        assert.strictEqual(misconfigured.code, exitCodes.config, misconfigured.output);
        assert.match(misconfigured.output, /PULL_SECRETS entry "not a namespace\/name" is not namespace\/name/);

        sts.failNext(10, 503);
        const started = Date.now();
        const outage = await runRefresher({ RETRY_BUDGET_SECONDS: "3" });
        assert.ok(Date.now() - started < 10_000, "the budget bounds the run");
        assert.strictEqual(outage.code, exitCodes.sts, outage.output);
        assert.match(outage.output, /Google STS refused the token exchange for audience .* after [23] attempts \(HTTP 503/);
        assert.deepStrictEqual((await readPullSecret(nsA)).config, before.config, "the last good token stays");
        const annotations = await secretAnnotations(nsA);
        assert.match(annotations[names.failureAnnotation] ?? "", /Google STS refused the token exchange .*HTTP 503/);
        assert.ok(Date.parse(annotations[names.failedAtAnnotation] ?? "") >= started - 1000);
        sts.recover();
        const recovered = await runRefresher();
        assert.strictEqual(recovered.code, exitCodes.ok, recovered.output);
        assert.strictEqual((await secretAnnotations(nsA))[names.failureAnnotation], undefined, "a successful run clears the recorded failure");
    });

    it("4. no drift fight: preview --refresh shows no change and up leaves the refreshed token in place", async () => {
        const token = sts.issued[sts.issued.length - 1];
        const preview = await t.stack.preview({ ...t.io, refresh: true, diff: true });
        assert.deepStrictEqual(changes(preview.changeSummary), {}, preview.stdout);
        const up = await t.stack.up({ ...t.io, refresh: true });
        assert.deepStrictEqual(changes(up.summary.resourceChanges), {});
        for (const ns of [nsA, nsB]) assert.strictEqual((await readPullSecret(ns)).config.auths["asia.gcr.io"].password, token);
    });

    it("5. its ServiceAccount can read or write no other Secret: a Secret not listed in its Role fails, the listed ones still refresh", async () => {
        const asRefresher = new k8s.KubeConfig();
        asRefresher.loadFromClusterAndUser(
            { name: "local", server: serverUrl, caFile: files.ca, skipTLSVerify: false },
            { name: "token-refresher", token: fs.readFileSync(files.kubeToken, "utf8") },
        );
        const core = asRefresher.makeApiClient(k8s.CoreV1Api);
        const forbidden = async (what: string, call: () => Promise<unknown>) => {
            await assert.rejects(call, (error: { code?: number }) => error.code === 403, `${what} must be forbidden`);
        };
        await forbidden("reading another Secret in a listed namespace", () => core.readNamespacedSecret({ name: "someone-elses", namespace: nsA }));
        await forbidden("patching another Secret", () =>
            core.patchNamespacedSecret(
                { name: "someone-elses", namespace: nsA, body: { data: {} } },
                k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
            ),
        );
        await forbidden("listing Secrets", () => core.listNamespacedSecret({ namespace: nsA }));
        await forbidden("creating a Secret", () => core.createNamespacedSecret({ namespace: nsA, body: { metadata: { name: "planted" } } }));
        await forbidden("deleting the pull Secret", () => core.deleteNamespacedSecret({ name: "regcred", namespace: nsA }));
        await forbidden("the same name in an unlisted namespace", () => core.readNamespacedSecret({ name: "regcred", namespace: nsOther }));

        const run = await runRefresher({ PULL_SECRETS: `${nsA}/regcred,${nsOther}/regcred,${nsA}/someone-elses,${nsB}/regcred` });
        assert.strictEqual(run.code, exitCodes.kubernetes, run.output);
        assert.match(run.output, new RegExp(`FAILED ${nsOther}/regcred: reading Secret ${nsOther}/regcred failed \\(HTTP 403: secrets "regcred" is forbidden`));
        assert.match(run.output, new RegExp(`FAILED ${nsA}/someone-elses: reading Secret ${nsA}/someone-elses failed \\(HTTP 403`));
        assert.match(run.output, /2 of 4 Secrets were not refreshed/);
        const latest = sts.issued[sts.issued.length - 1];
        for (const ns of [nsA, nsB]) assert.strictEqual((await readPullSecret(ns)).config.auths["asia.gcr.io"].password, latest);
        assert.deepStrictEqual((await readPullSecret(nsOther)).config, {}, "the unlisted Secret is untouched");
        assert.deepStrictEqual((await readPullSecret(nsA, "someone-elses")).config, {}, "the other Secret is untouched");
        assertNoToken(run.output, "the refresher's output");
    });

    it("5b. impersonation: the federated token buys the reader account's token, which goes into the Secrets; an account it may not act as fails clearly", async () => {
        // One transient failure at IAM Credentials too: retried within the run.
        sts.failNext(1, 503, undefined, "iamCredentials");
        const run = await runRefresher({ IMPERSONATE_SERVICE_ACCOUNT: reader, IAM_CREDENTIALS_URL: sts.iamCredentialsUrl });
        assert.strictEqual(run.code, 0, run.output);
        assert.match(
            run.output,
            new RegExp(
                `impersonating ${reader} at IAM Credentials: attempt 1 failed \\(HTTP 503: UNAVAILABLE The service is currently unavailable\\.\\); trying again in `,
            ),
        );
        const impersonated = sts.issued[sts.issued.length - 1];
        assert.match(impersonated, /^ya29\.impersonated-/);
        for (const ns of [nsA, nsB]) assert.strictEqual((await readPullSecret(ns)).config.auths["asia.gcr.io"].password, impersonated);

        const before = await readPullSecret(nsA);
        const other = "admin@acme-dev-123456.iam.gserviceaccount.com";
        const refused = await runRefresher({ IMPERSONATE_SERVICE_ACCOUNT: other, IAM_CREDENTIALS_URL: sts.iamCredentialsUrl });
        assert.strictEqual(refused.code, exitCodes.iamCredentials, refused.output);
        assert.match(
            refused.output,
            new RegExp(
                `impersonating ${other} was refused \\(HTTP 403: PERMISSION_DENIED Permission 'iam.serviceAccounts.getAccessToken' denied .*\\); the principal needs roles/iam.workloadIdentityUser on it`,
            ),
        );
        assert.deepStrictEqual(await readPullSecret(nsA), before);
        assertNoToken(run.output + refused.output, "the refresher's output");
    });

    it("6. when STS refuses, the refresher fails clearly, changes nothing and prints no token", async () => {
        const before = await readPullSecret(nsA);
        // A token for the API server's audience, not the federation's: what a wrong projection would give.
        const wrongAudience = await runRefresher({ STS_TOKEN_FILE: files.kubeToken });
        assert.strictEqual(wrongAudience.code, exitCodes.sts, wrongAudience.output);
        assert.match(
            wrongAudience.output,
            /gcr-pull-secrets refresher: Google STS refused the token exchange for audience \/\/iam\.googleapis\.com\/projects\/123456789012\/.* \(HTTP 400: invalid_grant: The audience in the subject token .* does not match the expected audience/,
        );
        assert.doesNotMatch(wrongAudience.output, /refreshed /);

        // The right token with its subject changed: only the API server's key could sign that.
        const [header, claims, signature] = fs.readFileSync(files.stsToken, "utf8").split(".");
        const forgedClaims = JSON.parse(Buffer.from(claims, "base64url").toString("utf8"));
        forgedClaims.sub = `system:serviceaccount:${nsOther}:default`;
        const forged = path.join(workDir, "forged-token");
        fs.writeFileSync(forged, `${header}.${Buffer.from(JSON.stringify(forgedClaims)).toString("base64url")}.${signature}`);
        const forgedRun = await runRefresher({ STS_TOKEN_FILE: forged });
        assert.strictEqual(forgedRun.code, exitCodes.sts);
        assert.match(forgedRun.output, /\(HTTP 400: invalid_grant: the subject token's signature does not verify against the provider's JWKS\)/);

        sts.refuseAll("The workload identity pool provider is disabled.");
        const refused = await runRefresher();
        assert.strictEqual(refused.code, exitCodes.sts);
        assert.match(refused.output, /Google STS refused the token exchange .*\(HTTP 400: invalid_grant: The workload identity pool provider is disabled\.\)/);
        assert.deepStrictEqual(await readPullSecret(nsA), before, "the Secret still holds the last good token");
        assertNoToken(wrongAudience.output + refused.output, "the refresher's output");
    });

    it("6b. each Secret has Events: Refreshed (Normal) and RefreshFailed (Warning) with Google's reason, no token; none where the refresher has no Role", async () => {
        for (const ns of [nsA, nsB]) {
            const events = await refresherEvents(ns);
            const uid = (await readPullSecret(ns)).uid;
            const refreshed = events.filter((event) => event.reason === "Refreshed");
            const failed = events.filter((event) => event.reason === "RefreshFailed");
            assert.ok(refreshed.length >= 3, `${ns}: a Refreshed Event for each good run (${refreshed.length})`);
            for (const event of refreshed) {
                assert.strictEqual(event.type, "Normal");
                assert.match(event.note ?? "", /^token refreshed; it expires at \d{4}-\d\d-\d\dT/);
                assert.deepStrictEqual(
                    { kind: event.regarding?.kind, namespace: event.regarding?.namespace, name: event.regarding?.name, uid: event.regarding?.uid },
                    { kind: "Secret", namespace: ns, name: "regcred", uid },
                );
                assert.strictEqual(event.action, "Refresh");
            }
            assert.ok(failed.length >= 3, `${ns}: a RefreshFailed Event for each failed run (${failed.length})`);
            for (const event of failed) assert.strictEqual(event.type, "Warning");
            assert.ok(
                failed.some((event) => /Google STS refused the token exchange .*The workload identity pool provider is disabled\./.test(event.note ?? "")),
                "the reason is Google's answer",
            );
            assert.ok(
                failed.some((event) => /after \d attempts \(HTTP 503/.test(event.note ?? "")),
                "an outage's Event says how often it was tried",
            );
            assertNoToken(JSON.stringify(events), `the Events in ${ns}`);
            // Every other Event too (an Event of the API server's own would name nothing of ours, but scan all).
            const everything = await kube().config.makeApiClient(k8s.EventsV1Api).listNamespacedEvent({ namespace: ns });
            assertNoToken(JSON.stringify(everything.items), `all Events in ${ns}`);
        }
        // Test 5 asked it to refresh nsOther/regcred, outside its Roles: it may not create Events there either.
        assert.deepStrictEqual(await refresherEvents(nsOther), []);
    });

    it("6c. preview and refresh warn, naming the namespace, when a keyless Secret's token has expired or its last refresh failed; nothing changes", async () => {
        // An hour with no good run: what the refresher's expiry annotation then says.
        const expiredAt = new Date(Date.now() - 3600_000).toISOString();
        await kube().core.patchNamespacedSecret(
            { name: "regcred", namespace: nsB, body: { metadata: { annotations: { [names.expiresAnnotation]: expiredAt } } } },
            k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
        );
        const failure = /the refresher's last run failed at \S+: Google STS refused the token exchange .*The workload identity pool provider is disabled\./;
        const expired = new RegExp(
            `keyless pull Secret ${nsB}/regcred in namespace ${nsB}: its token expired at ${expiredAt.replace(/\./g, "\\.")} \\(1h \\d+m ago\\): pods that start in namespace ${nsB} cannot pull images`,
        );
        const failing = new RegExp(
            `keyless pull Secret ${nsA}/regcred in namespace ${nsA}: its token expires at \\S+ \\(in \\d+m\\) and is not being refreshed; ${failure.source}`,
        );

        const preview = await t.stack.preview({ ...t.io });
        assert.deepStrictEqual(changes(preview.changeSummary), {}, preview.stdout);
        assert.match(preview.stdout, expired);
        assert.match(preview.stdout, new RegExp(`${expired.source}; ${failure.source}`));
        assert.match(preview.stdout, failing);
        assert.match(preview.stdout, /See "When a refresh fails" in docs\/keyless\.md/);

        const refresh = await t.stack.refresh({ ...t.io });
        assert.deepStrictEqual(changes(refresh.summary.resourceChanges), {}, refresh.stdout);
        assert.match(refresh.stdout, expired);
        assert.match(refresh.stdout, failing);
        assertNoToken(preview.stdout + preview.stderr + refresh.stdout + refresh.stderr, "the CLI output");
    });

    it("7. switching back to a key writes it into the same Secrets, drops the expiry and removes the refresher", async () => {
        t.setSettings({ registries: hosts, namespaces: [nsA, nsB] });
        await t.setJsonKey(keyJson);
        const up = await t.stack.up({ ...t.io });
        assert.strictEqual(up.summary.result, "succeeded");
        for (const ns of [nsA, nsB]) {
            const secret = await readPullSecret(ns);
            assert.strictEqual(secret.uid, uids[ns]);
            assert.strictEqual(secret.config.auths["asia.gcr.io"].password, keyJson);
            const annotations = (await kube().core.readNamespacedSecret({ name: "regcred", namespace: ns })).metadata?.annotations ?? {};
            assert.strictEqual(annotations[names.expiresAnnotation], undefined);
            assert.strictEqual(annotations[names.failedAtAnnotation], undefined, "the refresher's failure record goes with it");
            assert.strictEqual(annotations[names.failureAnnotation], undefined);
            assert.strictEqual(annotations[keySourceAnnotation], "supplied");
            await assert.rejects(
                kube()
                    .config.makeApiClient(k8s.RbacAuthorizationV1Api)
                    .readNamespacedRole({ name: refresherRoleName("regcred"), namespace: ns }),
                (error: { code?: number }) => error.code === 404,
            );
        }
    });

    it("8. no token in the CLI's output or the state", async () => {
        assertNoToken(cliOutput.join(""), "the CLI output");
        assertNoToken(t.exportState(), "the state");
    });
});
