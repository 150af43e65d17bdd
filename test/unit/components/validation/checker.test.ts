import "../../mocks";
import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import fc from "fast-check";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { checkStackConfig, configNamespace, settings } from "../../../../components/config";
import { GcrPullSecretsArgs } from "../../../../components/gcrPullSecretsArgs";
import { checkArgs } from "../../../../components/validation/checkArgs";
import { formatValidation, validateStackYaml } from "../../../../scripts/validateStack";
import { sampleKeyJson } from "../../fixtures";

const projectYaml = fs.readFileSync(path.resolve(__dirname, "../../../../Pulumi.yaml"), "utf8");
const prefix = `${configNamespace}:`;

/**
 * Every form in which a message could carry a secret: the text itself, JSON-escaped, Go-JSON-escaped,
 * base64 and base64url at each alignment, URL-encoded, and lowercased (each compared case-blind).
 * Any 8 characters of one of them in a message count as a leak.
 */
function recognisableParts(secret: string): Set<string> {
    const forms = [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)];
    forms.push(forms[1].replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
    for (let pad = 0; pad < 3; pad++) {
        for (const encoding of ["base64", "base64url"] as const) {
            const encoded = Buffer.from("x".repeat(pad) + secret).toString(encoding);
            // Characters that mix the padding or the end with the secret differ with alignment; drop them.
            forms.push(encoded.slice(Math.ceil((pad * 4) / 3) + 1, -4));
        }
    }
    const parts = new Set<string>();
    for (const form of forms) {
        for (let i = 0; i + 8 <= form.length; i++) parts.add(form.slice(i, i + 8).toLowerCase());
    }
    return parts;
}

function leak(text: string, secrets: string[]): string | undefined {
    const lower = text.toLowerCase();
    for (const secret of secrets) {
        for (const part of recognisableParts(secret)) {
            if (lower.includes(part)) return part;
        }
    }
    return undefined;
}

// Markers no message could contain by chance: upper-case consonants with characters that need
// escaping (quotes, backslash, newline, <, &, non-ASCII) and base64 symbols between them.
const consonants = "BCDFGHJKLMNPQRSTVWXZ";
const tricky = ['"', "\\", "\n", "<", "&", "é", "+", "/", "=", " ", "'"];
const markerArb = fc
    .array(fc.tuple(fc.constantFrom(...consonants), fc.constantFrom(...consonants), fc.constantFrom(...tricky, ...consonants)), { minLength: 8, maxLength: 16 })
    .map((triples) => `QZX${triples.map((t) => t.join("")).join("")}`);
// A lower-case marker that is a valid namespace, project id, Secret name and repository id, so that
// values made from it pass the shape checks and reach the checks that combine values (hosts made from
// locations, duplicates, buckets that name a project).
const lowerArb = fc.array(fc.constantFrom(..."bcdfghjklmnpqrstvwxz"), { minLength: 14, maxLength: 14 }).map((cs) => `q${cs.join("")}x`);

/** Values of one setting that are wrong in some way (or made of the secret), built from the markers. */
function badForms(setting: string, m: string, l: string): unknown[] {
    const key = JSON.parse(sampleKeyJson);
    const common: unknown[] = [
        m,
        ` ${m} `,
        `${m}`.repeat(20),
        Buffer.from(m).toString("base64"),
        [m],
        [m, m],
        { [m]: m },
        [1, true, null, m],
        `1${l}`,
        l.toUpperCase(),
        `https://${l}.gcr.io/${m}`,
        // JSON text with a member twice (JSON.parse keeps the last one silently).
        `{${JSON.stringify(m)}: 1, ${JSON.stringify(m)}: 2}`,
        `[{"name": "a", ${JSON.stringify(l)}: 1, ${JSON.stringify(l)}: 2}]`,
    ];
    const specific: Record<string, unknown[]> = {
        serviceAccount: [
            { accountId: m },
            { accountId: l, [l]: m },
            { accountId: `${l}_`, displayName: m.repeat(10), description: m.repeat(30) },
            { accountId: 12345678 },
        ],
        existingServiceAccountEmail: [`${l}@${l}.iam.gserviceaccount.com.${m}`, `${l}@example.com`],
        jsonKey: [
            JSON.stringify({ ...key, type: m }),
            JSON.stringify({ ...key, private_key: m, client_email: m }),
            JSON.stringify({ ...key, private_key_id: undefined, client_email: `${l}@${l}` }),
            Buffer.from(JSON.stringify([m, key])).toString("base64"),
            JSON.stringify([m]),
            `${m}{"type":"service_account"`,
        ],
        project: [l, `${l}_x`],
        registries: [
            [`${l}-${l}1-docker.pkg.dev`, `${l}-${l}1-docker.pkg.dev`],
            [`${l}.gcr.io`],
            [`${l}-docker.pkg.dev`],
            [`HTTPS://ASIA.GCR.IO/${l}`],
            [`https://${l}-${l}1-docker.pkg.dev/${m}`],
        ],
        artifactRegistryRepositories: [
            [{ location: `${l}-${l}1`, repository: l }],
            [
                { location: `${l}-${l}1`, repository: l },
                { location: `${l}-${l}1`, repository: l },
            ],
            [{ location: "europe", repository: "asia.gcr.io", project: l }],
            [{ location: l, repository: m, project: m, [l]: m }],
            [
                { location: "asia", repository: "asia.gcr.io", project: l },
                { location: "asia", repository: "asia.gcr.io", project: l },
            ],
        ],
        gcrBuckets: [[`eu.artifacts.${l}.appspot.com`, `eu.artifacts.${l}.appspot.com`], [`artifacts.${l}.appspot.com`], [`${l}.appspot.com`]],
        projectWideRead: [l, "TRUE"],
        rotationDays: [`${l}`, "99999", "-1"],
        rotationTrigger: [l],
        username: [l],
        secretName: [`${l}_x`, l],
        namespaces: [
            [l, l],
            [{ name: l, create: l, adopt: m, serviceAccounts: [l, l, m] }],
            [{ name: l, [l]: true }],
            [{ name: "default", create: true }],
            [123, false],
        ],
        allowSystemNamespaces: [l],
        serviceAccountWaitSeconds: [l, "0"],
        kubeconfig: [`clusters:\n- name: ${l}`, `apiVersion: v1\nkind: Config\n${m}`],
        kubeContext: [l],
        clusterIdentifier: [l],
        clusters: [
            [{ name: l, kubeContext: m, [l]: m }],
            [{ name: m, kubeconfig: m }],
            [
                { name: l, kubeContext: l },
                { name: l, kubeContext: l },
            ],
            [{ name: l, kubeContext: l, namespaces: [m, m], namespaceSelector: { [l]: m } }],
        ],
        "gcp:project": [l, `${l}_x`],
    };
    return [...common, ...(specific[setting] ?? [])];
}

const jsonKeyBase: Record<string, unknown> = { jsonKey: sampleKeyJson, registries: ["asia.gcr.io"], namespaces: ["apps"] };
const managedBase: Record<string, unknown> = {
    serviceAccount: { accountId: "gke-puller" },
    project: "acme-dev-123456",
    registries: ["asia.gcr.io"],
    artifactRegistryRepositories: [{ location: "asia", repository: "asia.gcr.io" }],
    namespaces: ["apps"],
};
const allSettings = [...Object.keys(settings), "gcp:project"];

function fullKey(setting: string): string {
    return setting.includes(":") ? setting : `${prefix}${setting}`;
}

function asText(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** The program path: the CLI's values, every one marked secret. */
function programMessages(stack: Record<string, unknown>): { text: string; paths: string[] } {
    const values: Record<string, string> = {};
    for (const [setting, value] of Object.entries(stack)) values[fullKey(setting)] = asText(value);
    const result = checkStackConfig({ values, secretKeys: new Set(Object.keys(values)) });
    return { text: result.problems.map((p) => `${p.path} ${p.message}`).join("\n"), paths: result.problems.map((p) => p.path) };
}

/** The offline path: a stack file whose values are all `secure:`, whole or leaf by leaf, decrypted by the test. */
function validatorMessages(stack: Record<string, unknown>, leafByLeaf: boolean): string {
    const plaintexts = new Map<string, string>();
    const encrypt = (plaintext: string) => {
        const ciphertext = `v1:test:${plaintexts.size}`;
        plaintexts.set(ciphertext, plaintext);
        return { secure: ciphertext };
    };
    const leaves = (value: unknown): unknown =>
        typeof value === "string"
            ? encrypt(value)
            : Array.isArray(value)
              ? value.map(leaves)
              : value !== null && typeof value === "object"
                ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, leaves(v)]))
                : value;
    const config: Record<string, unknown> = {};
    for (const [setting, value] of Object.entries(stack)) {
        config[fullKey(setting)] = leafByLeaf && typeof value === "object" && value !== null ? leaves(value) : encrypt(asText(value));
    }
    const result = validateStackYaml(yaml.dump({ config }), { stack: "leak", projectYaml, decrypt: (c) => plaintexts.get(c) });
    return formatValidation("leak", result);
}

describe("no secret in any message", () => {
    it("no setting, whatever is wrong with it, is quoted when it arrived as a secret: program path and offline validator", function () {
        this.timeout(120_000);
        const refusedSomewhere = new Set<string>();
        fc.assert(
            fc.property(markerArb, lowerArb, (m, l) => {
                const secrets = [m, l];
                for (const setting of allSettings) {
                    for (const form of badForms(setting, m, l)) {
                        for (const base of [jsonKeyBase, managedBase]) {
                            const stack = { ...base, [setting]: form };
                            const program = programMessages(stack);
                            if (program.paths.some((p) => p.startsWith(fullKey(setting)))) refusedSomewhere.add(setting);
                            const found = leak(program.text, secrets);
                            assert.strictEqual(found, undefined, `program path, ${setting} = ${JSON.stringify(form)}: "${found}" in\n${program.text}`);
                            for (const leafByLeaf of [false, true]) {
                                const offline = validatorMessages(stack, leafByLeaf);
                                const offlineLeak = leak(offline, secrets);
                                assert.strictEqual(offlineLeak, undefined, `validator, ${setting} = ${JSON.stringify(form)}: "${offlineLeak}" in\n${offline}`);
                            }
                        }
                    }
                }
                // Every setting wrong at once, so that checks across settings run on secrets too.
                for (let formIndex = 0; formIndex < 13; formIndex++) {
                    const stack = Object.fromEntries(allSettings.map((s) => [s, badForms(s, m, l)[formIndex]]));
                    const text = programMessages(stack).text + validatorMessages(stack, false) + validatorMessages(stack, true);
                    assert.strictEqual(leak(text, secrets), undefined, text);
                }
            }),
            { numRuns: 6 },
        );
        // The test means something only if the values were refused: every setting whose text can be
        // wrong was (kubeContext and clusterIdentifier take any text).
        assert.deepStrictEqual(
            allSettings.filter((s) => !refusedSomewhere.has(s)),
            ["kubeContext", "clusterIdentifier"],
        );
    });

    it("the same values given to the component as secrets or Outputs are never read into a message", () => {
        fc.assert(
            fc.property(markerArb, lowerArb, (m, l) => {
                for (const setting of Object.keys(settings)) {
                    for (const form of badForms(setting, m, l)) {
                        const asOutput = { ...jsonKeyBase, [setting]: pulumi.secret(form) } as unknown as GcrPullSecretsArgs;
                        const text = checkArgs(asOutput)
                            .problems.map((p) => `${p.path} ${p.message}`)
                            .join("\n");
                        assert.strictEqual(leak(text, [m, l]), undefined, text);
                    }
                    // jsonKey and kubeconfig are secrets even when passed as plain strings.
                    for (const secretSetting of ["jsonKey", "kubeconfig"]) {
                        for (const form of badForms(secretSetting, m, l).filter((f) => typeof f === "string")) {
                            const text = checkArgs({ ...jsonKeyBase, [secretSetting]: form } as unknown as GcrPullSecretsArgs)
                                .problems.map((p) => `${p.path} ${p.message}`)
                                .join("\n");
                            assert.strictEqual(leak(text, [m, l]), undefined, text);
                        }
                    }
                }
            }),
            { numRuns: 3 },
        );
    });

    it("describes a secret by its shape and says it is secret", () => {
        const { text } = programMessages({ ...jsonKeyBase, secretName: "Not_A_Name", namespaces: [123] });
        assert.match(text, /gcr-pull-secrets:secretName is the secret value, not a valid Secret name/);
        assert.match(text, /gcr-pull-secrets:namespaces\[0\] is a number \(the secret value\), not text/);
    });
});
