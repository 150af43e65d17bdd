import * as assert from "assert";
import { ConfigError } from "../../../components/configError";
import { claimPullSecrets, clusterKey, forgetClaims } from "../../../components/secretClaims";

describe("two components of one program writing one Secret", () => {
    beforeEach(forgetClaims);
    afterEach(forgetClaims);

    it("the second claim on a Secret of the same cluster is refused, naming both components and the way out", () => {
        claimPullSecrets("team-a", clusterKey(undefined, undefined), ["apps", "web"], "regcred");
        assert.throws(
            () => claimPullSecrets("team-b", clusterKey(undefined, undefined), ["web"], "regcred"),
            (error: Error) => {
                assert.ok(error instanceof ConfigError);
                assert.match(error.message, /GcrPullSecrets "team-b" arguments/);
                assert.match(error.message, /lists "web", whose Secret regcred GcrPullSecrets "team-a" of this program writes too/);
                assert.match(error.message, /give one another secretName/);
                return true;
            },
        );
    });

    it("another secretName, another cluster or context, or the same component again is no conflict", () => {
        claimPullSecrets("team-a", clusterKey(undefined, undefined), ["apps"], "regcred");
        claimPullSecrets("team-b", clusterKey(undefined, undefined), ["apps"], "gcr");
        claimPullSecrets("team-b", clusterKey("apiVersion: v1\nkind: Config", undefined), ["apps"], "regcred");
        claimPullSecrets("team-c", clusterKey(undefined, "staging"), ["apps"], "regcred");
        claimPullSecrets("team-a", clusterKey(undefined, undefined), ["apps"], "regcred");
    });

    it("the key of a cluster never holds the kubeconfig text", () => {
        assert.ok(!clusterKey("token: SECRETSECRET", "ctx").includes("SECRETSECRET"));
    });
});
