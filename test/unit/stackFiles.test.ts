import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { argsFromStackConfig } from "../../components/config";
import { planFromArgs } from "../../components/plan";
import { readStackFile } from "../../tools/validateStack";

const root = path.resolve(__dirname, "../..");
const stackFiles = fs.readdirSync(root).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f));

describe("stack files", () => {
    it("include dev, staging and prod", () => {
        for (const stack of ["dev", "staging", "prod"]) {
            assert.ok(stackFiles.includes(`Pulumi.${stack}.yaml`), `Pulumi.${stack}.yaml is missing`);
        }
    });

    for (const file of stackFiles) {
        it(`${file} passes validation`, () => {
            const plan = planFromArgs(argsFromStackConfig(readStackFile(path.join(root, file))));
            assert.ok(plan.namespaces.length > 0);
        });
    }
});
