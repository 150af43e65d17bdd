/**
 * The provider builds the docker config from the key it is given (components/providerKey.ts): the
 * same text the component digests, so a PullSecret's digest is unchanged when a stack of 0.2, whose
 * provider held the docker config itself, moves to the key.
 */
import * as assert from "assert";
import { buildDockerConfigJson, dockerConfigDigest } from "../../../components/dockerConfig";
import { readJsonKey } from "../../../components/jsonKey";
import { dockerConfigOfKey } from "../../../components/providerKey";
import { secretValue, unknownValue } from "../../../provider/propertyValues";
import { checkProviderSettings, diffProviderSettings, readProviderSettings } from "../../../provider/providerConfig";
import { sampleKeyJson } from "../fixtures";

const hosts = ["europe-west1-docker.pkg.dev", "asia.gcr.io"];
/** A created key's privateKey as Google returns it: the key file (ending in a newline) base64-encoded. */
const privateKey = Buffer.from(`${sampleKeyJson}\n`).toString("base64");

describe("the provider's key settings", () => {
    for (const username of ["_json_key", "_json_key_base64"] as const) {
        it(`builds the docker config 0.2 digested, from a supplied key in either form and from a created key (${username})`, () => {
            // What 0.2's component built: a supplied key as readJsonKey read it, a created key decoded as it is.
            const supplied = buildDockerConfigJson(hosts, (readJsonKey(`  ${sampleKeyJson}\n`) as { json: string }).json, username);
            const created = buildDockerConfigJson(hosts, Buffer.from(privateKey, "base64").toString("utf8"), username);
            for (const [key, expected] of [
                [{ jsonKey: `  ${sampleKeyJson}\n` }, supplied],
                [{ jsonKey: Buffer.from(sampleKeyJson).toString("base64") }, supplied],
                [{ privateKey }, created],
            ] as const) {
                const settings = readProviderSettings({ ...key, registries: hosts.join(","), username, kubeconfig: secretValue("k") });
                assert.strictEqual(dockerConfigDigest(settings.dockerConfigJson!), dockerConfigDigest(expected));
            }
        });
    }

    it("reads a secret-wrapped key, and waits while any setting is unknown", () => {
        const known = readProviderSettings({ jsonKey: secretValue(sampleKeyJson), registries: "gcr.io", username: "_json_key" });
        assert.strictEqual(JSON.parse(known.dockerConfigJson!).auths["gcr.io"].password, sampleKeyJson);
        for (const unknown of ["jsonKey", "registries", "username"]) {
            const args: Record<string, unknown> = { jsonKey: secretValue(sampleKeyJson), registries: "gcr.io", username: "_json_key", [unknown]: unknownValue };
            assert.strictEqual(readProviderSettings(args).dockerConfigJson, undefined, unknown);
            assert.deepStrictEqual(checkProviderSettings(args), [], unknown);
        }
    });

    it("still reads the docker config a 0.2 provider holds", () => {
        const docker = buildDockerConfigJson(["gcr.io"], sampleKeyJson, "_json_key");
        assert.strictEqual(readProviderSettings({ dockerConfigJson: secretValue(docker) }).dockerConfigJson, docker);
    });

    it("refuses a bad key, hosts or username, naming the setting and never quoting the key", () => {
        const marker = "SECRETMARKER";
        const failures = checkProviderSettings({ jsonKey: secretValue(`{"type":"user","private_key":"${marker}"}`), registries: "", username: "root" });
        assert.deepStrictEqual(
            failures.map((failure) => failure.property),
            ["jsonKey", "jsonKey", "jsonKey", "jsonKey", "registries", "username"],
        );
        assert.ok(!JSON.stringify(failures).includes(marker));
        assert.deepStrictEqual(
            checkProviderSettings({
                jsonKey: secretValue(sampleKeyJson),
                privateKey: secretValue(privateKey),
                registries: "gcr.io",
                username: "_json_key",
            }).map((failure) => failure.reason),
            ["exactly one of jsonKey (a supplied key) and privateKey (a created key) must be set"],
        );
        assert.deepStrictEqual(
            checkProviderSettings({ privateKey: secretValue(privateKey), registries: "gcr.io", username: "_json_key", keyless: "true" }).map((f) => f.property),
            ["privateKey"],
        );
        assert.deepStrictEqual(dockerConfigOfKey({ privateKey: "bm90IGEga2V5", registries: "gcr.io", username: "_json_key" }).ok, false);
    });

    it("a 0.2 provider (the docker config) moves to the key in place, never replaced", () => {
        const kubeconfig = secretValue("apiVersion: v1");
        const old = { dockerConfigJson: secretValue(buildDockerConfigJson(["gcr.io"], sampleKeyJson, "_json_key")), kubeconfig };
        const next = { jsonKey: secretValue(sampleKeyJson), registries: "gcr.io", username: "_json_key", kubeconfig };
        assert.deepStrictEqual(diffProviderSettings(old, next), {
            changes: true,
            replaces: [],
            diffs: ["dockerConfigJson", "jsonKey", "registries", "username"],
        });
        assert.deepStrictEqual(diffProviderSettings(next, next), { changes: false, replaces: [], diffs: [] });
        // A cluster-only reader that gains a key is rewritten as ours, not replaced.
        assert.deepStrictEqual(diffProviderSettings({ kubeconfig }, next).replaces, []);
    });
});
