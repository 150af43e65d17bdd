// Local control plane from the command line; see dev/cluster/README.md.
//   node -r ts-node/register/transpile-only dev/cluster/cli.ts run -- <cmd> [args...]
//   node -r ts-node/register/transpile-only dev/cluster/cli.ts start --dir DIR
//   node -r ts-node/register/transpile-only dev/cluster/cli.ts stop --dir DIR
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startControlPlane, type ControlPlane } from "./controlPlane";

const usage = `usage:
  cli.ts run -- <cmd> [args...]   start a control plane, run <cmd> with KUBECONFIG set, stop, exit with <cmd>'s code
  cli.ts start --dir DIR          start one in the background; writes DIR/kubeconfig, DIR/cluster.pid, DIR/cluster.log
  cli.ts stop --dir DIR           stop the one started with --dir DIR`;

/** Files of a background control plane inside its --dir. */
const backgroundFiles = (dir: string) => ({
    pid: path.join(dir, "cluster.pid"),
    log: path.join(dir, "cluster.log"),
    /** Written once the control plane is ready; `start` waits for it. */
    ready: path.join(dir, "cluster.json"),
    kubeconfig: path.join(dir, "kubeconfig"),
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function say(line: string): void {
    process.stderr.write(`[cluster] ${line}\n`);
}

function fail(message: string): never {
    say(`error: ${message}`);
    process.exit(1);
}

function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
    // A finished process whose parent has not reaped it yet (the supervisor's parent is init) still
    // answers signal 0: it is a zombie, state Z in /proc/<pid>/stat.
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
    } catch {
        return true;
    }
}

/** The pid in DIR/cluster.pid if that process is still our `serve` (pids get reused). */
function runningSupervisor(dir: string): number | undefined {
    const files = backgroundFiles(dir);
    if (!fs.existsSync(files.pid)) return undefined;
    const pid = Number(fs.readFileSync(files.pid, "utf8").trim());
    if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
    try {
        const commandLine = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
        if (!commandLine.includes("serve")) return undefined;
    } catch {
        // No /proc: trust the pid file.
    }
    return pid;
}

function dirOption(args: string[]): string {
    const index = args.indexOf("--dir");
    const dir = index >= 0 ? args[index + 1] : undefined;
    if (!dir) fail(`--dir DIR is required\n${usage}`);
    return path.resolve(dir);
}

/** Arguments that start this same script again under Node, with ts-node when running from source. */
function selfCommand(): string[] {
    const nodeArgs = [...process.execArgv];
    if (__filename.endsWith(".ts") && !nodeArgs.some((arg) => arg.includes("ts-node"))) {
        nodeArgs.push("-r", require.resolve("ts-node/register/transpile-only"));
    }
    return [...nodeArgs, __filename];
}

async function run(command: string[]): Promise<number> {
    if (command.length === 0) fail(`run needs a command after --\n${usage}`);
    // Until the command runs, Ctrl-C exits at once; exitCleanup kills what already started.
    const exitOnSignal = (signal: NodeJS.Signals) => process.exit(signal === "SIGINT" ? 130 : 143);
    process.on("SIGINT", exitOnSignal);
    process.on("SIGTERM", exitOnSignal);
    const controlPlane = await startControlPlane({ handleSignals: false });
    const kept = process.env.KEEP_CONTROL_PLANE_DIR === "1";
    say(`logs: ${controlPlane.dir}/<component>/<component>.log` + (kept ? " (kept after stop)" : " (removed after stop; KEEP_CONTROL_PLANE_DIR=1 keeps them)"));

    const child = spawn(command[0], command.slice(1), {
        stdio: "inherit",
        env: { ...process.env, KUBECONFIG: controlPlane.kubeconfigPath },
    });
    process.removeListener("SIGINT", exitOnSignal);
    process.removeListener("SIGTERM", exitOnSignal);
    // The terminal already sends Ctrl-C to the command (same process group); wait for it to finish
    // and then stop the control plane. SIGTERM is passed on.
    process.on("SIGINT", () => undefined);
    process.on("SIGTERM", () => child.kill("SIGTERM"));
    const exitCode = await new Promise<number>((resolve) => {
        child.once("error", (error) => {
            say(`cannot run ${command[0]}: ${error.message}`);
            resolve(127);
        });
        child.once("exit", (code, signal) => resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
    });
    const stopStarted = Date.now();
    try {
        await controlPlane.stop();
        say(`control plane stopped in ${Date.now() - stopStarted} ms`);
    } catch (error) {
        say(`stopping the control plane failed: ${(error as Error).message}`);
        return exitCode === 0 ? 1 : exitCode;
    }
    return exitCode;
}

async function startInBackground(dir: string): Promise<number> {
    const files = backgroundFiles(dir);
    const running = runningSupervisor(dir);
    if (running) fail(`a control plane is already running in ${dir} (pid ${running}); stop it with: cli.ts stop --dir ${dir}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.rmSync(files.ready, { force: true });
    fs.rmSync(files.pid, { force: true });
    const logFd = fs.openSync(files.log, "w");
    const supervisor = spawn(process.execPath, [...selfCommand(), "serve", "--dir", dir], {
        detached: true,
        stdio: ["ignore", logFd, logFd],
    });
    fs.closeSync(logFd);
    supervisor.unref();
    let exited = false;
    supervisor.once("exit", () => (exited = true));
    const deadline = Date.now() + 120_000;
    while (!fs.existsSync(files.ready)) {
        if (exited || Date.now() > deadline) {
            const log = fs.readFileSync(files.log, "utf8").trimEnd().split("\n").slice(-30).join("\n");
            if (!exited && supervisor.pid) process.kill(-supervisor.pid, "SIGTERM");
            fail(`the control plane did not start (${exited ? "it exited" : "timed out after 120 s"}); ${files.log}:\n${log}`);
        }
        await sleep(100);
    }
    say(`control plane running (pid ${supervisor.pid}); logs: ${dir}/cluster.log and ${dir}/<component>/<component>.log`);
    say(`stop it with: node -r ts-node/register/transpile-only dev/cluster/cli.ts stop --dir ${dir}`);
    process.stdout.write(`export KUBECONFIG=${files.kubeconfig}\n`);
    return 0;
}

/** The background process behind `start`: owns the control plane until SIGTERM. */
async function serve(dir: string): Promise<number> {
    const files = backgroundFiles(dir);
    fs.writeFileSync(files.pid, `${process.pid}\n`);
    let stopRequested = false;
    const requestStop = () => {
        stopRequested = true;
    };
    process.on("SIGTERM", requestStop);
    process.on("SIGINT", requestStop);
    let controlPlane: ControlPlane;
    try {
        controlPlane = await startControlPlane({ dir, handleSignals: false });
    } catch (error) {
        fs.rmSync(files.pid, { force: true });
        throw error;
    }
    fs.writeFileSync(
        files.ready,
        JSON.stringify({ pid: process.pid, serverUrl: controlPlane.serverUrl, kubeconfig: controlPlane.kubeconfigPath }, null, 2) + "\n",
    );
    while (!stopRequested) await sleep(200);
    say("stopping");
    fs.rmSync(files.ready, { force: true });
    try {
        await controlPlane.stop();
        say("stopped");
        return 0;
    } catch (error) {
        say(`stop failed: ${(error as Error).message}`);
        return 1;
    } finally {
        fs.rmSync(files.pid, { force: true });
    }
}

async function stopBackground(dir: string): Promise<number> {
    const pid = runningSupervisor(dir);
    if (!pid) {
        say(`no control plane running in ${dir}`);
        return 0;
    }
    const stopStarted = Date.now();
    process.kill(pid, "SIGTERM");
    const deadline = Date.now() + 60_000;
    while (isAlive(pid)) {
        if (Date.now() > deadline) {
            // The supervisor hung: kill it and every component group from the pid files it left.
            process.kill(pid, "SIGKILL");
            for (const component of ["kube-controller-manager", "kube-apiserver", "etcd"]) {
                const pidFile = path.join(dir, component, `${component}.pid`);
                if (!fs.existsSync(pidFile)) continue;
                try {
                    process.kill(-Number(fs.readFileSync(pidFile, "utf8").trim()), "SIGKILL");
                } catch {
                    // Already gone.
                }
            }
            fail(`pid ${pid} did not stop within 60 s; sent SIGKILL to it and its components; see ${dir}/cluster.log`);
        }
        await sleep(100);
    }
    say(`stopped in ${Date.now() - stopStarted} ms; logs kept in ${dir}`);
    return 0;
}

async function main(argv: string[]): Promise<number> {
    const [command, ...rest] = argv;
    switch (command) {
        case "run": {
            const separator = rest.indexOf("--");
            return run(separator >= 0 ? rest.slice(separator + 1) : rest);
        }
        case "start":
            return startInBackground(dirOption(rest));
        case "serve":
            return serve(dirOption(rest));
        case "stop":
            return stopBackground(dirOption(rest));
        default:
            process.stderr.write(`${usage}\n`);
            return command === "--help" || command === "-h" ? 0 : 2;
    }
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => fail(error.message),
);
