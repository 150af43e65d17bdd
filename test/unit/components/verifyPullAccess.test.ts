import { calls, resetRecorded, settle, unwrap } from "../mocks";
import * as assert from "assert";
import { functions } from "../../../components/contract";
import { GcrPullSecrets } from "../../../components/gcrPullSecrets";
import { GcrPullSecretsArgs } from "../../../components/gcrPullSecretsArgs";
import { validateArgs } from "../../../components/validatedArgs";
import { checkBatchSize, pullAccessRequest } from "../../../components/verifyPullAccess";
import { validCreateStack } from "../fixtures";

async function build(args: GcrPullSecretsArgs) {
    resetRecorded();
    const component = new GcrPullSecrets("pull", args);
    const pullAccess = await unwrap(component.pullAccess);
    await settle();
    return { pullAccess, checks: calls.filter((call) => call.token === functions.verifyPullAccess) };
}

describe("GcrPullSecrets: checking pull access after the update", () => {
    const args: GcrPullSecretsArgs = {
        ...validCreateStack,
        namespaces: [{ name: "team-a", serviceAccounts: ["builder"] }, "team-b"],
        verifyRepositories: ["asia.gcr.io/acme-dev-123456/web"],
    };

    it("asks its own provider once, for every namespace and covered ServiceAccount, and returns the answer as pullAccess", async () => {
        const { pullAccess, checks } = await build(args);
        assert.strictEqual(checks.length, 1);
        assert.match(String(checks[0].provider), /\$pulumi:providers:gcr-pull-secrets::pull::/);
        const { namespaces, ...rest } = checks[0].inputs;
        assert.deepStrictEqual(rest, {
            secretName: "regcred",
            registries: ["asia.gcr.io", "europe-west1-docker.pkg.dev"],
            pods: true,
            repositories: ["asia.gcr.io/acme-dev-123456/web"],
        });
        assert.deepStrictEqual(
            namespaces.map((n: { name: string; serviceAccounts: string[] }) => [n.name, n.serviceAccounts]),
            [
                ["team-a", ["default", "builder"]],
                ["team-b", ["default"]],
            ],
        );
        assert.deepStrictEqual(Object.keys(pullAccess).sort(), ["team-a", "team-b"]);
        assert.strictEqual(pullAccess["team-a"].serviceAccounts!.builder.status, "verified");
    });

    it(`asks in batches of ${checkBatchSize} consecutive namespaces, and pullAccess holds every answer`, async () => {
        const names = Array.from({ length: 2 * checkBatchSize + 7 }, (_, i) => `ns-${String(i).padStart(3, "0")}`);
        const { pullAccess, checks } = await build({ ...validCreateStack, namespaces: names });
        // Batches answer in whatever order their PullSecrets are written.
        const asked = checks.map((check) => check.inputs.namespaces.map((namespace: { name: string }) => namespace.name) as string[]);
        assert.deepStrictEqual(
            asked.sort((a, b) => a[0].localeCompare(b[0])),
            [names.slice(0, checkBatchSize), names.slice(checkBatchSize, 2 * checkBatchSize), names.slice(2 * checkBatchSize)],
        );
        assert.deepStrictEqual(Object.keys(pullAccess).sort(), names);
        assert.ok(Object.values(pullAccess).every((access) => access.status === "verified"));
    });

    it("asks nothing when both checks are off, and pullAccess is empty", async () => {
        const { pullAccess, checks } = await build({ ...validCreateStack, verifyPullAccess: false });
        assert.deepStrictEqual(checks, []);
        assert.deepStrictEqual(pullAccess, {});
    });

    it("the request carries which ServiceAccounts list the Secret after the write, nothing secret", () => {
        const plan = validateArgs(args).plan;
        const request = pullAccessRequest(
            plan,
            [{ name: "team-a", create: false, adopt: false, serviceAccounts: ["default", "builder"], foundServiceAccounts: [], selected: false }],
            {
                "team-a": ["default"],
            },
        );
        assert.deepStrictEqual(request.namespaces, [{ name: "team-a", serviceAccounts: ["default", "builder"], attached: ["default"] }]);
        assert.doesNotMatch(JSON.stringify(request), /private_key|auth/);
    });
});
