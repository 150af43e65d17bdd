import * as assert from "assert";
import { checkStackConfig } from "../../../../components/config";
import { ConfigError } from "../../../../components/configError";
import { validateArgs } from "../../../../components/validatedArgs";
import { stackValues, validCreateStack } from "../../fixtures";

describe("verifyPullAccess and verifyRepositories", () => {
    it("the dry-run check is on by default and no repository is asked about", () => {
        assert.deepStrictEqual(validateArgs(validCreateStack).plan.verification, { verifyPullAccess: true, verifyRepositories: [] });
    });

    it("reads both from stack config", () => {
        const check = checkStackConfig({
            values: {
                ...stackValues({ ...validCreateStack }),
                "gcr-pull-secrets:verifyPullAccess": "false",
                "gcr-pull-secrets:verifyRepositories": JSON.stringify(["europe-west1-docker.pkg.dev/acme-dev-123456/apps", "asia.gcr.io/acme-dev-123456/web"]),
            },
            secretKeys: new Set(),
        });
        assert.deepStrictEqual(check.problems, []);
        assert.deepStrictEqual(check.plan!.verification, {
            verifyPullAccess: false,
            verifyRepositories: ["asia.gcr.io/acme-dev-123456/web", "europe-west1-docker.pkg.dev/acme-dev-123456/apps"],
        });
    });

    it("refuses a repository on a host the Secret does not cover (the credential goes only to those), naming the field and the fix", () => {
        assert.throws(
            () => validateArgs({ ...validCreateStack, verifyRepositories: ["gcr.io/acme/app"] }),
            (error: ConfigError) => {
                assert.match(
                    error.message,
                    /verifyRepositories\[0\].*is on gcr\.io, which is not one of registries \(asia\.gcr\.io, europe-west1-docker\.pkg\.dev\); add gcr\.io to registries/,
                );
                return true;
            },
        );
    });

    it("refuses what is not host/path, a repeated repository, and a verifyPullAccess that is not a boolean", () => {
        assert.throws(
            () =>
                validateArgs({
                    ...validCreateStack,
                    verifyPullAccess: "yes" as unknown as boolean,
                    verifyRepositories: ["asia.gcr.io", "asia.gcr.io/Acme/App", "asia.gcr.io/acme/app", "asia.gcr.io/acme/app"],
                }),
            (error: ConfigError) => {
                assert.match(error.message, /verifyPullAccess.*it must be true or false \(default true\)/);
                assert.match(error.message, /verifyRepositories\[0\].*is not a repository as host\/path/);
                assert.match(error.message, /verifyRepositories\[1\].*is not a repository as host\/path/);
                assert.match(error.message, /verifyRepositories\[3\].*is listed twice/);
                assert.doesNotMatch(error.message, /verifyRepositories\[2\]/);
                return true;
            },
        );
    });
});
