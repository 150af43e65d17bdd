import * as assert from "assert";
import fc from "fast-check";
import { buildDockerConfigJson, DockerConfig, dockerConfigSecretData } from "../../../components/dockerConfig";
import { readJsonKey } from "../../../components/jsonKey";
import { sampleKeyJson } from "../fixtures";

const hosts = fc.uniqueArray(fc.constantFrom("gcr.io", "us.gcr.io", "eu.gcr.io", "asia.gcr.io", "us-docker.pkg.dev", "europe-west1-docker.pkg.dev"), {
    minLength: 1,
});
const modes = fc.constantFrom("_json_key" as const, "_json_key_base64" as const);

describe("docker config", () => {
    it("round-trips: every host gets username, password and an auth that matches them exactly", () => {
        fc.assert(
            fc.property(hosts, modes, fc.string({ minLength: 1 }), (hostList, mode, keyText) => {
                const config: DockerConfig = JSON.parse(buildDockerConfigJson(hostList, keyText, mode));
                assert.deepStrictEqual(Object.keys(config.auths).sort(), [...hostList].sort());
                for (const entry of Object.values(config.auths)) {
                    assert.strictEqual(entry.username, mode);
                    const expectedPassword = mode === "_json_key" ? keyText : Buffer.from(keyText).toString("base64");
                    assert.strictEqual(entry.password, expectedPassword);
                    assert.strictEqual(Buffer.from(entry.auth, "base64").toString("utf8"), `${mode}:${expectedPassword}`);
                }
            }),
        );
    });

    it("does not change when hosts are reordered", () => {
        fc.assert(
            fc.property(hosts, modes, (hostList, mode) => {
                assert.strictEqual(buildDockerConfigJson(hostList, sampleKeyJson, mode), buildDockerConfigJson([...hostList].reverse(), sampleKeyJson, mode));
            }),
        );
    });

    it("matches what `kubectl create secret docker-registry --docker-username=_json_key` writes for one host", () => {
        const config = JSON.parse(buildDockerConfigJson(["asia.gcr.io"], sampleKeyJson, "_json_key"));
        assert.deepStrictEqual(config, {
            auths: {
                "asia.gcr.io": {
                    username: "_json_key",
                    password: sampleKeyJson,
                    auth: Buffer.from(`_json_key:${sampleKeyJson}`).toString("base64"),
                },
            },
        });
    });

    it("encodes the Secret data as base64 of the docker config", () => {
        const data = dockerConfigSecretData(buildDockerConfigJson(["gcr.io"], sampleKeyJson, "_json_key"));
        assert.strictEqual(Buffer.from(data, "base64").toString(), buildDockerConfigJson(["gcr.io"], sampleKeyJson, "_json_key"));
    });

    it("refuses an empty host list", () => {
        assert.throws(() => buildDockerConfigJson([], sampleKeyJson, "_json_key"), /at least one registry host/);
    });
});

describe("JSON key reading", () => {
    it("reads the facts of a key given as JSON or base64 JSON", () => {
        for (const input of [sampleKeyJson, Buffer.from(sampleKeyJson).toString("base64"), `\n${sampleKeyJson}\n`]) {
            const reading = readJsonKey(input);
            assert.ok(reading.ok);
            assert.strictEqual(reading.json, sampleKeyJson);
            assert.strictEqual(reading.facts.clientEmail, JSON.parse(sampleKeyJson).client_email);
        }
    });

    it("never repeats any part of an unreadable input", () => {
        fc.assert(
            fc.property(fc.string({ minLength: 8 }), (junk) => {
                const reading = readJsonKey(`${junk}{`);
                assert.ok(!reading.ok);
                for (const problem of reading.problems) {
                    assert.ok(!problem.includes(junk.trim()) || junk.trim().length < 4, problem);
                }
            }),
        );
    });
});
