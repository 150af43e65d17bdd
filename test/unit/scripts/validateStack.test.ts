import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { formatValidation, validateStackYaml } from "../../../scripts/validateStack";

const projectYaml = fs.readFileSync(path.resolve(__dirname, "../../../Pulumi.yaml"), "utf8");
const fleetYaml = [
    "config:",
    "  gcr-pull-secrets:serviceAccount: { accountId: gke-puller-fleet }",
    "  gcr-pull-secrets:project: acme-dev-123456",
    "  gcr-pull-secrets:registries: [asia.gcr.io]",
    "  gcr-pull-secrets:artifactRegistryRepositories: [{ location: asia, repository: asia.gcr.io }]",
    "  gcr-pull-secrets:namespaces: [default, team-a]",
    "  gcr-pull-secrets:clusters:",
    "    - name: prod-eu",
    "      kubeconfig: { secure: v1:not-decrypted-here }",
    "    - name: dev",
    "      kubeContext: dev",
    "      namespaces: [shop]",
    "",
].join("\n");

describe("npm run validate-config on a fleet's stack file", () => {
    it("names each cluster and what it covers, once the kubeconfigs can be read", () => {
        const result = validateStackYaml(fleetYaml, { stack: "fleet", projectYaml, decrypt: () => "apiVersion: v1\nclusters: []\n" });
        assert.strictEqual(
            formatValidation("fleet", result),
            "Pulumi.fleet.yaml: ok (createServiceAccount; 2 clusters: dev (1 namespaces), prod-eu (2 namespaces); registries asia.gcr.io)",
        );
    });

    it("without the key, says the clusters are read at preview, and never what they hold", () => {
        const text = formatValidation("fleet", validateStackYaml(fleetYaml, { stack: "fleet", projectYaml }));
        assert.match(text, /^Pulumi\.fleet\.yaml: ok \(createServiceAccount; clusters read at preview; registries asia\.gcr\.io\)/);
        assert.match(text, /gcr-pull-secrets:clusters: encrypted, not decrypted here/);
    });
});
