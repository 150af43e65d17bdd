/**
 * Last-resort cleanup when the Node process ends without calling stop(): an uncaught error, an
 * early process.exit, or Ctrl-C in a test run. Cleanups must be synchronous (SIGKILL the process
 * groups, remove the temp dir), because 'exit' handlers cannot wait.
 */
const cleanups = new Set<() => void>();
let installed = false;
let signalsHandled = false;

function runCleanups(): void {
    for (const cleanup of [...cleanups].reverse()) {
        try {
            cleanup();
        } catch {
            // Best effort: one failing cleanup must not stop the others.
        }
    }
    cleanups.clear();
}

function onSignal(signal: NodeJS.Signals): void {
    runCleanups();
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    // Someone else (mocha, the cli) decides how to exit; otherwise behave like the default handler.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/**
 * Registers `cleanup` to run on process 'exit' and, when `handleSignals` is true, on SIGINT/SIGTERM.
 * Returns a function that unregisters it (call it after a normal stop()).
 */
export function registerExitCleanup(cleanup: () => void, handleSignals: boolean): () => void {
    if (!installed) {
        installed = true;
        process.on("exit", runCleanups);
    }
    if (handleSignals && !signalsHandled) {
        signalsHandled = true;
        process.on("SIGINT", onSignal);
        process.on("SIGTERM", onSignal);
    }
    cleanups.add(cleanup);
    return () => {
        cleanups.delete(cleanup);
    };
}
