/**
 * The resource specs, tested as plain data: no Pulumi runtime and no mocks (this file loads none of
 * @pulumi/*, which a test below checks in a process of its own). What the component does with them
 * is checked under mocks in component.test.ts ("declares exactly the resources its specs list").
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import fc from "fast-check";
import * as fs from "fs";
import * as path from "path";
import { foreignTypes, keyless as keylessNames, types } from "../../../../components/contract";
import { GcrPullSecretsArgs, NamespaceArgs } from "../../../../components/gcrPullSecretsArgs";
import { Plan } from "../../../../components/plan";
import { ClusterNamespace, NamespaceTarget, resolveNamespaces } from "../../../../components/selectNamespaces";
import { credentialOutputs } from "../../../../components/specs/googleSpecs";
import { refresherScriptFile } from "../../../../components/specs/refresherSpecs";
import {
    callersKubernetes,
    isReference,
    isSecretInput,
    prerequisites,
    referencesIn,
    ResourceSpec,
    SpecContext,
    SpecValue,
} from "../../../../components/specs/resourceSpec";
import { resourceSpecs, specsBeforeNamespaces, specsForNamespaces } from "../../../../components/specs/resourceSpecs";
import { checkArgs } from "../../../../components/validation/checkArgs";
import { findKeyMaterial } from "../../../../dev/keys/keyMaterial";
import { makeThrowawayKey } from "../../../../dev/keys/throwawayKey";
import { validCreateStack } from "../../fixtures";

const context: SpecContext = { name: "pull", project: "proj", stack: "dev", upgradeFrom01: false, kubeconfig: false, callersKubernetes: false };
const throwawayKey = makeThrowawayKey("specs");
const kubeconfig = "apiVersion: v1\nclusters: [{name: c, cluster: {server: 'https://10.0.0.1:6443'}}]\nusers: [{name: u, user: {token: KUBE-TOKEN-MARKER}}]\n";
const jwks = JSON.stringify({ keys: [{ kty: "EC", crv: "P-256", kid: "k1", x: "AAAA", y: "BBBB" }] });
const { serviceAccount: _source, ...withoutSource } = validCreateStack;
const refresherScript = fs.readFileSync(refresherScriptFile, "utf8");
const allTypes = new Set<string>([...Object.values(types), ...Object.values(foreignTypes)]);

/** The credential sources, each as arguments that hold with the grants of validCreateStack. */
const sources: Record<string, Partial<GcrPullSecretsArgs>> = {
    createServiceAccount: { serviceAccount: { accountId: "gke-puller-dev" } },
    existingServiceAccount: { existingServiceAccountEmail: "puller@acme-dev-123456.iam.gserviceaccount.com" },
    jsonKey: { jsonKey: throwawayKey, artifactRegistryRepositories: undefined, project: undefined },
    keylessPool: { keyless: { issuerUri: "https://kubernetes.default.svc.cluster.local", jwks } },
    keylessImpersonating: { keyless: { issuerUri: "https://issuer.example.com", serviceAccountEmail: "reader@acme-dev-123456.iam.gserviceaccount.com" } },
    keylessExistingProvider: {
        keyless: { workloadIdentityProvider: "projects/123456789012/locations/global/workloadIdentityPools/pool/providers/kubernetes" },
    },
    keylessGke: { keyless: { gkeCluster: "projects/acme-dev-123456/locations/europe-west1/clusters/dev", projectNumber: "123456789012" } },
};

function planOf(args: GcrPullSecretsArgs): Plan {
    const { plan, problems } = checkArgs(args);
    assert.deepStrictEqual(problems, [], "the generated arguments are valid");
    return plan!;
}

/** The specs of these arguments, for the namespaces they list (and those a cluster has, with a selector). */
function specsOf(args: GcrPullSecretsArgs, specContext: SpecContext = context, cluster?: ClusterNamespace[]) {
    const plan = planOf(args);
    const targets = resolveNamespaces(plan, cluster);
    return { plan, targets, specs: resourceSpecs(plan, specContext, targets) };
}

function argsWith(source: string, namespaces: (string | NamespaceArgs)[], extra: Partial<GcrPullSecretsArgs> = {}): GcrPullSecretsArgs {
    return { ...withoutSource, ...sources[source], namespaces, ...extra } as GcrPullSecretsArgs;
}

const namespaceName = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/);
const namespaceEntry = fc.record({
    name: namespaceName,
    create: fc.boolean(),
    adopt: fc.boolean(),
    serviceAccounts: fc.uniqueArray(fc.constantFrom("builder", "runner", "default"), { maxLength: 2 }),
});
/** Namespaces as a user lists them: names or entries, never `create` on `default`. */
const namespaceList = fc
    .uniqueArray(namespaceEntry, { selector: (entry) => entry.name, minLength: 1, maxLength: 7 })
    .map((entries) => entries.map((entry) => (entry.name === "default" ? { ...entry, create: false } : entry)))
    .map((entries) =>
        entries.map((entry): string | NamespaceArgs => (!entry.create && !entry.adopt && entry.serviceAccounts.length === 0 ? entry.name : entry)),
    );
const sourceName = fc.constantFrom(...Object.keys(sources));
const specContext = fc.record({
    name: fc.constantFrom("pull", "gcr-pull-secrets"),
    project: fc.constant("proj"),
    stack: fc.constantFrom("dev", "prod"),
    upgradeFrom01: fc.boolean(),
    kubeconfig: fc.boolean(),
    callersKubernetes: fc.boolean(),
});
const extras = fc.record({
    projectWideRead: fc.boolean(),
    secretName: fc.constantFrom("regcred", "pull-secret"),
    kubeContext: fc.constantFrom(undefined, "ctx"),
});

/** Sources whose arguments may also carry grants and a project. */
function extrasFor(source: string, extra: { projectWideRead: boolean; secretName: string; kubeContext?: string }): Partial<GcrPullSecretsArgs> {
    return {
        secretName: extra.secretName,
        ...(extra.kubeContext ? { kubeContext: extra.kubeContext } : {}),
        ...(source !== "jsonKey" && extra.projectWideRead ? { projectWideRead: true } : {}),
    };
}

function byKey(specs: ResourceSpec[]): Map<string, ResourceSpec> {
    return new Map(specs.map((spec) => [spec.key, spec]));
}

function ofType(specs: ResourceSpec[], type: string): ResourceSpec[] {
    return specs.filter((spec) => spec.type === type);
}

/** Every secret input in a value, with where it is. */
function secretInputsIn(value: SpecValue, at = ""): { at: string; secret: string }[] {
    if (isSecretInput(value)) return [{ at, secret: value.$secret }];
    if (isReference(value)) return [];
    if (Array.isArray(value)) return value.flatMap((item, index) => secretInputsIn(item, `${at}[${index}]`));
    if (typeof value === "object") return Object.entries(value).flatMap(([name, item]) => secretInputsIn(item, at ? `${at}.${name}` : name));
    return [];
}

describe("resource specs: the plan as plain data", () => {
    it("the dev stack: its account, grants and key, one provider, a PullSecret per namespace; every name from the component and the namespace", () => {
        const { specs } = specsOf(validCreateStack);
        assert.deepStrictEqual(
            specs.map((spec) => `${spec.key} ${spec.type} ${spec.name}`),
            [
                `account ${foreignTypes.account} pull`,
                `repositoryGrant/asia-asia.gcr.io ${foreignTypes.repositoryIamMember} pull-asia-asia.gcr.io`,
                `repositoryGrant/europe-west1-apps ${foreignTypes.repositoryIamMember} pull-europe-west1-apps`,
                `key ${foreignTypes.key} pull`,
                `provider ${foreignTypes.provider} pull`,
                `pullSecret/team-a ${types.pullSecret} pull-team-a`,
                `pullSecret/team-b ${types.pullSecret} pull-team-b`,
            ],
        );
        const spec = byKey(specs);
        assert.deepStrictEqual(spec.get("repositoryGrant/asia-asia.gcr.io")!.inputs.member, {
            $ref: "account",
            property: "email",
            format: "serviceAccount:{}",
        });
        assert.deepStrictEqual(spec.get("key")!.options, {
            additionalSecretOutputs: ["privateKey"],
            dependsOn: ["repositoryGrant/asia-asia.gcr.io", "repositoryGrant/europe-west1-apps"],
        });
        assert.deepStrictEqual(spec.get("provider")!.inputs, {
            privateKey: { $ref: "key", property: "privateKey" },
            registries: "asia.gcr.io,europe-west1-docker.pkg.dev",
            username: "_json_key",
        });
        assert.deepStrictEqual(spec.get("pullSecret/team-a")!.inputs, {
            namespace: "team-a",
            secretName: "regcred",
            owner: "proj/dev",
            stackIdentity: { $stack: "identity" },
            keySource: "managed",
            registries: ["asia.gcr.io", "europe-west1-docker.pkg.dev"],
            dockerConfigDigest: { $secret: "dockerConfigDigest", key: { $ref: "key", property: "privateKey" } },
            serviceAccounts: ["default"],
        });
        assert.deepStrictEqual(spec.get("pullSecret/team-a")!.options, { provider: "provider" });
    });

    it("a namespace the stack creates: a Namespace kept on destroy, through the Kubernetes provider, and its PullSecret after it", () => {
        const { specs } = specsOf({ ...validCreateStack, namespaces: [{ name: "team-c", create: true }] });
        const spec = byKey(specs);
        assert.deepStrictEqual(spec.get("kubernetes")!.inputs, { enableSecretMutable: true, upsertExistingObjects: "true" });
        assert.deepStrictEqual(spec.get("namespace/team-c")!.options, { provider: "kubernetes", retainOnDelete: true });
        assert.deepStrictEqual(spec.get("pullSecret/team-c")!.inputs.namespace, { $ref: "namespace/team-c", property: "metadata.name" });
        assert.deepStrictEqual(spec.get("pullSecret/team-c")!.options.dependsOn, ["namespace/team-c"]);
        const passed = byKey(specsOf({ ...validCreateStack, namespaces: [{ name: "team-c", create: true }] }, { ...context, callersKubernetes: true }).specs);
        assert.ok(!passed.has("kubernetes"), "a provider passed in opts is used, none is made");
        assert.strictEqual(passed.get("namespace/team-c")!.options.provider, callersKubernetes);
    });

    it("clusterIdentifier reaches every provider that connects to the cluster (ours, the cluster reader, Kubernetes's), so all replace alike", () => {
        const args = { ...validCreateStack, clusterIdentifier: "prod-eu", namespaces: [{ name: "team-c", create: true }] } as GcrPullSecretsArgs;
        const spec = byKey(specsOf(args).specs);
        assert.strictEqual(spec.get("provider")!.inputs.clusterIdentifier, "prod-eu");
        assert.strictEqual(spec.get("kubernetes")!.inputs.clusterIdentifier, "prod-eu");
        const selected = byKey(specsOf({ ...args, namespaceSelector: { matchLabels: { team: "c" } } }, context, []).specs);
        assert.strictEqual(selected.get("clusterReader")!.inputs.clusterIdentifier, "prod-eu");
        assert.ok(!("clusterIdentifier" in byKey(specsOf(validCreateStack).specs).get("provider")!.inputs), "absent unless set");
    });

    it("keyless: no key and no docker config anywhere; the pool, its provider and the refresher, its first run after every grant", () => {
        const { specs } = specsOf(argsWith("keylessPool", ["team-a", "team-b"]));
        const spec = byKey(specs);
        assert.deepStrictEqual(ofType(specs, foreignTypes.key), []);
        assert.deepStrictEqual(spec.get("provider")!.inputs, { keyless: true });
        assert.ok(!("dockerConfigDigest" in spec.get("pullSecret/team-a")!.inputs));
        assert.strictEqual(spec.get("pullSecret/team-a")!.inputs.keySource, keylessNames.keySource);
        assert.deepStrictEqual(spec.get("repositoryGrant/asia-asia.gcr.io")!.inputs.member, {
            $ref: "pool",
            property: "name",
            part: 1,
            format: "principal://iam.googleapis.com/projects/{}/locations/global/workloadIdentityPools/gcr-pull-secrets/subject/system:serviceaccount:gcr-pull-secrets-refresher:token-refresher",
        });
        assert.deepStrictEqual(spec.get("refresher/firstRun")!.options.dependsOn, [
            "refresher/roleBinding/team-a",
            "refresher/roleBinding/team-b",
            "poolProvider",
            "repositoryGrant/asia-asia.gcr.io",
            "repositoryGrant/europe-west1-apps",
        ]);
        assert.deepStrictEqual(spec.get("refresher/role/team-a")!.options.dependsOn, ["pullSecret/team-a", "pullSecret/team-b"]);
        assert.deepStrictEqual(spec.get("refresher/namespace")!.options, { provider: "kubernetes", retainOnDelete: true });
    });

    it("the component's outputs name the account and the key, or the key's facts as validation read them, never the key", () => {
        assert.deepStrictEqual(credentialOutputs(planOf(validCreateStack)), {
            serviceAccountEmail: { $ref: "account", property: "email" },
            keyId: { $ref: "key", property: "name", part: -1 },
        });
        const supplied = JSON.parse(throwawayKey);
        assert.deepStrictEqual(credentialOutputs(planOf(argsWith("jsonKey", ["a"]))), {
            serviceAccountEmail: supplied.client_email,
            keyId: supplied.private_key_id,
        });
        assert.deepStrictEqual(credentialOutputs(planOf(argsWith("keylessImpersonating", ["a"]))), {
            serviceAccountEmail: "reader@acme-dev-123456.iam.gserviceaccount.com",
            keyId: "",
        });
    });

    it("are computed without Pulumi: the spec and validation modules load no @pulumi package", () => {
        const root = path.resolve(__dirname, "../../../..");
        const loaded = execFileSync(
            process.execPath,
            [
                "-r",
                "ts-node/register/transpile-only",
                "-e",
                "require('./components/specs/resourceSpecs'); require('./components/validation/checkArgs');" +
                    "console.log(JSON.stringify(Object.keys(require.cache).filter((file) => file.includes('@pulumi'))))",
            ],
            { cwd: root, encoding: "utf8" },
        );
        assert.deepStrictEqual(JSON.parse(loaded), []);
    });
});

describe("resource specs: properties", () => {
    it("keys are unique, and so is each type's name; every resource is named after the component; every type is a known token", () => {
        fc.assert(
            fc.property(sourceName, namespaceList, extras, specContext, (source, namespaces, extra, ctx) => {
                const { specs } = specsOf(argsWith(source, namespaces, extrasFor(source, extra)), ctx);
                assert.strictEqual(new Set(specs.map((spec) => spec.key)).size, specs.length);
                assert.strictEqual(new Set(specs.map((spec) => `${spec.type}::${spec.name}`)).size, specs.length);
                for (const spec of specs) {
                    assert.ok(spec.name === ctx.name || spec.name.startsWith(`${ctx.name}-`), spec.name);
                    assert.ok(allTypes.has(spec.type), spec.type);
                }
            }),
        );
    });

    it("everything a spec names (references, provider, dependsOn) is an earlier spec: declarable in order, no cycle", () => {
        fc.assert(
            fc.property(sourceName, namespaceList, extras, specContext, (source, namespaces, extra, ctx) => {
                const { specs } = specsOf(argsWith(source, namespaces, extrasFor(source, extra)), ctx);
                const seen = new Set<string>();
                for (const spec of specs) {
                    for (const key of prerequisites(spec)) assert.ok(seen.has(key), `${spec.key} names ${key} before it is declared`);
                    seen.add(spec.key);
                }
                for (const output of Object.values(credentialOutputs(planOf(argsWith(source, namespaces, extrasFor(source, extra)))))) {
                    for (const reference of referencesIn(output)) assert.ok(seen.has(reference.$ref), reference.$ref);
                }
            }),
        );
    });

    it("names come from namespace names, not positions: any order of the list gives the same specs", () => {
        fc.assert(
            fc.property(sourceName, namespaceList, fc.nat(), (source, namespaces, seed) => {
                const shuffled = namespaces
                    .map((entry, index) => ({ entry, rank: (index * 7919 + seed) % 101 }))
                    .sort((a, b) => a.rank - b.rank)
                    .map(({ entry }) => entry);
                assert.deepStrictEqual(specsOf(argsWith(source, shuffled)).specs, specsOf(argsWith(source, namespaces)).specs);
            }),
        );
    });

    it("each namespace gets exactly one PullSecret, a created one a Namespace kept on destroy, and keyless a Role and RoleBinding", () => {
        fc.assert(
            fc.property(sourceName, namespaceList, (source, namespaces) => {
                const { targets, specs } = specsOf(argsWith(source, namespaces));
                const pullSecrets = ofType(specs, types.pullSecret);
                assert.deepStrictEqual(
                    pullSecrets.map((spec) => spec.name),
                    targets.map((target) => `pull-${target.name}`),
                );
                const created = targets.filter((target) => target.create);
                const namespaceSpecs = ofType(specs, foreignTypes.namespace).filter((spec) => spec.key.startsWith("namespace/"));
                assert.deepStrictEqual(
                    namespaceSpecs.map((spec) => [spec.name, spec.options.retainOnDelete]),
                    created.map((target) => [`pull-${target.name}`, true]),
                );
                const keyless = source.startsWith("keyless");
                assert.strictEqual(ofType(specs, foreignTypes.role).length, keyless ? targets.length : 0);
                assert.strictEqual(ofType(specs, foreignTypes.roleBinding).length, keyless ? targets.length : 0);
                assert.strictEqual(ofType(specs, foreignTypes.key).length, source.endsWith("ServiceAccount") ? 1 : 0);
                assert.strictEqual(ofType(specs, foreignTypes.account).length, source === "createServiceAccount" ? 1 : 0);
            }),
        );
    });

    it("adding a namespace adds exactly its own specs; without keyless nothing else changes", () => {
        fc.assert(
            fc.property(sourceName, namespaceList, namespaceEntry, (source, namespaces, added) => {
                const names = namespaces.map((entry) => (typeof entry === "string" ? entry : entry.name));
                if (names.includes(added.name) || added.name === "default") return;
                const before = byKey(specsOf(argsWith(source, namespaces)).specs);
                const after = byKey(specsOf(argsWith(source, [...namespaces, added])).specs);
                const addedKeys = [...after.keys()].filter((key) => !before.has(key));
                assert.deepStrictEqual(
                    [...before.keys()].filter((key) => !after.has(key)),
                    [],
                    "nothing disappears",
                );
                const own = [`pullSecret/${added.name}`, `namespace/${added.name}`, `refresher/role/${added.name}`, `refresher/roleBinding/${added.name}`];
                for (const key of addedKeys) assert.ok(own.includes(key) || (key === "kubernetes" && added.create), key);
                if (source.startsWith("keyless")) return; // the refresher's list and its first run follow the namespaces
                for (const [key, spec] of before) assert.deepStrictEqual(after.get(key), spec, `${key} changed`);
            }),
        );
    });

    it("no spec carries key material, a docker config or the kubeconfig: secret inputs are named, in the providers and digests only", () => {
        fc.assert(
            fc.property(sourceName, namespaceList, specContext, (source, namespaces, ctx) => {
                const { plan, specs } = specsOf(argsWith(source, namespaces, { kubeconfig }), { ...ctx, kubeconfig: true });
                // The refresher's script is shipped as is (it builds docker configs in the cluster): compared whole, not searched.
                const scripts = ofType(specs, foreignTypes.configMap);
                for (const script of scripts) assert.deepStrictEqual(Object.values(script.inputs.data), [refresherScript]);
                const withoutScripts = specs.map((spec) => (scripts.includes(spec) ? { ...spec, inputs: { ...spec.inputs, data: "(the script)" } } : spec));
                const text = JSON.stringify({ specs: withoutScripts, plan, outputs: credentialOutputs(plan) });
                assert.strictEqual(findKeyMaterial(text, throwawayKey), undefined);
                assert.ok(!text.includes("KUBE-TOKEN-MARKER"), "the kubeconfig");
                assert.ok(!/auths|private_key/.test(text), "a docker config or key file");
                for (const spec of specs) {
                    for (const { at, secret } of secretInputsIn(spec.inputs)) {
                        const where =
                            secret === "dockerConfigDigest"
                                ? spec.type === types.pullSecret && at === "dockerConfigDigest"
                                : spec.type === foreignTypes.provider || spec.type === foreignTypes.kubernetesProvider;
                        assert.ok(where, `${spec.key} ${at}: ${secret}`);
                    }
                }
            }),
        );
    });

    it("namespaces chosen by label each get a PullSecret from the cluster's answer, which a provider of its own reads", () => {
        const cluster = fc.uniqueArray(
            fc.record({ name: namespaceName, labels: fc.constantFrom<Record<string, string>>({ pulls: "gcr" }, {}), terminating: fc.boolean() }),
            { selector: (namespace) => namespace.name, maxLength: 8 },
        );
        fc.assert(
            fc.property(sourceName, namespaceList, cluster, (source, namespaces, found) => {
                const args = argsWith(source, namespaces, { namespaceSelector: { matchLabels: { pulls: "gcr" } } });
                const plan = planOf(args);
                const targets = resolveNamespaces(plan, found);
                const before = specsBeforeNamespaces(plan, context);
                assert.ok(
                    before.some((spec) => spec.key === "clusterReader"),
                    "a selector reads the cluster through its own provider",
                );
                const specs = [...before, ...specsForNamespaces(plan, context, targets)];
                const selected = found.filter((namespace) => namespace.labels.pulls === "gcr" && !namespace.terminating).map((namespace) => namespace.name);
                for (const name of selected)
                    assert.ok(
                        specs.some((spec) => spec.key === `pullSecret/${name}`),
                        name,
                    );
                assert.deepStrictEqual(
                    ofType(specs, types.pullSecret).map((spec) => spec.inputs.namespace),
                    targets.map((target: NamespaceTarget) => (target.create ? { $ref: `namespace/${target.name}`, property: "metadata.name" } : target.name)),
                );
            }),
        );
    });
});
