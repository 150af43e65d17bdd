import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { formatValidation, validateStackYaml } from "../../../scripts/validateStack";

const projectYaml = fs.readFileSync(path.resolve(__dirname, "../../../Pulumi.yaml"), "utf8");
const validate = (stackYaml: string) => validateStackYaml(stackYaml, { stack: "prod", projectYaml });

describe("validate-config on a stack file that imports Pulumi ESC environments", () => {
    it("names the settings the file leaves to the environment, and how to see and check them, instead of refusing it", () => {
        const result = validate("environment:\n  - platform/pull-access-prod\nconfig:\n  gcr-pull-secrets:registries:\n    - europe-west1-docker.pkg.dev\n");
        assert.deepStrictEqual(result.problems, []);
        const [note] = result.notes;
        assert.match(note, /imports the Pulumi ESC environment platform\/pull-access-prod, which this check cannot open/);
        assert.match(note, /gcr-pull-secrets:serviceAccount, gcr-pull-secrets:namespaces must come from it \(under values\.pulumiConfig\)/);
        assert.doesNotMatch(note, /registries/, "the file sets registries");
        assert.match(note, /`pulumi env open platform\/pull-access-prod pulumiConfig`/);
        assert.match(note, /`pulumi preview --stack prod`/);
        assert.match(formatValidation("prod", result), /^Pulumi\.prod\.yaml: ok as far as the file goes\n {2}note: imports/);
    });

    it("still refuses what the file itself sets wrong", () => {
        const result = validate("environment:\n  - platform/prod\nconfig:\n  gcr-pull-secrets:registries:\n    - quay.io\n");
        assert.deepStrictEqual(
            result.problems.map((p) => p.path),
            ["gcr-pull-secrets:registries[0]"],
        );
        assert.match(formatValidation("prod", result), /Invalid gcr-pull-secrets stack configuration \(1 problem\)/);
    });

    it("reads ESC's imports: spelling, versioned names and several environments", () => {
        const result = validate("environment:\n  imports:\n    - platform/base\n    - platform/prod@stable\n");
        assert.deepStrictEqual(result.problems, []);
        assert.match(result.notes[0], /environments platform\/base, platform\/prod@stable, .*must come from them/);
        assert.match(result.notes[0], /`pulumi env open <environment> pulumiConfig`/);
    });

    it("without environments, a missing setting is still a problem", () => {
        const result = validate("config:\n  gcr-pull-secrets:registries:\n    - gcr.io\n");
        assert.ok(result.problems.some((p) => p.path === "gcr-pull-secrets:namespaces"));
        assert.deepStrictEqual(result.notes, []);
    });
});
