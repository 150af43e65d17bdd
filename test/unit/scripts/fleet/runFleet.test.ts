import * as assert from "assert";
import * as os from "os";
import * as path from "path";
import { firstError, kubeconfigPath } from "../../../../scripts/fleet/runFleet";

describe("fleet run helpers", () => {
    it("a kubeconfig path starts at the fleet file's folder, ~ at the home folder", () => {
        const base = { name: "eu", stack: "eu", environment: "eu" };
        assert.strictEqual(kubeconfigPath({ ...base, kubeconfig: "kube/eu.yaml" }, "/srv/fleet"), "/srv/fleet/kube/eu.yaml");
        assert.strictEqual(kubeconfigPath({ ...base, kubeconfig: "~/.kube/eu" }, "/srv/fleet"), path.join(os.homedir(), ".kube/eu"));
        assert.strictEqual(kubeconfigPath({ ...base, kubeconfig: "/abs/eu" }, "/srv/fleet"), "/abs/eu");
        assert.strictEqual(kubeconfigPath(base, "/srv/fleet"), undefined);
    });

    it("the reason of a failure is the CLI's first error line that says more than 'update failed'", () => {
        const output = [
            "Updating (eu):",
            "Diagnostics:",
            "  pulumi:pulumi:Stack (gcr-pull-secrets-eu):",
            "    error: update failed",
            "  gcr-pull-secrets:index:PullSecret (x):",
            "    error: the Kubernetes API server at https://10.0.0.1 did not answer readNamespace apps within 120s",
            "    error: another",
        ].join("\n");
        assert.strictEqual(firstError(output), "the Kubernetes API server at https://10.0.0.1 did not answer readNamespace apps within 120s");
        assert.strictEqual(firstError("  error: update failed\n"), "update failed");
        assert.strictEqual(firstError("nothing wrong"), undefined);
        assert.strictEqual(firstError(`error: ${"x".repeat(400)}`)!.length, 300);
        const refused = [
            "    error: Invalid gcr-pull-secrets stack configuration (1 problem); nothing was changed:",
            "      - gcr-pull-secrets:namespaces is empty; list at least one namespace",
            "",
        ].join("\n");
        assert.strictEqual(
            firstError(refused),
            "Invalid gcr-pull-secrets stack configuration (1 problem); nothing was changed: - gcr-pull-secrets:namespaces is empty; list at least one namespace",
        );
    });
});
