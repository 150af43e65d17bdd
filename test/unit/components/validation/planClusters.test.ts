import "../../mocks";
import * as assert from "assert";
import { argsFromStackConfig, checkStackConfig } from "../../../../components/config";
import { ConfigError } from "../../../../components/configError";
import { GcrPullSecretsArgs } from "../../../../components/gcrPullSecretsArgs";
import { validateArgs } from "../../../../components/validatedArgs";
import { checkArgs } from "../../../../components/validation/checkArgs";
import { stackValues, validCreateStack } from "../../fixtures";

/** A kubeconfig whose every line is recognisable, so that a message quoting any part of it is caught. */
const secretKubeconfig = [
    "apiVersion: v1",
    "clusters: [{name: c, cluster: {server: 'https://leak-server.example:6443'}}]",
    "users: [{name: u, user: {token: LEAKTOKEN123}}]",
    "contexts: [{name: ctx, context: {cluster: c, user: u}}]",
    "current-context: ctx",
].join("\n");

const { namespaces: _topNamespaces, ...withoutNamespaces }: GcrPullSecretsArgs = validCreateStack;

/** The problems of component arguments, as `path message` lines. */
function problems(args: GcrPullSecretsArgs): string[] {
    return checkArgs(args).problems.map((p) => `${p.path} ${p.message}`);
}

/** The problems of stack config, as `path message` lines; `secret` settings are stored encrypted. */
function stackProblems(settings: Record<string, unknown>, secret: string[] = []): string[] {
    const check = checkStackConfig({ values: stackValues(settings), secretKeys: new Set(secret.map((key) => `gcr-pull-secrets:${key}`)) });
    return check.problems.map((p) => `${p.path} ${p.message}`);
}

function assertNoSecret(lines: string[]): void {
    for (const line of lines) {
        for (const part of ["LEAKTOKEN123", "leak-server", "apiVersion", "current-context"]) {
            assert.ok(!line.includes(part), `a message quotes the kubeconfig (${part}): ${line}`);
        }
    }
}

describe("clusters: several clusters from one stack", () => {
    it("each cluster gets the top-level namespaces unless it lists its own; the plan is sorted by cluster name", () => {
        const plan = validateArgs({
            ...validCreateStack,
            serviceAccountWaitSeconds: 30,
            clusters: [
                { name: "prod-us", kubeconfig: secretKubeconfig, namespaces: ["shop"], serviceAccountWaitSeconds: 90 },
                { name: "prod-eu", kubeContext: "eu", clusterIdentifier: "prod-europe-west1" },
            ],
        }).plan;
        assert.deepStrictEqual(plan.namespaces, [], "the top-level namespaces are only defaults");
        assert.deepStrictEqual(
            plan.clusters!.map((c) => [
                c.name,
                c.kubeconfig,
                c.kubeContext,
                c.clusterIdentifier,
                c.namespaces.map((ns) => ns.name),
                c.serviceAccountWaitSeconds,
            ]),
            [
                ["prod-eu", false, "eu", "prod-europe-west1", ["team-a", "team-b"], 30],
                ["prod-us", true, undefined, undefined, ["shop"], 90],
            ],
        );
        assert.ok(!JSON.stringify(plan).includes("LEAKTOKEN123"), "the kubeconfig never enters the plan");
    });

    it("a cluster may choose namespaces by label instead, with its own exclusions", () => {
        const plan = validateArgs({
            ...validCreateStack,
            clusters: [
                {
                    name: "dev",
                    kubeContext: "dev",
                    namespaceSelector: { matchLabels: { team: "a" } },
                    excludeNamespaces: ["sandbox"],
                    namespaces: [] as string[],
                },
            ].map(({ namespaces: _n, ...cluster }) => cluster),
        }).plan;
        const dev = plan.clusters![0];
        assert.deepStrictEqual(dev.namespaceSelector?.exclude, ["sandbox"]);
        assert.deepStrictEqual(
            dev.namespaces.map((ns) => ns.name),
            ["team-a", "team-b"],
        );
    });

    it("refuses the top-level kubeconfig, kubeContext and clusterIdentifier next to clusters, naming both and the fix", () => {
        const lines = problems({ ...validCreateStack, kubeconfig: secretKubeconfig, kubeContext: "x", clusters: [{ name: "a", kubeContext: "a" }] });
        assert.ok(
            lines.includes(
                "kubeconfig is set together with clusters, where each cluster names its own; move it into each cluster's entry (clusters[N].kubeconfig) and remove it",
            ),
            lines.join("\n"),
        );
        assert.ok(
            lines.some((l) => l.startsWith("kubeContext is set together with clusters")),
            lines.join("\n"),
        );
        assertNoSecret(lines);
        const stack = stackProblems({ ...validCreateStack, kubeContext: "x", clusters: [{ name: "a", kubeContext: "a" }] });
        assert.ok(
            stack.includes(
                "gcr-pull-secrets:kubeContext is set together with clusters, where each cluster names its own; " +
                    "move it into each cluster's entry (clusters[N].kubeContext) and remove it (`pulumi config rm 'gcr-pull-secrets:kubeContext'`)",
            ),
            stack.join("\n"),
        );
    });

    it("refuses a cluster name given twice", () => {
        const lines = problems({
            ...validCreateStack,
            clusters: [
                { name: "prod", kubeContext: "a" },
                { name: "dev", kubeContext: "b" },
                { name: "prod", kubeContext: "c" },
            ],
        });
        assert.deepStrictEqual(lines, ['clusters[2].name repeats "prod" (also clusters[0].name); list each cluster once']);
    });

    it("refuses bad cluster names, saying the rule", () => {
        const lines = problems({
            ...validCreateStack,
            clusters: [
                { name: "Prod", kubeContext: "a" },
                { name: "prod.eu", kubeContext: "b" },
                { name: "a".repeat(33), kubeContext: "c" },
                { name: "", kubeContext: "d" },
                { kubeContext: "e" } as never,
            ],
        });
        const rule = "1-32 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit";
        assert.deepStrictEqual(lines, [
            `clusters[0].name is "Prod", not a valid cluster name (${rule}); resource names and outputs are keyed by it`,
            `clusters[1].name is "prod.eu", not a valid cluster name (${rule}); resource names and outputs are keyed by it`,
            `clusters[2].name is "${"a".repeat(33)}", not a valid cluster name (${rule}); resource names and outputs are keyed by it`,
            'clusters[3].name is empty; set the cluster\'s name, for example `clusters[3].name: "prod-eu"`',
            'clusters[4].name is missing; set the cluster\'s name, for example `clusters[4].name: "prod-eu"`',
        ]);
    });

    it("refuses unknown fields with the closest known one", () => {
        const lines = problems({
            ...validCreateStack,
            clusters: [{ name: "a", kubeContext: "a", namespace: ["x"] } as never, { name: "b", kubecontext: "b" } as never],
        });
        assert.ok(
            lines.some((l) => l.startsWith("clusters[0].namespace is not a known field; did you mean namespaces?")),
            lines.join("\n"),
        );
        assert.ok(
            lines.some((l) => l.startsWith("clusters[1].kubecontext is not a known field; did you mean kubeContext?")),
            lines.join("\n"),
        );
        // A misspelt top-level setting is caught by the stack-config reader too.
        assert.throws(
            () => argsFromStackConfig({ values: stackValues({ ...validCreateStack, cluster: [] }), secretKeys: new Set() }),
            (e: ConfigError) => e.problems.some((p) => p.path === "gcr-pull-secrets:cluster" && p.message.includes("did you mean gcr-pull-secrets:clusters?")),
        );
    });

    it("refuses a cluster with no namespaces, at its own path, when there is no top-level default", () => {
        const lines = problems({
            ...withoutNamespaces,
            clusters: [
                { name: "a", kubeContext: "a", namespaces: ["x"] },
                { name: "b", kubeContext: "b" },
            ],
        });
        assert.deepStrictEqual(lines, [
            'clusters[1].namespaces is not set; list at least one namespace, for example `clusters[1].namespaces[0]: "default"`, or choose namespaces by label with clusters[1].namespaceSelector',
        ]);
        const empty = problems({ ...validCreateStack, clusters: [{ name: "a", kubeContext: "a", namespaces: [] }] });
        assert.ok(empty[0]?.startsWith("clusters[0].namespaces is empty; list at least one namespace"), empty.join("\n"));
    });

    it("refuses a cluster it cannot reach, an empty list and a list that is not one", () => {
        assert.deepStrictEqual(problems({ ...validCreateStack, clusters: [{ name: "a" }] }), [
            'clusters[0] names no way to reach the cluster; set its kubeconfig (the text of a kubeconfig file), or kubeContext, a context of the ambient kubeconfig (`clusters[0].kubeContext: "prod-eu"`)',
        ]);
        assert.deepStrictEqual(problems({ ...validCreateStack, clusters: [] }), [
            "clusters is empty; list at least one cluster, or remove it to reach the one cluster of kubeconfig and kubeContext",
        ]);
        assert.match(problems({ ...validCreateStack, clusters: "prod" as never })[0], /^clusters must be a list of clusters/);
    });

    it("a problem of a top-level default is reported once, not once per cluster; a cluster's own at its path", () => {
        const lines = problems({
            ...validCreateStack,
            namespaces: ["Bad_Name"],
            clusters: [
                { name: "a", kubeContext: "a" },
                { name: "b", kubeContext: "b" },
                { name: "c", kubeContext: "c", namespaces: ["kube-system"] },
            ],
        });
        assert.deepStrictEqual(
            lines.map((l) => l.split(" ")[0]),
            ["namespaces[0]", "clusters[2].namespaces[0]"],
        );
    });

    it("never quotes a kubeconfig: not one that is no kubeconfig, not one of the wrong type, not one stored in plaintext", () => {
        const notKubeconfig = "LEAKTOKEN123 apiVersion current-context leak-server";
        const args = problems({
            ...validCreateStack,
            clusters: [
                { name: "a", kubeconfig: notKubeconfig },
                { name: "b", kubeconfig: 42 as never },
                { name: "c", kubeconfig: "" },
            ],
        });
        assert.strictEqual(args.length, 3, args.join("\n"));
        assert.match(args[0], /^clusters\[0\]\.kubeconfig is not a kubeconfig: it has no clusters section/);
        assert.match(args[1], /^clusters\[1\]\.kubeconfig is a number \(the secret value\), not text/);
        assertNoSecret(args);

        // In stack config the whole clusters value is secret once one kubeconfig in it is encrypted:
        // nothing of it is quoted, not even a field's name.
        const encrypted = stackProblems({ ...validCreateStack, clusters: [{ name: "a", kubeconfig: notKubeconfig, kubeContex: "x" }] }, ["clusters"]);
        assert.ok(
            encrypted.some((l) => l.startsWith("gcr-pull-secrets:clusters[0] has a field that is not one of name, kubeconfig, kubeContext,")),
            encrypted.join("\n"),
        );
        assert.ok(!encrypted.some((l) => l.includes("kubeContex ") || l.includes('kubeContex"')), encrypted.join("\n"));
        assert.ok(encrypted.some((l) => l.includes("`pulumi config set --secret --path 'gcr-pull-secrets:clusters[0].kubeconfig' < kubeconfig.yaml`")));
        assertNoSecret(encrypted);
        const plaintext = stackProblems({ ...validCreateStack, clusters: [{ name: "a", kubeconfig: secretKubeconfig }] });
        assert.deepStrictEqual(plaintext, [
            "gcr-pull-secrets:clusters[0].kubeconfig is stored in plaintext in the stack file; set it again encrypted with " +
                "`pulumi config set --secret --path 'gcr-pull-secrets:clusters[0].kubeconfig' < kubeconfig.yaml` and remove the plaintext from your history",
        ]);
    });

    it("with the whole value secret, no name is quoted, bad or repeated: paths say which", () => {
        const lines = stackProblems(
            {
                ...validCreateStack,
                clusters: [
                    { name: secretKubeconfig, kubeContext: "a" },
                    { name: "b", kubeContext: "b" },
                    { name: "b", kubeContext: "c" },
                ],
            },
            ["clusters"],
        );
        assertNoSecret(lines);
        assert.deepStrictEqual(lines, [
            "gcr-pull-secrets:clusters[0].name is the secret value, not a valid cluster name (1-32 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit); resource names and outputs are keyed by it",
            "gcr-pull-secrets:clusters[2].name repeats the entry at clusters[1].name; list each cluster once",
        ]);
    });

    describe("keyless: one pool, a provider per cluster issuer", () => {
        const { serviceAccount: _s, ...base } = validCreateStack;
        const jwks = JSON.stringify({ keys: [{ kty: "EC", crv: "P-256", x: "AAAA", y: "BBBB" }] });

        it("each cluster names its issuer; the provider's id is the cluster's name unless given; the pool is the fleet's", () => {
            const plan = validateArgs({
                ...base,
                keyless: { poolId: "fleet-pool" },
                clusters: [
                    { name: "prod-eu", kubeContext: "eu", keyless: { issuerUri: "https://eu.issuer.example.com" } },
                    { name: "dev", kubeContext: "dev", keyless: { issuerUri: "https://kubernetes.default.svc", jwks, providerId: "dev-cluster" } },
                ],
            }).plan;
            assert.deepStrictEqual(
                plan.clusters!.map((c) => [c.name, c.federation]),
                [
                    ["dev", { kind: "createPool", issuerUri: "https://kubernetes.default.svc", jwks, poolId: "fleet-pool", providerId: "dev-cluster" }],
                    ["prod-eu", { kind: "createPool", issuerUri: "https://eu.issuer.example.com", poolId: "fleet-pool", providerId: "prod-eu" }],
                ],
            );
        });

        it("refuses an issuer at the top level, a cluster without one, a name too short for an id, and a provider id twice", () => {
            const lines = problems({
                ...base,
                keyless: { issuerUri: "https://issuer.example.com" },
                clusters: [
                    { name: "eu", kubeContext: "eu", keyless: { issuerUri: "https://eu.example.com" } },
                    { name: "us-1", kubeContext: "us" },
                    { name: "prod", kubeContext: "p", keyless: { issuerUri: "https://p.example.com", providerId: "gcp-x" } },
                    { name: "dev", kubeContext: "d", keyless: { issuerUri: "https://10.0.0.1", providerId: "shared", issuer: "x" } as never },
                    { name: "stage", kubeContext: "s", keyless: { issuerUri: "https://s.example.com", providerId: "shared" } },
                ],
            });
            const starts = [
                "keyless.issuerUri is set next to clusters, where each cluster names its own issuer",
                "clusters[0].name is \"eu\", which as the id of the cluster's provider in the pool is not valid (4-32 characters: lowercase letters, digits and '-', not starting with gcp-); set clusters[0].keyless.providerId to one that is",
                "clusters[1].keyless is not set; with keyless, each cluster names its ServiceAccount issuer",
                'clusters[2].keyless.providerId is "gcp-x", not a valid id',
                "clusters[3].keyless.issuer is not a known field; did you mean issuerUri?",
                'clusters[3].keyless.issuerUri is "https://10.0.0.1", on a host Google cannot reach to fetch the signing keys; inline them: set clusters[3].keyless.jwks',
                'clusters[4].keyless.providerId repeats "shared" (also clusters[3].keyless.providerId); list each pool provider id once',
            ];
            for (const start of starts)
                assert.ok(
                    lines.some((l) => l.startsWith(start)),
                    `${start}\nnot in\n${lines.join("\n")}`,
                );
        });

        it("a cluster's keyless applies only in keyless mode", () => {
            const lines = problems({ ...validCreateStack, clusters: [{ name: "prod", kubeContext: "p", keyless: { issuerUri: "https://p.example.com" } }] });
            assert.deepStrictEqual(lines, ["clusters[0].keyless applies only with the keyless credential source (the top-level keyless setting); remove it"]);
        });
    });
});
