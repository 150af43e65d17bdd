import { findCreated, ofType, recorded, resetRecorded, revealSecretInput, setMockCluster, settle, unwrap } from "../../mocks";
import * as k8s from "@pulumi/kubernetes";
import * as assert from "assert";
import { foreignTypes, types as contractTypes } from "../../../../components/contract";
import { GcrPullSecrets } from "../../../../components/gcrPullSecrets";
import { ClusterArgs } from "../../../../components/clusterArgs";
import { GcrPullSecretsArgs } from "../../../../components/gcrPullSecretsArgs";
import { stackIdentityName } from "../../../../components/stackIdentity";
import { claimPullSecrets, clusterKey, forgetClaims } from "../../../../components/secretClaims";
import { resolveNamespaces } from "../../../../components/selectNamespaces";
import { clusterSpecsBeforeNamespaces, clusterSpecsForNamespaces, fleetSpecs } from "../../../../components/specs/fleetSpecs";
import { SpecContext } from "../../../../components/specs/resourceSpec";
import { resourceSpecs } from "../../../../components/specs/resourceSpecs";
import { validateArgs } from "../../../../components/validatedArgs";
import { sampleKeyJson, validCreateStack } from "../../fixtures";

const kubeconfigOf = (server: string) =>
    [
        "apiVersion: v1",
        `clusters: [{name: c, cluster: {server: '${server}'}}]`,
        "users: [{name: u, user: {token: t}}]",
        "contexts: [{name: x, context: {cluster: c, user: u}}]",
        "current-context: x",
    ].join("\n");
const clusterA: ClusterArgs = { name: "a", kubeconfig: kubeconfigOf("https://a.example:6443") };
const clusterB: ClusterArgs = { name: "a-b", kubeconfig: kubeconfigOf("https://b.example:6443"), namespaces: ["c", "b-c"] };
const context: SpecContext = { name: "pull", project: "gcr-pull-secrets", stack: "unit", upgradeFrom01: true, kubeconfig: false, callersKubernetes: false };

/** Builds the component; every resource's provider (by name) as the engine gets it. */
async function build(args: GcrPullSecretsArgs) {
    resetRecorded();
    forgetClaims();
    const providers = new Map<string, string | undefined>();
    const component = new GcrPullSecrets("pull", args, {
        transformations: [
            (a) => {
                providers.set(`${a.type}::${a.name}`, (a.opts.provider as { __name?: string } | undefined)?.__name);
                return undefined;
            },
        ],
    });
    const names = await unwrap(component.secretNames);
    await settle();
    return { component, providers, names };
}

describe("clusters: what a fleet declares", () => {
    afterEach(() => setMockCluster(undefined));

    it("a stack without clusters keeps every name it had (so its URNs, and an upgrade's preview, stay empty)", () => {
        const plan = validateArgs(validCreateStack).plan;
        const targets = resolveNamespaces(plan);
        assert.deepStrictEqual(
            resourceSpecs(plan, context, targets).map((spec) => `${spec.type} ${spec.name}`),
            [
                `${foreignTypes.account} pull`,
                `${foreignTypes.repositoryIamMember} pull-asia-asia.gcr.io`,
                `${foreignTypes.repositoryIamMember} pull-europe-west1-apps`,
                `${foreignTypes.key} pull`,
                `${foreignTypes.provider} pull`,
                `${contractTypes.pullSecret} pull-team-a`,
                `${contractTypes.pullSecret} pull-team-b`,
            ],
        );
    });

    it("one Google identity for the fleet; per cluster its providers and pull Secrets, named <name>.<cluster>", () => {
        const plan = validateArgs({ ...validCreateStack, clusters: [clusterA, clusterB] }).plan;
        assert.deepStrictEqual(
            fleetSpecs(plan, context).map((spec) => `${spec.type} ${spec.name}`),
            [
                `${foreignTypes.account} pull`,
                `${foreignTypes.repositoryIamMember} pull-asia-asia.gcr.io`,
                `${foreignTypes.repositoryIamMember} pull-europe-west1-apps`,
                `${foreignTypes.key} pull`,
            ],
        );
        const names = plan.clusters!.map((cluster) => [
            ...clusterSpecsBeforeNamespaces(plan, cluster, context).map((spec) => spec.name),
            ...clusterSpecsForNamespaces(plan, cluster, context, resolveNamespaces({ ...plan, namespaces: cluster.namespaces })).map((spec) => spec.name),
        ]);
        // "a" with namespace "b-c" and "a-b" with namespace "c" would both be pull-a-b-c if joined by '-'.
        assert.deepStrictEqual(names, [
            ["pull.a", "pull-team-a.a", "pull-team-b.a"],
            ["pull.a-b", "pull-b-c.a-b", "pull-c.a-b"],
        ]);
        const provider = clusterSpecsBeforeNamespaces(plan, plan.clusters![0], context)[0];
        assert.strictEqual(provider.options.aliases, undefined, "no cluster's provider takes 0.1's over (two could not)");
        assert.deepStrictEqual(provider.inputs.kubeconfig, { $secret: "kubeconfig" });
    });

    it("each cluster's PullSecrets go through its own provider, which has its own kubeconfig, kept secret; outputs keyed by cluster", async () => {
        const { component, providers, names } = await build({
            ...validCreateStack,
            jsonKey: sampleKeyJson,
            serviceAccount: undefined,
            artifactRegistryRepositories: undefined,
            clusters: [clusterA, clusterB],
        });
        assert.deepStrictEqual(
            ofType(foreignTypes.provider)
                .map((r) => r.name)
                // The stack identity's own provider is the stack's, not a cluster's.
                .filter((name) => name !== stackIdentityName)
                .sort(),
            ["pull.a", "pull.a-b"],
        );
        for (const [cluster, server] of [
            ["a", "https://a.example:6443"],
            ["a-b", "https://b.example:6443"],
        ]) {
            const provider = findCreated(foreignTypes.provider, `pull.${cluster}`);
            assert.ok(String(revealSecretInput(provider.inputs.kubeconfig)).includes(server));
        }
        assert.strictEqual(providers.get(`${contractTypes.pullSecret}::pull-team-a.a`), "pull.a");
        assert.strictEqual(providers.get(`${contractTypes.pullSecret}::pull-c.a-b`), "pull.a-b");
        assert.deepStrictEqual(names, { "a/team-a": "regcred", "a/team-b": "regcred", "a-b/b-c": "regcred", "a-b/c": "regcred" });
        assert.deepStrictEqual(await unwrap(component.clusterSecretNames!), {
            a: { "team-a": "regcred", "team-b": "regcred" },
            "a-b": { "b-c": "regcred", c: "regcred" },
        });
        assert.ok(!JSON.stringify(recorded.map((r) => r.name)).includes("LEAK"));
    });

    it("adding a cluster adds only resources named for it; the others keep their names", async () => {
        const before = (await build({ ...validCreateStack, clusters: [clusterA] }), recorded.map((r) => `${r.type} ${r.name}`));
        const after = (await build({ ...validCreateStack, clusters: [clusterA, clusterB] }), recorded.map((r) => `${r.type} ${r.name}`));
        assert.deepStrictEqual(
            before.filter((name) => !after.includes(name)),
            [],
        );
        const added = after.filter((name) => !before.includes(name));
        assert.ok(added.length > 0 && added.every((name) => name.endsWith(".a-b")), added.join("\n"));
    });

    it("a cluster choosing namespaces by label reads its own cluster, through its own reader", async () => {
        setMockCluster([{ name: "apps", labels: { team: "x" }, terminating: false }]);
        const { names } = await build({ ...validCreateStack, clusters: [{ ...clusterA, namespaceSelector: { matchLabels: { team: "x" } } }, clusterB] });
        assert.deepStrictEqual(Object.keys(names).sort(), ["a-b/b-c", "a-b/c", "a/apps", "a/team-a", "a/team-b"]);
        assert.deepStrictEqual(
            ofType(foreignTypes.provider)
                .map((r) => r.name)
                // The stack identity's own provider is the stack's, not a cluster's.
                .filter((name) => name !== stackIdentityName)
                .sort(),
            ["pull-cluster.a", "pull.a", "pull.a-b"],
        );
    });

    it("two entries that reach the same cluster and namespace are refused, naming both", async () => {
        // Each cluster claims its Secrets under its own name, so the second entry's claim names the first.
        forgetClaims();
        claimPullSecrets("pull, cluster a", clusterKey("same kubeconfig", undefined), ["team-a"], "regcred");
        assert.throws(
            () => claimPullSecrets("pull, cluster again", clusterKey("same kubeconfig", undefined), ["team-a"], "regcred"),
            /lists "team-a", whose Secret regcred GcrPullSecrets "pull, cluster a" of this program writes too/,
        );
    });

    it("keyless: one pool, one provider per cluster issuer (its id the cluster's name), one set of grants; each cluster's refresher exchanges at its own provider", async () => {
        const { serviceAccount: _s, ...base } = validCreateStack;
        await build({
            ...base,
            keyless: { poolId: "fleet-pool" },
            clusters: [
                { ...clusterA, name: "prod-eu", keyless: { issuerUri: "https://eu.issuer.example.com" } },
                { ...clusterB, name: "prod-us", keyless: { issuerUri: "https://us.issuer.example.com" } },
            ],
        });
        assert.deepStrictEqual(
            ofType(foreignTypes.workloadIdentityPool).map((r) => [r.name, r.inputs.workloadIdentityPoolId]),
            [["pull", "fleet-pool"]],
        );
        const providers = ofType(foreignTypes.workloadIdentityPoolProvider).map((r) => [
            r.name,
            r.inputs.workloadIdentityPoolProviderId,
            r.inputs.oidc.issuerUri,
        ]);
        assert.deepStrictEqual(providers.sort(), [
            ["pull.prod-eu", "prod-eu", "https://eu.issuer.example.com"],
            ["pull.prod-us", "prod-us", "https://us.issuer.example.com"],
        ]);
        const grants = ofType(foreignTypes.repositoryIamMember);
        assert.deepStrictEqual(
            grants.map((r) => r.name).sort(),
            ["pull-asia-asia.gcr.io", "pull-europe-west1-apps"],
            "one grant per repository, for the pool's one principal",
        );
        assert.match(
            String(grants[0].inputs.member),
            /^principal:\/\/iam\.googleapis\.com\/projects\/\d+\/locations\/global\/workloadIdentityPools\/fleet-pool\/subject\/system:serviceaccount:gcr-pull-secrets-refresher:token-refresher$/,
        );
        for (const cluster of ["prod-eu", "prod-us"]) {
            const cronJob = findCreated(foreignTypes.cronJob, `pull-refresher.${cluster}`);
            const env = Object.fromEntries(
                cronJob.inputs.spec.jobTemplate.spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]),
            );
            assert.strictEqual(
                env.STS_AUDIENCE,
                `//iam.googleapis.com/projects/424242424242/locations/global/workloadIdentityPools/fleet-pool/providers/${cluster}`,
            );
            findCreated(foreignTypes.namespace, `pull-refresher.${cluster}`);
        }
    });

    it("a Kubernetes provider passed in opts is refused next to clusters", () => {
        assert.throws(
            () => new GcrPullSecrets("pull", { ...validCreateStack, clusters: [clusterA] }, { providers: { kubernetes: new k8s.Provider("callers", {}) } }),
            /clusters is set, but a Kubernetes provider was passed in opts/,
        );
    });
});
