import { findCreated, isSecretInput, mockProjectNumber, ofType, recorded, resetRecorded, settle, unwrap } from "../../mocks";
import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import * as fs from "fs";
import { foreignTypes, keyless as names, roles, types as contractTypes } from "../../../../components/contract";
import { argsFromStackConfig } from "../../../../components/config";
import { GcrPullSecrets } from "../../../../components/gcrPullSecrets";
import { GcrPullSecretsArgs, KeylessArgs } from "../../../../components/gcrPullSecretsArgs";
import { ConfigError } from "../../../../components/configError";
import { validateArgs } from "../../../../components/validatedArgs";
import { exchangeAudiences, refresherPrincipal } from "../../../../components/specs/federationNames";
import { refresherScriptFile } from "../../../../components/specs/refresherSpecs";
import { defaultRefresherImage } from "../../../../components/validation/refresherImage";
import { stackIdentityName } from "../../../../components/stackIdentity";
import { stackValues, validCreateStack } from "../../fixtures";

const types = {
    pool: foreignTypes.workloadIdentityPool,
    poolProvider: foreignTypes.workloadIdentityPoolProvider,
    repoMember: foreignTypes.repositoryIamMember,
    accountMember: foreignTypes.serviceAccountIamMember,
    account: foreignTypes.account,
    key: foreignTypes.key,
    provider: foreignTypes.provider,
    pullSecret: contractTypes.pullSecret,
    namespace: foreignTypes.namespace,
    serviceAccount: foreignTypes.serviceAccount,
    role: foreignTypes.role,
    roleBinding: foreignTypes.roleBinding,
    configMap: foreignTypes.configMap,
    cronJob: foreignTypes.cronJob,
    job: foreignTypes.job,
};

const jwks = JSON.stringify({ keys: [{ kty: "EC", crv: "P-256", kid: "k1", x: "AAAA", y: "BBBB", alg: "ES256", use: "sig" }] });
const privateIssuer = "https://kubernetes.default.svc.cluster.local";
// The valid dev stack, without its credential source.
const { serviceAccount: _credentialSource, ...base }: GcrPullSecretsArgs = validCreateStack;
const withKeyless = (keyless: KeylessArgs, extra: Partial<GcrPullSecretsArgs> = {}): GcrPullSecretsArgs => ({ ...base, keyless, ...extra });
const providerName = `projects/${mockProjectNumber}/locations/global/workloadIdentityPools/gcr-pull-secrets/providers/kubernetes`;
const principal = `principal://iam.googleapis.com/projects/${mockProjectNumber}/locations/global/workloadIdentityPools/gcr-pull-secrets/subject/system:serviceaccount:gcr-pull-secrets-refresher:token-refresher`;

/** The problems of a stack configuration, as `path message` lines. */
function stackProblems(settings: Record<string, unknown>): string[] {
    try {
        argsFromStackConfig({ values: stackValues(settings), secretKeys: new Set() });
    } catch (error) {
        if (error instanceof ConfigError) return error.problems.map((p) => `${p.path} ${p.message}`);
        throw error;
    }
    return [];
}

async function build(args: GcrPullSecretsArgs) {
    resetRecorded();
    const parents = new Map<string, pulumi.Resource | undefined>();
    const options = new Map<string, pulumi.ResourceOptions>();
    const component = new GcrPullSecrets("pull", args, {
        transformations: [
            (a) => {
                parents.set(`${a.type}::${a.name}`, a.opts.parent);
                options.set(`${a.type}::${a.name}`, a.opts);
                return undefined;
            },
        ],
    });
    await unwrap(component.keyId);
    await settle();
    return { component, parents, options };
}

function podSpec(job: { inputs: Record<string, any> }): any {
    return job.inputs.spec.jobTemplate ? job.inputs.spec.jobTemplate.spec.template.spec : job.inputs.spec.template.spec;
}

function env(spec: any): Record<string, string> {
    return Object.fromEntries(spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
}

describe("keyless: configuration", () => {
    it("a pool trusting the cluster's issuer, with its JWKS inlined: the plan names the refresher and its defaults", () => {
        const plan = validateArgs(withKeyless({ issuerUri: privateIssuer, jwks })).plan;
        assert.deepStrictEqual(plan.credentials, {
            kind: "keyless",
            keyless: {
                federation: { kind: "createPool", issuerUri: privateIssuer, jwks, poolId: "gcr-pull-secrets", providerId: "kubernetes" },
                namespace: "gcr-pull-secrets-refresher",
                serviceAccountName: "token-refresher",
                image: "node:22-alpine@sha256:8094c002d08262dba12645a3b4a15cd6cd627d30bc782f53229a2ec13ee22a00",
                schedule: "*/30 * * * *",
                waitForFirstRun: true,
            },
        });
        assert.strictEqual(plan.rotation, undefined, "no key, no rotation");
    });

    it("an existing provider is read from its full name; grants become optional", () => {
        const plan = validateArgs({
            registries: ["gcr.io"],
            namespaces: ["a"],
            keyless: { workloadIdentityProvider: "projects/123456789012/locations/global/workloadIdentityPools/platform/providers/dev-cluster" },
        }).plan;
        assert.deepStrictEqual(plan.credentials.kind === "keyless" && plan.credentials.keyless.federation, {
            kind: "existingProvider",
            projectNumber: "123456789012",
            poolId: "platform",
            providerId: "dev-cluster",
        });
    });

    it("the audiences and principal follow Google's formats for each federation", () => {
        const gke = { kind: "gke", project: "acme-dev-123456", location: "europe-west1", cluster: "dev", projectNumber: "1234567" } as const;
        assert.deepStrictEqual(exchangeAudiences(gke), {
            token: "acme-dev-123456.svc.id.goog",
            sts: "identitynamespace:acme-dev-123456.svc.id.goog:https://container.googleapis.com/v1/projects/acme-dev-123456/locations/europe-west1/clusters/dev",
        });
        const existing = { kind: "existingProvider", projectNumber: "99", poolId: "pool", providerId: "prov" } as const;
        assert.deepStrictEqual(exchangeAudiences(existing), {
            token: "https://iam.googleapis.com/projects/99/locations/global/workloadIdentityPools/pool/providers/prov",
            sts: "//iam.googleapis.com/projects/99/locations/global/workloadIdentityPools/pool/providers/prov",
        });
        const plan = { federation: gke, namespace: "r", serviceAccountName: "token-refresher", image: "i", schedule: "s", waitForFirstRun: true };
        assert.strictEqual(
            refresherPrincipal(plan, "1234567", "acme-dev-123456.svc.id.goog"),
            "principal://iam.googleapis.com/projects/1234567/locations/global/workloadIdentityPools/acme-dev-123456.svc.id.goog/subject/ns/r/sa/token-refresher",
        );
    });

    // [description, keyless setting (or whole-stack change), path, words of the fix]
    const bad: [string, Record<string, unknown>, string, RegExp][] = [
        [
            "no federation",
            { keyless: {} },
            "gcr-pull-secrets:keyless",
            /names no federation; set exactly one of issuerUri .*, workloadIdentityProvider .* or gkeCluster/,
        ],
        [
            "two federations",
            { keyless: { issuerUri: "https://issuer.example.com", gkeCluster: "projects/acme-dev-123456/locations/x/clusters/c", projectNumber: "123456" } },
            "gcr-pull-secrets:keyless.issuerUri",
            /is set together with gkeCluster; keep exactly one way to federate/,
        ],
        [
            "an http issuer",
            { keyless: { issuerUri: "http://issuer.example.com" } },
            "gcr-pull-secrets:keyless.issuerUri",
            /not an issuer URL: it is https:\/\//,
        ],
        [
            "a private issuer without its keys",
            { keyless: { issuerUri: privateIssuer } },
            "gcr-pull-secrets:keyless.issuerUri",
            /on a host Google cannot reach to fetch the signing keys; inline them: set jwks to the output of `kubectl get --raw \/openid\/v1\/jwks`/,
        ],
        [
            "jwks that is not JSON",
            { keyless: { issuerUri: privateIssuer, jwks: "keys" } },
            "gcr-pull-secrets:keyless.jwks",
            /is not a JSON Web Key Set: it is not JSON/,
        ],
        [
            "a private key in jwks",
            { keyless: { issuerUri: privateIssuer, jwks: JSON.stringify({ keys: [{ kty: "EC", d: "secret" }] }) } },
            "gcr-pull-secrets:keyless.jwks",
            /a key in it is private/,
        ],
        [
            "jwks without issuerUri",
            { keyless: { gkeCluster: "projects/acme-dev-123456/locations/x/clusters/c", projectNumber: "123456", jwks } },
            "gcr-pull-secrets:keyless.jwks",
            /applies only with issuerUri/,
        ],
        [
            "a reserved pool id",
            { keyless: { issuerUri: "https://issuer.example.com", poolId: "gcp-pool" } },
            "gcr-pull-secrets:keyless.poolId",
            /not a valid id \(4-32 characters/,
        ],
        [
            "a provider named by its id only",
            { keyless: { workloadIdentityProvider: "kubernetes" } },
            "gcr-pull-secrets:keyless.workloadIdentityProvider",
            /not a provider's full name: it is projects\/NUMBER\/locations\/global/,
        ],
        [
            "GKE without the project number",
            { keyless: { gkeCluster: "projects/acme-dev-123456/locations/europe-west1/clusters/dev" } },
            "gcr-pull-secrets:keyless.gkeCluster",
            /needs projectNumber too/,
        ],
        [
            "a project number elsewhere",
            { keyless: { issuerUri: "https://issuer.example.com", projectNumber: "123456" } },
            "gcr-pull-secrets:keyless.projectNumber",
            /applies only with gkeCluster/,
        ],
        [
            "a project id as the number",
            { keyless: { gkeCluster: "projects/acme-dev-123456/locations/europe-west1/clusters/dev", projectNumber: "acme-dev" } },
            "gcr-pull-secrets:keyless.projectNumber",
            /not a project number \(digits only/,
        ],
        [
            "a bad reader email",
            { keyless: { issuerUri: "https://issuer.example.com", serviceAccountEmail: "reader@gmail.com" } },
            "gcr-pull-secrets:keyless.serviceAccountEmail",
            /not a service account email/,
        ],
        [
            "the refresher in kube-system",
            { keyless: { issuerUri: "https://issuer.example.com", namespace: "kube-system" } },
            "gcr-pull-secrets:keyless.namespace",
            /a namespace the stack cannot create and own/,
        ],
        [
            "the refresher in a listed namespace",
            { keyless: { issuerUri: "https://issuer.example.com", namespace: "team-a" } },
            "gcr-pull-secrets:keyless.namespace",
            /also listed in namespaces; the refresher needs a namespace of its own/,
        ],
        [
            "a schedule of four fields",
            { keyless: { issuerUri: "https://issuer.example.com", schedule: "*/30 * * *" } },
            "gcr-pull-secrets:keyless.schedule",
            /not a cron schedule of five fields .* tokens live one hour/,
        ],
        ["a misspelt field", { keyless: { issuerUrl: "https://issuer.example.com" } }, "gcr-pull-secrets:keyless.issuerUrl", /did you mean issuerUri\?/],
        [
            "rotation with keyless",
            { keyless: { issuerUri: "https://issuer.example.com" }, rotationDays: 30 },
            "gcr-pull-secrets:rotationDays",
            /keyless is set: there is no key to rotate/,
        ],
        [
            "a base64 username with keyless",
            { keyless: { issuerUri: "https://issuer.example.com" }, username: "_json_key_base64" },
            "gcr-pull-secrets:username",
            /whose username is always oauth2accesstoken/,
        ],
        [
            "an image with capitals in its repository",
            { keyless: { issuerUri: "https://issuer.example.com", image: "Node:22" } },
            "gcr-pull-secrets:keyless.image",
            /is "Node:22", not an image reference: its repository has capital letters .*; give NAME\[:TAG\]\[@sha256:DIGEST\], pinned by digest like the default node:22-alpine@sha256:/,
        ],
        [
            "an image with a short digest",
            { keyless: { issuerUri: "https://issuer.example.com", image: "node:22-alpine@sha256:abc" } },
            "gcr-pull-secrets:keyless.image",
            /not an image reference: what follows @ is not a digest/,
        ],
        [
            "an image with a space",
            { keyless: { issuerUri: "https://issuer.example.com", image: "node 22" } },
            "gcr-pull-secrets:keyless.image",
            /not an image reference: it contains a space/,
        ],
        [
            "keyless and a key",
            { keyless: { issuerUri: "https://issuer.example.com" }, jsonKey: "x" },
            "gcr-pull-secrets:jsonKey",
            /is set together with gcr-pull-secrets:keyless; keep exactly one credential source/,
        ],
    ];
    for (const [description, change, path, words] of bad) {
        it(`refuses ${description}, naming ${path} and the fix`, () => {
            const problems = stackProblems({ ...base, ...change }).filter((line) => line.startsWith(`${path} `));
            assert.ok(
                problems.some((line) => words.test(line)),
                `expected ${words} at ${path}; got:\n${stackProblems({ ...base, ...change }).join("\n")}`,
            );
        });
    }

    it("a created pool whose principal may read nothing is refused", () => {
        const problems = stackProblems({ registries: ["gcr.io"], namespaces: ["a"], keyless: { issuerUri: "https://issuer.example.com" } });
        assert.deepStrictEqual(problems.filter((p) => /gets no registry access/.test(p)).length, 1, problems.join("\n"));
    });
});

describe("keyless: the component under mocks", () => {
    it("a created pool: provider trusting the issuer (JWKS inlined) and only the refresher's subject; reads granted to that one principal", async () => {
        await build(withKeyless({ issuerUri: privateIssuer, jwks }));
        const pool = findCreated(types.pool, "pull").inputs;
        assert.strictEqual(pool.workloadIdentityPoolId, "gcr-pull-secrets");
        assert.strictEqual(pool.project, "acme-dev-123456");
        const provider = findCreated(types.poolProvider, "pull").inputs;
        assert.strictEqual(provider.workloadIdentityPoolProviderId, "kubernetes");
        assert.deepStrictEqual(provider.oidc, { issuerUri: privateIssuer, jwksJson: jwks });
        assert.deepStrictEqual(provider.attributeMapping, { "google.subject": "assertion.sub" });
        assert.strictEqual(provider.attributeCondition, 'assertion.sub == "system:serviceaccount:gcr-pull-secrets-refresher:token-refresher"');
        const grants = ofType(types.repoMember);
        assert.deepStrictEqual(grants.map((g) => g.name).sort(), ["pull-asia-asia.gcr.io", "pull-europe-west1-apps"]);
        for (const grant of grants) {
            assert.strictEqual(grant.inputs.role, roles.registryReader);
            assert.strictEqual(grant.inputs.member, principal);
        }
        assert.deepStrictEqual([...ofType(types.account), ...ofType(types.key)], [], "no account, no key");
    });

    it("no docker config anywhere: the provider is keyless and each PullSecret carries no digest", async () => {
        await build(withKeyless({ issuerUri: privateIssuer, jwks }));
        const providerInputs = findCreated(types.provider, "pull").inputs;
        assert.strictEqual(providerInputs.keyless, "true");
        assert.ok(!("dockerConfigJson" in providerInputs));
        for (const ns of ["team-a", "team-b"]) {
            const secret = findCreated(types.pullSecret, `pull-${ns}`).inputs;
            assert.strictEqual(secret.keySource, "keyless");
            assert.ok(!("dockerConfigDigest" in secret));
            assert.deepStrictEqual(secret.serviceAccounts, ["default"]);
        }
    });

    it("the refresher: its namespace and ServiceAccount, get+patch on exactly the one Secret per namespace, the script, a CronJob and a first run", async () => {
        const { parents, component, options } = await build(withKeyless({ issuerUri: privateIssuer, jwks }));
        assert.deepStrictEqual(findCreated(types.namespace, "pull-refresher").inputs.metadata.name, "gcr-pull-secrets-refresher");
        assert.strictEqual(
            options.get(`${types.namespace}::pull-refresher`)?.retainOnDelete,
            true,
            "a namespace that may have existed before is never deleted",
        );
        assert.deepStrictEqual(findCreated(types.serviceAccount, "pull-refresher").inputs.metadata.name, "token-refresher");
        for (const ns of ["team-a", "team-b"]) {
            const role = findCreated(types.role, `pull-refresher-${ns}`).inputs;
            assert.strictEqual(role.metadata.namespace, ns);
            assert.deepStrictEqual(role.rules, [
                { apiGroups: [""], resources: ["secrets"], resourceNames: ["regcred"], verbs: ["get", "patch"] },
                { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: ["create"] },
            ]);
            const binding = findCreated(types.roleBinding, `pull-refresher-${ns}`).inputs;
            assert.deepStrictEqual(binding.subjects, [{ kind: "ServiceAccount", name: "token-refresher", namespace: "gcr-pull-secrets-refresher" }]);
        }
        const script = findCreated(types.configMap, "pull-refresher-script").inputs;
        assert.strictEqual(
            script.data["refresh-pull-secrets.js"],
            fs.readFileSync(refresherScriptFile, "utf8"),
            "the ConfigMap carries the very file the tests run",
        );

        const cron = findCreated(types.cronJob, "pull-refresher").inputs;
        assert.strictEqual(cron.spec.schedule, "*/30 * * * *");
        assert.strictEqual(cron.spec.concurrencyPolicy, "Forbid");
        assert.deepStrictEqual(cron.spec.jobTemplate.spec.podFailurePolicy, {
            rules: [{ action: "FailJob", onExitCodes: { containerName: "refresh", operator: "In", values: [2] } }],
        });
        assert.deepStrictEqual(
            [cron.spec.startingDeadlineSeconds, cron.spec.successfulJobsHistoryLimit, cron.spec.failedJobsHistoryLimit],
            [600, 1, 3],
            "a missed run is started late for up to 10 minutes; the last good Job and three failed ones are kept for their logs",
        );
        for (const job of [findCreated(types.cronJob, "pull-refresher"), findCreated(types.job, "pull-refresher-first-run")]) {
            const spec = podSpec(job);
            assert.strictEqual(spec.serviceAccountName, "token-refresher");
            assert.deepStrictEqual(spec.containers[0].command, ["node", names.scriptPath]);
            assert.strictEqual(spec.containers[0].image, defaultRefresherImage);
            assert.match(spec.containers[0].image, /^node:22-alpine@sha256:[0-9a-f]{64}$/, "pinned by digest by default");
            assert.deepStrictEqual(spec.securityContext, { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } });
            assert.deepStrictEqual(spec.containers[0].securityContext, {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
            });
            assert.deepStrictEqual(spec.containers[0].resources, { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } });
            assert.deepStrictEqual(env(spec), {
                PULL_SECRETS: "team-a/regcred,team-b/regcred",
                REGISTRIES: "asia.gcr.io,europe-west1-docker.pkg.dev",
                STS_AUDIENCE: `//iam.googleapis.com/${providerName}`,
                STS_TOKEN_FILE: names.stsTokenPath,
            });
            const projected = spec.volumes.find((v: any) => v.name === "sts-token").projected.sources[0].serviceAccountToken;
            assert.strictEqual(projected.audience, `https://iam.googleapis.com/${providerName}`);
            assert.strictEqual(projected.expirationSeconds, 3600);
        }
        const firstRun = findCreated(types.job, "pull-refresher-first-run").inputs;
        assert.deepStrictEqual(
            firstRun.metadata.annotations,
            { "pulumi.com/replaceUnready": "true" },
            "pulumi up waits for the first refresh by default, and retries a failed one",
        );

        // Every resource is a child of the component (but the stack's identity and its provider), and none of them carries a secret.
        for (const r of recorded) {
            if (r.type === contractTypes.component || r.name === stackIdentityName) continue;
            assert.strictEqual(parents.get(`${r.type}::${r.name}`), component, `${r.type} ${r.name} has parent: this`);
            assert.ok(!Object.values(r.inputs).some(isSecretInput), `${r.type} ${r.name} has no secret input: there is none in keyless mode`);
        }
        assert.strictEqual(await unwrap(component.keyId), "");
    });

    it("impersonation: the principal may act as the reader account, which gets the reads", async () => {
        const email = "reader@acme-dev-123456.iam.gserviceaccount.com";
        const { component } = await build(withKeyless({ issuerUri: "https://issuer.example.com", serviceAccountEmail: email }));
        const member = findCreated(types.accountMember, "pull-impersonate").inputs;
        assert.strictEqual(member.serviceAccountId, `projects/acme-dev-123456/serviceAccounts/${email}`);
        assert.strictEqual(member.role, roles.workloadIdentityUser);
        assert.strictEqual(member.member, principal);
        for (const grant of ofType(types.repoMember)) assert.strictEqual(grant.inputs.member, `serviceAccount:${email}`);
        assert.strictEqual(env(podSpec(findCreated(types.cronJob, "pull-refresher"))).IMPERSONATE_SERVICE_ACCOUNT, email);
        assert.strictEqual(await unwrap(component.serviceAccountEmail), email);
    });

    it("GKE: no pool is created; the reads go to the cluster pool's principal and the token is issued for that pool", async () => {
        await build(
            withKeyless({
                gkeCluster: "projects/acme-dev-123456/locations/europe-west1/clusters/dev",
                projectNumber: "555555555555",
                namespace: "pull-refresh",
            }),
        );
        assert.deepStrictEqual([...ofType(types.pool), ...ofType(types.poolProvider)], []);
        for (const grant of ofType(types.repoMember)) {
            assert.strictEqual(
                grant.inputs.member,
                "principal://iam.googleapis.com/projects/555555555555/locations/global/workloadIdentityPools/acme-dev-123456.svc.id.goog/subject/ns/pull-refresh/sa/token-refresher",
            );
        }
        const spec = podSpec(findCreated(types.cronJob, "pull-refresher"));
        assert.strictEqual(spec.volumes[1].projected.sources[0].serviceAccountToken.audience, "acme-dev-123456.svc.id.goog");
    });

    it("an existing provider and no grants: no Google resource at all, only the cluster side", async () => {
        await build({
            registries: ["asia.gcr.io"],
            namespaces: ["team-a"],
            keyless: { workloadIdentityProvider: "projects/99/locations/global/workloadIdentityPools/platform/providers/dev-cluster", waitForFirstRun: false },
        });
        assert.deepStrictEqual(
            recorded.filter((r) => r.type.startsWith("gcp:")),
            [],
        );
        assert.strictEqual(
            env(podSpec(findCreated(types.job, "pull-refresher-first-run"))).STS_AUDIENCE,
            "//iam.googleapis.com/projects/99/locations/global/workloadIdentityPools/platform/providers/dev-cluster",
        );
        assert.deepStrictEqual(findCreated(types.job, "pull-refresher-first-run").inputs.metadata.annotations, { "pulumi.com/skipAwait": "true" });
    });

    it("adding a namespace adds its PullSecret, Role and RoleBinding; nothing else appears or disappears", async () => {
        const args = withKeyless({ issuerUri: privateIssuer, jwks });
        await build(args);
        const before = recorded.map((r) => `${r.type}::${r.name}`);
        await build({ ...args, namespaces: ["team-0", ...base.namespaces!] });
        const after = recorded.map((r) => `${r.type}::${r.name}`);
        assert.deepStrictEqual(
            after.filter((k) => !before.includes(k)).sort(),
            [`${types.pullSecret}::pull-team-0`, `${types.roleBinding}::pull-refresher-team-0`, `${types.role}::pull-refresher-team-0`].sort(),
        );
        assert.deepStrictEqual(
            before.filter((k) => !after.includes(k)),
            [],
        );
    });
});
