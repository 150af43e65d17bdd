import { findCreated, ofType, recorded, resetRecorded, revealSecretInput, settle, unwrap } from "./mocks";
import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import { DockerConfig } from "../../components/dockerConfig";
import { GcrPullSecrets } from "../../components/gcrPullSecrets";
import { GcrPullSecretsArgs } from "../../components/gcrPullSecretsArgs";
import { ConfigError } from "../../components/plan";
import { rotationWindow } from "../../components/rotation";
import { sampleKeyJson, validCreateStack } from "./fixtures";

const types = {
    account: "gcp:serviceaccount/account:Account",
    key: "gcp:serviceaccount/key:Key",
    repoMember: "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
    bucketMember: "gcp:storage/bucketIAMMember:BucketIAMMember",
    projectMember: "gcp:projects/iAMMember:IAMMember",
    namespace: "kubernetes:core/v1:Namespace",
    secret: "kubernetes:core/v1:Secret",
    entry: "pulumi-nodejs:dynamic:ServiceAccountPullSecret",
    guard: "pulumi-nodejs:dynamic:PullSecretGuard",
};

// The same settings as a valid stack, given as component arguments.
const createArgs: GcrPullSecretsArgs = validCreateStack;

/** Builds the component and returns every resource it registered, as (type, name) -> inputs. */
async function build(args: GcrPullSecretsArgs, name = "pull") {
    resetRecorded();
    const component = new GcrPullSecrets(name, args);
    await unwrap(component.keyId);
    await settle();
    return { component, resources: [...recorded] };
}

function decodeDockerConfig(secretInputs: Record<string, any>): DockerConfig {
    // The Secret's data reaches the engine marked secret, or this throws.
    const data = revealSecretInput(secretInputs.data);
    return JSON.parse(Buffer.from(data[".dockerconfigjson"], "base64").toString("utf8"));
}

function names(type: string): string[] {
    return ofType(type).map((r) => r.name).sort();
}

describe("GcrPullSecrets", () => {
    it("creates one Secret, one guard and one default-ServiceAccount entry per namespace", async () => {
        await build(createArgs);
        assert.deepStrictEqual(names(types.secret), ["pull-team-a", "pull-team-b"]);
        assert.deepStrictEqual(names(types.guard), ["pull-team-a", "pull-team-b"]);
        assert.deepStrictEqual(names(types.entry), ["pull-team-a/default", "pull-team-b/default"]);
        assert.strictEqual(ofType(types.namespace).length, 0, "namespaces are not created unless asked");
    });

    it("adding a namespace adds exactly its Secret, guard and entry, and changes nothing else", async () => {
        const before = (await build(createArgs)).resources;
        const after = (await build({ ...createArgs, namespaces: ["team-0", ...createArgs.namespaces] })).resources;
        const key = (r: { type: string; name: string }) => `${r.type}::${r.name}`;
        const added = after.filter((r) => !before.some((b) => key(b) === key(r))).map(key).sort();
        assert.deepStrictEqual(added, [`${types.secret}::pull-team-0`, `${types.guard}::pull-team-0`, `${types.entry}::pull-team-0/default`]);
        assert.ok(before.every((b) => after.some((a) => key(a) === key(b))), "no resource disappears");
    });

    it("reordering namespaces registers the same resources with the same inputs", async () => {
        const strip = (resources: typeof recorded) =>
            resources
                .map((r) => ({ ...r, inputs: { ...r.inputs, __provider: undefined } }))
                .sort((a, b) => `${a.type}${a.name}`.localeCompare(`${b.type}${b.name}`));
        const a = strip((await build(createArgs)).resources);
        const b = strip((await build({ ...createArgs, namespaces: [...createArgs.namespaces].reverse(), registries: [...createArgs.registries].reverse() })).resources);
        assert.deepStrictEqual(b, a);
    });

    it("writes a dockerconfigjson Secret with labels, whose data is secret and covers every host", async () => {
        await build(createArgs);
        const secret = findCreated(types.secret, "pull-team-a").inputs;
        assert.strictEqual(secret.type, "kubernetes.io/dockerconfigjson");
        assert.strictEqual(secret.metadata.name, "regcred");
        assert.strictEqual(secret.metadata.namespace, "team-a");
        assert.strictEqual(secret.metadata.labels["app.kubernetes.io/managed-by"], "pulumi");
        assert.strictEqual(secret.metadata.labels["app.kubernetes.io/part-of"], "gcr-pull-secrets");
        const config = decodeDockerConfig(secret);
        assert.deepStrictEqual(Object.keys(config.auths), ["asia.gcr.io", "europe-west1-docker.pkg.dev"]);
        for (const entry of Object.values(config.auths)) {
            assert.strictEqual(entry.username, "_json_key");
            assert.strictEqual(JSON.parse(entry.password).type, "service_account");
            assert.strictEqual(Buffer.from(entry.auth, "base64").toString(), `_json_key:${entry.password}`);
        }
    });

    it("keeps the docker config secret end to end", async () => {
        resetRecorded();
        let dataOutput: pulumi.Output<unknown> | undefined;
        let secretOpts: pulumi.CustomResourceOptions | undefined;
        new GcrPullSecrets("pull", createArgs, {
            transformations: [
                (args) => {
                    if (args.type === types.secret) {
                        dataOutput = pulumi.output(args.props.data);
                        secretOpts = args.opts;
                    }
                    return undefined;
                },
            ],
        });
        await settle();
        assert.ok(dataOutput, "the Secret was declared");
        assert.strictEqual(await pulumi.isSecret(dataOutput!), true, "data is a secret Output");
        assert.ok(secretOpts?.additionalSecretOutputs?.includes("data"), "data is an additional secret output");
        assert.ok(secretOpts?.additionalSecretOutputs?.includes("stringData"));
    });

    it("uses _json_key_base64 when asked: the password is the base64 key and auth matches", async () => {
        await build({ ...createArgs, username: "_json_key_base64" });
        const config = decodeDockerConfig(findCreated(types.secret, "pull-team-b").inputs);
        const entry = config.auths["asia.gcr.io"];
        assert.strictEqual(entry.username, "_json_key_base64");
        assert.strictEqual(JSON.parse(Buffer.from(entry.password, "base64").toString()).type, "service_account");
        assert.strictEqual(Buffer.from(entry.auth, "base64").toString(), `_json_key_base64:${entry.password}`);
    });

    it("grants only the reader role on each listed repository, nothing project-wide", async () => {
        await build(createArgs);
        const grants = ofType(types.repoMember).map((r) => r.inputs);
        assert.deepStrictEqual(
            grants.map((g) => [g.location, g.repository, g.role, g.project, g.member]).sort(),
            [
                ["asia", "asia.gcr.io", "roles/artifactregistry.reader", "acme-dev-123456", "serviceAccount:gke-puller-dev@acme-dev-123456.iam.gserviceaccount.com"],
                ["europe-west1", "apps", "roles/artifactregistry.reader", "acme-dev-123456", "serviceAccount:gke-puller-dev@acme-dev-123456.iam.gserviceaccount.com"],
            ],
        );
        assert.strictEqual(ofType(types.projectMember).length, 0);
        assert.strictEqual(ofType(types.bucketMember).length, 0);
    });

    it("grants storage.objectViewer on a legacy bucket and project-wide read only when asked", async () => {
        await build({ ...createArgs, gcrBuckets: ["asia.artifacts.acme-dev-123456.appspot.com"], projectWideRead: true });
        const bucket = ofType(types.bucketMember);
        assert.deepStrictEqual(bucket.map((b) => [b.inputs.bucket, b.inputs.role]), [["asia.artifacts.acme-dev-123456.appspot.com", "roles/storage.objectViewer"]]);
        const project = ofType(types.projectMember);
        assert.deepStrictEqual(project.map((p) => [p.inputs.project, p.inputs.role]), [["acme-dev-123456", "roles/artifactregistry.reader"]]);
    });

    it("mints a key for an existing service account without creating one", async () => {
        const { component } = await build({
            existingServiceAccountEmail: "puller@acme-dev-123456.iam.gserviceaccount.com",
            registries: ["gcr.io"],
            namespaces: ["apps"],
        });
        assert.strictEqual(ofType(types.account).length, 0);
        assert.strictEqual(ofType(types.key)[0].inputs.serviceAccountId, "puller@acme-dev-123456.iam.gserviceaccount.com");
        assert.strictEqual(await unwrap(component.serviceAccountEmail), "puller@acme-dev-123456.iam.gserviceaccount.com");
    });

    it("with a supplied JSON key creates no Google resource and exports the key's email and id, not the key", async () => {
        const { component } = await build({ jsonKey: pulumi.secret(sampleKeyJson), registries: ["gcr.io"], namespaces: ["apps"] });
        assert.deepStrictEqual(recorded.filter((r) => r.type.startsWith("gcp:")), []);
        const key = JSON.parse(sampleKeyJson);
        assert.strictEqual(await unwrap(component.serviceAccountEmail), key.client_email);
        assert.strictEqual(await unwrap(component.keyId), key.private_key_id);
        assert.strictEqual(await pulumi.isSecret(component.keyId), false, "the key id is not secret");
        const config = decodeDockerConfig(findCreated(types.secret, "pull-apps").inputs);
        assert.deepStrictEqual(JSON.parse(config.auths["gcr.io"].password), key);
    });

    it("refuses a malformed key given as an Output without quoting it", async () => {
        resetRecorded();
        const component = new GcrPullSecrets("pull", { jsonKey: pulumi.secret("{SECRETSECRET"), registries: ["gcr.io"], namespaces: ["apps"] });
        const failure = await new Promise<unknown>((resolve) => {
            process.once("unhandledRejection", resolve);
            component.keyId.apply((v) => v);
        });
        assert.ok(failure instanceof ConfigError, String(failure));
        assert.ok(!(failure as Error).message.includes("SECRETSECRET"));
        assert.match((failure as Error).message, /jsonKey is not a Google service account JSON key/);
    });

    it("exports secret names per namespace, the email, the key id and the hosts — never the key", async () => {
        const { component } = await build(createArgs);
        assert.deepStrictEqual(await unwrap(component.secretNames), { "team-a": "regcred", "team-b": "regcred" });
        assert.strictEqual(await unwrap(component.serviceAccountEmail), "gke-puller-dev@acme-dev-123456.iam.gserviceaccount.com");
        assert.match(await unwrap(component.keyId), /^[0-9a-f]{40}$/);
        assert.deepStrictEqual(await unwrap(component.registryHosts), ["asia.gcr.io", "europe-west1-docker.pkg.dev"]);
        const outputs = Object.keys(component).filter((k) => k !== "urn" && pulumi.Output.isInstance((component as any)[k]));
        assert.deepStrictEqual(outputs.sort(), ["keyId", "registryHosts", "secretNames", "serviceAccountEmail"]);
    });

    it("patches the extra ServiceAccounts named for a namespace", async () => {
        await build({ ...createArgs, namespaces: [{ name: "ci", serviceAccounts: ["builder"] }] });
        assert.deepStrictEqual(names(types.entry), ["pull-ci/builder", "pull-ci/default"]);
        const entry = findCreated(types.entry, "pull-ci/builder").inputs;
        assert.deepStrictEqual([entry.namespace, entry.serviceAccount, entry.secretName, entry.waitSeconds], ["ci", "builder", "regcred", 60]);
    });

    it("creates a namespace only when asked, keeps it on destroy, and guards the Secret in it", async () => {
        resetRecorded();
        const optsByName: Record<string, pulumi.CustomResourceOptions> = {};
        new GcrPullSecrets("pull", { ...createArgs, namespaces: [{ name: "fresh", create: true }, "old"] }, {
            transformations: [(args) => { optsByName[`${args.type}::${args.name}`] = args.opts; return undefined; }],
        });
        await settle();
        assert.deepStrictEqual(names(types.namespace), ["pull-fresh"]);
        assert.strictEqual(findCreated(types.namespace, "pull-fresh").inputs.metadata.name, "fresh");
        assert.strictEqual(optsByName[`${types.namespace}::pull-fresh`].retainOnDelete, true);
        const guardDeps = optsByName[`${types.guard}::pull-fresh`].dependsOn as pulumi.Resource[];
        assert.strictEqual(guardDeps.length, 1, "the guard waits for the namespace");
    });

    it("manages Secrets through a Kubernetes provider that updates them in place, on the kubeContext", async () => {
        await build({ ...createArgs, kubeContext: "gke_acme_europe-west1_dev" });
        const providers = ofType("pulumi:providers:kubernetes");
        assert.strictEqual(providers.length, 1);
        assert.strictEqual(providers[0].inputs.enableSecretMutable, "true");
        assert.strictEqual(providers[0].inputs.context, "gke_acme_europe-west1_dev");
        assert.strictEqual(findCreated(types.guard, "pull-team-a").inputs.kubeContext, "gke_acme_europe-west1_dev");
        assert.strictEqual(findCreated(types.entry, "pull-team-a/default").inputs.kubeContext, "gke_acme_europe-west1_dev");
        assert.strictEqual(findCreated(types.secret, "pull-team-a").inputs.metadata.annotations["pulumi.com/patchForce"], "true");
    });

    it("uses a Kubernetes provider the caller passes instead of making one", async () => {
        resetRecorded();
        const { Provider } = await import("@pulumi/kubernetes");
        const mine = new Provider("mine", { enableSecretMutable: true });
        const providerOf: Record<string, pulumi.ProviderResource | undefined> = {};
        new GcrPullSecrets("pull", createArgs, {
            providers: { kubernetes: mine },
            transformations: [(args) => { providerOf[`${args.type}::${args.name}`] = args.opts.provider; return undefined; }],
        });
        await settle();
        assert.deepStrictEqual(ofType("pulumi:providers:kubernetes").map((r) => r.name), ["mine"]);
        assert.strictEqual(providerOf[`${types.secret}::pull-team-a`], mine);
    });

    it("passes adopt to the guard of that namespace only", async () => {
        await build({ ...createArgs, namespaces: [{ name: "legacy", adopt: true }, "new"] });
        assert.strictEqual(findCreated(types.guard, "pull-legacy").inputs.adopt, true);
        assert.strictEqual(findCreated(types.guard, "pull-new").inputs.adopt, false);
    });

    it("rotation changes only the key's inputs; every resource name stays", async () => {
        const first = (await build({ ...createArgs, rotationTrigger: "2026-11" })).resources;
        const second = (await build({ ...createArgs, rotationTrigger: "2026-12" })).resources;
        const ids = (rs: typeof first) => rs.map((r) => `${r.type}::${r.name}`).sort();
        assert.deepStrictEqual(ids(second), ids(first));
        for (const resource of second) {
            const before = first.find((r) => r.type === resource.type && r.name === resource.name)!;
            if (resource.type === types.key) {
                assert.notDeepStrictEqual(resource.inputs.keepers, before.inputs.keepers);
            } else if (resource.type === types.secret) {
                // New key material, same object: an in-place update, never a replacement.
                assert.deepStrictEqual(resource.inputs.metadata, before.inputs.metadata);
                assert.notDeepStrictEqual(resource.inputs.data, before.inputs.data);
            } else {
                assert.deepStrictEqual({ ...resource.inputs, __provider: 0 }, { ...before.inputs, __provider: 0 }, `${resource.type} ${resource.name} changed`);
            }
        }
    });

    it("keys the scheduled rotation on the current period and keeps the key create-before-delete", async () => {
        resetRecorded();
        let keyOpts: pulumi.CustomResourceOptions | undefined;
        new GcrPullSecrets("pull", { ...createArgs, rotationDays: 30 }, {
            transformations: [(args) => { if (args.type === types.key) keyOpts = args.opts; return undefined; }],
        });
        await settle();
        const keepers = ofType(types.key)[0].inputs.keepers;
        assert.deepStrictEqual(keepers, { rotationDays: "30", rotationWindow: rotationWindow(new Date(), 30), rotationTrigger: "" });
        assert.notStrictEqual(keyOpts?.deleteBeforeReplace, true);
        assert.ok(keyOpts?.additionalSecretOutputs?.includes("privateKey"));
    });

    it("refuses bad arguments before declaring any resource", () => {
        resetRecorded();
        assert.throws(() => new GcrPullSecrets("pull", { ...createArgs, namespaces: ["kube-system", "Bad"] }), (error: Error) => {
            assert.ok(error instanceof ConfigError);
            assert.match(error.message, /\(2 problems\)/);
            return true;
        });
        assert.deepStrictEqual(recorded, []);
    });

    it("gives every child this component as parent", async () => {
        resetRecorded();
        const children: { parent?: pulumi.Resource; id: string }[] = [];
        const component = new GcrPullSecrets("pull", { ...createArgs, namespaces: [{ name: "x", create: true }] }, {
            transformations: [(args) => { children.push({ parent: args.opts.parent, id: `${args.type}::${args.name}` }); return undefined; }],
        });
        await settle();
        const parents = children.filter((c) => !c.id.startsWith("gcr-pull-secrets:index:")).map((c) => (c.parent === component ? "ok" : c.id));
        assert.ok(parents.length >= 6);
        assert.deepStrictEqual(parents.filter((p) => p !== "ok"), []);
    });
});
