import * as assert from "assert";
import { PreviewStep, previewProblems } from "../../../../dev/previews/checkPreviewCapture";

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

    it("fails a replaced Secret, a Google resource, a missing Role and an unmasked digest", () => {
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
            /"dockerConfigDigest" is shown unmasked/,
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
