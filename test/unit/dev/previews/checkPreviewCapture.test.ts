import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CheckedSteps, cleanPreview, PreviewStep, previewProblems, stepsFileOf, stepsToKeep } from "../../../../dev/previews/checkPreviewCapture";

const root = path.resolve(__dirname, "../../../..");
const previewsDir = path.join(root, "docs/previews");

const urn = (type: string, name: string) => `urn:pulumi:example::gcr-pull-secrets::gcr-pull-secrets:index:GcrPullSecrets$${type}::${name}`;
const provider: PreviewStep = {
    op: "update",
    urn: urn("pulumi:providers:gcr-pull-secrets", "gcr-pull-secrets"),
    detailedDiff: { dockerConfigJson: {}, keyless: {} },
};
const secret = (ns: string): PreviewStep => ({
    op: "update",
    urn: urn("gcr-pull-secrets:index:PullSecret", `gcr-pull-secrets-${ns}`),
    detailedDiff: { dockerConfigDigest: {}, keySource: {} },
});
const refresher = (ns: string): PreviewStep[] => [
    { op: "create", urn: urn("kubernetes:rbac.authorization.k8s.io/v1:Role", `gcr-pull-secrets-refresher-${ns}`) },
    { op: "create", urn: urn("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", `gcr-pull-secrets-refresher-${ns}`) },
];
const shared: PreviewStep[] = ["Namespace", "ServiceAccount", "ConfigMap"].map((kind) => ({
    op: "create",
    urn: urn(`kubernetes:core/v1:${kind}`, "gcr-pull-secrets-refresher"),
}));
const text = ["      - dockerConfigJson: [secret]", "      - dockerConfigDigest: <null>", '      ~ keySource         : "supplied" => "keyless"'].join("\n");
const twoNamespaces = ["default", "team-a"];
const steps = [provider, secret("default"), secret("team-a"), ...refresher("default"), ...refresher("team-a"), ...shared];

describe("preview capture checks: switching to keyless", () => {
    it("passes a preview that creates only the refresher and updates the provider and each Secret in place", () => {
        assert.deepStrictEqual(previewProblems({ kind: "to-keyless", text: `${text}\n${text.split("\n")[2]}`, steps, namespaces: twoNamespaces }), []);
    });

    it("accepts a removed digest shown as a SHA-256 fingerprint, <null>, [unknown] or [secret] (0.3 state), and refuses anything else", () => {
        const removed = (shown: string) => `${text}\n${text.split("\n")[2]}\n      - dockerConfigDigest: ${shown}`;
        for (const shown of [`"sha256:${"0a".repeat(32)}"`, "<null>", "[unknown]", "[secret]"])
            assert.deepStrictEqual(previewProblems({ kind: "to-keyless", text: removed(shown), steps, namespaces: twoNamespaces }), [], shown);
        for (const shown of ['"sha256:abc"', '"{\\"auths\\":{}}"', `"sha256:${"0a".repeat(32)}" => "eyJhdXRocyI6e319"`])
            assert.deepStrictEqual(previewProblems({ kind: "to-keyless", text: removed(shown), steps, namespaces: twoNamespaces }), [
                '"dockerConfigDigest" shows something other than a SHA-256 fingerprint (value not repeated here)',
            ]);
    });

    it("fails a replaced Secret, a Google resource, a missing Role and a digest that is not a fingerprint", () => {
        const problems = previewProblems({
            kind: "to-keyless",
            text: `${text}\n      + dockerConfigDigest: "sha256:abc"`,
            steps: [
                provider,
                { ...secret("default"), op: "replace" },
                secret("team-a"),
                ...refresher("default"),
                refresher("team-a")[1],
                { op: "create", urn: urn("gcp:iam/workloadIdentityPool:WorkloadIdentityPool", "gcr-pull-secrets") },
            ],
            namespaces: twoNamespaces,
        });
        const expected = [
            /"dockerConfigDigest" shows something other than a SHA-256 fingerprint/,
            /got replace gcr-pull-secrets:index:PullSecret/,
            /creates something that is not the refresher's: create gcp:iam/,
            /Role of team-a: expected one step, found 0/,
            /expected 2 'keySource/,
        ];
        for (const words of expected)
            assert.ok(
                problems.some((p) => words.test(p)),
                `${words} in:\n${problems.join("\n")}`,
            );
    });
});

describe("committed preview captures (docs/previews, written by dev/previews/capture-previews.sh)", () => {
    const names = fs
        .readdirSync(previewsDir)
        .filter((file) => file.endsWith(".txt"))
        .map((file) => file.slice(0, -".txt".length))
        .sort();
    const read = (name: string) => ({
        text: fs.readFileSync(path.join(previewsDir, `${name}.txt`), "utf8"),
        kept: JSON.parse(fs.readFileSync(stepsFileOf(path.join(previewsDir, `${name}.txt`)), "utf8")) as CheckedSteps,
    });

    it("are the four the script captures, each with the steps it was checked against", () => {
        assert.deepStrictEqual(names, ["add-namespace", "no-op", "rotate-key", "to-keyless"]);
        for (const name of names) assert.ok(fs.existsSync(path.join(previewsDir, `${name}.steps.json`)), `${name}.steps.json is missing: re-run the capture`);
    });

    for (const name of ["add-namespace", "no-op", "rotate-key", "to-keyless"]) {
        it(`${name}: still passes the capture's own checks (what it must show, every secret field masked)`, () => {
            const { text, kept } = read(name);
            assert.strictEqual(kept.kind, name);
            assert.deepStrictEqual(previewProblems({ kind: kept.kind, text, steps: kept.steps, namespaces: kept.namespaces }), []);
        });
    }

    it("keep no value in their steps, no machine path and no notice about plugins on PATH", () => {
        for (const name of names) {
            const { text, kept } = read(name);
            assert.deepStrictEqual(kept, stepsToKeep(kept), `${name}.steps.json holds more than operations, URNs and field names`);
            const files = `${text}\n${JSON.stringify(kept)}`;
            for (const machinePath of [root, os.homedir(), `${os.tmpdir()}/`]) assert.ok(!files.includes(machinePath), `${name} contains ${machinePath}`);
            assert.doesNotMatch(text, /warning: using pulumi-resource-/, name);
            assert.match(text, /^Policy Packs run:$/m, `${name} ends with the policy pack run`);
        }
    });

    it("are each linked from docs/previews.md", () => {
        const page = fs.readFileSync(path.join(root, "docs/previews.md"), "utf8");
        for (const name of names) assert.ok(page.includes(`](previews/${name}.txt)`), `docs/previews.md does not link previews/${name}.txt`);
    });

    it("would fail a capture edited by hand: a Secret's update dropped, or a digest that is not a fingerprint", () => {
        const { text, kept } = read("rotate-key");
        const withoutDefault = kept.steps.filter((step) => !(step.urn.endsWith("::gcr-pull-secrets-default") && step.urn.includes("PullSecret")));
        assert.ok(withoutDefault.length < kept.steps.length, "the rotate-key capture updates the Secret in default");
        const problems = [
            ...previewProblems({ kind: "rotate-key", text, steps: withoutDefault, namespaces: kept.namespaces }),
            ...previewProblems({
                kind: "rotate-key",
                text: `${text}      + dockerConfigDigest: "sha256:abc"\n`,
                steps: kept.steps,
                namespaces: kept.namespaces,
            }),
        ];
        assert.ok(
            problems.some((p) => /Secret in default is not updated exactly once/.test(p)),
            problems.join("\n"),
        );
        assert.ok(
            problems.some((p) => /"dockerConfigDigest" shows something other than a SHA-256 fingerprint/.test(p)),
            problems.join("\n"),
        );
    });
});

describe("cleaning a capture for the docs", () => {
    it("replaces the stack identity's random id and drops the CLI's progress lines", () => {
        const raw = [
            "  pulumi:pulumi:Stack: (same)",
            "@ previewing update....",
            '        stackIdentity          : "8674608b-3c99-4653-9e76-ab4f84d1c24f"',
        ].join("\n");
        assert.strictEqual(cleanPreview(raw, [], []), 'pulumi:pulumi:Stack: (same)\n        stackIdentity          : "<stack identity>"\n');
    });
});
