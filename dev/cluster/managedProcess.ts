import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** How a process ended. */
export interface ProcessExit {
    code: number | null;
    signal: NodeJS.Signals | null;
}

/** What to run and where its files go. */
export interface ManagedProcessSpec {
    /** Component name, used in messages and file names (`<dir>/<name>.log`, `<dir>/<name>.pid`). */
    name: string;
    binary: string;
    args: string[];
    /** The component's own folder; created if missing. */
    dir: string;
    env?: NodeJS.ProcessEnv;
}

const pollIntervalMs = 100;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One external process in its own process group, with a log file and a pid file in its folder
 * (kwok's layout), readiness polling that races early exit (envtest's `process` package), and a
 * SIGTERM-then-SIGKILL stop.
 */
export class ManagedProcess {
    readonly name: string;
    readonly logPath: string;
    readonly pidPath: string;
    readonly pid: number;
    private readonly child: ChildProcess;
    private exit: ProcessExit | undefined;
    private readonly exited: Promise<ProcessExit>;

    private constructor(spec: ManagedProcessSpec) {
        this.name = spec.name;
        fs.mkdirSync(spec.dir, { recursive: true });
        this.logPath = path.join(spec.dir, `${spec.name}.log`);
        this.pidPath = path.join(spec.dir, `${spec.name}.pid`);
        const logFd = fs.openSync(this.logPath, "a");
        try {
            fs.writeSync(logFd, `# ${new Date().toISOString()} ${spec.binary} ${spec.args.join(" ")}\n`);
            // detached: setsid(), so the process leads its own group and a terminal's Ctrl-C does not
            // reach it before we decide to stop it; stop() signals the whole group.
            this.child = spawn(spec.binary, spec.args, {
                cwd: spec.dir,
                detached: true,
                env: spec.env ?? process.env,
                stdio: ["ignore", logFd, logFd],
            });
        } finally {
            fs.closeSync(logFd);
        }
        this.exited = new Promise<ProcessExit>((resolve) => {
            this.child.once("error", (error) => {
                fs.appendFileSync(this.logPath, `# failed to start: ${error.message}\n`);
                this.exit = { code: -1, signal: null };
                resolve(this.exit);
            });
            this.child.once("exit", (code, signal) => {
                this.exit = { code, signal };
                resolve(this.exit);
            });
        });
        // Do not hold the event loop open: a forgotten stop() ends in exitCleanup's SIGKILL instead of a hang.
        this.child.unref();
        this.pid = this.child.pid ?? -1;
        if (this.pid > 0) fs.writeFileSync(this.pidPath, `${this.pid}\n`);
    }

    /** Starts `spec.binary`; never throws for a missing binary (that shows as an early exit). */
    static start(spec: ManagedProcessSpec): ManagedProcess {
        return new ManagedProcess(spec);
    }

    get hasExited(): boolean {
        return this.exit !== undefined;
    }

    /** The last `lines` lines of the log file, for error messages. */
    tailLog(lines = 20): string {
        try {
            return fs.readFileSync(this.logPath, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
        } catch {
            return "(no log)";
        }
    }

    private describeExit(exit: ProcessExit): string {
        return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    }

    /**
     * Polls `isReady` every 100 ms until it returns true. Fails when the process exits first (with the
     * end of its log) or when `deadline` (epoch ms) passes.
     */
    async waitUntil(what: string, isReady: () => Promise<boolean>, deadline: number): Promise<void> {
        for (;;) {
            if (this.exit) {
                throw new Error(`${this.name} ${this.describeExit(this.exit)} before ${what}; last lines of ${this.logPath}:\n${this.tailLog()}`);
            }
            let lastError = "";
            try {
                if (await isReady()) return;
            } catch (error) {
                lastError = (error as Error).message;
            }
            if (Date.now() >= deadline) {
                throw new Error(
                    `timed out waiting for ${what} (${this.name}, pid ${this.pid})` +
                        (lastError ? `; last check failed with: ${lastError}` : "") +
                        `; last lines of ${this.logPath}:\n${this.tailLog()}`,
                );
            }
            await Promise.race([sleep(pollIntervalMs), this.exited]);
        }
    }

    private signalGroup(signal: NodeJS.Signals): void {
        if (this.pid <= 0 || this.exit) return;
        try {
            process.kill(-this.pid, signal);
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
        }
    }

    /** SIGTERM to the process group, SIGKILL after `timeoutMs`; resolves once the process is gone. */
    async stop(timeoutMs: number): Promise<ProcessExit> {
        if (this.exit) return this.exit;
        this.signalGroup("SIGTERM");
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<"timeout">((resolve) => {
            timer = setTimeout(() => resolve("timeout"), timeoutMs);
        });
        const result = await Promise.race([this.exited, timedOut]);
        clearTimeout(timer);
        if (result !== "timeout") return result;
        this.signalGroup("SIGKILL");
        // The child handle is unref'ed: keep a timer alive so Node waits for the exit event.
        const killed = await Promise.race([this.exited, sleep(5_000).then(() => undefined)]);
        throw new Error(
            `${this.name} (pid ${this.pid}) ignored SIGTERM for ${timeoutMs} ms and was sent SIGKILL` +
                (killed ? ` (${this.describeExit(killed)})` : " (still not gone 5 s later)"),
        );
    }

    /** Synchronous SIGKILL of the group, for process 'exit' handlers. */
    killNow(): void {
        this.signalGroup("SIGKILL");
    }
}

/** Command-line flags as a Kubernetes component takes them: `--flag=value`. */
export function componentArgs(flags: Record<string, string | number | boolean>): string[] {
    return Object.entries(flags).map(([flag, value]) => `--${flag}=${value}`);
}
