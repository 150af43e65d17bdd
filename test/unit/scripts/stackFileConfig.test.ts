import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { checkStackConfig } from "../../../components/config";
import { stackConfigFromYaml } from "../../../scripts/stackFileConfig";
import { validateStackYaml } from "../../../scripts/validateStack";
import { cliScalarList, cliScalars } from "../cliCaptures";
import { sampleKeyJson } from "../fixtures";

const projectYaml = fs.readFileSync(path.resolve(__dirname, "../../../Pulumi.yaml"), "utf8");
// The declarations of the Pulumi.yaml the captures below were made with.
const captureProjectYaml = `name: gcr-pull-secrets
runtime: nodejs
config:
  gcr-pull-secrets:secretName: {type: string, default: regcred}
  gcr-pull-secrets:gcrBuckets: {type: array, items: {type: string}, default: []}
  gcr-pull-secrets:serviceAccountWaitSeconds: {type: integer, default: 60}
  gcr-pull-secrets:projectWideRead: {type: boolean, default: false}
`;

describe("stack files read as the Pulumi CLI reads them", () => {
    it("hands every scalar over as the CLI does, at top level and inside a list (captured from pulumi 3.248)", () => {
        let yaml = "config:\n";
        cliScalars.forEach(([written], i) => (yaml += `  gcr-pull-secrets:t${i}: ${written}\n`));
        yaml += "  gcr-pull-secrets:list:\n" + cliScalars.map(([written]) => `    - ${written}\n`).join("");
        const { values } = stackConfigFromYaml(yaml, { stack: "capture", projectYaml: "name: gcr-pull-secrets\n" }).input;
        cliScalars.forEach(([written, text], i) => assert.strictEqual(values[`gcr-pull-secrets:t${i}`], text, `top-level ${written}`));
        assert.strictEqual(values["gcr-pull-secrets:list"], cliScalarList);
    });

    it("hands `config set --path` values over as JSON text, secrets decrypted in place and the whole value secret (captured)", () => {
        // Written by `pulumi config set --path` (and `--secret`) with pulumi 3.248; the ciphertexts are
        // that run's, and `decrypt` stands in for its passphrase.
        const stackYaml = `config:
  gcr-pull-secrets:namespaces:
    - default
    - name: team-a
      create: true
    - 123
    - "1.5"
    - ""
    - "0123"
  gcr-pull-secrets:serviceAccount:
    accountId: gke-puller
    description:
      secure: v1:n4JbesQo4dPZA6IO:o2J9ckOwtJRkaxsI3d3wRWU76JCqjC4ieJlBnw==
  gcr-pull-secrets:rotationDays: "30"
  gcr-pull-secrets:allowSystemNamespaces: "true"
  gcr-pull-secrets:project:
    secure: v1:MCJgCDjbp+R199NC:h/msEjnErnl04nyDg+7tWVPoTxEN0IJ2zRI=
  gcr-pull-secrets:username: ""
`;
        const plaintexts: Record<string, string> = {
            "v1:n4JbesQo4dPZA6IO:o2J9ckOwtJRkaxsI3d3wRWU76JCqjC4ieJlBnw==": "MARKERSECRET",
            "v1:MCJgCDjbp+R199NC:h/msEjnErnl04nyDg+7tWVPoTxEN0IJ2zRI=": "SECRETPROJ",
        };
        const { input } = stackConfigFromYaml(stackYaml, { stack: "exp", projectYaml: captureProjectYaml, decrypt: (c) => plaintexts[c] });
        // `pulumi config --json --show-secrets` of that stack:
        assert.deepStrictEqual(input.values, {
            "gcr-pull-secrets:allowSystemNamespaces": "true",
            "gcr-pull-secrets:gcrBuckets": "[]",
            "gcr-pull-secrets:namespaces": '["default",{"create":true,"name":"team-a"},123,"1.5","","0123"]',
            "gcr-pull-secrets:project": "SECRETPROJ",
            "gcr-pull-secrets:projectWideRead": "false",
            "gcr-pull-secrets:rotationDays": "30",
            "gcr-pull-secrets:secretName": "regcred",
            "gcr-pull-secrets:serviceAccount": '{"accountId":"gke-puller","description":"MARKERSECRET"}',
            "gcr-pull-secrets:serviceAccountWaitSeconds": "60",
            "gcr-pull-secrets:username": "",
        });
        assert.deepStrictEqual([...input.secretKeys].sort(), ["gcr-pull-secrets:project", "gcr-pull-secrets:serviceAccount"]);
    });

    it("refuses what the CLI refuses against Pulumi.yaml's declared types, in the CLI's words (captured)", () => {
        // pulumi preview: `Stack 'exp' with configuration key 'gcr-pull-secrets:gcrBuckets' must be of type 'array<string>'`
        // (a list written as quoted text), then the same for secretName given as a map; "+5" passes as an integer.
        const stackYaml = `config:
  gcr-pull-secrets:serviceAccountWaitSeconds: "+5"
  gcr-pull-secrets:gcrBuckets: '["a"]'
  gcr-pull-secrets:secretName: {a: 1}
`;
        const { cliProblems } = stackConfigFromYaml(stackYaml, { stack: "exp", projectYaml: captureProjectYaml });
        assert.deepStrictEqual(
            cliProblems.map((p) => p.path),
            ["gcr-pull-secrets:secretName", "gcr-pull-secrets:gcrBuckets"],
        );
        assert.match(cliProblems[1].message, /Stack 'exp' with configuration key 'gcr-pull-secrets:gcrBuckets' must be of type 'array<string>'/);
        assert.match(cliProblems[0].message, /must be of type 'string'/);
    });

    it("gives the program the declared defaults, so the program sees what `pulumi up` gives it", () => {
        const { values } = stackConfigFromYaml("config: {}\n", { stack: "s", projectYaml }).input;
        assert.deepStrictEqual(values, {
            "gcr-pull-secrets:secretName": "regcred",
            "gcr-pull-secrets:username": "_json_key",
            "gcr-pull-secrets:gcrBuckets": "[]",
            "gcr-pull-secrets:projectWideRead": "false",
            "gcr-pull-secrets:rotationTrigger": "",
            "gcr-pull-secrets:allowSystemNamespaces": "false",
            "gcr-pull-secrets:serviceAccountWaitSeconds": "60",
        });
    });

    it("counts an encrypted value it cannot decrypt as set, and checks everything else", () => {
        const stackYaml = `config:
  gcr-pull-secrets:jsonKey:
    secure: v1:AAAA:BBBB
  gcr-pull-secrets:registries: [asia.gcr.io]
  gcr-pull-secrets:namespaces: [apps, Apps]
`;
        const result = validateStackYaml(stackYaml, { stack: "s", projectYaml });
        assert.deepStrictEqual(
            result.problems.map((p) => p.path),
            ["gcr-pull-secrets:namespaces[1]"],
        );
        assert.ok(
            result.notes.some((n) => /gcr-pull-secrets:jsonKey: encrypted, not decrypted here/.test(n)),
            result.notes.join("\n"),
        );
    });

    it("accepts and refuses exactly what the program accepts and refuses, because it runs the program's check", () => {
        const decrypt = (c: string) => (c === "key" ? sampleKeyJson : undefined);
        const cases = [
            "config:\n  gcr-pull-secrets:jsonKey: {secure: key}\n  gcr-pull-secrets:registries: [gcr.io]\n  gcr-pull-secrets:namespaces: [a, {name: b, create: true}]\n",
            // Unquoted 0123 is the number 83 (octal) to the CLI, and then not a namespace name.
            "config:\n  gcr-pull-secrets:jsonKey: {secure: key}\n  gcr-pull-secrets:registries: [gcr.io]\n  gcr-pull-secrets:namespaces: [0123, yes, 2024-01-01]\n",
            "config:\n  gcr-pull-secrets:jsonKey: {secure: key}\n  gcr-pull-secrets:registries: gcr.io\n  gcr-pull-secrets:namespaces: [a]\n  gcr-pull-secrets:rotationDays: 030\n",
        ];
        for (const stackYaml of cases) {
            const offline = validateStackYaml(stackYaml, { stack: "s", projectYaml, decrypt });
            const read = stackConfigFromYaml(stackYaml, { stack: "s", projectYaml, decrypt });
            assert.deepStrictEqual(read.cliProblems, []);
            assert.deepStrictEqual(offline.problems, checkStackConfig(read.input).problems);
        }
        const numbers = validateStackYaml(cases[1], { stack: "s", projectYaml, decrypt });
        assert.deepStrictEqual(
            numbers.problems.map((p) => `${p.path} ${p.message.split(";")[0]}`),
            [
                "gcr-pull-secrets:namespaces[0] is the number 83, not text",
                "gcr-pull-secrets:namespaces[2] is \"2024-01-01 00:00:00 +0000 UTC\", not a valid namespace name (lowercase letters, digits and '-', at most 63 characters, starting and ending with a letter or digit)",
            ],
        );
        assert.ok(validateStackYaml(cases[0], { stack: "s", projectYaml, decrypt }).plan);
    });

    it("reports a YAML error by position and reason, without quoting the file", () => {
        const result = validateStackYaml("config:\n  gcr-pull-secrets:jsonKey: PLAINTEXT-SECRET-LINE\n  gcr-pull-secrets:jsonKey: again\n", {
            stack: "s",
            projectYaml,
        });
        assert.strictEqual(result.problems[0].path, "Pulumi.s.yaml");
        assert.match(result.problems[0].message, /is not valid YAML \(line \d+, column \d+\): duplicated mapping key/);
        assert.ok(!result.problems.some((p) => p.message.includes("PLAINTEXT")));
    });

    it("refuses a key that is not namespace:name, and warns where a top-level value is null", () => {
        const read = stackConfigFromYaml("config:\n  namespaces: [a]\n  gcr-pull-secrets:kubeContext:\n", { stack: "s", projectYaml });
        assert.deepStrictEqual(
            read.cliProblems.map((p) => p.path),
            ["namespaces"],
        );
        assert.strictEqual(read.input.values["gcr-pull-secrets:kubeContext"], "");
        assert.ok(read.notes.some((n) => n.includes('gcr-pull-secrets:kubeContext: the CLI hands it over as an empty string ""')));
    });
});
