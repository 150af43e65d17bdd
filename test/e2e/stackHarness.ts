/**
 * Drives the real `pulumi` CLI (through the Automation API) on this project against the real
 * control plane, in the style of Pulumi's own automation tests: a temp `file://` backend and
 * PULUMI_HOME per run, random stack names, destroy-then-remove in `finally`. Everything the CLI
 * prints is kept in `cliOutput` so the secret scan can read it all.
 */
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { ChildProcess, execFileSync, spawn, spawnSync } from "child_process";
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";

/** Re-exported so tests import their helpers from one place. */
export { findKeyMaterial } from "../../dev/keys/keyMaterial";
export * from "./clusterClient";
export { projectAtCommit } from "./projectAtCommit";

const repoRoot = path.resolve(__dirname, "../..");

/** Everything every CLI command of this run printed, stdout and stderr. */
export const cliOutput: string[] = [];

/** Settings of the stack under test, as in a Pulumi.<stack>.yaml (without the `gcr-pull-secrets:` prefix). */
export type StackSettings = Record<string, unknown>;

let workDir: string | undefined;
let stateDir: string | undefined;

/**
 * Fills `dir` with this project as `pulumi` runs it: Pulumi.yaml, package.json, tsconfig.json and
 * program.js copied, components/, provider/ and node_modules/ linked, and `index` as index.ts
 * (default: the repository's own).
 */
export function copyProject(dir: string, index = fs.readFileSync(path.join(repoRoot, "index.ts"), "utf8")): void {
    for (const file of ["Pulumi.yaml", "package.json", "tsconfig.json", "program.js"]) fs.copyFileSync(path.join(repoRoot, file), path.join(dir, file));
    for (const link of ["components", "provider", "node_modules"]) fs.symlinkSync(path.join(repoRoot, link), path.join(dir, link));
    fs.writeFileSync(path.join(dir, "index.ts"), index);
}

/**
 * A copy of the project ({@link copyProject}) that tests can put stack files into: Pulumi.yaml, package.json,
 * tsconfig.json, program.js and index.ts copied, components/, provider/ and node_modules/ linked.
 */
function projectDir(): string {
    if (!workDir) {
        workDir = fs.mkdtempSync(path.join(os.tmpdir(), "gcr-pull-secrets-e2e-"));
        copyProject(workDir);
        stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "gcr-pull-secrets-e2e-state-"));
        fs.mkdirSync(path.join(stateDir, "backend"));
        fs.mkdirSync(path.join(stateDir, "home"));
        // The toolchain's Kubernetes provider into this home's plugin cache, where the CLI finds it
        // without the warning it prints for a plugin on PATH.
        execFileSync("bash", [path.join(repoRoot, "dev/toolchain/plugins.sh"), path.join(stateDir, "home")], { stdio: "inherit" });
    }
    return workDir;
}

/** Environment of every CLI command. */
function cliEnv(): Record<string, string> {
    projectDir();
    return {
        PULUMI_CONFIG_PASSPHRASE: "e2e-not-secret",
        PULUMI_BACKEND_URL: `file://${path.join(stateDir!, "backend")}`,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        // `npm run typecheck` checks types; at `pulumi up` it would only cost time.
        PULUMI_NODEJS_TRANSPILE_ONLY: "true",
        KUBECONFIG: process.env.KUBECONFIG ?? "",
    };
}

/** The whole environment of a CLI process this harness starts itself: ours, the CLI settings, the run's PULUMI_HOME. */
function processEnv(envVars: Record<string, string> = cliEnv()): NodeJS.ProcessEnv {
    return { ...process.env, ...envVars, PULUMI_HOME: path.join(stateDir!, "home") };
}

/**
 * Runs `pulumi <args>` in `cwd` outside any stack (`pulumi package add`), with the run's backend and
 * PULUMI_HOME: what it printed, or an error carrying it.
 */
export function runPulumi(args: string[], cwd: string): string {
    const run = spawnSync("pulumi", args, { cwd, env: processEnv(), encoding: "utf8" });
    const output = `${run.stdout ?? ""}${run.stderr ?? ""}`;
    if (run.status !== 0) throw new Error(`pulumi ${args.join(" ")} failed in ${cwd} (${run.error?.message ?? `exit ${run.status}`}):\n${output}`);
    return output;
}

/** A stack of this project with helpers for its settings and the cluster. */
export interface TestStack {
    stack: Stack;
    name: string;
    /** Replaces the stack's non-secret settings (the secret jsonKey is kept). */
    setSettings(settings: StackSettings): void;
    /** Sets the JSON key, encrypted. */
    setJsonKey(keyJson: string): Promise<void>;
    /**
     * `pulumi stack export` as a user runs it (secrets stay encrypted). The Automation API's
     * exportStack adds --show-secrets, which would defeat the point of scanning it.
     */
    exportState(): string;
    /**
     * Starts `pulumi <args>` on this stack as a user's shell would (its own process, so a test can
     * kill it); everything it prints also goes to cliOutput.
     */
    spawnCli(args: string[]): ChildProcess;
    /** Runs `pulumi <args>` on this stack to the end: its exit code and everything it printed. */
    runCli(args: string[]): Promise<{ code: number | null; output: string }>;
    /** The folder of the file backend (`PULUMI_BACKEND_URL=file://<backendDir>`). */
    backendDir: string;
    /** Output callbacks for an operation: stream to cliOutput. */
    io: { onOutput: (s: string) => void; onError: (s: string) => void };
}

/**
 * Creates a stack of this project in the run's temp backend. Call `dispose` when done with it.
 * `name` replaces the random `e2e-<id>` (a stack the policy pack must treat as prod needs a prod
 * name); keep it unique within the run. `workDir` runs another copy of the program (see
 * {@link projectAtCommit}); `select` opens a stack that exists already instead of creating one.
 */
export async function createTestStack(
    options: { name?: string; workDir?: string; select?: boolean; env?: Record<string, string> } = {},
): Promise<TestStack & { dispose(options?: { destroy?: boolean }): Promise<void> }> {
    const name = options.name ?? `e2e-${randomUUID().slice(0, 8)}`;
    const envVars = { ...cliEnv(), ...options.env };
    const workDir = options.workDir ?? projectDir();
    const stackFile = (stackName: string) => path.join(workDir, `Pulumi.${stackName}.yaml`);
    const select = options.select ? LocalWorkspace.selectStack.bind(LocalWorkspace) : LocalWorkspace.createStack.bind(LocalWorkspace);
    const stack = await select({ stackName: name, workDir }, { envVars, pulumiHome: path.join(stateDir!, "home") });
    const spawnCli = (args: string[]): ChildProcess => {
        const child = spawn("pulumi", [...args, "--stack", name, "--non-interactive"], {
            cwd: workDir,
            env: processEnv(envVars),
            stdio: ["ignore", "pipe", "pipe"],
        });
        child.stdout!.on("data", (chunk: Buffer) => void cliOutput.push(String(chunk)));
        child.stderr!.on("data", (chunk: Buffer) => void cliOutput.push(String(chunk)));
        return child;
    };
    const io = {
        onOutput: (s: string) => void cliOutput.push(s),
        onError: (s: string) => void cliOutput.push(s),
    };
    return {
        stack,
        name,
        io,
        setSettings(settings) {
            const file = stackFile(name);
            const doc = (fs.existsSync(file) ? yaml.load(fs.readFileSync(file, "utf8")) : {}) as { config?: Record<string, unknown> };
            const kept = Object.entries(doc.config ?? {}).filter(([key]) => key === "gcr-pull-secrets:jsonKey" || key === "gcr-pull-secrets:kubeconfig");
            const config: Record<string, unknown> = Object.fromEntries(kept);
            for (const [key, value] of Object.entries(settings)) {
                config[key.includes(":") ? key : `gcr-pull-secrets:${key}`] = value;
            }
            fs.writeFileSync(file, yaml.dump({ ...doc, config }));
        },
        exportState() {
            return execFileSync("pulumi", ["stack", "export", "--stack", name], {
                cwd: workDir,
                env: processEnv(envVars),
                encoding: "utf8",
                // A stack of hundreds of namespaces exports megabytes; the default 1 MiB would throw ENOBUFS.
                maxBuffer: 512 * 1024 * 1024,
            });
        },
        spawnCli,
        backendDir: path.join(stateDir!, "backend"),
        runCli(args: string[]): Promise<{ code: number | null; output: string }> {
            const child = spawnCli(args);
            let output = "";
            child.stdout!.on("data", (chunk: Buffer) => (output += String(chunk)));
            child.stderr!.on("data", (chunk: Buffer) => (output += String(chunk)));
            return new Promise((resolve) => child.on("close", (code: number | null) => resolve({ code, output })));
        },
        async setJsonKey(keyJson) {
            await stack.setConfig("gcr-pull-secrets:jsonKey", { value: keyJson, secret: true });
        },
        async dispose(options = {}) {
            if (options.destroy !== false) {
                await stack.destroy({ ...io }).catch((error) => cliOutput.push(String(error)));
            }
            await stack.workspace.removeStack(name, { force: true }).catch((error) => cliOutput.push(String(error)));
        },
    };
}

/** The operations of a preview's or update's summary that change something, without zeros: `{ update: 4 }`. */
export function changes(summary: Record<string, number | undefined> | undefined): Record<string, number> {
    return Object.fromEntries(Object.entries(summary ?? {}).filter(([op, n]) => op !== "same" && (n ?? 0) > 0)) as Record<string, number>;
}

/** Creates a stack, runs `fn`, then destroys the stack and removes it, whatever happened. */
export async function withStack(fn: (t: TestStack) => Promise<void>): Promise<void> {
    const t = await createTestStack();
    try {
        await fn(t);
    } finally {
        await t.dispose();
    }
}

/** Writes `content` into the run's temp state dir (kept after the run) and says where. */
export function keepForDebugging(file: string, content: string): string {
    projectDir();
    const target = path.join(stateDir!, file);
    fs.writeFileSync(target, content);
    return target;
}
