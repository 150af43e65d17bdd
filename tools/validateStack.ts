// Checks a stack file offline, with the program's own validation, without the Pulumi CLI:
//   npm run validate-config -- dev        (reads Pulumi.dev.yaml)
// Encrypted (`secure:`) values cannot be read here; their presence and encryption are checked,
// their content is checked at `pulumi preview` time.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { argsFromStackConfig, StackConfigInput } from "../components/config";
import { ConfigError, planFromArgs } from "../components/plan";
import { makeThrowawayKey } from "./throwawayKey";

/** A stack file's config as Pulumi would hand it to the program; secure values replaced by a stand-in key. */
export function readStackFile(file: string): StackConfigInput {
    const doc = (yaml.load(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const values: Record<string, string> = {};
    const secretKeys = new Set<string>();
    for (const [key, value] of Object.entries(doc.config ?? {})) {
        if (value !== null && typeof value === "object" && "secure" in (value as object)) {
            secretKeys.add(key);
            values[key] = makeThrowawayKey("validate");
        } else {
            values[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    // The local stack's key is generated and added (encrypted) by tools/up-local.sh at run time.
    if (path.basename(file) === "Pulumi.local.yaml" && values["gcr-pull-secrets:jsonKey"] === undefined) {
        values["gcr-pull-secrets:jsonKey"] = makeThrowawayKey("validate");
        secretKeys.add("gcr-pull-secrets:jsonKey");
    }
    return { values, secretKeys };
}

if (require.main === module) {
    const stacks = process.argv.slice(2);
    if (stacks.length === 0) {
        process.stderr.write("usage: npm run validate-config -- <stack> [<stack> ...]\n");
        process.exit(2);
    }
    let failed = false;
    for (const stack of stacks) {
        const file = path.resolve(__dirname, "..", `Pulumi.${stack}.yaml`);
        try {
            const plan = planFromArgs(argsFromStackConfig(readStackFile(file)));
            console.log(
                `${path.basename(file)}: ok (${plan.credentials.kind}; ${plan.namespaces.length} namespaces; ` +
                    `registries ${plan.registryHosts.join(", ")})`,
            );
        } catch (error) {
            failed = true;
            console.error(`${path.basename(file)}: ${error instanceof ConfigError ? error.message : String(error)}`);
        }
    }
    process.exit(failed ? 1 : 0);
}
