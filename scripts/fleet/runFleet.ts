/**
 * The local fan-out: `pulumi preview` or `pulumi up` of each cluster's stack through the Automation
 * API, at most `parallel` at once. Each stack's whole output goes to a log file of its own; a stack
 * that fails never stops the others (an update cut short would leave pending operations in its
 * state), and its row says why.
 */
import { CommandError, LocalWorkspace, OpMap } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FleetCluster } from "./fleetFile";
import { runBounded } from "./runBounded";
import { StackResult } from "./summary";

/** How to run a fleet. */
export interface FleetRunOptions {
    operation: "preview" | "up";
    clusters: readonly FleetCluster[];
    /** Stacks at once. */
    parallel: number;
    /** The Pulumi project's folder (absolute). */
    projectDir: string;
    /** The fleet file's folder: relative `kubeconfig` paths start there. */
    fleetDir: string;
    /** One `<cluster>.log` per stack is written here. */
    logDir: string;
    /** Policy packs and their configs, as `--policy-pack` / `--policy-pack-config`. */
    policyPacks?: string[];
    policyPackConfigs?: string[];
    /** Every line of the stack's output as it comes (a CI job running one stack streams it to its log). */
    onOutput?: (cluster: string, text: string) => void;
    /** A line when a stack starts and when it ends. */
    onProgress?: (line: string) => void;
}

/** The kubeconfig path a cluster's stack gets as KUBECONFIG: `~/` is the home folder, a relative path starts at the fleet file. */
export function kubeconfigPath(cluster: FleetCluster, fleetDir: string): string | undefined {
    if (cluster.kubeconfig === undefined) return undefined;
    const expanded = cluster.kubeconfig.replace(/^~(?=$|\/)/, os.homedir());
    return path.resolve(fleetDir, expanded);
}

/**
 * The first `error:` line of a CLI's output (Pulumi prints `[secret]` in place of secret values),
 * shortened; a line that ends in `:` (a ConfigError's heading) takes its first listed problem along.
 */
export function firstError(output: string): string | undefined {
    const lines = output.split(/\r?\n/).map((l) => l.trim());
    // The engine's diagnostics say `error: <reason>`; the first line that says more than "update failed" is the reason.
    const at = lines.map((l, i) => (/^error: /.test(l) ? i : -1)).filter((i) => i >= 0);
    const index = at.find((i) => !/^error: (update|preview) failed$/.test(lines[i])) ?? at[0];
    if (index === undefined) return undefined;
    let reason = lines[index].slice("error: ".length);
    const next = lines[index + 1];
    if (reason.endsWith(":") && next) reason = `${reason} ${next}`;
    return reason.length > 300 ? `${reason.slice(0, 297)}...` : reason;
}

function changesOf(summary: OpMap | Record<string, number | undefined> | undefined): Record<string, number> {
    return Object.fromEntries(Object.entries(summary ?? {}).filter(([op, n]) => op !== "same" && (n ?? 0) > 0)) as Record<string, number>;
}

/** Runs one cluster's stack; never throws. */
async function runStack(cluster: FleetCluster, options: FleetRunOptions): Promise<StackResult> {
    const started = Date.now();
    const log = path.join(options.logDir, `${cluster.name}.log`);
    const out = fs.createWriteStream(log);
    let output = "";
    const onOutput = (text: string) => {
        output += text;
        out.write(text);
        options.onOutput?.(cluster.name, text);
    };
    const result = (fields: Pick<StackResult, "result"> & Partial<StackResult>): StackResult => ({
        cluster: cluster.name,
        stack: cluster.stack,
        operation: options.operation,
        durationSeconds: (Date.now() - started) / 1000,
        log,
        ...fields,
    });
    options.onProgress?.(`[${cluster.name}] ${options.operation} of stack ${cluster.stack} started; log: ${log}`);
    let outcome: StackResult;
    try {
        const kubeconfig = kubeconfigPath(cluster, options.fleetDir);
        if (kubeconfig !== undefined && !fs.existsSync(kubeconfig)) {
            throw new Error(`clusters.${cluster.name}.kubeconfig: there is no file at ${kubeconfig}; fix the path in the fleet file`);
        }
        const stack = await LocalWorkspace.selectStack(
            { stackName: cluster.stack, workDir: options.projectDir },
            { envVars: kubeconfig !== undefined ? { KUBECONFIG: kubeconfig } : {} },
        ).catch((error: Error) => {
            onOutput(`${error.message}\n`);
            throw new Error(`stack ${cluster.stack} does not exist or cannot be opened: \`pulumi stack init ${cluster.stack}\` creates it (see the log)`);
        });
        const common = {
            onOutput,
            onError: onOutput,
            color: "never" as const,
            ...(cluster.stackFile ? { configFile: path.resolve(options.projectDir, cluster.stackFile) } : {}),
            ...(options.policyPacks?.length ? { policyPacks: options.policyPacks } : {}),
            ...(options.policyPackConfigs?.length ? { policyPackConfigs: options.policyPackConfigs } : {}),
        };
        if (options.operation === "preview") {
            const preview = await stack.preview({ ...common, diff: true });
            outcome = result({ result: "succeeded", changes: changesOf(preview.changeSummary) });
        } else {
            const up = await stack.up(common);
            outcome = result({ result: up.summary.result === "succeeded" ? "succeeded" : "failed", changes: changesOf(up.summary.resourceChanges) });
        }
    } catch (error) {
        // The CLI's own words when it printed any; else ours (a missing kubeconfig, a missing stack).
        const own = (error as Error).message ?? String(error);
        // A CommandError repeats what the CLI printed, which the log has already.
        if (!(error instanceof CommandError)) onOutput(`${own}\n`);
        const reason = error instanceof CommandError ? (firstError(output) ?? firstError(own)) : own.split("\n")[0];
        outcome = result({ result: "failed", error: reason ?? "the Pulumi CLI failed (see the log)" });
    }
    await new Promise<void>((resolve) => out.end(resolve));
    options.onProgress?.(`[${cluster.name}] ${outcome.result} after ${Math.round(outcome.durationSeconds)}s`);
    return outcome;
}

/** Runs every cluster's stack, `parallel` at once; one result per cluster, in the clusters' order. */
export async function runFleet(options: FleetRunOptions): Promise<StackResult[]> {
    fs.mkdirSync(options.logDir, { recursive: true });
    return runBounded(options.clusters, options.parallel, (cluster) => runStack(cluster, options));
}
