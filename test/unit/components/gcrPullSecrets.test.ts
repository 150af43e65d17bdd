import { calls, findCreated, isSecretInput, ofType, recorded, resetRecorded, revealSecretInput, setMockCluster, settle, unwrap } from "../mocks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import * as contract from "../../../components/contract";
import { DockerConfig, dockerConfigDigest } from "../../../components/dockerConfig";
import { GcrPullSecrets } from "../../../components/gcrPullSecrets";
import { GcrPullSecretsArgs } from "../../../components/gcrPullSecretsArgs";
import { ConfigError } from "../../../components/configError";
import { rotationWindow } from "../../../components/rotation";
import { ClusterNamespace } from "../../../components/selectNamespaces";
import { sampleKeyJson, stackValues, validCreateStack } from "../fixtures";
import { validateStackConfig } from "../../../components/config";
import * as jsonKeyModule from "../../../components/jsonKey";
import { dockerConfigOfKey } from "../../../components/providerKey";
import { ValidatedArgs } from "../../../components/validatedArgs";
import { resolveNamespaces } from "../../../components/selectNamespaces";
import { isReference, isSecretInput as isSecretSpecInput, isStackIdentityInput, SpecValue } from "../../../components/specs/resourceSpec";
import { stackIdentityName } from "../../../components/stackIdentity";
import { resourceSpecs } from "../../../components/specs/resourceSpecs";
import * as checkArgsModule from "../../../components/validation/checkArgs";

const types = {
    account: contract.foreignTypes.account,
    key: contract.foreignTypes.key,
    repoMember: contract.foreignTypes.repositoryIamMember,
    bucketMember: contract.foreignTypes.bucketIamMember,
    projectMember: contract.foreignTypes.projectIamMember,
    namespace: contract.foreignTypes.namespace,
    kubernetesProvider: contract.foreignTypes.kubernetesProvider,
    provider: contract.foreignTypes.provider,
    secret: contract.types.pullSecret,
    stackIdentity: contract.types.stackIdentity,
};

/** The id the mocks give the stack identity: what every PullSecret must carry. */
const mockedStackIdentity = `mocked::${contract.types.stackIdentity}::${stackIdentityName}-id`;

/** A small kubeconfig: one cluster, one user, one context. */
const sampleKubeconfig = [
    "apiVersion: v1",
    "kind: Config",
    "clusters: [{name: c, cluster: {server: 'https://10.0.0.1:6443'}}]",
    "users: [{name: u, user: {token: t}}]",
    "contexts: [{name: gke_acme_europe-west1_dev, context: {cluster: c, user: u}}]",
    "current-context: gke_acme_europe-west1_dev",
].join("\n");

// The same settings as a valid stack, given as component arguments.
const createArgs: GcrPullSecretsArgs = validCreateStack;
// ...and keyless, impersonating a reader account.
const { serviceAccount: _source, ...keylessArgs }: GcrPullSecretsArgs = {
    ...validCreateStack,
    keyless: { issuerUri: "https://issuer.example.com", serviceAccountEmail: "reader@acme-dev-123456.iam.gserviceaccount.com" },
};

/** Builds the component and returns every resource it registered, as (type, name) -> inputs. */
async function build(args: GcrPullSecretsArgs | ValidatedArgs, name = "pull") {
    resetRecorded();
    const component = new GcrPullSecrets(name, args);
    await unwrap(component.keyId);
    await settle();
    return { component, resources: [...recorded] };
}

/** The docker config the component's provider builds from its configuration, whose key must reach the engine marked secret. */
function providerDockerConfig(name = "pull"): { text: string; config: DockerConfig } {
    const inputs = findCreated(types.provider, name).inputs;
    const key = "jsonKey" in inputs ? { jsonKey: revealSecretInput(inputs.jsonKey) } : { privateKey: revealSecretInput(inputs.privateKey) };
    const built = dockerConfigOfKey({ ...key, registries: inputs.registries, username: inputs.username });
    if (!built.ok) throw new Error(`the provider's configuration makes no docker config: ${JSON.stringify(built.problems)}`);
    return { text: built.dockerConfigJson, config: JSON.parse(built.dockerConfigJson) };
}

/** The names of the component's resources of a type (the stack identity's provider is the stack's, not the component's). */
function names(type: string): string[] {
    return ofType(type)
        .filter((r) => r.name !== stackIdentityName)
        .map((r) => r.name)
        .sort();
}

/**
 * Fails unless every plain value of a spec's inputs reached the engine as it is (references and
 * secret inputs are resolved by the component). A provider's configuration travels as text.
 */
function assertPlainInputs(spec: SpecValue, sent: unknown, at: string, asText: boolean): void {
    if (isReference(spec) || isSecretSpecInput(spec) || isStackIdentityInput(spec)) return;
    if (Array.isArray(spec)) {
        assert.ok(Array.isArray(sent) && sent.length === spec.length, `${at}: ${JSON.stringify(sent)}`);
        spec.forEach((item, index) => assertPlainInputs(item, sent[index], `${at}[${index}]`, asText));
    } else if (typeof spec === "object") {
        for (const [name, value] of Object.entries(spec)) assertPlainInputs(value, (sent as Record<string, unknown>)?.[name], `${at}.${name}`, asText);
    } else {
        assert.strictEqual(asText ? String(spec) : spec, sent, at);
    }
}

/** Counts the calls of module functions (called through their module, as compiled imports are) until restored. */
function countCalls(...targets: [Record<string, any>, string][]) {
    const calls: Record<string, number> = {};
    const originals = targets.map(([module, name]) => {
        const original = module[name];
        calls[name] = 0;
        module[name] = (...args: unknown[]) => {
            calls[name]++;
            return original(...args);
        };
        return () => (module[name] = original);
    });
    return { calls, restore: () => originals.forEach((restore) => restore()) };
}

/** Builds the component with a transformation that records every child's options by `type::name`. */
async function buildWithOptions(args: GcrPullSecretsArgs, opts: pulumi.ComponentResourceOptions = {}) {
    resetRecorded();
    const optsOf: Record<string, pulumi.CustomResourceOptions> = {};
    const component = new GcrPullSecrets("pull", args, {
        ...opts,
        transformations: [
            (a) => {
                optsOf[`${a.type}::${a.name}`] = a.opts;
                return undefined;
            },
        ],
    });
    await settle();
    return { component, optsOf };
}

/** The calls that read the cluster for selectors (not the check after the update, verifyPullAccess). */
const listCalls = () => calls.filter((c) => c.token === contract.functions.listNamespaces);

describe("GcrPullSecrets", () => {
    it("creates one PullSecret per namespace, listed in its default ServiceAccount, and one provider", async () => {
        await build(createArgs);
        assert.deepStrictEqual(names(types.secret), ["pull-team-a", "pull-team-b"]);
        assert.deepStrictEqual(findCreated(types.secret, "pull-team-a").inputs.serviceAccounts, ["default"]);
        assert.deepStrictEqual(names(types.provider), ["pull"]);
        assert.strictEqual(ofType(types.namespace).length, 0, "namespaces are not created unless asked");
        assert.strictEqual(ofType(types.kubernetesProvider).length, 0, "no Kubernetes provider when no namespace is created");
        assert.deepStrictEqual(
            recorded.filter((r) => r.type.startsWith("pulumi-nodejs:")),
            [],
            "no dynamic provider is left",
        );
    });

    it("adding a namespace adds exactly its PullSecret, and changes nothing else", async () => {
        const before = (await build(createArgs)).resources;
        const after = (await build({ ...createArgs, namespaces: ["team-0", ...createArgs.namespaces!] })).resources;
        const key = (r: { type: string; name: string }) => `${r.type}::${r.name}`;
        const added = after
            .filter((r) => !before.some((b) => key(b) === key(r)))
            .map(key)
            .sort();
        assert.deepStrictEqual(added, [`${types.secret}::pull-team-0`]);
        assert.ok(
            before.every((b) => after.some((a) => key(a) === key(b))),
            "no resource disappears",
        );
    });

    it("reordering namespaces and hosts registers the same resources with the same inputs", async () => {
        const sorted = (resources: typeof recorded) => [...resources].sort((a, b) => `${a.type}${a.name}`.localeCompare(`${b.type}${b.name}`));
        const a = sorted((await build(createArgs)).resources);
        const b = sorted(
            (await build({ ...createArgs, namespaces: [...createArgs.namespaces!].reverse(), registries: [...createArgs.registries].reverse() })).resources,
        );
        assert.deepStrictEqual(b, a);
    });

    it("keeps the docker config once, in the provider, and only its digest per namespace", async () => {
        await build(createArgs);
        const { text, config } = providerDockerConfig();
        assert.deepStrictEqual(Object.keys(config.auths), ["asia.gcr.io", "europe-west1-docker.pkg.dev"]);
        for (const entry of Object.values(config.auths)) {
            assert.strictEqual(entry.username, "_json_key");
            assert.strictEqual(JSON.parse(entry.password).type, "service_account");
            assert.strictEqual(Buffer.from(entry.auth, "base64").toString(), `_json_key:${entry.password}`);
        }
        const secret = findCreated(types.secret, "pull-team-a").inputs;
        assert.deepStrictEqual(
            secret,
            {
                namespace: "team-a",
                secretName: "regcred",
                owner: "gcr-pull-secrets/unit",
                stackIdentity: mockedStackIdentity,
                keySource: "managed",
                registries: ["asia.gcr.io", "europe-west1-docker.pkg.dev"],
                dockerConfigDigest: dockerConfigDigest(text),
                serviceAccounts: ["default"],
            },
            "inputs at their default (adopt, namespaceCreatedByStack, waitSeconds) are left out",
        );
        assert.ok(
            !JSON.stringify(recorded.filter((r) => r.type !== types.provider)).includes(config.auths["asia.gcr.io"].auth),
            "no other resource carries the key",
        );
    });

    it("keeps the key and the kubeconfig secret end to end, the digest a plain fingerprint; the docker config itself never leaves the component", async () => {
        const { optsOf } = await buildWithOptions({ ...createArgs, kubeconfig: sampleKubeconfig });
        const provider = findCreated(types.provider, "pull").inputs;
        assert.ok(isSecretInput(provider.privateKey), "the key reaches the engine as a secret");
        assert.ok(!("dockerConfigJson" in provider), "the provider builds the docker config itself");
        assert.ok(isSecretInput(provider.kubeconfig), "the kubeconfig reaches the engine as a secret");
        // Not a secret: as one the engine re-encrypted it per namespace at every checkpoint (docs/security.md).
        const digest = findCreated(types.secret, "pull-team-a").inputs.dockerConfigDigest;
        assert.ok(!isSecretInput(digest) && typeof digest === "string" && /^sha256:[0-9a-f]{64}$/.test(digest), "a SHA-256 fingerprint in the clear");
        assert.ok(!optsOf[`${types.secret}::pull-team-a`].additionalSecretOutputs?.includes("dockerConfigDigest"));
    });

    it("uses _json_key_base64 when asked: the password is the base64 key and auth matches", async () => {
        await build({ ...createArgs, username: "_json_key_base64" });
        const entry = providerDockerConfig().config.auths["asia.gcr.io"];
        assert.strictEqual(entry.username, "_json_key_base64");
        assert.strictEqual(JSON.parse(Buffer.from(entry.password, "base64").toString()).type, "service_account");
        assert.strictEqual(Buffer.from(entry.auth, "base64").toString(), `_json_key_base64:${entry.password}`);
    });

    it("grants only the reader role on each listed repository, nothing project-wide", async () => {
        await build(createArgs);
        const grants = ofType(types.repoMember).map((r) => r.inputs);
        assert.deepStrictEqual(grants.map((g) => [g.location, g.repository, g.role, g.project, g.member]).sort(), [
            ["asia", "asia.gcr.io", contract.roles.registryReader, "acme-dev-123456", "serviceAccount:gke-puller-dev@acme-dev-123456.iam.gserviceaccount.com"],
            ["europe-west1", "apps", contract.roles.registryReader, "acme-dev-123456", "serviceAccount:gke-puller-dev@acme-dev-123456.iam.gserviceaccount.com"],
        ]);
        assert.strictEqual(ofType(types.projectMember).length, 0);
        assert.strictEqual(ofType(types.bucketMember).length, 0);
    });

    it("grants storage.objectViewer on a legacy bucket and project-wide read only when asked", async () => {
        await build({ ...createArgs, gcrBuckets: ["asia.artifacts.acme-dev-123456.appspot.com"], projectWideRead: true });
        const bucket = ofType(types.bucketMember);
        assert.deepStrictEqual(
            bucket.map((b) => [b.inputs.bucket, b.inputs.role]),
            [["asia.artifacts.acme-dev-123456.appspot.com", contract.roles.gcrBucketReader]],
        );
        const project = ofType(types.projectMember);
        assert.deepStrictEqual(
            project.map((p) => [p.inputs.project, p.inputs.role]),
            [["acme-dev-123456", contract.roles.registryReader]],
        );
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
        assert.deepStrictEqual(
            recorded.filter((r) => r.type.startsWith("gcp:")),
            [],
        );
        const key = JSON.parse(sampleKeyJson);
        assert.strictEqual(await unwrap(component.serviceAccountEmail), key.client_email);
        assert.strictEqual(await unwrap(component.keyId), key.private_key_id);
        assert.strictEqual(await pulumi.isSecret(component.keyId), false, "the key id is not secret");
        assert.deepStrictEqual(JSON.parse(providerDockerConfig().config.auths["gcr.io"].password), key);
        assert.strictEqual(findCreated(types.secret, "pull-apps").inputs.keySource, "supplied");
    });

    it("gives the provider the supplied key exactly as the setting holds it (the text the CLI masks), never a text made from it", async () => {
        const base64Key = `${Buffer.from(`${sampleKeyJson}\n`).toString("base64")}\n`;
        for (const [text, username] of [
            [`${sampleKeyJson}\n`, "_json_key"],
            [base64Key, "_json_key_base64"],
        ] as const) {
            const validated = validateStackConfig({
                values: stackValues({ registries: ["gcr.io", "asia.gcr.io"], namespaces: ["apps"], jsonKey: text, username }),
                secretKeys: new Set(["gcr-pull-secrets:jsonKey"]),
            });
            await build(validated);
            const provider = findCreated(types.provider, "pull").inputs;
            assert.strictEqual(revealSecretInput(provider.jsonKey), text, "not trimmed, not decoded");
            assert.deepStrictEqual({ registries: provider.registries, username: provider.username }, { registries: "asia.gcr.io,gcr.io", username });
            const { text: dockerConfig, config } = providerDockerConfig();
            // What the plugin builds is what each PullSecret asks for.
            assert.strictEqual(findCreated(types.secret, "pull-apps").inputs.dockerConfigDigest, dockerConfigDigest(dockerConfig));
            const everything = JSON.stringify(recorded);
            for (const derived of [dockerConfig, JSON.stringify(dockerConfig), config.auths["gcr.io"].auth, config.auths["gcr.io"].password]) {
                if (derived !== text.trim()) assert.ok(!everything.includes(derived), "nothing made from the key is registered");
            }
        }
    });

    it("checks stack config once and reads its key once; the component takes the checked arguments as they are", async () => {
        const counted = countCalls([checkArgsModule, "checkArgs"], [jsonKeyModule, "readJsonKey"]);
        try {
            const validated = validateStackConfig(
                {
                    values: stackValues({ registries: ["gcr.io"], namespaces: ["apps"], jsonKey: sampleKeyJson }),
                    secretKeys: new Set(["gcr-pull-secrets:jsonKey"]),
                },
                { upgradeFrom01: true },
            );
            const { component } = await build(validated);
            assert.strictEqual(await unwrap(component.keyId), JSON.parse(sampleKeyJson).private_key_id);
            assert.deepStrictEqual(counted.calls, { checkArgs: 1, readJsonKey: 1 });
            assert.deepStrictEqual(JSON.parse(providerDockerConfig().config.auths["gcr.io"].password), JSON.parse(sampleKeyJson));
        } finally {
            counted.restore();
        }
    });

    it("checks plain arguments once, in the constructor, and reads a plain key there", async () => {
        const counted = countCalls([checkArgsModule, "checkArgs"], [jsonKeyModule, "readJsonKey"]);
        try {
            const { component } = await build({ jsonKey: sampleKeyJson, registries: ["gcr.io"], namespaces: ["apps"] });
            assert.strictEqual(await unwrap(component.serviceAccountEmail), JSON.parse(sampleKeyJson).client_email);
            assert.strictEqual(await pulumi.isSecret(component.serviceAccountEmail), false);
            assert.deepStrictEqual(counted.calls, { checkArgs: 1, readJsonKey: 1 });
        } finally {
            counted.restore();
        }
    });

    it("refuses bad arguments before registering anything, not even itself", async () => {
        resetRecorded();
        assert.throws(() => new GcrPullSecrets("pull", { jsonKey: sampleKeyJson, registries: ["gcr.io"], namespaces: ["Not_A_Namespace"] }), ConfigError);
        await settle();
        assert.deepStrictEqual(recorded, [], "nothing was registered");
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
        assert.deepStrictEqual(outputs.sort(), ["keyId", "pullAccess", "registryHosts", "secretNames", "serviceAccountEmail"]);
    });

    it("lists the Secret in the extra ServiceAccounts named for a namespace, default first", async () => {
        await build({ ...createArgs, namespaces: [{ name: "ci", serviceAccounts: ["builder"] }], serviceAccountWaitSeconds: 30 });
        const secret = findCreated(types.secret, "pull-ci").inputs;
        assert.deepStrictEqual([secret.namespace, secret.serviceAccounts, secret.waitSeconds], ["ci", ["default", "builder"], 30]);
    });

    it("creates a namespace only when asked, keeps it on destroy, and writes the Secret after it", async () => {
        const { optsOf } = await buildWithOptions({ ...createArgs, namespaces: [{ name: "fresh", create: true }, "old"] });
        assert.deepStrictEqual(names(types.namespace), ["pull-fresh"]);
        assert.strictEqual(findCreated(types.namespace, "pull-fresh").inputs.metadata.name, "fresh");
        assert.strictEqual(optsOf[`${types.namespace}::pull-fresh`].retainOnDelete, true);
        assert.strictEqual((optsOf[`${types.secret}::pull-fresh`].dependsOn as pulumi.Resource[]).length, 1, "the Secret waits for the namespace");
        assert.strictEqual(findCreated(types.secret, "pull-fresh").inputs.namespaceCreatedByStack, true);
        assert.strictEqual(findCreated(types.secret, "pull-old").inputs.namespaceCreatedByStack, undefined, "false is the default, left out");
    });

    it("sends every object to one cluster: the same kubeconfig and context to both providers", async () => {
        await build({ ...createArgs, kubeconfig: sampleKubeconfig, kubeContext: "gke_acme_europe-west1_dev", namespaces: [{ name: "fresh", create: true }] });
        const ours = findCreated(types.provider, "pull").inputs;
        const kubernetes = findCreated(types.kubernetesProvider, "pull").inputs;
        assert.strictEqual(revealSecretInput(ours.kubeconfig), sampleKubeconfig);
        assert.strictEqual(revealSecretInput(kubernetes.kubeconfig), sampleKubeconfig);
        assert.strictEqual(ours.context, "gke_acme_europe-west1_dev");
        assert.strictEqual(kubernetes.context, "gke_acme_europe-west1_dev");
    });

    it("without a kubeconfig, sends the Kubernetes provider no KUBECONFIG path (its plugin would copy that file into TMPDIR)", async () => {
        const before = process.env.KUBECONFIG;
        process.env.KUBECONFIG = "/home/ci/.kube/admin-config";
        try {
            await build({ ...createArgs, namespaces: [{ name: "fresh", create: true }] });
        } finally {
            if (before === undefined) delete process.env.KUBECONFIG;
            else process.env.KUBECONFIG = before;
        }
        const kubernetes = findCreated(types.kubernetesProvider, "pull").inputs;
        assert.ok(!("kubeconfig" in kubernetes), JSON.stringify(kubernetes));
        assert.strictEqual(kubernetes.upsertExistingObjects, "true");
    });

    it("takes over a namespace marked create that already exists, with @pulumi/kubernetes before and after 4.29", async () => {
        // 4.29+ refuses to create an existing object unless upsertExistingObjects; before, it upserts anyway.
        await build({ ...createArgs, namespaces: [{ name: "fresh", create: true }] });
        assert.strictEqual(findCreated(types.kubernetesProvider, "pull").inputs.upsertExistingObjects, "true");
    });

    it("writes Secrets and entries through its own provider, Namespaces through the Kubernetes one", async () => {
        const { optsOf } = await buildWithOptions({ ...createArgs, namespaces: [{ name: "fresh", create: true }] });
        const providerName = (key: string) => (optsOf[key].provider as unknown as { __name?: string }).__name;
        assert.strictEqual(providerName(`${types.secret}::pull-fresh`), "pull");
        assert.ok(optsOf[`${types.namespace}::pull-fresh`].provider instanceof k8s.Provider);
    });

    it("refuses a Kubernetes provider passed without the kubeconfig that reaches the same cluster", async () => {
        resetRecorded();
        const mine = new k8s.Provider("mine", {});
        assert.throws(
            () => new GcrPullSecrets("pull", createArgs, { providers: { kubernetes: mine } }),
            (error: Error) => {
                assert.ok(error instanceof ConfigError);
                assert.match(error.message, /kubeconfig is not set, but a Kubernetes provider was passed in opts: set kubeconfig/);
                return true;
            },
        );
    });

    it("uses a Kubernetes provider the caller passes, with its kubeconfig, instead of making one", async () => {
        const mine = new k8s.Provider("mine", { kubeconfig: sampleKubeconfig });
        const { optsOf } = await buildWithOptions(
            { ...createArgs, kubeconfig: pulumi.secret(sampleKubeconfig), namespaces: [{ name: "fresh", create: true }] },
            { providers: { kubernetes: mine } },
        );
        assert.deepStrictEqual(
            ofType(types.kubernetesProvider).map((r) => r.name),
            ["mine"],
        );
        assert.strictEqual(optsOf[`${types.namespace}::pull-fresh`].provider, mine);
        assert.strictEqual(revealSecretInput(findCreated(types.provider, "pull").inputs.kubeconfig), sampleKubeconfig);
    });

    it("passes adopt to that namespace's Secret only", async () => {
        await build({ ...createArgs, namespaces: [{ name: "legacy", adopt: true }, "new"] });
        assert.strictEqual(findCreated(types.secret, "pull-legacy").inputs.adopt, true);
        assert.strictEqual(findCreated(types.secret, "pull-new").inputs.adopt, undefined, "false is the default, left out");
    });

    it("upgrades 0.1 stacks in place: the Secret by alias, and 0.1's dynamic provider taken over only when asked", async () => {
        const plain = await buildWithOptions(createArgs);
        assert.deepStrictEqual(plain.optsOf[`${types.secret}::pull-team-a`].aliases, [{ type: "kubernetes:core/v1:Secret" }]);
        assert.strictEqual(plain.optsOf[`${types.provider}::pull`].aliases, undefined, "a program's own dynamic provider is left alone");
        const upgrading = await buildWithOptions({ ...createArgs, upgradeFrom01: true });
        assert.deepStrictEqual(upgrading.optsOf[`${types.provider}::pull`].aliases, [
            "urn:pulumi:unit::gcr-pull-secrets::pulumi:providers:pulumi-nodejs::default",
        ]);
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
            } else if (resource.type === types.provider && resource.name !== stackIdentityName) {
                assert.notDeepStrictEqual(resource.inputs.privateKey, before.inputs.privateKey);
            } else if (resource.type === types.secret) {
                // New key material, same object: only the digest changes, an in-place update.
                assert.deepStrictEqual({ ...resource.inputs, dockerConfigDigest: 0 }, { ...before.inputs, dockerConfigDigest: 0 });
                assert.notDeepStrictEqual(resource.inputs.dockerConfigDigest, before.inputs.dockerConfigDigest);
            } else {
                assert.deepStrictEqual(resource.inputs, before.inputs, `${resource.type} ${resource.name} changed`);
            }
        }
    });

    it("keys the scheduled rotation on the current period and keeps the key create-before-delete", async () => {
        resetRecorded();
        let keyOpts: pulumi.CustomResourceOptions | undefined;
        new GcrPullSecrets(
            "pull",
            { ...createArgs, rotationDays: 30 },
            {
                transformations: [
                    (args) => {
                        if (args.type === types.key) keyOpts = args.opts;
                        return undefined;
                    },
                ],
            },
        );
        await settle();
        const keepers = ofType(types.key)[0].inputs.keepers;
        assert.deepStrictEqual(keepers, { rotationDays: "30", rotationWindow: rotationWindow(new Date(), 30), rotationTrigger: "" });
        assert.notStrictEqual(keyOpts?.deleteBeforeReplace, true);
        assert.ok(keyOpts?.additionalSecretOutputs?.includes("privateKey"));
    });

    it("refuses bad arguments before declaring any resource", () => {
        resetRecorded();
        assert.throws(
            () => new GcrPullSecrets("pull", { ...createArgs, namespaces: ["kube-system", "Bad"] }),
            (error: Error) => {
                assert.ok(error instanceof ConfigError);
                assert.match(error.message, /\(2 problems\)/);
                return true;
            },
        );
        assert.deepStrictEqual(recorded, []);
    });

    it("declares exactly the resources its specs list: each type and name, and every plain input as the spec has it", async () => {
        const cases: [GcrPullSecretsArgs, pulumi.ComponentResourceOptions?][] = [
            [
                {
                    ...createArgs,
                    namespaces: ["team-a", { name: "team-c", create: true, adopt: true, serviceAccounts: ["builder"] }],
                    gcrBuckets: [],
                    projectWideRead: true,
                },
            ],
            [{ jsonKey: sampleKeyJson, registries: ["gcr.io"], namespaces: ["apps"], kubeconfig: sampleKubeconfig, kubeContext: "gke_acme_europe-west1_dev" }],
            [
                { ...keylessArgs, namespaces: [{ name: "team-c", create: true }], kubeconfig: sampleKubeconfig },
                { providers: [new k8s.Provider("callers", { kubeconfig: sampleKubeconfig })] },
            ],
        ];
        for (const [args, opts] of cases) {
            resetRecorded();
            const component = new GcrPullSecrets("pull", args, opts);
            await unwrap(component.secretNames);
            await settle();
            const callersKubernetes = opts !== undefined;
            const context = {
                name: "pull",
                project: "gcr-pull-secrets",
                stack: "unit",
                upgradeFrom01: false,
                kubeconfig: args.kubeconfig !== undefined,
                callersKubernetes,
            };
            const specs = resourceSpecs(component.plan, context, resolveNamespaces(component.plan));
            const declared = recorded.filter((r) => r.type !== contract.types.component && r.name !== "callers" && r.name !== stackIdentityName);
            assert.deepStrictEqual(declared.map((r) => `${r.type}::${r.name}`).sort(), specs.map((spec) => `${spec.type}::${spec.name}`).sort());
            for (const spec of specs) {
                assertPlainInputs(spec.inputs, findCreated(spec.type, spec.name).inputs, spec.key, spec.type.startsWith("pulumi:providers:"));
            }
        }
    });

    it("declares one stack identity per stack, outside every component, with a provider of its own, and gives its id to every PullSecret", async () => {
        resetRecorded();
        const children: string[] = [];
        const record: pulumi.ResourceTransformation = (args) => {
            children.push(`${args.type}::${args.name}`);
            return undefined;
        };
        new GcrPullSecrets("pull", createArgs, { transformations: [record] });
        new GcrPullSecrets("more", { ...createArgs, namespaces: ["team-c"] }, { transformations: [record] });
        await settle();
        assert.deepStrictEqual(
            ofType(types.stackIdentity).map((r) => r.name),
            [stackIdentityName],
            "one for the stack, however many components",
        );
        assert.deepStrictEqual(
            ofType(types.provider)
                .filter((r) => r.name === stackIdentityName)
                .map((r) => r.inputs),
            [{}],
            "its provider has no configuration: it neither reaches a cluster nor holds a key",
        );
        // Not a child: renaming a component without an alias must not make a new identity (nor replace its provider).
        assert.ok(!children.some((id) => id.endsWith(`::${stackIdentityName}`)), children.join(", "));
        const identities = ofType(types.secret).map((r) => r.inputs.stackIdentity);
        assert.strictEqual(identities.length, 3);
        assert.deepStrictEqual(new Set(identities), new Set([mockedStackIdentity]));
    });

    it("gives every child this component as parent", async () => {
        resetRecorded();
        const children: { parent?: pulumi.Resource; id: string }[] = [];
        const component = new GcrPullSecrets(
            "pull",
            { ...createArgs, namespaces: [{ name: "x", create: true }] },
            {
                transformations: [
                    (args) => {
                        children.push({ parent: args.opts.parent, id: `${args.type}::${args.name}` });
                        return undefined;
                    },
                ],
            },
        );
        await settle();
        const parents = children.filter((c) => !c.id.startsWith("gcr-pull-secrets:index:")).map((c) => (c.parent === component ? "ok" : c.id));
        assert.ok(parents.length >= 6);
        assert.deepStrictEqual(
            parents.filter((p) => p !== "ok"),
            [],
        );
    });
});

describe("GcrPullSecrets: namespaces and ServiceAccounts chosen by label", () => {
    const cluster: ClusterNamespace[] = [
        { name: "team-a", labels: { pulls: "gcr" }, terminating: false, serviceAccounts: [{ name: "default", labels: {} }] },
        {
            name: "web",
            labels: { pulls: "gcr" },
            terminating: false,
            serviceAccounts: [
                { name: "default", labels: {} },
                { name: "runner", labels: { ci: "yes" } },
            ],
        },
        {
            name: "batch",
            labels: { pulls: "gcr" },
            terminating: false,
            serviceAccounts: [
                { name: "default", labels: {} },
                { name: "cron", labels: {} },
            ],
        },
        { name: "sandbox", labels: { pulls: "gcr" }, terminating: false },
        { name: "old", labels: { pulls: "gcr" }, terminating: true },
        { name: "kube-system", labels: { pulls: "gcr" }, terminating: false },
        { name: "other", labels: {}, terminating: false },
    ];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const settings = require("@pulumi/pulumi/runtime/settings") as { _setIsDryRun(value: boolean): void };

    afterEach(() => {
        setMockCluster(undefined);
        settings._setIsDryRun(false);
    });

    async function buildSelected(args: GcrPullSecretsArgs) {
        resetRecorded();
        const component = new GcrPullSecrets("pull", args);
        const secretNames = await unwrap(component.secretNames);
        await settle();
        return { secretNames, resources: [...recorded] };
    }

    it("adds a PullSecret for each matching namespace, read through a cluster-only provider", async () => {
        setMockCluster(cluster);
        const { secretNames } = await buildSelected({
            ...createArgs,
            namespaces: ["team-b"],
            namespaceSelector: { matchLabels: { pulls: "gcr" } },
            excludeNamespaces: ["sandbox"],
        });
        assert.deepStrictEqual(Object.keys(secretNames).sort(), ["batch", "team-a", "team-b", "web"]);
        assert.deepStrictEqual(names(types.secret), ["pull-batch", "pull-team-a", "pull-team-b", "pull-web"]);
        assert.deepStrictEqual(names(types.provider), ["pull", "pull-cluster"]);
        const reader = findCreated(types.provider, "pull-cluster").inputs;
        assert.ok(!("dockerConfigJson" in reader), "the reader never carries the docker config");
        assert.deepStrictEqual(
            listCalls().map((c) => [c.token, c.inputs]),
            [[contract.functions.listNamespaces, { serviceAccounts: false }]],
        );
    });

    it("covers every ServiceAccount, or those matching a selector, and asks for them only then", async () => {
        setMockCluster(cluster);
        await buildSelected({
            ...createArgs,
            namespaces: [
                { name: "web", serviceAccountSelector: { matchLabels: { ci: "yes" } } },
                { name: "batch", allServiceAccounts: true, serviceAccounts: ["later"] },
            ],
        });
        assert.deepStrictEqual(findCreated(types.secret, "pull-web").inputs.serviceAccounts, ["default", "runner"]);
        assert.deepStrictEqual(findCreated(types.secret, "pull-batch").inputs.serviceAccounts, ["default", "later", "cron"]);
        assert.deepStrictEqual(
            findCreated(types.secret, "pull-batch").inputs.foundServiceAccounts,
            ["cron"],
            "the named ones are waited for, the found one not",
        );
        assert.deepStrictEqual(
            listCalls().map((c) => c.inputs),
            [{ serviceAccounts: true }],
        );
    });

    it("makes no call and no extra provider when nothing is chosen by label", async () => {
        await buildSelected(createArgs);
        assert.deepStrictEqual(listCalls(), []);
        assert.deepStrictEqual(names(types.provider), ["pull"]);
        assert.ok(!("foundServiceAccounts" in findCreated(types.secret, "pull-team-a").inputs), "an existing stack's inputs stay as they were");
    });

    it("a preview that cannot read the cluster warns and shows the listed namespaces only", async () => {
        setMockCluster("unconfigured");
        settings._setIsDryRun(true);
        const warnings: string[] = [];
        const original = pulumi.log.warn;
        (pulumi.log as { warn: typeof pulumi.log.warn }).warn = async (message: string) => {
            warnings.push(message);
        };
        try {
            const { secretNames } = await buildSelected({ ...createArgs, namespaces: ["team-b"], namespaceSelector: { matchLabels: { pulls: "gcr" } } });
            assert.deepStrictEqual(Object.keys(secretNames), ["team-b"]);
        } finally {
            (pulumi.log as { warn: typeof pulumi.log.warn }).warn = original;
        }
        assert.strictEqual(warnings.length, 1);
        assert.match(warnings[0], /namespaceSelector .* could not be read from the cluster: its kubeconfig is not known in this preview/);
        assert.match(warnings[0], /selected before as deleted/);
    });

    it("an update that cannot read the cluster fails rather than dropping the selected namespaces", async () => {
        setMockCluster("unconfigured");
        resetRecorded();
        const component = new GcrPullSecrets("pull", { ...createArgs, namespaces: ["team-b"], namespaceSelector: { matchLabels: { pulls: "gcr" } } });
        // An Output that fails never runs its apply callbacks: read the failure through its promise (SDK-internal).
        const settled = (component.secretNames as unknown as { promise(): Promise<unknown> }).promise();
        await assert.rejects(settled, /could not be read from the cluster/);
    });
});
