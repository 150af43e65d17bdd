/*
 * The policy pack (policy/) run by the real CLI, as `--policy-pack policy --policy-pack-config ...`,
 * on real stacks against the real cluster: a good stack passes; a stack writing into kube-public is
 * blocked until the policy config lists it; a prod stack on a supplied jsonKey is blocked.
 *
 * With the toolchain's language host the pack runs through the shim's RunPlugin
 * (dev/toolchain/README.md, "Language host"): there is no pulumi-analyzer-policy on PATH, so a
 * pack that did not load would fail these previews, not skip them.
 */
import * as assert from "assert";
import { EngineEvent, PolicyEvent } from "@pulumi/pulumi/automation";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { makeThrowawayKey } from "../../dev/keys/throwawayKey";
import { cliOutput, createNamespace, createTestStack, findKeyMaterial, pullSecretNames, secretExists, TestStack, uniqueNamespace, withStack } from "./harness";

const packDir = path.resolve(__dirname, "../../policy");
const packName = "gcr-pull-secrets-guardrails";
const hosts = ["asia.gcr.io"];

/** Every policy of the pack. */
const allPolicies = [
    "prod-key-rotation",
    "prod-uses-managed-key",
    "pull-secret-is-dockerconfigjson-and-secret",
    "registry-read-only-iam",
    "system-namespaces-need-opt-in",
];

/**
 * The engine's per-resource and per-stack "these policies passed" events. CLI 3.248 emits them, but
 * the Automation API's EngineEvent type of @pulumi/pulumi 3.248 does not declare them yet.
 */
interface PolicySummaryEvents {
    policyAnalyzeSummaryEvent?: { policyPackName: string; passed?: string[] };
    policyAnalyzeStackSummaryEvent?: { policyPackName: string; passed?: string[] };
}

/** What one CLI operation printed, which policy violations the engine reported and which policies it reported passed. */
interface Observed {
    text: string;
    violations: PolicyEvent[];
    passed: Set<string>;
}

/**
 * Options for a preview or up with the pack (and `configFile`, default policy/config.json), and
 * what that operation showed. Output still goes to cliOutput, for the secret scan.
 */
function withPack(t: TestStack, configFile = path.join(packDir, "config.json")) {
    const observed: Observed = { text: "", violations: [], passed: new Set() };
    const opts = {
        policyPacks: [packDir],
        policyPackConfigs: [configFile],
        onOutput: (s: string) => {
            observed.text += s;
            t.io.onOutput(s);
        },
        onError: (s: string) => {
            observed.text += s;
            t.io.onError(s);
        },
        onEvent: (event: EngineEvent) => {
            if (event.policyEvent) observed.violations.push(event.policyEvent);
            const { policyAnalyzeSummaryEvent, policyAnalyzeStackSummaryEvent } = event as EngineEvent & PolicySummaryEvents;
            for (const summary of [policyAnalyzeSummaryEvent, policyAnalyzeStackSummaryEvent]) {
                if (summary?.policyPackName === packName) summary.passed?.forEach((name) => observed.passed.add(name));
            }
        },
    };
    return { opts, observed };
}

/** Policy names among the violations, once each, sorted. */
function violated(observed: Observed): string[] {
    return [...new Set(observed.violations.map((v) => v.policyName))].sort();
}

/** Asserts the pack ran in this operation (the engine reports each of its policies passed) and found nothing. */
function assertPassed(observed: Observed): void {
    assert.deepStrictEqual(violated(observed), [], observed.text);
    assert.deepStrictEqual([...observed.passed].sort(), allPolicies, "the engine did not report every policy of the pack as run and passed");
}

/** Resolves to the error's text (message plus everything the operation printed) once `operation` rejects. */
async function failureText(operation: Promise<unknown>, observed: Observed): Promise<string> {
    let error: unknown;
    await operation.then(
        () => assert.fail(`expected the policy pack to block this operation; it printed:\n${observed.text}`),
        (e) => (error = e),
    );
    return `${String(error)}\n${observed.text}`;
}

/** A policy config file in a fresh temp dir, like a reviewed change to policy/config.json would be. */
function tempPolicyConfig(config: unknown): string {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gcr-pull-secrets-policy-config-")), "config.json");
    fs.writeFileSync(file, JSON.stringify(config, null, 2));
    return file;
}

describe("end to end: the policy pack in the real CLI", function () {
    const keys: string[] = [];
    let printedBefore = 0;

    before(() => {
        printedBefore = cliOutput.length;
    });

    function newKey(label: string): string {
        const key = makeThrowawayKey(label);
        keys.push(key);
        return key;
    }

    it("a good stack passes the pack: preview and up succeed, the engine reporting every policy run and passed", async () => {
        const ns = uniqueNamespace("policy-good");
        await createNamespace(ns);
        await withStack(async (t) => {
            t.setSettings({ registries: hosts, namespaces: [ns] });
            await t.setJsonKey(newKey("policy-good"));

            const preview = withPack(t);
            await t.stack.preview({ ...preview.opts, diff: true });
            assertPassed(preview.observed);

            const up = withPack(t);
            const result = await t.stack.up(up.opts);
            assert.strictEqual(result.summary.result, "succeeded");
            assertPassed(up.observed);
            assert.ok(await secretExists(ns));
        });
    });

    it("a stack writing into kube-public is blocked with system-namespaces-need-opt-in, and passes once a policy config lists it", async () => {
        const ns = uniqueNamespace("policy-sys");
        await createNamespace(ns);
        await withStack(async (t) => {
            // The program's own switch is on: only the policy stands in the way.
            t.setSettings({ registries: hosts, namespaces: [ns, "kube-public"], allowSystemNamespaces: true });
            await t.setJsonKey(newKey("policy-sys"));

            const preview = withPack(t);
            const text = await failureText(t.stack.preview(preview.opts), preview.observed);
            assert.deepStrictEqual(violated(preview.observed), ["system-namespaces-need-opt-in"]);
            assert.ok(preview.observed.violations.every((v) => v.enforcementLevel === "mandatory" && v.policyPackName === packName));
            assert.ok(text.includes(`Secret "kube-public/regcred" is in the system namespace "kube-public", and stack "${t.name}" has not opted in.`), text);
            assert.ok(text.includes(`add "${t.name}" to allowedStacks of policy "system-namespaces-need-opt-in"`), text);

            // Resource policies run before each step, so a blocked up writes nothing into kube-public.
            const up = withPack(t);
            await failureText(t.stack.up(up.opts), up.observed);
            assert.deepStrictEqual(violated(up.observed), ["system-namespaces-need-opt-in"]);
            assert.strictEqual(await secretExists("kube-public"), false, "a blocked up wrote the Secret into kube-public");
            assert.ok(!(await pullSecretNames("kube-public")).includes("regcred"));

            const optedIn = tempPolicyConfig({ "system-namespaces-need-opt-in": { allowedStacks: [t.name] } });
            const allowedPreview = withPack(t, optedIn);
            await t.stack.preview(allowedPreview.opts);
            assertPassed(allowedPreview.observed);
            const allowedUp = withPack(t, optedIn);
            assert.strictEqual((await t.stack.up(allowedUp.opts)).summary.result, "succeeded");
            assertPassed(allowedUp.observed);
            assert.ok(await secretExists("kube-public"));
            assert.ok((await pullSecretNames("kube-public")).includes("regcred"));
            fs.rmSync(path.dirname(optedIn), { recursive: true, force: true });
        });
        assert.strictEqual(await secretExists("kube-public"), false, "destroy left our Secret in kube-public");
    });

    describe("a prod stack (by the pack's name rule) on a supplied jsonKey", function () {
        const ns = uniqueNamespace("policy-prod");
        let t: Awaited<ReturnType<typeof createTestStack>>;

        before(async function () {
            await createNamespace(ns);
            // A name matching the pack's default prodStackPattern ^prod(uction)?([-_.].*)?$.
            t = await createTestStack({ name: `prod-e2e-${ns.split("-").pop()}` });
            t.setSettings({ registries: hosts, namespaces: [ns] });
            await t.setJsonKey(newKey("policy-prod"));
        });

        after(async function () {
            await t?.dispose();
        });

        it("is blocked at preview with prod-uses-managed-key, naming the fix", async () => {
            const preview = withPack(t);
            const text = await failureText(t.stack.preview(preview.opts), preview.observed);
            assert.deepStrictEqual(violated(preview.observed), ["prod-uses-managed-key"]);
            assert.ok(text.includes(`Prod stack "${t.name}" writes pull secret "${ns}/regcred" from a supplied jsonKey`), text);
            assert.match(text, /Use gcr-pull-secrets:serviceAccount .* or\s+gcr-pull-secrets:existingServiceAccountEmail/);
        });

        it("`pulumi up` (which previews first) is blocked and leaves no Secret and no ServiceAccount entry", async () => {
            const workspace = t.stack.workspace;
            const run = spawnSync(
                "pulumi",
                ["up", "--yes", "--non-interactive", "--stack", t.name, "--policy-pack", packDir, "--policy-pack-config", path.join(packDir, "config.json")],
                {
                    cwd: workspace.workDir,
                    env: { ...process.env, ...workspace.envVars, PULUMI_HOME: workspace.pulumiHome ?? "" },
                    encoding: "utf8",
                },
            );
            const text = `${run.stdout}${run.stderr}`;
            cliOutput.push(text);
            assert.notStrictEqual(run.status, 0, text);
            assert.match(text, /\[mandatory\]\s+prod-uses-managed-key/);
            assert.strictEqual(await secretExists(ns), false, "a blocked up wrote the Secret");
            assert.deepStrictEqual(await pullSecretNames(ns), []);
        });

        it("the Automation API's up (--skip-preview, as pulumi/actions runs it) is refused before the Secret is written", async () => {
            // prod-uses-managed-key checks each pull Secret's key-source annotation, so the engine
            // refuses the Secret's own step; no preview has to run first.
            const up = withPack(t);
            await failureText(t.stack.up(up.opts), up.observed);
            assert.deepStrictEqual(violated(up.observed), ["prod-uses-managed-key"]);
            assert.strictEqual(await secretExists(ns), false, "the refused update wrote the Secret");
            assert.deepStrictEqual(await pullSecretNames(ns), []);
        });
    });

    // A suite of its own so that it runs after the prod suite above (mocha runs a suite's own tests first).
    describe("afterwards", function () {
        it("no key material in anything these runs printed", () => {
            const printed = cliOutput.slice(printedBefore).join("");
            assert.ok(printed.includes(packName), "the scan reads the policy runs' output");
            for (const key of keys) {
                assert.strictEqual(findKeyMaterial(printed, key), undefined, "key material in CLI output");
            }
        });
    });
});
