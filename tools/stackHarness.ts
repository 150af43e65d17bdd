/**
 * Drives the real `pulumi` CLI (through the Automation API) on this project against the real
 * control plane, in the style of Pulumi's own automation tests: a temp `file://` backend and
 * PULUMI_HOME per run, random stack names, destroy-then-remove in `finally`. Everything the CLI
 * prints is kept in `cliOutput` so the secret scan can read it all.
 */
import * as k8s from "@kubernetes/client-node";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { ChildProcess, execFileSync, spawn, spawnSync } from "child_process";
import { randomBytes, randomUUID } from "crypto";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";

/** Re-exported so tests import their helpers from one place. */
export { findKeyMaterial } from "./keyMaterial";

const repoRoot = path.resolve(__dirname, "..");

/** Everything every CLI command of this run printed, stdout and stderr. */
export const cliOutput: string[] = [];

/** Settings of the stack under test, as in a Pulumi.<stack>.yaml (without the `gcr-pull-secrets:` prefix). */
export type StackSettings = Record<string, unknown>;

let workDir: string | undefined;
let stateDir: string | undefined;

/**
 * A copy of the project that tests can put stack files into: Pulumi.yaml, package.json,
 * tsconfig.json and index.ts copied, components/, provider/ and node_modules/ linked.
 */
function projectDir(): string {
    if (!workDir) {
        workDir = fs.mkdtempSync(path.join(os.tmpdir(), "gcr-pull-secrets-e2e-"));
        for (const file of ["Pulumi.yaml", "package.json", "tsconfig.json", "index.ts"]) {
            fs.copyFileSync(path.join(repoRoot, file), path.join(workDir, file));
        }
        for (const dir of ["components", "provider", "node_modules"]) {
            fs.symlinkSync(path.join(repoRoot, dir), path.join(workDir, dir));
        }
        stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "gcr-pull-secrets-e2e-state-"));
        fs.mkdirSync(path.join(stateDir, "backend"));
        fs.mkdirSync(path.join(stateDir, "home"));
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
 * A copy of this project as it was at `commit` (index.ts, Pulumi.yaml, package.json, tsconfig.json,
 * components/, and the `more` paths, such as provider/ from 0.2 on), with today's node_modules
 * linked: the program an existing stack was deployed with. Needs the git history of the checkout.
 */
export function projectAtCommit(commit: string, more: readonly string[] = []): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `gcr-pull-secrets-at-${commit.slice(0, 7)}-`));
    let archive: Buffer;
    try {
        archive = execFileSync(
            "git",
            ["-C", repoRoot, "archive", "--format=tar", commit, "index.ts", "Pulumi.yaml", "package.json", "tsconfig.json", "components", ...more],
            {
                maxBuffer: 64 * 1024 * 1024,
                stdio: ["ignore", "pipe", "pipe"],
            },
        );
    } catch (error) {
        throw new Error(
            `the program as of commit ${commit} is needed from git history (a shallow clone lacks it: git fetch --unshallow): ${String(error).split("\n")[0]}`,
        );
    }
    execFileSync("tar", ["-x", "-C", dir], { input: archive });
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"));
    adaptTsconfig(path.join(dir, "tsconfig.json"));
    return dir;
}

/**
 * The old program is compiled by today's TypeScript (from node_modules). TypeScript 6 refuses two
 * settings older versions of tsconfig.json had (TS5107 `moduleResolution` node10, TS5011 no `rootDir`
 * with an `outDir`); they are set as tsconfig.json has them now. The code is left as it was.
 */
function adaptTsconfig(file: string): void {
    const tsconfig = JSON.parse(fs.readFileSync(file, "utf8")) as { compilerOptions?: Record<string, unknown> };
    const options = (tsconfig.compilerOptions ??= {});
    if (options.moduleResolution === "node" || options.moduleResolution === "node10") options.moduleResolution = "bundler";
    if (options.outDir !== undefined && options.rootDir === undefined) options.rootDir = ".";
    fs.writeFileSync(file, JSON.stringify(tsconfig, null, 2));
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

/** A Kubernetes client for the test cluster, or the one of `kubeconfigPath` (never the program's own objects). */
export function kube(kubeconfigPath?: string): { core: k8s.CoreV1Api; config: k8s.KubeConfig } {
    const config = new k8s.KubeConfig();
    if (kubeconfigPath) config.loadFromFile(kubeconfigPath);
    else config.loadFromDefault();
    return { core: config.makeApiClient(k8s.CoreV1Api), config };
}

/** A namespace name unique to this run. */
export function uniqueNamespace(prefix: string): string {
    return `${prefix}-${randomBytes(3).toString("hex")}`;
}

/** Creates a namespace and waits for its `default` ServiceAccount. */
export async function createNamespace(name: string, kubeconfigPath?: string): Promise<void> {
    const { core } = kube(kubeconfigPath);
    await core.createNamespace({ body: { metadata: { name } } });
    await waitFor(`default ServiceAccount in ${name}`, async () => {
        await core.readNamespacedServiceAccount({ name: "default", namespace: name });
        return true;
    });
}

/** Polls `check` every 100 ms until it returns a truthy value (errors count as not yet), for at most `ms`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
    const deadline = Date.now() + ms;
    let lastError: unknown;
    for (;;) {
        try {
            const value = await check();
            if (value) return value;
        } catch (error) {
            lastError = error;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ""}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}

/** Whether the namespace has a Secret of that name (404 is "no"; any other failure throws). */
export async function secretExists(namespace: string, name = "regcred"): Promise<boolean> {
    return kube()
        .core.readNamespacedSecret({ name, namespace })
        .then(
            () => true,
            (e: { code?: number }) => (e.code === 404 ? false : Promise.reject(e)),
        );
}

/** The names in a ServiceAccount's imagePullSecrets, in order. */
export async function pullSecretNames(namespace: string, serviceAccount = "default", kubeconfigPath?: string): Promise<string[]> {
    const account = await kube(kubeconfigPath).core.readNamespacedServiceAccount({ name: serviceAccount, namespace });
    return (account.imagePullSecrets ?? []).map((ref) => ref.name ?? "");
}

/**
 * Adds an entry the way a careful `kubectl patch --type=json` does: appended, nobody's entry
 * replaced. The patch is conditional on the resourceVersion it read (a JSON-patch `test`), because
 * adding the list when it is empty would otherwise replace a list someone wrote in between.
 */
export async function appendPullSecret(namespace: string, name: string, serviceAccount = "default", kubeconfigPath?: string): Promise<void> {
    const { core } = kube(kubeconfigPath);
    for (let attempt = 1; ; attempt++) {
        const account = await core.readNamespacedServiceAccount({ name: serviceAccount, namespace });
        const patch = [
            { op: "test", path: "/metadata/resourceVersion", value: account.metadata?.resourceVersion },
            account.imagePullSecrets?.length
                ? { op: "add", path: "/imagePullSecrets/-", value: { name } }
                : { op: "add", path: "/imagePullSecrets", value: [{ name }] },
        ];
        try {
            await core.patchNamespacedServiceAccount(
                { name: serviceAccount, namespace, body: patch },
                k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.JsonPatch),
            );
            return;
        } catch (error) {
            // 422 (the test failed) or 409: someone wrote in between; read again.
            const code = (error as { code?: number }).code;
            if ((code !== 422 && code !== 409) || attempt >= 1000) throw error;
        }
    }
}

/** The manual recipe, step for step: `kubectl create secret docker-registry` then `kubectl patch serviceaccount default`. */
export async function manualRecipe(namespace: string, keyJson: string, host: string): Promise<void> {
    const { core } = kube();
    const auth = Buffer.from(`_json_key:${keyJson}`).toString("base64");
    const dockerConfig = JSON.stringify({ auths: { [host]: { username: "_json_key", password: keyJson, auth } } });
    await core.createNamespacedSecret({
        namespace,
        body: {
            metadata: { name: "regcred" },
            type: "kubernetes.io/dockerconfigjson",
            data: { ".dockerconfigjson": Buffer.from(dockerConfig).toString("base64") },
        },
    });
    await core.patchNamespacedServiceAccount(
        { name: "default", namespace, body: { imagePullSecrets: [{ name: "regcred" }] } },
        k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.StrategicMergePatch),
    );
}

/** Creates a Pod that names no imagePullSecrets and returns the ones admission gave it. */
export async function admittedPullSecrets(namespace: string, podName: string): Promise<string[]> {
    const { core } = kube();
    const pod = await core.createNamespacedPod({
        namespace,
        body: { metadata: { name: podName }, spec: { containers: [{ name: "app", image: "asia.gcr.io/acme/app:1.0" }] } },
    });
    return (pod.spec?.imagePullSecrets ?? []).map((ref) => ref.name ?? "");
}

/** The decoded `.dockerconfigjson` of a Secret, with its UID and type. */
export async function readPullSecret(namespace: string, name = "regcred") {
    const secret = await kube().core.readNamespacedSecret({ name, namespace });
    const data = secret.data?.[".dockerconfigjson"];
    return {
        uid: secret.metadata?.uid,
        type: secret.type,
        labels: secret.metadata?.labels ?? {},
        config: data ? JSON.parse(Buffer.from(data, "base64").toString("utf8")) : undefined,
    };
}

/** Writes `content` into the run's temp state dir (kept after the run) and says where. */
export function keepForDebugging(file: string, content: string): string {
    projectDir();
    const target = path.join(stateDir!, file);
    fs.writeFileSync(target, content);
    return target;
}
