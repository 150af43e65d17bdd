import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    defaultWaitSeconds,
    keyless,
    keySourceAnnotation,
    lastAppliedAnnotation,
    ownerIdAnnotation,
    stackAnnotation,
    stackIdentityAnnotation,
    types,
} from "../../../components/contract";
import { buildDockerConfigJson, dockerConfigDigest } from "../../../components/dockerConfig";
import { connect, Connection, CoreApi, SecretObject } from "../../../provider/kubeApi";
import { revealed, secretValue, unknownValue } from "../../../provider/propertyValues";
import { checkProviderSettings, diffProviderSettings } from "../../../provider/providerConfig";
import { legacyHandlers } from "../../../provider/legacyResources";
import { pullSecretHandler } from "../../../provider/pullSecret";
import { ResourceInitError } from "../../../provider/resourceHandler";
import { sampleKeyJson } from "../fixtures";

const dockerConfigJson = buildDockerConfigJson(["asia.gcr.io"], sampleKeyJson, "_json_key");
const owner = "gcr-pull-secrets/dev";
const inputs = {
    namespace: "apps",
    secretName: "regcred",
    adopt: false,
    owner,
    keySource: "supplied",
    registries: ["asia.gcr.io"],
    dockerConfigDigest: secretValue(dockerConfigDigest(dockerConfigJson)),
    namespaceCreatedByStack: false,
    serviceAccounts: ["default"],
    waitSeconds: 1,
};

const httpError = (code: number, message: string) => Object.assign(new Error(message), { code, body: { message } });

/** An in-memory namespace with Secrets, recording every call. */
class FakeCluster {
    secrets = new Map<string, SecretObject>();
    /** `namespace/name` -> the names in its imagePullSecrets. */
    accounts = new Map<string, string[]>([
        ["apps/default", ["someone-elses"]],
        ["apps/builder", []],
    ]);
    namespaces = new Set(["apps"]);
    /** Namespaces being deleted, and how the API server shows it. */
    terminating = new Map<string, object>();
    calls: string[] = [];
    /** ServiceAccounts (`namespace/name`) whose patch the API server refuses (403). */
    forbidden = new Set<string>();
    /** Whether deleting a Secret fails (500). */
    deleteFails = false;
    warnings: string[] = [];
    private uid = 0;

    connection(): Connection {
        const unexpected = async (): Promise<never> => {
            throw new Error("no list call is expected of a PullSecret");
        };
        const api: CoreApi = {
            listNamespace: unexpected,
            listServiceAccountForAllNamespaces: unexpected,
            readNamespace: async ({ name }) => {
                this.calls.push(`get ns ${name}`);
                if (!this.namespaces.has(name)) throw httpError(404, `namespaces "${name}" not found`);
                return this.terminating.get(name) ?? { metadata: { name }, status: { phase: "Active" } };
            },
            readNamespacedSecret: async ({ name, namespace }) => {
                this.calls.push(`get ${namespace}/${name}`);
                const secret = this.secrets.get(`${namespace}/${name}`);
                if (!secret) throw httpError(404, `secrets "${name}" not found`);
                return JSON.parse(JSON.stringify(secret));
            },
            createNamespacedSecret: async ({ namespace, body }) => {
                this.calls.push(`create ${namespace}/${body.metadata?.name}`);
                const key = `${namespace}/${body.metadata?.name}`;
                if (this.secrets.has(key)) throw httpError(409, "already exists");
                const created = { ...body, metadata: { ...body.metadata, uid: `uid-${++this.uid}` } };
                this.secrets.set(key, created);
                return created;
            },
            patchNamespacedSecret: async ({ name, namespace, body }) => {
                this.calls.push(`patch ${namespace}/${name}`);
                const secret = this.secrets.get(`${namespace}/${name}`)!;
                const patch = body as {
                    metadata: { labels: Record<string, string>; annotations: Record<string, string | null> };
                    data: Record<string, string>;
                };
                const annotations: Record<string, string> = { ...secret.metadata?.annotations };
                for (const [k, v] of Object.entries(patch.metadata.annotations)) {
                    if (v === null) delete annotations[k];
                    else annotations[k] = v;
                }
                secret.metadata = { ...secret.metadata, labels: { ...secret.metadata?.labels, ...patch.metadata.labels }, annotations };
                // A merge patch without `data` leaves the data alone.
                if (patch.data !== undefined) secret.data = patch.data;
                return secret;
            },
            deleteNamespacedSecret: async ({ name, namespace, body }) => {
                this.calls.push(`delete ${namespace}/${name}`);
                if (this.deleteFails) throw httpError(500, "etcdserver: request timed out");
                const secret = this.secrets.get(`${namespace}/${name}`);
                if (!secret) throw httpError(404, "not found");
                const uid = (body as { preconditions?: { uid?: string } } | undefined)?.preconditions?.uid;
                if (uid && uid !== secret.metadata?.uid) throw httpError(409, "Precondition failed: UID in precondition");
                this.secrets.delete(`${namespace}/${name}`);
            },
            readNamespacedServiceAccount: async ({ name, namespace }) => {
                const list = this.accounts.get(`${namespace}/${name}`);
                if (!list) throw httpError(404, `serviceaccounts "${name}" not found`);
                return { metadata: { resourceVersion: "1" }, imagePullSecrets: list.map((n) => ({ name: n })) };
            },
            patchNamespacedServiceAccount: async ({ name, namespace, body }) => {
                this.calls.push(`patch sa ${namespace}/${name}`);
                if (this.forbidden.has(`${namespace}/${name}`)) throw httpError(403, `serviceaccounts "${name}" is forbidden`);
                const list = (body as { imagePullSecrets: { name: string }[] | null }).imagePullSecrets;
                this.accounts.set(
                    `${namespace}/${name}`,
                    (list ?? []).map((ref) => ref.name),
                );
                return {};
            },
        };
        return { api, mergePatch: {}, jsonPatch: {} };
    }

    handler(content: string | undefined = dockerConfigJson) {
        return pullSecretHandler({
            connection: () => this.connection(),
            dockerConfigJson: () => content,
            clusterKnown: () => true,
            warn: (message) => void this.warnings.push(message),
        });
    }

    content(key = "apps/regcred"): string {
        return Buffer.from(this.secrets.get(key)!.data![".dockerconfigjson"], "base64").toString("utf8");
    }
}

describe("PullSecret provider", () => {
    it("creates the Secret with our content, labels and annotations, and keeps only a masked digest", async () => {
        const cluster = new FakeCluster();
        const { id, outs } = await cluster.handler().create({ ...inputs });
        assert.strictEqual(id, "apps/regcred");
        assert.strictEqual(cluster.content(), dockerConfigJson);
        const secret = cluster.secrets.get("apps/regcred")!;
        assert.strictEqual(secret.type, "kubernetes.io/dockerconfigjson");
        assert.strictEqual(secret.metadata?.annotations?.[stackAnnotation], owner);
        assert.strictEqual(secret.metadata?.labels?.["app.kubernetes.io/part-of"], "gcr-pull-secrets");
        assert.deepStrictEqual(
            outs,
            { namespace: "apps", secretName: "regcred", serviceAccounts: ["default"], attached: ["default"], uid: "uid-1", ownerId: outs.ownerId },
            "outputs repeat no input",
        );
        assert.match(String(outs.ownerId), /^[0-9a-f-]{36}$/, "a random id of this resource instance");
        assert.strictEqual(secret.metadata?.annotations?.[ownerIdAnnotation], outs.ownerId, "the Secret names its owner");
        assert.ok(!JSON.stringify(outs).includes(JSON.parse(sampleKeyJson).private_key_id), "no key material in the state");
    });

    it("returns what the package schema says of its outputs: every required one, and none it does not list", async () => {
        const schema = JSON.parse(fs.readFileSync(path.join(__dirname, "../../../provider/schema.json"), "utf8"));
        const published = schema.resources[types.pullSecret] as { properties: Record<string, unknown>; required: string[] };
        const cluster = new FakeCluster();
        const created = (await cluster.handler().create({ ...inputs })).outs;
        cluster.secrets.set("apps/old", { type: "kubernetes.io/dockerconfigjson", metadata: { uid: "theirs" }, data: { ".dockerconfigjson": "e30=" } });
        const adopted = (await cluster.handler().create({ ...inputs, secretName: "old", adopt: true })).outs;
        const updated = (await cluster.handler().update("apps/regcred", created, { ...inputs, serviceAccounts: ["default", "builder"] }, { ...inputs })).outs;
        const refreshed = (await cluster.handler().read("apps/regcred", updated, { ...inputs })).props;
        cluster.secrets.get("apps/regcred")!.data = { ".dockerconfigjson": Buffer.from("{}").toString("base64") };
        const drifted = (await cluster.handler().read("apps/regcred", updated, { ...inputs })).props;
        assert.ok("dockerConfigDigest" in drifted && "adoptedUid" in adopted, "the optional outputs were returned at least once");
        for (const [operation, outs] of Object.entries({ created, adopted, updated, refreshed, drifted })) {
            for (const name of published.required) assert.ok(name in outs, `${operation}: required output ${name} missing`);
            for (const name of Object.keys(outs)) assert.ok(name in published.properties, `${operation}: output ${name} is not in the schema`);
        }
    });

    it("refuses, at check and at create, a Secret of that name this stack did not write", async () => {
        const cluster = new FakeCluster();
        cluster.secrets.set("apps/regcred", { type: "kubernetes.io/dockerconfigjson", metadata: { uid: "theirs" }, data: { ".dockerconfigjson": "e30=" } });
        const { failures } = await cluster.handler().check({}, { ...inputs });
        assert.deepStrictEqual(
            failures.map((f) => f.property),
            ["secretName"],
        );
        assert.match(failures[0].reason, /already exists and was not created by this stack.*set adopt: true on namespace "apps"/);
        await assert.rejects(cluster.handler().create({ ...inputs }), /already exists and was not created by this stack/);
        assert.strictEqual(cluster.content(), "{}", "their Secret is untouched");
    });

    it("adopts in place with adopt: same object, our content, kubectl's plaintext copy removed", async () => {
        const cluster = new FakeCluster();
        cluster.secrets.set("apps/regcred", {
            type: "kubernetes.io/dockerconfigjson",
            metadata: { uid: "theirs", annotations: { [lastAppliedAnnotation]: '{"data":"old key"}', team: "x" } },
            data: { ".dockerconfigjson": "e30=" },
        });
        const { outs } = await cluster.handler().create({ ...inputs, adopt: true });
        const secret = cluster.secrets.get("apps/regcred")!;
        assert.strictEqual(secret.metadata?.uid, "theirs");
        assert.strictEqual(outs.adoptedUid, "theirs");
        assert.strictEqual(cluster.content(), dockerConfigJson);
        assert.strictEqual(secret.metadata?.annotations?.[lastAppliedAnnotation], undefined);
        assert.strictEqual(secret.metadata?.annotations?.team, "x", "others' annotations stay");
    });

    it("refuses to adopt a Secret of another type, saying why", async () => {
        const cluster = new FakeCluster();
        cluster.secrets.set("apps/regcred", { type: "Opaque", metadata: { uid: "theirs" } });
        const { failures } = await cluster.handler().check({}, { ...inputs, adopt: true });
        assert.match(failures[0].reason, /exists with type "Opaque" and cannot be adopted: Kubernetes never changes a Secret's type/);
    });

    it("fails the preview at once for a namespace that does not exist and is not created by the stack", async () => {
        const cluster = new FakeCluster();
        const { failures } = await cluster.handler().check({}, { ...inputs, namespace: "ghost" });
        assert.deepStrictEqual(
            failures.map((f) => f.property),
            ["namespace"],
        );
        assert.match(failures[0].reason, /namespace "ghost" does not exist in the cluster: create it first, or set create: true/);
        const created = await cluster.handler().check({}, { ...inputs, namespace: "ghost", namespaceCreatedByStack: true });
        assert.deepStrictEqual(created.failures, []);
    });

    it("a cluster that does not answer is not checked: a warning naming the resource, no failure (the create fails instead)", async () => {
        const cluster = new FakeCluster();
        const gone = new TypeError("fetch failed", { cause: Object.assign(new Error("getaddrinfo ENOTFOUND gone.invalid"), { code: "ENOTFOUND" }) });
        const unreachable = { ...cluster.connection(), api: { ...cluster.connection().api, readNamespace: () => Promise.reject(gone) } };
        const handler = pullSecretHandler({
            connection: () => unreachable,
            dockerConfigJson: () => dockerConfigJson,
            clusterKnown: () => true,
            warn: (message) => void cluster.warnings.push(message),
        });
        const urn = "urn:pulumi:dev::gcr-pull-secrets::gcr-pull-secrets:index:GcrPullSecrets$gcr-pull-secrets:index:PullSecret::gcr-pull-secrets-apps.prod-us";
        const { failures } = await handler.check({}, { ...inputs }, { urn });
        assert.deepStrictEqual(failures, []);
        assert.deepStrictEqual(cluster.warnings, [
            "gcr-pull-secrets-apps.prod-us: reading namespace apps failed: fetch failed (ENOTFOUND: the API server's host name does not resolve; " +
                "check the kubeconfig's server): the cluster did not answer, " +
                "so the namespace and Secret apps/regcred were not checked; creating it fails unless the cluster answers by then",
        ]);
        // An answer, even a refusal, still fails the check.
        const refusing = { ...cluster.connection(), api: { ...cluster.connection().api, readNamespace: () => Promise.reject(httpError(403, "forbidden")) } };
        const strict = pullSecretHandler({ connection: () => refusing, dockerConfigJson: () => dockerConfigJson, clusterKnown: () => true });
        await assert.rejects(strict.check({}, { ...inputs }, { urn }), /reading namespace apps failed: HTTP 403: forbidden/);
    });

    it("fails the preview for a listed namespace that is terminating, naming it and the way out, whoever created it", async () => {
        const cluster = new FakeCluster();
        cluster.namespaces.add("leaving").add("ending");
        cluster.terminating.set("leaving", { metadata: { name: "leaving", deletionTimestamp: new Date() }, status: { phase: "Active" } });
        cluster.terminating.set("ending", { metadata: { name: "ending" }, status: { phase: "Terminating" } });
        for (const [namespace, namespaceCreatedByStack] of [
            ["leaving", false],
            ["ending", false],
            ["leaving", true],
        ] as const) {
            const { failures } = await cluster.handler().check({}, { ...inputs, namespace, namespaceCreatedByStack });
            assert.deepStrictEqual(
                failures.map((f) => f.property),
                ["namespace"],
                namespace,
            );
            assert.match(failures[0].reason, new RegExp(`namespace "${namespace}" is being deleted \\(terminating\\).*remove it from the namespaces setting`));
        }
        assert.deepStrictEqual(
            cluster.calls.filter((c) => !c.startsWith("get ns")),
            [],
            "nothing else is read or written",
        );
        assert.deepStrictEqual((await cluster.handler().check({}, { ...inputs })).failures, [], "an active namespace passes");
    });

    it("checks only a Secret about to be created, and nothing while values are unknown", async () => {
        const cluster = new FakeCluster();
        await cluster.handler().check({ ...inputs }, { ...inputs, namespace: "ghost" });
        await cluster.handler().check({}, { ...inputs, dockerConfigDigest: unknownValue });
        assert.deepStrictEqual(cluster.calls, []);
    });

    it("a new key is an in-place update of the digest; the name or namespace replaces", async () => {
        const handler = new FakeCluster().handler();
        const rotated = { ...inputs, dockerConfigDigest: secretValue("sha256:other") };
        const state = { ...inputs, uid: "u", attached: ["default"], ownerId: "owner-1" };
        assert.deepStrictEqual(await handler.diff("apps/regcred", state, rotated), { changes: true, replaces: [], diffs: ["dockerConfigDigest"] });
        assert.deepStrictEqual(await handler.diff("apps/regcred", state, { ...inputs }), { changes: false, replaces: [], diffs: [] });
        assert.deepStrictEqual((await handler.diff("apps/regcred", { ...inputs }, { ...inputs, secretName: "gcr" })).replaces, ["secretName"]);
    });

    it("inputs at their default may be left out: state that still spells them out sees no change (0.3 stacks upgrade with an empty preview)", async () => {
        const handler = new FakeCluster().handler();
        const spelledOut = { ...inputs, adopt: false, namespaceCreatedByStack: false, waitSeconds: defaultWaitSeconds };
        const { adopt: _adopt, namespaceCreatedByStack: _created, waitSeconds: _wait, ...leftOut } = spelledOut;
        const state = { ...spelledOut, uid: "u", attached: ["default"], ownerId: "owner-1" };
        assert.deepStrictEqual(await handler.diff("apps/regcred", state, leftOut, spelledOut), { changes: false, replaces: [], diffs: [] });
        assert.deepStrictEqual((await handler.diff("apps/regcred", state, { ...leftOut, waitSeconds: 30 }, spelledOut)).diffs, ["waitSeconds"]);
        assert.deepStrictEqual((await handler.diff("apps/regcred", state, { ...leftOut, adopt: true }, spelledOut)).diffs, ["adopt"]);
    });

    it("takes over state the Kubernetes provider wrote (0.1) with an update in place, never a replacement", async () => {
        const handler = new FakeCluster().handler();
        const legacy = {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "regcred", namespace: "apps", uid: "old" },
            data: secretValue({ ".dockerconfigjson": "x" }),
        };
        const outcome = await handler.diff("apps/regcred", legacy, { ...inputs });
        assert.strictEqual(outcome.changes, true);
        assert.deepStrictEqual(outcome.replaces, []);
    });

    it("update writes the new content into the same object", async () => {
        const cluster = new FakeCluster();
        const { outs } = await cluster.handler().create({ ...inputs });
        const next = buildDockerConfigJson(["asia.gcr.io"], sampleKeyJson.replace("1234567890", "999"), "_json_key");
        const updated = await cluster
            .handler(next)
            .update("apps/regcred", outs, { ...inputs, dockerConfigDigest: secretValue(dockerConfigDigest(next)) }, { ...inputs });
        assert.strictEqual(cluster.content(), next);
        assert.strictEqual(updated.outs.uid, outs.uid);
    });

    it("refuses to write content that does not match the digest asked for", async () => {
        const cluster = new FakeCluster();
        await assert.rejects(cluster.handler("{}").create({ ...inputs }), /does not match the one Secret apps\/regcred asks for/);
        assert.strictEqual(cluster.secrets.size, 0);
    });

    it("refresh reports content changed by hand as a different digest, and a deleted Secret as gone", async () => {
        const cluster = new FakeCluster();
        const { id, outs } = await cluster.handler().create({ ...inputs });
        assert.strictEqual((await cluster.handler().read(id, outs, { ...inputs })).props.dockerConfigDigest, undefined, "no drift, no digest in the outputs");
        cluster.secrets.get("apps/regcred")!.data = { ".dockerconfigjson": Buffer.from("{}").toString("base64") };
        const read = await cluster.handler().read(id, outs, { ...inputs });
        assert.strictEqual(read.props.dockerConfigDigest, dockerConfigDigest("{}"));
        // Shown as what refresh found against ours, not our unchanged input against itself.
        assert.deepStrictEqual(await cluster.handler().diff(id, read.props, { ...inputs }, { ...inputs }), {
            changes: true,
            replaces: [],
            diffs: ["dockerConfigDigest"],
            observed: ["dockerConfigDigest"],
        });
        cluster.secrets.clear();
        assert.strictEqual((await cluster.handler().read(id, outs, { ...inputs })).id, undefined);
    });

    it("delete removes our Secret, and leaves one of that name someone made after ours was gone", async () => {
        const cluster = new FakeCluster();
        const { id, outs } = await cluster.handler().create({ ...inputs });
        await cluster.handler().delete(id, outs);
        assert.strictEqual(cluster.secrets.size, 0);
        cluster.secrets.set("apps/regcred", { type: "kubernetes.io/dockerconfigjson", metadata: { uid: "someone-else" } });
        await cluster.handler().delete(id, outs);
        assert.strictEqual(cluster.secrets.get("apps/regcred")?.metadata?.uid, "someone-else");
    });
});

describe("PullSecret provider: ServiceAccount entries", () => {
    it("lists the Secret in each ServiceAccount after everyone else's entries", async () => {
        const cluster = new FakeCluster();
        const { outs } = await cluster.handler().create({ ...inputs, serviceAccounts: ["default", "builder"] });
        assert.deepStrictEqual(cluster.accounts.get("apps/default"), ["someone-elses", "regcred"]);
        assert.deepStrictEqual(cluster.accounts.get("apps/builder"), ["regcred"]);
        assert.deepStrictEqual(outs.attached, ["default", "builder"]);
    });

    it("a ServiceAccount dropped from the list loses only our entry; one added gets it", async () => {
        const cluster = new FakeCluster();
        const before = { ...inputs, serviceAccounts: ["default", "builder"] };
        const { outs } = await cluster.handler().create(before);
        const diff = await cluster.handler().diff("apps/regcred", outs, { ...inputs }, before);
        assert.deepStrictEqual(diff, { changes: true, replaces: [], diffs: ["serviceAccounts"] });
        await cluster.handler().update("apps/regcred", outs, { ...inputs }, before);
        assert.deepStrictEqual(cluster.accounts.get("apps/builder"), []);
        assert.deepStrictEqual(cluster.accounts.get("apps/default"), ["someone-elses", "regcred"]);
    });

    it("refresh notices our entry removed by hand, and the next update puts it back", async () => {
        const cluster = new FakeCluster();
        const { id, outs } = await cluster.handler().create({ ...inputs });
        cluster.accounts.set("apps/default", ["someone-elses"]);
        const read = await cluster.handler().read(id, outs, { ...inputs });
        assert.deepStrictEqual(read.props.attached, []);
        const diff = await cluster.handler().diff(id, read.props, { ...inputs }, { ...inputs });
        assert.deepStrictEqual(diff, { changes: true, replaces: [], diffs: ["attached"] });
        await cluster.handler().update(id, read.props, { ...inputs }, { ...inputs });
        assert.deepStrictEqual(cluster.accounts.get("apps/default"), ["someone-elses", "regcred"]);
    });

    it("a ServiceAccount found by a rule and deleted since is skipped; a named one that is missing is waited for", async () => {
        const cluster = new FakeCluster();
        const { outs } = await cluster.handler().create({ ...inputs, serviceAccounts: ["default", "gone"], foundServiceAccounts: ["gone"], waitSeconds: 30 });
        assert.deepStrictEqual(outs.attached, ["default"], "only what now lists the Secret");
        assert.ok(!cluster.accounts.has("apps/gone"), "nothing was created for it");
        await assert.rejects(
            new FakeCluster().handler().create({ ...inputs, serviceAccounts: ["default", "gone"], waitSeconds: 1 }),
            /ServiceAccount apps\/gone did not appear within 1s/,
        );
    });

    it("refuses found ServiceAccounts that are not among those to cover", async () => {
        const { failures } = await new FakeCluster().handler().check({}, { ...inputs, serviceAccounts: ["default"], foundServiceAccounts: ["runner"] });
        assert.deepStrictEqual(
            failures.map((f) => f.property),
            ["foundServiceAccounts"],
        );
    });

    it("delete removes our entries before the Secret, and leaves everyone else's", async () => {
        const cluster = new FakeCluster();
        const { id, outs } = await cluster.handler().create({ ...inputs, serviceAccounts: ["default", "builder"] });
        cluster.calls.length = 0;
        await cluster.handler().delete(id, outs);
        assert.deepStrictEqual(cluster.accounts.get("apps/default"), ["someone-elses"]);
        assert.deepStrictEqual(cluster.accounts.get("apps/builder"), []);
        assert.strictEqual(cluster.calls[cluster.calls.length - 1], "delete apps/regcred", "the Secret goes last");
    });
});

describe("PullSecret provider: one owner per Secret", () => {
    const urnOf = (name: string) => `urn:pulumi:dev::gcr-pull-secrets::gcr-pull-secrets:index:GcrPullSecrets$gcr-pull-secrets:index:PullSecret::${name}`;
    const call = { urn: urnOf("p-apps") };

    it("a replacement (new instance created, then the old one deleted) keeps the Secret, its uid and our entry", async () => {
        const cluster = new FakeCluster();
        const old = await cluster.handler().create({ ...inputs }, call);
        const replacement = await cluster.handler().create({ ...inputs }, call);
        assert.notStrictEqual(replacement.outs.ownerId, old.outs.ownerId, "each instance has its own id");
        assert.strictEqual(replacement.outs.uid, old.outs.uid, "taken over in place");
        await cluster.handler().delete(old.id, old.outs, call);
        assert.ok(cluster.secrets.has("apps/regcred"), "the old instance's delete left the Secret");
        assert.deepStrictEqual(cluster.accounts.get("apps/default"), ["someone-elses", "regcred"]);
        assert.deepStrictEqual(cluster.warnings, [], "a replacement is not worth a warning");
        await cluster.handler().delete(replacement.id, replacement.outs, call);
        assert.ok(!cluster.secrets.has("apps/regcred"));
        assert.deepStrictEqual(cluster.accounts.get("apps/default"), ["someone-elses"]);
    });

    it("a renamed resource inherits the entries it no longer covers and removes them; the old one's delete warns and touches nothing", async () => {
        const cluster = new FakeCluster();
        const old = await cluster.handler().create({ ...inputs, serviceAccounts: ["default", "builder"] }, { urn: urnOf("old") });
        const renamed = await cluster.handler().create({ ...inputs }, { urn: urnOf("new") });
        assert.deepStrictEqual(cluster.accounts.get("apps/builder"), [], "the entry nobody covers any more is gone");
        cluster.calls.length = 0;
        await cluster.handler().delete(old.id, old.outs, { urn: urnOf("old") });
        assert.deepStrictEqual(cluster.calls, ["get apps/regcred"], "read only");
        assert.match(
            cluster.warnings[0],
            /Secret apps\/regcred is owned by resource urn:.*::new of stack "gcr-pull-secrets\/dev" \(owner id [0-9a-f-]+\).*removed from the state only/,
        );
        assert.deepStrictEqual(cluster.accounts.get("apps/default"), ["someone-elses", "regcred"]);
        assert.strictEqual(cluster.secrets.get("apps/regcred")?.metadata?.annotations?.[ownerIdAnnotation], renamed.outs.ownerId);
    });

    it("another stack's adoption: refresh keeps it as held, the update refuses to take it back, delete leaves it", async () => {
        const cluster = new FakeCluster();
        const ours = await cluster.handler().create({ ...inputs }, call);
        const other = { ...inputs, owner: "gcr-pull-secrets/prod", adopt: true };
        await cluster.handler().create(other, { urn: "urn:pulumi:prod::gcr-pull-secrets::x$gcr-pull-secrets:index:PullSecret::p-apps" });
        const read = await cluster.handler().read(ours.id, ours.outs, { ...inputs }, call);
        assert.match(String(read.props.heldBy), /stack "gcr-pull-secrets\/prod"/);
        const diff = await cluster.handler().diff(ours.id, read.props, { ...inputs }, { ...inputs });
        assert.deepStrictEqual(diff.diffs, ["ownerId"]);
        await assert.rejects(
            cluster.handler().update(ours.id, read.props, { ...inputs }, { ...inputs }, call),
            /is now owned by resource urn:pulumi:prod::.*set adopt: true/,
        );
        await cluster.handler().delete(ours.id, read.props, call);
        assert.ok(cluster.secrets.has("apps/regcred"));
        assert.deepStrictEqual(cluster.accounts.get("apps/default"), ["someone-elses", "regcred"]);
    });

    it("a stack of the same name in another backend (another identity): refused at check and create; with adopt taken in place, and the first's delete warns and leaves it", async () => {
        const cluster = new FakeCluster();
        const first = { ...inputs, stackIdentity: "identity-a" };
        const second = { ...inputs, stackIdentity: "identity-b" };
        const ours = await cluster.handler().create(first, call);
        assert.strictEqual(cluster.secrets.get("apps/regcred")?.metadata?.annotations?.[stackIdentityAnnotation], "identity-a");
        const checked = await cluster.handler().check({}, second);
        assert.strictEqual(checked.failures[0]?.property, "secretName");
        assert.match(
            checked.failures[0].reason,
            /owned by resource urn:.*\(owner id [0-9a-f-]+, stack identity identity-a\): a stack of this stack's name, but not this stack/,
        );
        await assert.rejects(cluster.handler().create(second, call), /this stack's identity is identity-b.*set adopt: true on namespace "apps"/);
        assert.strictEqual(cluster.secrets.get("apps/regcred")?.metadata?.annotations?.[ownerIdAnnotation], ours.outs.ownerId, "untouched");

        const adopted = await cluster.handler().create({ ...second, adopt: true }, call);
        assert.strictEqual(adopted.outs.uid, ours.outs.uid, "in place");
        assert.strictEqual(adopted.outs.adoptedUid, ours.outs.uid, "an adoption, not a replacement");
        assert.strictEqual(cluster.secrets.get("apps/regcred")?.metadata?.annotations?.[stackIdentityAnnotation], "identity-b");
        // Same URN, another identity: not this stack's own replacement, so the delete says why it leaves the Secret.
        await cluster.handler().delete(ours.id, ours.outs, call, first);
        assert.match(cluster.warnings[0] ?? "", /stack identity identity-b\).*removed from the state only/);
        assert.ok(cluster.secrets.has("apps/regcred"));
        assert.deepStrictEqual(cluster.accounts.get("apps/default"), ["someone-elses", "regcred"]);
    });

    it("the preview of a stack's first update (its identity still unknown) refuses a namesake's or a hand-made Secret, and lets a Secret of 0.3 through", async () => {
        const cluster = new FakeCluster();
        await cluster.handler().create({ ...inputs, stackIdentity: "identity-a" }, call);
        const firstPreview = { ...inputs, stackIdentity: unknownValue };
        const checked = await cluster.handler().check({}, firstPreview);
        assert.strictEqual(checked.failures[0]?.property, "secretName");
        assert.match(checked.failures[0].reason, /a stack of this stack's name, but not this stack .*this stack's identity is \(made by this update\)/);
        cluster.namespaces.add("other");
        assert.deepStrictEqual((await cluster.handler().check({}, { ...firstPreview, namespace: "other" })).failures, [], "no Secret there");

        const legacy = new FakeCluster();
        await legacy.handler().create({ ...inputs }, call);
        assert.deepStrictEqual((await legacy.handler().check({}, firstPreview)).failures, [], "a Secret without identity goes by the stack name");
        await legacy.handler().create({ ...inputs, owner: "other/prod", adopt: true }, call);
        assert.match((await legacy.handler().check({}, firstPreview)).failures[0]?.reason ?? "", /was not created by this stack/);
    });

    it("the same stack (same identity) still takes over silently when it replaces, and stamps a Secret of 0.3 (no identity) with its own", async () => {
        const cluster = new FakeCluster();
        const old = await cluster.handler().create({ ...inputs }, call);
        assert.strictEqual(cluster.secrets.get("apps/regcred")?.metadata?.annotations?.[stackIdentityAnnotation], undefined, "written without identity");
        const stamped = await cluster.handler().create({ ...inputs, stackIdentity: "identity-a" }, call);
        assert.strictEqual(cluster.secrets.get("apps/regcred")?.metadata?.annotations?.[stackIdentityAnnotation], "identity-a");
        const replacement = await cluster.handler().create({ ...inputs, stackIdentity: "identity-a" }, call);
        await cluster.handler().delete(old.id, old.outs, call, { ...inputs });
        await cluster.handler().delete(stamped.id, stamped.outs, call, { ...inputs, stackIdentity: "identity-a" });
        assert.deepStrictEqual(cluster.warnings, [], "a replacement is not worth a warning");
        assert.strictEqual(cluster.secrets.get("apps/regcred")?.metadata?.annotations?.[ownerIdAnnotation], replacement.outs.ownerId);
    });

    it("a create that wrote the Secret but could not add every entry fails with the id and outputs, so the engine records it", async () => {
        const cluster = new FakeCluster();
        cluster.forbidden.add("apps/builder");
        const failure = await cluster
            .handler()
            .create({ ...inputs, serviceAccounts: ["default", "builder"] }, call)
            .then(
                () => undefined,
                (error: unknown) => error,
            );
        assert.ok(failure instanceof ResourceInitError, String(failure));
        assert.strictEqual(failure.id, "apps/regcred");
        assert.deepStrictEqual(failure.outputs.attached, ["default"]);
        assert.strictEqual(failure.outputs.uid, "uid-1");
        assert.match(failure.message, /Secret apps\/regcred was written, but not every ServiceAccount lists it: .*apps\/builder.*forbidden/);
        // The engine then updates the recorded resource: with the permission, it finishes.
        cluster.forbidden.clear();
        const { outs } = await cluster
            .handler()
            .update("apps/regcred", failure.outputs, { ...inputs, serviceAccounts: ["default", "builder"] }, { ...inputs }, call);
        assert.deepStrictEqual(outs.attached, ["default", "builder"]);
        assert.strictEqual(outs.ownerId, failure.outputs.ownerId);
    });

    it("a delete that fails half-way puts our entries back, so the state (which keeps the resource) stays true", async () => {
        const cluster = new FakeCluster();
        const { id, outs } = await cluster.handler().create({ ...inputs, serviceAccounts: ["default", "builder"] }, call);
        cluster.deleteFails = true;
        await assert.rejects(cluster.handler().delete(id, outs, call), /deleting Secret apps\/regcred failed \(its entries are as they were\)/);
        assert.deepStrictEqual(cluster.accounts.get("apps/default"), ["someone-elses", "regcred"]);
        assert.deepStrictEqual(cluster.accounts.get("apps/builder"), ["regcred"]);
        cluster.forbidden.add("apps/builder");
        cluster.deleteFails = false;
        await assert.rejects(cluster.handler().delete(id, outs, call), /stopped before the Secret was deleted/);
        assert.deepStrictEqual(cluster.accounts.get("apps/default"), ["someone-elses", "regcred"], "the entry removed first is back");
        assert.ok(cluster.secrets.has("apps/regcred"));
    });

    it("0.2.0 state (no owner id) is claimed by its update: the Secret gets the id, nothing is recreated", async () => {
        const cluster = new FakeCluster();
        const { id, outs } = await cluster.handler().create({ ...inputs }, call);
        const annotations = cluster.secrets.get("apps/regcred")!.metadata!.annotations!;
        for (const key of [ownerIdAnnotation, "gcr-pull-secrets.dev/owner-urn", "gcr-pull-secrets.dev/service-accounts"]) delete annotations[key];
        const { ownerId: _none, ...state020 } = outs;
        const diff = await cluster.handler().diff(id, state020, { ...inputs }, { ...inputs });
        assert.deepStrictEqual(diff.diffs, ["ownerId"]);
        const updated = await cluster.handler().update(id, state020, { ...inputs }, { ...inputs }, call);
        assert.strictEqual(cluster.secrets.get("apps/regcred")!.metadata!.annotations![ownerIdAnnotation], updated.outs.ownerId);
        assert.ok(!cluster.calls.some((c) => c.startsWith("create apps/regcred") && c !== cluster.calls[0]), "never recreated");
    });

    it("import: Read with the id alone returns inputs and outputs from the live Secret and the ServiceAccounts that list it", async () => {
        const cluster = new FakeCluster();
        cluster.secrets.set("apps/regcred", {
            type: "kubernetes.io/dockerconfigjson",
            metadata: { uid: "hand-made", annotations: {} },
            data: { ".dockerconfigjson": Buffer.from(dockerConfigJson).toString("base64") },
        });
        cluster.accounts.set("apps/default", ["regcred"]);
        const api = cluster.connection().api;
        const list = async () => ({
            items: [...cluster.accounts].map(([key, names]) => ({ metadata: { name: key.split("/")[1] }, imagePullSecrets: names.map((name) => ({ name })) })),
        });
        const handler = pullSecretHandler({
            connection: () => ({ ...cluster.connection(), api: { ...api, listServiceAccountForAllNamespaces: list } }),
            dockerConfigJson: () => dockerConfigJson,
            clusterKnown: () => true,
        });
        const read = await handler.read("apps/regcred", {}, undefined, call);
        assert.strictEqual(read.id, "apps/regcred");
        assert.deepStrictEqual(
            { ...read.inputs, dockerConfigDigest: revealed(read.inputs?.dockerConfigDigest) },
            {
                ...inputs,
                adopt: true,
                owner: "gcr-pull-secrets/dev",
                waitSeconds: 60,
                foundServiceAccounts: [],
                dockerConfigDigest: dockerConfigDigest(dockerConfigJson),
            },
        );
        assert.deepStrictEqual(read.props.attached, ["default"]);
        assert.strictEqual(read.props.uid, "hand-made");
        await assert.rejects(handler.read("regcred", {}, undefined, call), /the id of a PullSecret to import is NAMESPACE\/NAME/);
        assert.deepStrictEqual((await handler.read("apps/missing", {}, undefined, call)).props, {}, "no Secret: nothing to import");
    });
});

describe("0.1's dynamic resources, retired through this provider", () => {
    const entry = { namespace: "apps", serviceAccount: "default", secretName: "regcred", waitSeconds: 60, attached: true, __provider: "exports.handler = ..." };
    const handlersOf = (cluster: FakeCluster) =>
        legacyHandlers(() => cluster.connection(), { guard: "pulumi-nodejs:dynamic:PullSecretGuard", entry: "pulumi-nodejs:dynamic:ServiceAccountPullSecret" });

    it("keeps the entry when this version's PullSecret took the Secret over (no moment without it)", async () => {
        const cluster = new FakeCluster();
        await cluster.handler().create({ ...inputs });
        await handlersOf(cluster)["pulumi-nodejs:dynamic:ServiceAccountPullSecret"].delete("apps/default", entry);
        assert.deepStrictEqual(cluster.accounts.get("apps/default"), ["someone-elses", "regcred"]);
    });

    it("removes the entry when the namespace left the stack (the Secret is still 0.1's)", async () => {
        const cluster = new FakeCluster();
        cluster.accounts.set("apps/default", ["someone-elses", "regcred"]);
        cluster.secrets.set("apps/regcred", { type: "kubernetes.io/dockerconfigjson", metadata: { annotations: { "pulumi.com/patchForce": "true" } } });
        await handlersOf(cluster)["pulumi-nodejs:dynamic:ServiceAccountPullSecret"].delete("apps/default", entry);
        assert.deepStrictEqual(cluster.accounts.get("apps/default"), ["someone-elses"]);
    });

    it("a guard's delete touches nothing, and nothing but deletes is served", async () => {
        const cluster = new FakeCluster();
        const guard = handlersOf(cluster)["pulumi-nodejs:dynamic:PullSecretGuard"];
        await guard.delete("apps/regcred", { namespace: "apps", secretName: "regcred" });
        assert.deepStrictEqual(cluster.calls, []);
        await assert.rejects(guard.create({}), /is a resource type of gcr-pull-secrets 0.1; it can only be deleted/);
    });
});

describe("provider configuration diff", () => {
    const config = { dockerConfigJson: secretValue(dockerConfigJson), kubeconfig: secretValue(kubeconfigFor("https://a:6443")) };

    function kubeconfigFor(server: string): string {
        return [
            "apiVersion: v1",
            "kind: Config",
            "clusters: [{name: c, cluster: {server: '" + server + "'}}]",
            "users: [{name: u, user: {token: t}}]",
            "contexts: [{name: x, context: {cluster: c, user: u}}]",
            "current-context: x",
        ].join("\n");
    }

    it("a new key or refreshed credentials update the provider in place", () => {
        const rotated = diffProviderSettings(config, { ...config, dockerConfigJson: secretValue("{}") });
        assert.deepStrictEqual(rotated, { changes: true, replaces: [], diffs: ["dockerConfigJson"] });
        const refreshed = diffProviderSettings(config, {
            ...config,
            kubeconfig: secretValue(kubeconfigFor("https://a:6443").replace("token: t", "token: t2")),
        });
        assert.deepStrictEqual(refreshed.replaces, []);
    });

    it("another API server replaces it (every resource moves to the new cluster)", () => {
        assert.deepStrictEqual(diffProviderSettings(config, { ...config, kubeconfig: secretValue(kubeconfigFor("https://b:6443")) }).replaces, ["kubeconfig"]);
    });

    it("a kubeconfig or context not known yet (preview) is a possible replacement, as pulumi-kubernetes reports it", () => {
        assert.deepStrictEqual(diffProviderSettings(config, { ...config, kubeconfig: unknownValue }), {
            changes: true,
            replaces: ["kubeconfig"],
            diffs: ["kubeconfig"],
        });
        assert.deepStrictEqual(diffProviderSettings(config, { ...config, context: unknownValue }).replaces, ["context"]);
        assert.deepStrictEqual(diffProviderSettings(config, { ...config, dockerConfigJson: unknownValue }).replaces, [], "an unknown key only updates");
    });

    it("with clusterIdentifier before and after, it alone decides: another URL of the same cluster, even unknown, is an update", () => {
        const named = { ...config, clusterIdentifier: "prod-eu" };
        const moved = { ...named, kubeconfig: secretValue(kubeconfigFor("https://b:6443")) };
        assert.deepStrictEqual(diffProviderSettings(named, moved), { changes: true, replaces: [], diffs: ["kubeconfig"] });
        assert.deepStrictEqual(diffProviderSettings(named, { ...named, kubeconfig: unknownValue }).replaces, []);
        assert.deepStrictEqual(diffProviderSettings(named, { ...named, clusterIdentifier: "prod-us" }), {
            changes: true,
            replaces: ["clusterIdentifier"],
            diffs: ["clusterIdentifier"],
        });
        assert.deepStrictEqual(diffProviderSettings(named, { ...named, clusterIdentifier: unknownValue }).replaces, ["clusterIdentifier"]);
    });

    it("adding or removing clusterIdentifier is an update; the URL still decides while it does", () => {
        const named = { ...config, clusterIdentifier: "prod-eu" };
        assert.deepStrictEqual(diffProviderSettings(config, named), { changes: true, replaces: [], diffs: ["clusterIdentifier"] });
        assert.deepStrictEqual(diffProviderSettings(named, config), { changes: true, replaces: [], diffs: ["clusterIdentifier"] });
        const movedAndNamed = { ...named, kubeconfig: secretValue(kubeconfigFor("https://b:6443")) };
        assert.deepStrictEqual(diffProviderSettings(config, movedAndNamed).replaces, ["kubeconfig"]);
    });

    it("clusterIdentifier must be text", () => {
        assert.deepStrictEqual(checkProviderSettings({ ...config, clusterIdentifier: 7 }), [
            { property: "clusterIdentifier", reason: "clusterIdentifier must be a string" },
        ]);
        assert.deepStrictEqual(checkProviderSettings({ ...config, clusterIdentifier: "prod-eu" }), []);
    });

    it("never replaces when state of 0.1 (the Kubernetes or the dynamic provider) arrives through an alias", () => {
        assert.deepStrictEqual(diffProviderSettings({ enableSecretMutable: "true", context: "old" }, config), {
            changes: true,
            replaces: [],
            diffs: ["kubeconfig", "dockerConfigJson"],
        });
        assert.deepStrictEqual(diffProviderSettings({}, config).replaces, []);
    });
});

describe("provider errors never quote the kubeconfig", () => {
    const marker = "tok-SECRETMARKER-0123456789";

    it("a kubeconfig that does not parse is reported by kind, not by its text", () => {
        const broken = `apiVersion: v1\nusers:\n  - name: u\n    user: {token: ${marker}\n  bad: [`;
        assert.throws(
            () => connect({ kubeconfig: broken }),
            (error: Error) => {
                assert.match(error.message, /^the kubeconfig setting is not a readable kubeconfig file/);
                assert.ok(!error.message.includes("SECRETMARKER"), error.message);
                return true;
            },
        );
    });

    it("an unknown context is named, the kubeconfig's content is not", () => {
        const config = `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://10.0.0.1:6443'}}]\nusers: [{name: u, user: {token: ${marker}}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`;
        assert.throws(
            () => connect({ kubeconfig: config, context: "nope" }),
            (error: Error) => {
                assert.match(error.message, /kubeContext "nope" is not a context of the kubeconfig setting; known: x/);
                assert.ok(!error.message.includes("SECRETMARKER"), error.message);
                return true;
            },
        );
    });
});

describe("PullSecret provider, keyless: the refresher owns the content", () => {
    const keylessInputs = { ...inputs, keySource: keyless.keySource } as Record<string, unknown>;
    delete keylessInputs.dockerConfigDigest;
    const refreshed = JSON.stringify({ auths: { "asia.gcr.io": { username: "oauth2accesstoken", password: "ya29.refreshed", auth: "x" } } });

    /** What the refresher does to a Secret: new content and an expiry annotation. */
    function refresh(cluster: FakeCluster): void {
        const secret = cluster.secrets.get("apps/regcred")!;
        secret.data = { ".dockerconfigjson": Buffer.from(refreshed).toString("base64") };
        secret.metadata!.annotations = {
            ...secret.metadata!.annotations,
            [keyless.expiresAnnotation]: "2030-01-01T00:00:00.000Z",
            [keyless.refreshedAnnotation]: "2029-12-31T23:00:00.000Z",
            // A failure before the last refresh is history.
            [keyless.failedAtAnnotation]: "2029-12-31T22:30:00.000Z",
            [keyless.failureAnnotation]: "an earlier failure",
        };
    }

    it("creates the Secret with placeholder content (no credentials) and the keyless key-source annotation", async () => {
        const cluster = new FakeCluster();
        // No docker config in the provider: keyless never needs one.
        const { outs } = await cluster.handler(undefined).create({ ...keylessInputs });
        assert.strictEqual(cluster.content(), keyless.placeholderDockerConfigJson);
        const secret = cluster.secrets.get("apps/regcred")!;
        assert.strictEqual(secret.type, "kubernetes.io/dockerconfigjson");
        assert.strictEqual(secret.metadata?.annotations?.[keySourceAnnotation], "keyless");
        assert.deepStrictEqual(cluster.accounts.get("apps/default"), ["someone-elses", "regcred"], "the ServiceAccount entry as in every mode");
        assert.strictEqual(outs.dockerConfigDigest, undefined);
    });

    it("refresh never reports the refresher's token as drift, and an update never overwrites it", async () => {
        const cluster = new FakeCluster();
        const handler = cluster.handler(undefined);
        const { id, outs } = await handler.create({ ...keylessInputs });
        refresh(cluster);
        const read = await handler.read(id, { ...outs }, { ...keylessInputs });
        assert.strictEqual(read.props.dockerConfigDigest, undefined, "no digest: the content is not compared");
        assert.deepStrictEqual(await handler.diff(id, read.props, { ...keylessInputs }, { ...keylessInputs }), { changes: false, replaces: [], diffs: [] });
        // A change the stack does own (another registry) patches metadata only.
        const more = { ...keylessInputs, registries: ["asia.gcr.io", "gcr.io"] };
        await handler.update(id, read.props, more, { ...keylessInputs });
        assert.strictEqual(cluster.content(), refreshed, "the token stays");
        assert.strictEqual(cluster.secrets.get("apps/regcred")!.metadata?.annotations?.[keyless.expiresAnnotation], "2030-01-01T00:00:00.000Z");
        assert.strictEqual(cluster.secrets.get("apps/regcred")!.metadata?.annotations?.["gcr-pull-secrets.dev/registries"], "asia.gcr.io,gcr.io");
    });

    it("switching a key's Secret to keyless keeps its content (the key works until the first refresh) in the same object", async () => {
        const cluster = new FakeCluster();
        const { id, outs } = await cluster.handler().create({ ...inputs });
        const diff = await cluster.handler(undefined).diff(id, outs, { ...keylessInputs }, { ...inputs });
        assert.deepStrictEqual(diff.replaces, []);
        assert.deepStrictEqual([...diff.diffs].sort(), ["dockerConfigDigest", "keySource"]);
        const updated = await cluster.handler(undefined).update(id, outs, { ...keylessInputs }, { ...inputs });
        assert.strictEqual(cluster.content(), dockerConfigJson);
        assert.strictEqual(updated.outs.uid, outs.uid);
        assert.strictEqual(cluster.secrets.get("apps/regcred")!.metadata?.annotations?.[keySourceAnnotation], "keyless");
    });

    it("switching back to a key writes the key's docker config and drops the refresher's annotations", async () => {
        const cluster = new FakeCluster();
        const { id, outs } = await cluster.handler(undefined).create({ ...keylessInputs });
        refresh(cluster);
        await cluster.handler().update(id, outs, { ...inputs }, { ...keylessInputs });
        assert.strictEqual(cluster.content(), dockerConfigJson);
        const annotations = cluster.secrets.get("apps/regcred")!.metadata?.annotations ?? {};
        assert.strictEqual(annotations[keyless.expiresAnnotation], undefined);
        assert.strictEqual(annotations[keyless.failedAtAnnotation], undefined);
        assert.strictEqual(annotations[keyless.failureAnnotation], undefined);
        assert.strictEqual(annotations[keySourceAnnotation], "supplied", "the refresher leaves a Secret that is not keyless alone");
    });

    it("preview (diff) and refresh (read) warn once, naming the namespace, about an expired token; a key's diff reads nothing", async () => {
        const cluster = new FakeCluster();
        const handler = cluster.handler(undefined);
        const { id, outs } = await handler.create({ ...keylessInputs });
        refresh(cluster);
        assert.deepStrictEqual(await handler.diff(id, outs, { ...keylessInputs }, { ...keylessInputs }), { changes: false, replaces: [], diffs: [] });
        assert.deepStrictEqual(cluster.warnings, [], "a token that lives: no warning");
        const secret = cluster.secrets.get("apps/regcred")!;
        secret.metadata!.annotations = {
            ...secret.metadata!.annotations,
            [keyless.expiresAnnotation]: "2020-01-01T00:00:00.000Z",
            [keyless.refreshedAnnotation]: "2019-12-31T23:00:00.000Z",
            [keyless.failedAtAnnotation]: "2020-01-01T00:30:00.000Z",
            [keyless.failureAnnotation]: "Google STS refused the token exchange (HTTP 400: invalid_grant: disabled)",
        };
        const diff = await handler.diff(id, outs, { ...keylessInputs }, { ...keylessInputs });
        assert.deepStrictEqual(diff, { changes: false, replaces: [], diffs: [] }, "a warning, never a change");
        await handler.read(id, { ...outs }, { ...keylessInputs });
        assert.strictEqual(cluster.warnings.length, 1, `once per Secret and message: ${cluster.warnings.join(" | ")}`);
        assert.match(
            cluster.warnings[0],
            /^keyless pull Secret apps\/regcred in namespace apps: its token expired at 2020-01-01T00:00:00\.000Z .*; the refresher's last run failed at 2020-01-01T00:30:00\.000Z: Google STS refused/,
        );

        const keyed = new FakeCluster();
        const created = await keyed.handler().create({ ...inputs });
        keyed.calls.length = 0;
        await keyed.handler().diff(created.id, created.outs, { ...inputs }, { ...inputs });
        assert.deepStrictEqual(keyed.calls, [], "a key-mode diff stays offline");
    });

    it("adopting in keyless mode takes the Secret over in place and keeps its content until the first refresh", async () => {
        const cluster = new FakeCluster();
        cluster.secrets.set("apps/regcred", {
            type: "kubernetes.io/dockerconfigjson",
            metadata: { uid: "theirs", annotations: { [lastAppliedAnnotation]: "old" } },
            data: { ".dockerconfigjson": "e30=" },
        });
        await cluster.handler(undefined).create({ ...keylessInputs, adopt: true });
        assert.strictEqual(cluster.secrets.get("apps/regcred")!.metadata?.uid, "theirs");
        assert.strictEqual(cluster.content(), "{}");
        assert.strictEqual(cluster.secrets.get("apps/regcred")!.metadata?.annotations?.[lastAppliedAnnotation], undefined);
    });

    it("provider configuration: keyless needs no docker config and refuses one; a key switched to keyless is an update", () => {
        assert.deepStrictEqual(checkProviderSettings({ keyless: "true" }), []);
        assert.deepStrictEqual(
            checkProviderSettings({ keyless: "true", dockerConfigJson: secretValue("{}") }).map((f) => f.property),
            ["dockerConfigJson"],
        );
        // Neither: the cluster-only reader the component makes for its namespace lookups.
        assert.deepStrictEqual(checkProviderSettings({}), []);
        assert.deepStrictEqual(
            checkProviderSettings({ dockerConfigJson: secretValue("") }).map((f) => f.property),
            ["dockerConfigJson"],
        );
        assert.deepStrictEqual(diffProviderSettings({ keyless: "true" }, { keyless: "true" }), { changes: false, replaces: [], diffs: [] });
        const toKeyless = diffProviderSettings({ dockerConfigJson: secretValue(dockerConfigJson) }, { keyless: "true" });
        assert.deepStrictEqual(toKeyless, { changes: true, replaces: [], diffs: ["dockerConfigJson", "keyless"] });
    });
});
