// Checks stack files offline, with the program's own validation, without the Pulumi CLI:
//   npm run validate-config -- dev        (reads Pulumi.dev.yaml and Pulumi.yaml)
// The file is read as the CLI reads it (scripts/stackFileConfig.ts) and the resulting text goes
// through the same checkStackConfig() that `pulumi up` runs, so both accept and refuse the same
// stacks. Encrypted (`secure:`) values cannot be decrypted here: they count as set, and their content
// is checked at `pulumi preview`. A file that imports Pulumi ESC environments is checked for what it
// sets; the settings it leaves to the environments are named, with how to see them.
import * as fs from "fs";
import * as path from "path";
import { checkStackConfig, configNamespace } from "../components/config";
import { ConfigError, ConfigProblem } from "../components/configError";
import { describeSelector } from "../components/labelSelector";
import { Plan } from "../components/plan";
import { stackConfigFromYaml } from "./stackFileConfig";

/** The outcome of checking one stack file. */
export interface StackValidation {
    /** Everything `pulumi up` would refuse, the CLI's refusals first; each names its path and fix. */
    problems: ConfigProblem[];
    /** What the reader should know (settings not checked offline). Never a value. */
    notes: string[];
    /** The plan, when there is no problem. */
    plan?: Plan;
}

/** True when `path` is `key` or lies inside it (`key.x`, `key[0]`), not merely sharing its first letters. */
function isWithin(path: string, key: string): boolean {
    return path === key || path.startsWith(`${key}.`) || path.startsWith(`${key}[`);
}

/**
 * Checks a stack file's text. `decrypt` decrypts one `secure:` ciphertext when it can (tests use it
 * to run secrets through the same path as the CLI does).
 */
export function validateStackYaml(
    stackYaml: string,
    options: { stack: string; projectYaml: string; decrypt?: (ciphertext: string) => string | undefined },
): StackValidation {
    const read = stackConfigFromYaml(stackYaml, options);
    const notes = [...read.notes];
    const jsonKey = `${configNamespace}:jsonKey`;
    if (options.stack === "local" && read.input.values[jsonKey] === undefined && !read.input.unreadableSecretKeys?.has(jsonKey)) {
        // scripts/up-local.sh adds the local stack's key (a throwaway one), encrypted, at run time.
        const unreadable = new Set(read.input.unreadableSecretKeys);
        unreadable.add(jsonKey);
        read.input = { ...read.input, secretKeys: new Set([...read.input.secretKeys, jsonKey]), unreadableSecretKeys: unreadable };
        notes.push(`${jsonKey}: added by scripts/up-local.sh at run time; counted as set`);
    }
    const checked = checkStackConfig(read.input);
    // Where the CLI refuses a setting, the program never sees it: its own findings there would repeat the refusal.
    const refused = read.cliProblems.map((p) => p.path);
    let problems = [...read.cliProblems, ...checked.problems.filter((p) => !refused.some((key) => isWithin(p.path, key)))];
    if (read.environments.length > 0) {
        // ESC environments hand the program settings (their pulumiConfig) this reader cannot open:
        // what the file leaves unset may come from them. Say so per setting; keep what the file itself gets wrong.
        const setInFile = (key: string) => key in read.input.values || read.input.unreadableSecretKeys?.has(key);
        const fromEnvironment = problems.filter((p) => !setInFile(p.path.split(/[.[]/)[0]));
        problems = problems.filter((p) => !fromEnvironment.includes(p));
        const names = read.environments.join(", ");
        notes.push(
            `imports the Pulumi ESC environment${read.environments.length > 1 ? "s" : ""} ${names}, which this check cannot open: ` +
                (fromEnvironment.length > 0
                    ? `${fromEnvironment.map((p) => p.path).join(", ")} must come from ${read.environments.length > 1 ? "them" : "it"} (under values.pulumiConfig), or \`pulumi preview\` refuses the stack as this check would; `
                    : "") +
                `see what ${read.environments.length > 1 ? "they hand" : "it hands"} the program with \`pulumi env open ${read.environments.length > 1 ? "<environment>" : read.environments[0]} pulumiConfig\`, and check the whole stack with \`pulumi preview --stack ${options.stack}\``,
        );
        return { problems, notes };
    }
    return { problems, notes, ...(problems.length === 0 && checked.plan ? { plan: checked.plan } : {}) };
}

/** Checks `Pulumi.<stack>.yaml` in a project directory. */
export function validateStackFile(projectDir: string, stack: string): StackValidation {
    const stackFile = path.join(projectDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) {
        return {
            problems: [
                { path: path.basename(stackFile), message: "does not exist; `pulumi stack init` creates it, or run `pulumi config set ...` in the stack" },
            ],
            notes: [],
        };
    }
    return validateStackYaml(fs.readFileSync(stackFile, "utf8"), {
        stack,
        projectYaml: fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"),
    });
}

/** The report for one stack, as printed. */
export function formatValidation(stack: string, result: StackValidation): string {
    const file = `Pulumi.${stack}.yaml`;
    const notes = result.notes.map((note) => `\n  note: ${note}`).join("");
    if (result.problems.length > 0) {
        return `${file}: ${new ConfigError(result.problems, `${configNamespace} stack configuration`).message}${notes}`;
    }
    const plan = result.plan;
    // Selected namespaces are known only against the cluster, at preview.
    const selected = plan?.namespaceSelector ? ` + those labelled ${describeSelector(plan.namespaceSelector.selector)}` : "";
    const clusters = plan?.clusters;
    // With clusters, each has its namespaces; an encrypted clusters value is read only at preview.
    const covered = clusters
        ? clusters.length > 0
            ? `${clusters.length} clusters: ${clusters.map((c) => `${c.name} (${c.namespaces.length} namespaces${c.namespaceSelector ? " + labelled" : ""})`).join(", ")}`
            : "clusters read at preview"
        : `${plan?.namespaces.length} namespaces${selected}`;
    const summary = plan ? ` (${plan.credentials.kind}; ${covered}; registries ${plan.registryHosts.join(", ")})` : "";
    // Without a plan the file alone is not a whole configuration (the rest comes from ESC environments, see the notes).
    return `${file}: ${plan ? "ok" : "ok as far as the file goes"}${summary}${notes}`;
}

if (require.main === module) {
    const stacks = process.argv.slice(2);
    if (stacks.length === 0) {
        process.stderr.write("usage: npm run validate-config -- <stack> [<stack> ...]\n");
        process.exit(2);
    }
    let failed = false;
    for (const stack of stacks) {
        const result = validateStackFile(path.resolve(__dirname, ".."), stack);
        failed ||= result.problems.length > 0;
        (result.problems.length > 0 ? console.error : console.log)(formatValidation(stack, result));
    }
    process.exit(failed ? 1 : 0);
}
