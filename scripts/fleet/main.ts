// The fleet of stacks, one per cluster (docs/fleets.md):
//   npm run fleet -- check                     the fleet file, and every stack file offline (as validate-config)
//   npm run fleet -- matrix [--github-output]  the GitHub Actions matrix (JSON), or matrix= and parallel= lines for $GITHUB_OUTPUT
//   npm run fleet -- preview|up [--parallel N] [--only a,b] [--log-dir DIR] [--result-dir DIR]
//                   [--policy-pack DIR] [--policy-pack-config FILE]
//   npm run fleet -- summary --result-dir DIR [--markdown]   the table of the result files; exit 1 if any stack failed or is missing
// Every command takes --fleet FILE (default: fleet.yaml).
import * as fs from "fs";
import * as path from "path";
import { ConfigError, ConfigProblem } from "../../components/configError";
import { formatValidation, validateStackYaml } from "../validateStack";
import { Fleet, parseFleet, selectClusters } from "./fleetFile";
import { fleetMatrix, githubOutputs } from "./matrix";
import { runFleet } from "./runFleet";
import { anyFailed, markdownSummary, parseResult, resultsForFleet, StackResult, textSummary } from "./summary";

const usage =
    "usage: npm run fleet -- check|matrix|preview|up|summary [--fleet fleet.yaml] [--parallel N] [--only a,b] [--log-dir DIR] [--result-dir DIR] [--markdown] [--github-output]";
const valueFlags = ["--fleet", "--parallel", "--only", "--log-dir", "--result-dir", "--policy-pack", "--policy-pack-config"];
const switches = ["--markdown", "--github-output"];

/** The command line: a command, flags with values (repeatable ones keep every value) and switches. */
export function parseArguments(argv: readonly string[]): { command?: string; values: Map<string, string[]>; on: Set<string>; problems: string[] } {
    const values = new Map<string, string[]>();
    const on = new Set<string>();
    const problems: string[] = [];
    let command: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
        if (valueFlags.includes(flag)) {
            const value = inline ?? argv[++i];
            if (value === undefined) problems.push(`${flag} needs a value`);
            else values.set(flag, [...(values.get(flag) ?? []), value]);
        } else if (switches.includes(flag)) {
            on.add(flag);
        } else if (flag.startsWith("-")) {
            problems.push(`unknown option ${flag}`);
        } else if (command === undefined) {
            command = arg;
        } else {
            problems.push(`unexpected argument ${arg}`);
        }
    }
    return { command, values, on, problems };
}

function fail(message: string, code = 2): never {
    process.stderr.write(`${message}\n`);
    process.exit(code);
}

function readFleet(file: string): Fleet {
    if (!fs.existsSync(file)) fail(`${file} does not exist; write a fleet file (docs/fleets.md) or pass --fleet FILE`);
    const checked = parseFleet(fs.readFileSync(file, "utf8"), path.basename(file));
    if (!checked.fleet) fail(new ConfigError(checked.problems, `fleet file ${file}`).message, 1);
    return checked.fleet;
}

async function main(argv: readonly string[]): Promise<number> {
    const { command, values, on, problems } = parseArguments(argv);
    if (problems.length > 0 || command === undefined) fail(`${problems.join("; ")}${problems.length ? "\n" : ""}${usage}`);
    const last = (flag: string) => values.get(flag)?.at(-1);
    const fleetFile = path.resolve(last("--fleet") ?? "fleet.yaml");
    const fleetDir = path.dirname(fleetFile);
    const fleet = readFleet(fleetFile);
    const projectDir = path.resolve(fleetDir, fleet.project);

    switch (command) {
        case "check": {
            let failed = false;
            for (const cluster of fleet.clusters) {
                const stack = cluster.stack.split("/").pop()!;
                const file = path.resolve(projectDir, cluster.stackFile ?? `Pulumi.${stack}.yaml`);
                if (!fs.existsSync(file)) {
                    failed = true;
                    console.error(
                        `[${cluster.name}] ${path.relative(process.cwd(), file)} does not exist: \`pulumi stack init ${cluster.stack}\` and set its config, or fix clusters.${cluster.name}.stackFile`,
                    );
                    continue;
                }
                const result = validateStackYaml(fs.readFileSync(file, "utf8"), {
                    stack,
                    projectYaml: fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"),
                });
                failed ||= result.problems.length > 0;
                (result.problems.length > 0 ? console.error : console.log)(`[${cluster.name}] ${formatValidation(stack, result)}`);
            }
            return failed ? 1 : 0;
        }
        case "matrix":
            process.stdout.write(on.has("--github-output") ? githubOutputs(fleet) : `${JSON.stringify(fleetMatrix(fleet))}\n`);
            return 0;
        case "preview":
        case "up": {
            const selected = selectClusters(fleet, last("--only"));
            const parallelFlag = last("--parallel");
            const flagProblems: ConfigProblem[] = [...selected.problems];
            if (parallelFlag !== undefined && !/^[1-9]\d*$/.test(parallelFlag)) {
                flagProblems.push({ path: "--parallel", message: "must be a whole number of at least 1 (stacks at once)" });
            }
            if (flagProblems.length > 0) fail(new ConfigError(flagProblems, "fleet command line").message);
            const parallel = parallelFlag !== undefined ? Number(parallelFlag) : fleet.parallel;
            const logDir = path.resolve(last("--log-dir") ?? ".fleet-logs");
            const single = selected.clusters.length === 1;
            const results = await runFleet({
                operation: command,
                clusters: selected.clusters,
                parallel,
                projectDir,
                fleetDir,
                logDir,
                policyPacks: values.get("--policy-pack"),
                policyPackConfigs: values.get("--policy-pack-config"),
                // One stack (a CI job): its output in the job's log as it comes. Several: each in its own file only.
                ...(single ? { onOutput: (_: string, text: string) => void process.stdout.write(text) } : {}),
                onProgress: (line) => console.log(line),
            });
            const resultDir = last("--result-dir");
            if (resultDir !== undefined) {
                fs.mkdirSync(resultDir, { recursive: true });
                for (const r of results) fs.writeFileSync(path.join(resultDir, `${r.cluster}.json`), `${JSON.stringify(r, null, 2)}\n`);
            }
            process.stdout.write(`\n${textSummary(results)}`);
            return anyFailed(results) ? 1 : 0;
        }
        case "summary": {
            const resultDir = last("--result-dir");
            if (resultDir === undefined) fail(`summary needs --result-dir DIR (the folder of the <cluster>.json files)\n${usage}`);
            const files = fs.existsSync(resultDir) ? fs.readdirSync(resultDir).filter((f) => f.endsWith(".json")) : [];
            const read: StackResult[] = files.map((f) => parseResult(fs.readFileSync(path.join(resultDir, f), "utf8"), f));
            const results = resultsForFleet(fleet, read);
            process.stdout.write(on.has("--markdown") ? markdownSummary(results) : textSummary(results));
            return anyFailed(results) ? 1 : 0;
        }
        default:
            return fail(`unknown command ${command}\n${usage}`);
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (error: Error) => fail(error.message, 1),
    );
}
