import { unwrap } from "../mocks";
import * as assert from "assert";
import fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import { argsFromStackConfig, suggestSetting, validateStackConfig } from "../../../components/config";
import { systemNamespaces } from "../../../components/contract";
import { ConfigError } from "../../../components/configError";
import { validateArgs } from "../../../components/validatedArgs";
import { sampleKeyJson, stackValues, validCreateStack } from "../fixtures";

const jsonKeyStack = { registries: ["gcr.io"], namespaces: ["apps"], jsonKey: sampleKeyJson };
const secretKeys = new Set(["gcr-pull-secrets:jsonKey"]);

function configError(settings: Record<string, unknown>, secrets: ReadonlySet<string> = secretKeys): ConfigError {
    try {
        argsFromStackConfig({ values: stackValues(settings), secretKeys: secrets });
    } catch (error) {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
        return error;
    }
    assert.fail("expected the configuration to be refused");
}

// [description, settings, path named in the message, words of the fix]
const badConfigs: [string, Record<string, unknown>, string, RegExp][] = [
    [
        "no credential source",
        { registries: ["gcr.io"], namespaces: ["a"] },
        "gcr-pull-secrets:serviceAccount",
        /is not set, and neither is existingServiceAccountEmail, jsonKey or keyless; set exactly one credential source/,
    ],
    [
        "two credential sources",
        { ...validCreateStack, existingServiceAccountEmail: "p@acme-dev-123456.iam.gserviceaccount.com" },
        "gcr-pull-secrets:serviceAccount",
        /is set together with gcr-pull-secrets:existingServiceAccountEmail; keep exactly one credential source/,
    ],
    [
        "three credential sources",
        { ...validCreateStack, existingServiceAccountEmail: "p@x-123456.iam.gserviceaccount.com", jsonKey: sampleKeyJson },
        "gcr-pull-secrets:serviceAccount",
        /is set together with gcr-pull-secrets:existingServiceAccountEmail and gcr-pull-secrets:jsonKey; keep exactly one/,
    ],
    [
        "empty namespace",
        { ...jsonKeyStack, namespaces: [""] },
        "gcr-pull-secrets:namespaces[0]",
        /is empty; set a namespace name, for example `pulumi config set --path 'gcr-pull-secrets:namespaces\[0\]' team-a`/,
    ],
    [
        "empty namespace name in an object",
        { ...jsonKeyStack, namespaces: [{ name: "" }] },
        "gcr-pull-secrets:namespaces[0].name",
        /is empty; set the namespace name/,
    ],
    ["no namespaces", { ...jsonKeyStack, namespaces: [] }, "gcr-pull-secrets:namespaces", /is empty; list at least one namespace/],
    [
        "duplicate namespace",
        { ...jsonKeyStack, namespaces: ["apps", "web", "apps"] },
        "gcr-pull-secrets:namespaces[2]",
        /repeats "apps" \(also namespaces\[0\]\); list each namespace once/,
    ],
    [
        "upper-case namespace",
        { ...jsonKeyStack, namespaces: ["Team-A"] },
        "gcr-pull-secrets:namespaces[0]",
        /"Team-A", not a valid namespace name \(lowercase letters/,
    ],
    ["namespace over 63 characters", { ...jsonKeyStack, namespaces: ["a".repeat(64)] }, "gcr-pull-secrets:namespaces[0]", /not a valid namespace name/],
    ["namespace with a dot", { ...jsonKeyStack, namespaces: ["team.a"] }, "gcr-pull-secrets:namespaces[0]", /not a valid namespace name/],
    [
        "system namespace without opt-in",
        { ...jsonKeyStack, namespaces: ["kube-system"] },
        "gcr-pull-secrets:namespaces[0]",
        /a system namespace; remove it, or set allowSystemNamespaces: true/,
    ],
    ["kube-public without opt-in", { ...jsonKeyStack, namespaces: [{ name: "kube-public" }] }, "gcr-pull-secrets:namespaces[0].name", /system namespace/],
    [
        "unknown registry host",
        { ...jsonKeyStack, registries: ["quay.io"] },
        "gcr-pull-secrets:registries[0]",
        /"quay.io", which is not a Google registry host; use one of: gcr.io, us.gcr.io, eu.gcr.io, asia.gcr.io, <location>-docker.pkg.dev/,
    ],
    [
        "registry written as a URL",
        { ...jsonKeyStack, registries: ["https://asia.gcr.io/"] },
        "gcr-pull-secrets:registries[0]",
        /write the host name only, in lowercase, without scheme, port or path: "asia.gcr.io"/,
    ],
    [
        "bad Artifact Registry location in host",
        { ...jsonKeyStack, registries: ["mars-docker.pkg.dev"] },
        "gcr-pull-secrets:registries[0]",
        /whose location is not an Artifact Registry location \(a region such as europe-west1, or one of the multi-regions us, europe, asia\)/,
    ],
    ["duplicate registry host", { ...jsonKeyStack, registries: ["gcr.io", "gcr.io"] }, "gcr-pull-secrets:registries[1]", /repeats "gcr.io"/],
    ["no registries", { ...jsonKeyStack, registries: [] }, "gcr-pull-secrets:registries", /is empty; list at least one registry host/],
    [
        "registries not a list",
        { ...jsonKeyStack, registries: "gcr.io" },
        "gcr-pull-secrets:registries",
        /must be a list of registry hosts, not the text "gcr.io"; set each item with `pulumi config set --path 'gcr-pull-secrets:registries\[0\]' asia.gcr.io`/,
    ],
    ["malformed key JSON", { ...jsonKeyStack, jsonKey: "{not json" }, "gcr-pull-secrets:jsonKey", /parses neither as JSON nor as base64-encoded JSON/],
    [
        "key JSON of the wrong type",
        { ...jsonKeyStack, jsonKey: JSON.stringify({ ...JSON.parse(sampleKeyJson), type: "authorized_user" }) },
        "gcr-pull-secrets:jsonKey",
        /"type" must be "service_account"/,
    ],
    [
        "key JSON without private_key",
        { ...jsonKeyStack, jsonKey: JSON.stringify({ ...JSON.parse(sampleKeyJson), private_key: undefined }) },
        "gcr-pull-secrets:jsonKey",
        /lacks the "private_key" field/,
    ],
    [
        "key stored in plaintext",
        jsonKeyStack,
        "gcr-pull-secrets:jsonKey",
        /stored in plaintext in the stack file; set it again encrypted with `pulumi config set --secret gcr-pull-secrets:jsonKey < key.json`/,
    ],
    [
        "negative rotation days",
        { ...validCreateStack, rotationDays: -5 },
        "gcr-pull-secrets:rotationDays",
        /is -5; it must be a whole number of days from 0 to 3650/,
    ],
    ["fractional rotation days", { ...validCreateStack, rotationDays: "1.5" }, "gcr-pull-secrets:rotationDays", /is "1.5"; it must be a whole number/],
    [
        "rotation with a supplied key",
        { ...jsonKeyStack, rotationDays: 30 },
        "gcr-pull-secrets:rotationDays",
        /applies only to service accounts and keys this program manages, and jsonKey is set/,
    ],
    ["bad secret name", { ...jsonKeyStack, secretName: "Reg_Cred" }, "gcr-pull-secrets:secretName", /"Reg_Cred", not a valid Secret name/],
    [
        "unknown key (typo)",
        { ...jsonKeyStack, namespace: ["apps"] },
        "gcr-pull-secrets:namespace",
        /is not a known setting; did you mean gcr-pull-secrets:namespaces\? Remove it with `pulumi config rm 'gcr-pull-secrets:namespace'`/,
    ],
    [
        "unknown key inside a namespace",
        { ...jsonKeyStack, namespaces: [{ name: "apps", serviceAcounts: ["x"] }] },
        "gcr-pull-secrets:namespaces[0].serviceAcounts",
        /is not a known field; did you mean serviceAccounts\? The known fields are name, create, adopt, serviceAccounts/,
    ],
    [
        "bad username mode",
        { ...jsonKeyStack, username: "oauth2accesstoken" },
        "gcr-pull-secrets:username",
        /use "_json_key" \(the default: the key JSON is the password\) or "_json_key_base64"/,
    ],
    ["bad account id", { ...validCreateStack, serviceAccount: { accountId: "Puller" } }, "gcr-pull-secrets:serviceAccount.accountId", /6-30 characters/],
    ["missing account id", { ...validCreateStack, serviceAccount: { displayName: "x" } }, "gcr-pull-secrets:serviceAccount.accountId", /is missing/],
    [
        "bad existing account email",
        { registries: ["gcr.io"], namespaces: ["a"], existingServiceAccountEmail: "bob@example.com" },
        "gcr-pull-secrets:existingServiceAccountEmail",
        /not a service account email: it must look like NAME@PROJECT.iam.gserviceaccount.com/,
    ],
    [
        "created account without any grant",
        { ...validCreateStack, artifactRegistryRepositories: [] },
        "gcr-pull-secrets:serviceAccount",
        /no registry access; list artifactRegistryRepositories/,
    ],
    [
        "repository not covered by registries",
        { ...validCreateStack, artifactRegistryRepositories: [{ location: "us-central1", repository: "apps" }] },
        "gcr-pull-secrets:artifactRegistryRepositories[0]",
        /served from "us-central1-docker.pkg.dev", which is not in registries: add "us-central1-docker.pkg.dev" to registries/,
    ],
    [
        "repository location invalid",
        { ...validCreateStack, artifactRegistryRepositories: [{ location: "moon", repository: "apps" }] },
        "gcr-pull-secrets:artifactRegistryRepositories[0].location",
        /not an Artifact Registry location/,
    ],
    [
        "boolean that is not a boolean",
        { ...jsonKeyStack, allowSystemNamespaces: "yes" },
        "gcr-pull-secrets:allowSystemNamespaces",
        /is "yes"; it must be true or false/,
    ],
    [
        "bad ServiceAccount name",
        { ...jsonKeyStack, namespaces: [{ name: "apps", serviceAccounts: ["Builder"] }] },
        "gcr-pull-secrets:namespaces[0].serviceAccounts[0]",
        /not a valid ServiceAccount name/,
    ],
    [
        "creating the default namespace",
        { ...jsonKeyStack, namespaces: [{ name: "default", create: true }] },
        "gcr-pull-secrets:namespaces[0].create",
        /is true for "default", which every cluster has; remove it \(`pulumi config rm --path 'gcr-pull-secrets:namespaces\[0\].create'`\)/,
    ],
    [
        "project-wide read without a project",
        { ...validCreateStack, project: undefined, artifactRegistryRepositories: [], projectWideRead: true },
        "gcr-pull-secrets:projectWideRead",
        /needs the project to grant on/,
    ],
    ["wait of zero seconds", { ...jsonKeyStack, serviceAccountWaitSeconds: 0 }, "gcr-pull-secrets:serviceAccountWaitSeconds", /from 1 to 3600/],
    [
        "JSON array as the key",
        { ...jsonKeyStack, jsonKey: JSON.stringify([JSON.parse(sampleKeyJson)]) },
        "gcr-pull-secrets:jsonKey",
        /is JSON, but a JSON array, not a service account key/,
    ],
    [
        "empty credential source",
        { registries: ["gcr.io"], namespaces: ["a"], existingServiceAccountEmail: "" },
        "gcr-pull-secrets:existingServiceAccountEmail",
        /is empty; set it to the email of an existing service account/,
    ],
    [
        "empty Secret name",
        { ...jsonKeyStack, secretName: "" },
        "gcr-pull-secrets:secretName",
        /is empty; set a Secret name .* or remove it .* for the default "regcred"/,
    ],
    ["bad project from gcp:project", { ...validCreateStack, project: undefined, "gcp:project": "Acme" }, "gcp:project", /is "Acme", not a Google project id/],
    [
        "namespace that looks like a number",
        { ...jsonKeyStack, namespaces: [2024] },
        "gcr-pull-secrets:namespaces[0]",
        /is the number 2024, not text; a namespace name is text: write it quoted in the stack file \("2024"\), or set it with `pulumi config set --path --type string 'gcr-pull-secrets:namespaces\[0\]' 2024`/,
    ],
    [
        "gcr.io repository in the wrong location",
        { ...validCreateStack, artifactRegistryRepositories: [{ location: "europe", repository: "asia.gcr.io" }] },
        "gcr-pull-secrets:artifactRegistryRepositories[0].location",
        /is "europe", but the repository behind "asia.gcr.io" is in "asia"/,
    ],
    [
        "unknown field in the service account",
        { ...validCreateStack, serviceAccount: { accountId: "gke-puller-dev", displayname: "x" } },
        "gcr-pull-secrets:serviceAccount.displayname",
        /is not a known field; did you mean displayName\?/,
    ],
    [
        "kubeconfig stored in plaintext",
        { ...jsonKeyStack, kubeconfig: "apiVersion: v1\nclusters: []\n" },
        "gcr-pull-secrets:kubeconfig",
        /is stored in plaintext in the stack file; set it again encrypted with `pulumi config set --secret gcr-pull-secrets:kubeconfig < kubeconfig.yaml`/,
    ],
    [
        "kubeconfig that is not one",
        { ...jsonKeyStack, kubeconfig: "apiVersion: v1\nkind: Config\n" },
        "gcr-pull-secrets:kubeconfig",
        /is not a kubeconfig: it has no clusters section/,
    ],
    [
        "bad legacy bucket",
        { ...validCreateStack, gcrBuckets: ["Not A Bucket"] },
        "gcr-pull-secrets:gcrBuckets[0]",
        /not a Container Registry bucket: its name has the form artifacts.PROJECT.appspot.com/,
    ],
];

describe("stack configuration", () => {
    describe("refuses bad input with one message naming the path and the fix", () => {
        for (const [description, settings, path, fix] of badConfigs) {
            it(description, () => {
                const secrets = description.endsWith("stored in plaintext") ? new Set<string>() : new Set([...secretKeys, "gcr-pull-secrets:kubeconfig"]);
                const error = configError(settings, secrets);
                const problem = error.problems.find((p) => p.path === path);
                assert.ok(problem, `no problem at ${path}; got:\n${error.message}`);
                assert.match(`${problem.path} ${problem.message}`, fix);
                assert.ok(error.message.includes(path), "the message names the path");
                assert.match(error.message, /^Invalid gcr-pull-secrets stack configuration \(\d+ problems?\); nothing was changed:/);
            });
        }
    });

    it("lists every problem at once", () => {
        const error = configError({
            ...jsonKeyStack,
            registries: ["quay.io"],
            namespaces: ["Bad", "kube-system"],
            secretName: "_x",
            rotationDays: 3,
            namespce: 1,
        });
        const paths = error.problems.map((p) => p.path).sort();
        assert.deepStrictEqual(paths, [
            "gcr-pull-secrets:namespaces[0]",
            "gcr-pull-secrets:namespaces[1]",
            "gcr-pull-secrets:namespce",
            "gcr-pull-secrets:registries[0]",
            "gcr-pull-secrets:rotationDays",
            "gcr-pull-secrets:secretName",
        ]);
        assert.match(error.message, /\(6 problems\)/);
    });

    it("reports a plaintext key once, not also as a missing credential source", () => {
        const error = configError(jsonKeyStack, new Set());
        assert.deepStrictEqual(
            error.problems.map((p) => p.path),
            ["gcr-pull-secrets:jsonKey"],
        );
    });

    it("never echoes key material in any message", () => {
        const key = JSON.parse(sampleKeyJson);
        const leaky = [
            { ...key, type: "user" },
            { ...key, private_key: "not-a-pem-SECRETSECRET" },
            "SECRETSECRET{" + JSON.stringify(key),
            Buffer.from('{"SECRETSECRET": 1').toString("base64"),
        ];
        for (const jsonKey of leaky) {
            const text = typeof jsonKey === "string" ? jsonKey : JSON.stringify(jsonKey);
            for (const secrets of [secretKeys, new Set<string>()]) {
                const error = configError({ ...jsonKeyStack, jsonKey: text }, secrets);
                assert.ok(!error.message.includes("SECRETSECRET"), error.message);
                assert.ok(!error.message.includes(key.private_key.split("\n")[1]), error.message);
                assert.ok(!error.message.includes(key.private_key_id), error.message);
            }
        }
    });

    it("reads typed values the way `pulumi config set` stores them", () => {
        const args = argsFromStackConfig({
            values: stackValues({ ...validCreateStack, rotationDays: "30", projectWideRead: "false", allowSystemNamespaces: "true" }),
            secretKeys,
        });
        assert.strictEqual(args.rotationDays, 30);
        assert.strictEqual(args.projectWideRead, false);
        assert.strictEqual(args.allowSystemNamespaces, true);
        assert.deepStrictEqual(args.namespaces, ["team-a", "team-b"]);
    });

    it("takes the project from gcp:project when project is not set", () => {
        const { project, ...rest } = validCreateStack;
        const args = argsFromStackConfig({ values: stackValues({ ...rest, "gcp:project": project }), secretKeys });
        assert.strictEqual(args.project, project);
    });

    it("accepts a kubeconfig in YAML or JSON form", () => {
        for (const kubeconfig of ["apiVersion: v1\nclusters:\n- name: c\n", JSON.stringify({ apiVersion: "v1", clusters: [] })]) {
            const args = argsFromStackConfig({
                values: stackValues({ ...jsonKeyStack, kubeconfig }),
                secretKeys: new Set([...secretKeys, "gcr-pull-secrets:kubeconfig"]),
            });
            assert.strictEqual(args.kubeconfig, kubeconfig);
        }
    });

    it("accepts a key file given base64-encoded", () => {
        const args = argsFromStackConfig({
            values: stackValues({ ...jsonKeyStack, jsonKey: Buffer.from(sampleKeyJson).toString("base64") }),
            secretKeys,
        });
        assert.ok(args.jsonKey);
    });

    it("takes the kubeconfig from the program (another stack's output) as a secret, and keeps the stack's when the program gives none", async () => {
        const fromOtherStack = "apiVersion: v1\nclusters:\n- name: made-by-the-cluster-stack\n";
        const given = validateStackConfig(
            { values: stackValues(jsonKeyStack), secretKeys },
            { upgradeFrom01: true, kubeconfig: pulumi.output(fromOtherStack) },
        );
        assert.strictEqual(await unwrap(given.kubeconfig!), fromOtherStack);
        assert.strictEqual(await pulumi.isSecret(given.kubeconfig!), true, "secret even when the other stack's output was not");
        assert.strictEqual(given.upgradeFrom01, true);

        const own = "apiVersion: v1\nclusters:\n- name: own\n";
        const stacks = validateStackConfig(
            { values: stackValues({ ...jsonKeyStack, kubeconfig: own }), secretKeys: new Set([...secretKeys, "gcr-pull-secrets:kubeconfig"]) },
            { kubeconfig: undefined },
        );
        assert.strictEqual(await unwrap(stacks.kubeconfig!), own);
    });

    it("refuses a kubeconfig from both the stack and the program, naming the setting and the two ways out, without either value", () => {
        const own = "apiVersion: v1\nclusters:\n- name: own-cluster-secret\n";
        for (const unreadable of [false, true]) {
            const input = {
                values: unreadable ? stackValues(jsonKeyStack) : stackValues({ ...jsonKeyStack, kubeconfig: own }),
                secretKeys: new Set([...secretKeys, "gcr-pull-secrets:kubeconfig"]),
                ...(unreadable ? { unreadableSecretKeys: new Set(["gcr-pull-secrets:kubeconfig"]) } : {}),
            };
            assert.throws(
                () => validateStackConfig(input, { kubeconfig: pulumi.secret("apiVersion: v1\nclusters: []\n") }),
                (error: Error) =>
                    error instanceof ConfigError &&
                    /gcr-pull-secrets:kubeconfig is set in the stack, and the program gives the kubeconfig too/.test(error.message) &&
                    /`pulumi config rm gcr-pull-secrets:kubeconfig`\), or stop passing kubeconfig to readStackConfig/.test(error.message) &&
                    !error.message.includes("own-cluster-secret"),
            );
        }
    });

    it("suggests the nearest known setting for typos", () => {
        assert.strictEqual(suggestSetting("registry"), "registries");
        assert.strictEqual(suggestSetting("rotationDay"), "rotationDays");
        assert.strictEqual(suggestSetting("completelyDifferent"), undefined);
    });
});

describe("the plan", () => {
    const base = { jsonKey: sampleKeyJson, registries: ["gcr.io"] };

    it("is the same whatever the order of namespaces and hosts", () => {
        fc.assert(
            fc.property(
                fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/), { minLength: 1, maxLength: 12 }),
                fc.uniqueArray(fc.constantFrom("gcr.io", "asia.gcr.io", "eu.gcr.io", "us-docker.pkg.dev", "europe-west4-docker.pkg.dev"), { minLength: 1 }),
                fc.nat(),
                (names, hosts, seed) => {
                    const shuffled = [...names].sort((a, b) => ((a.charCodeAt(0) * 31 + seed) % 7) - ((b.charCodeAt(0) * 31 + seed) % 7));
                    const plainNames = names.filter((n) => !systemNamespaces.includes(n));
                    if (plainNames.length !== names.length) return;
                    const a = validateArgs({ ...base, registries: hosts, namespaces: names }).plan;
                    const b = validateArgs({ ...base, registries: [...hosts].reverse(), namespaces: shuffled }).plan;
                    assert.deepStrictEqual(a, b);
                    assert.deepStrictEqual(
                        a.namespaces.map((n) => n.name),
                        [...names].sort(),
                    );
                },
            ),
        );
    });

    it("patches default first and each ServiceAccount once", () => {
        const plan = validateArgs({ ...base, namespaces: [{ name: "ci", serviceAccounts: ["builder", "default", "deployer"] }] }).plan;
        assert.deepStrictEqual(plan.namespaces[0].serviceAccounts, ["default", "builder", "deployer"]);
    });

    it("is frozen", () => {
        const plan = validateArgs({ ...base, namespaces: ["a"] }).plan;
        assert.throws(() => (plan.namespaces as unknown as string[]).push("b"));
    });

    it("allows system namespaces only with the opt-in", () => {
        assert.throws(() => validateArgs({ ...base, namespaces: ["kube-system"] }).plan, /system namespace/);
        const plan = validateArgs({ ...base, namespaces: ["kube-system"], allowSystemNamespaces: true }).plan;
        assert.deepStrictEqual(
            plan.namespaces.map((n) => n.name),
            ["kube-system"],
        );
    });

    it("uses args paths (no config prefix) for component arguments", () => {
        assert.throws(
            () => validateArgs({ ...base, namespaces: ["Bad"] }).plan,
            /^ConfigError: |Invalid GcrPullSecrets arguments \(1 problem\); nothing was changed:\n {2}- namespaces\[0\] is "Bad"/,
        );
    });
});
