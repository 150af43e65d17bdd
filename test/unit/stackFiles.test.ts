import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { validateStackFile } from "../../scripts/validateStack";

const root = path.resolve(__dirname, "../..");
const stacks = fs
    .readdirSync(root)
    .map((f) => /^Pulumi\.([^.]+)\.yaml$/.exec(f)?.[1])
    .filter((stack): stack is string => stack !== undefined);

describe("stack files", () => {
    it("include dev, staging and prod", () => {
        for (const stack of ["dev", "staging", "prod"]) {
            assert.ok(stacks.includes(stack), `Pulumi.${stack}.yaml is missing`);
        }
    });

    for (const stack of stacks) {
        it(`Pulumi.${stack}.yaml passes validation, read as the CLI reads it`, () => {
            const result = validateStackFile(root, stack);
            assert.deepStrictEqual(result.problems, []);
            assert.ok(result.plan && result.plan.namespaces.length > 0);
        });
    }
});
