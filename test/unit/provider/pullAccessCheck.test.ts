import * as assert from "assert";
import { RepositoryPullAccess } from "../../../components/pullAccess";
import { Connection } from "../../../provider/kubeApi";
import { boundedGate, boundedMap, checkConcurrency, checkPullAccess } from "../../../provider/pullAccessCheck";

/** A fake API server: per namespace, what admission does to a Pod's pull secrets (or a refusal), and the Secrets. */
function fakeCluster(behaviour: Record<string, "keep" | "strip" | "forbid" | "deny">, accountLists: Record<string, string[]> = {}) {
    const calls: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const api = {
        async createNamespacedPod(req: { namespace: string; body: { spec: { serviceAccountName: string } }; dryRun?: string }) {
            calls.push(`create pod ${req.namespace}/${req.body.spec.serviceAccountName} dryRun=${req.dryRun}`);
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            await new Promise((resolve) => setTimeout(resolve, 2));
            inFlight--;
            const list = accountLists[`${req.namespace}/${req.body.spec.serviceAccountName}`] ?? ["regcred"];
            switch (behaviour[req.namespace] ?? "keep") {
                case "keep":
                    return { spec: { ...req.body.spec, imagePullSecrets: list.map((name) => ({ name })) } };
                case "strip":
                    return { spec: { ...req.body.spec } };
                case "forbid":
                    throw Object.assign(new Error("HTTP-Code: 403"), {
                        code: 403,
                        body: { message: `pods is forbidden: User "ci" cannot create resource "pods" in the namespace "${req.namespace}"` },
                    });
                case "deny":
                    throw Object.assign(new Error("HTTP-Code: 400"), { code: 400, body: { message: 'admission webhook "no-pods" denied the request' } });
            }
        },
        async readNamespacedServiceAccount(req: { name: string; namespace: string }) {
            calls.push(`read sa ${req.namespace}/${req.name}`);
            return { imagePullSecrets: (accountLists[`${req.namespace}/${req.name}`] ?? ["regcred"]).map((name) => ({ name })) };
        },
        async readNamespacedSecret(req: { name: string; namespace: string }) {
            calls.push(`read secret ${req.namespace}/${req.name}`);
            const auths = { "asia.gcr.io": { auth: Buffer.from("_json_key:KEY").toString("base64") } };
            return { data: { ".dockerconfigjson": Buffer.from(JSON.stringify({ auths })).toString("base64") } };
        },
    };
    const connection = { api, server: "https://127.0.0.1:1", mergePatch: undefined, jsonPatch: undefined } as unknown as Connection;
    return { connection, calls, maxInFlight: () => maxInFlight };
}

const request = (namespaces: string[], extra: Record<string, unknown> = {}) => ({
    secretName: "regcred",
    registries: ["asia.gcr.io"],
    pods: true,
    repositories: [],
    namespaces: namespaces.map((name) => ({ name, serviceAccounts: ["default", "builder"], attached: ["default", "builder"] })),
    ...extra,
});

describe("the verifyPullAccess function", () => {
    it("one dry-run Pod per namespace and ServiceAccount, and nothing else when every Pod gets the Secret", async () => {
        const { connection, calls } = fakeCluster({});
        const { namespaces } = await checkPullAccess(connection, request(["a", "b"]));
        assert.deepStrictEqual(namespaces.a, { status: "verified", serviceAccounts: { default: { status: "verified" }, builder: { status: "verified" } } });
        assert.strictEqual(namespaces.b.status, "verified");
        assert.deepStrictEqual(calls.sort(), [
            "create pod a/builder dryRun=All",
            "create pod a/default dryRun=All",
            "create pod b/builder dryRun=All",
            "create pod b/default dryRun=All",
        ]);
    });

    it("tells stripped (by admission, or from the ServiceAccount), denied and skipped apart, per namespace", async () => {
        const { connection } = fakeCluster({ strip: "strip", gone: "strip", forbid: "forbid", deny: "deny" }, { "gone/default": [] });
        const { namespaces } = await checkPullAccess(connection, request(["strip", "gone", "forbid", "deny", "fine"]));
        assert.strictEqual(namespaces.strip.status, "stripped");
        assert.match(namespaces.strip.serviceAccounts!.default.detail!, /something in admission removed it \(the ServiceAccount lists it\)/);
        assert.match(namespaces.gone.serviceAccounts!.default.detail!, /the ServiceAccount no longer lists it/);
        assert.strictEqual(namespaces.forbid.status, "skipped");
        assert.match(namespaces.forbid.serviceAccounts!.default.detail!, /no permission to create pods in forbid/);
        assert.strictEqual(namespaces.deny.status, "denied");
        assert.strictEqual(namespaces.fine.status, "verified");
    });

    it("skips a ServiceAccount the Secret was not attached to, without a call", async () => {
        const { connection, calls } = fakeCluster({});
        const { namespaces } = await checkPullAccess(connection, {
            ...request([]),
            namespaces: [{ name: "a", serviceAccounts: ["default", "old"], attached: ["default"] }],
        });
        assert.deepStrictEqual(namespaces.a.serviceAccounts!.old.status, "skipped");
        assert.strictEqual(namespaces.a.status, "skipped");
        assert.deepStrictEqual(calls, ["create pod a/default dryRun=All"]);
    });

    it(`never has more than ${checkConcurrency} calls in flight`, async () => {
        const { connection, maxInFlight } = fakeCluster({});
        await checkPullAccess(connection, request(Array.from({ length: 40 }, (_, i) => `ns-${i}`)));
        assert.ok(maxInFlight() <= checkConcurrency && maxInFlight() > 1, `max in flight ${maxInFlight()}`);
    });

    it("with pods off and repositories listed: no Pod, one token request per distinct credential and repository", async () => {
        const { connection, calls } = fakeCluster({});
        const asked: string[] = [];
        const probe = async (host: string, path: string, credential: string): Promise<RepositoryPullAccess> => {
            asked.push(`${host} ${path} ${credential}`);
            return path === "acme/app" ? { access: "allowed" } : { access: "denied", detail: "HTTP 403: DENIED" };
        };
        const { namespaces } = await checkPullAccess(
            connection,
            request(["a", "b"], { pods: false, repositories: ["asia.gcr.io/acme/app", "asia.gcr.io/other/app"] }),
            probe,
        );
        assert.deepStrictEqual(namespaces.a, {
            status: "skipped",
            repositories: { "asia.gcr.io/acme/app": { access: "allowed" }, "asia.gcr.io/other/app": { access: "denied", detail: "HTTP 403: DENIED" } },
        });
        assert.deepStrictEqual(namespaces.b.repositories, namespaces.a.repositories);
        assert.deepStrictEqual(asked.sort(), ["asia.gcr.io acme/app _json_key:KEY", "asia.gcr.io other/app _json_key:KEY"]);
        assert.ok(!calls.some((call) => call.startsWith("create pod")));
    });

    it("a repository on a host the Secret holds no credential for is unknown, and nothing is sent", async () => {
        const { connection } = fakeCluster({});
        let sent = 0;
        const { namespaces } = await checkPullAccess(connection, request(["a"], { pods: false, repositories: ["gcr.io/acme/app"] }), async () => {
            sent++;
            return { access: "allowed" };
        });
        assert.strictEqual(namespaces.a.repositories!["gcr.io/acme/app"].access, "unknown");
        assert.strictEqual(sent, 0);
    });

    it(`keeps the bound across requests answered at once (the component asks in batches)`, async () => {
        const { connection, maxInFlight } = fakeCluster({});
        const batches = [0, 1, 2].map((batch) => request(Array.from({ length: 20 }, (_, i) => `b${batch}-${i}`)));
        const answers = await Promise.all(batches.map((batch) => checkPullAccess(connection, batch)));
        assert.ok(maxInFlight() <= checkConcurrency && maxInFlight() > 1, `max in flight ${maxInFlight()}`);
        assert.deepStrictEqual(
            answers.map((answer) => Object.keys(answer.namespaces).length),
            [20, 20, 20],
        );
    });

    it("asks the registry once per credential and repository, however many batches ask", async () => {
        const { connection } = fakeCluster({});
        const asked: string[] = [];
        const probe = async (host: string, path: string): Promise<RepositoryPullAccess> => (asked.push(`${host}/${path}`), { access: "allowed" });
        const options = { pods: false, repositories: ["asia.gcr.io/acme/app"] };
        await Promise.all([checkPullAccess(connection, request(["a", "b"], options), probe), checkPullAccess(connection, request(["c"], options), probe)]);
        await checkPullAccess(connection, request(["d"], options), probe);
        assert.deepStrictEqual(asked, ["asia.gcr.io/acme/app"]);
    });

    it("a gate runs everything it is given, at most its limit at once, in turn", async () => {
        const gate = boundedGate(2);
        let running = 0;
        let most = 0;
        const order: number[] = [];
        const results = await Promise.all(
            [30, 10, 20, 5, 1].map((ms, index) =>
                gate(async () => {
                    running++;
                    most = Math.max(most, running);
                    order.push(index);
                    await new Promise((resolve) => setTimeout(resolve, ms));
                    running--;
                    if (index === 3) throw new Error("one fails");
                    return index;
                }).catch((error: Error) => error.message),
            ),
        );
        assert.deepStrictEqual(results, [0, 1, 2, "one fails", 4]);
        assert.strictEqual(most, 2);
        assert.deepStrictEqual(order, [0, 1, 2, 3, 4]);
    });

    it("boundedMap keeps the order of its items", async () => {
        assert.deepStrictEqual(await boundedMap([5, 1, 3], 2, async (n) => (await new Promise((r) => setTimeout(r, n)), n * 2)), [10, 2, 6]);
    });
});
