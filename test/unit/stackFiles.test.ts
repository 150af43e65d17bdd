import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { argsFromStackConfig } from "../../components/config";
import { planFromArgs } from "../../components/plan";
import { sampleKeyJson } from "./fixtures";

const root = path.resolve(__dirname, "../..");
const stackFiles = fs.readdirSync(root).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f));

/** Stack file config -> what Pulumi hands the program; `secure:` values become a stand-in key. */
function readStack(file: string) {
    const doc = yaml.load(fs.readFileSync(path.join(root, file), "utf8")) as { config?: Record<string, unknown> };
    const values: Record<string, string> = {};
    const secretKeys = new Set<string>();
    for (const [key, value] of Object.entries(doc.config ?? {})) {
        if (value && typeof value === "object" && "secure" in (value as object)) {
            secretKeys.add(key);
            values[key] = sampleKeyJson; // the encrypted value cannot be read here; its shape is checked at run time.
        } else {
            values[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return { values, secretKeys };
}

describe("stack files", () => {
    it("include dev, staging and prod", () => {
        for (const stack of ["dev", "staging", "prod"]) {
            assert.ok(stackFiles.includes(`Pulumi.${stack}.yaml`), `Pulumi.${stack}.yaml is missing`);
        }
    });

    for (const file of stackFiles) {
        it(`${file} passes validation`, () => {
            const args = argsFromStackConfig(readStack(file));
            const plan = planFromArgs({ ...args, jsonKey: args.jsonKey ? sampleKeyJson : undefined });
            assert.ok(plan.namespaces.length > 0);
        });
    }
});
