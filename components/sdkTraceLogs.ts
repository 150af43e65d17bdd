/**
 * The Node.js SDK sends the engine three debug messages for every resource it registers ("Registering
 * resource", "RegisterResource RPC prepared", "... finished") and more for every read and invoke, each
 * one an Engine.Log call the engine writes to its log, whatever the verbosity. At 1,000 namespaces that
 * is ~3,000 calls and ~18 % of a no-op preview (docs/performance.md). The Python SDK puts the same
 * messages behind a debugging switch (pulumi/pulumi#7295); the Node.js one does so for some (#7144).
 *
 * {@link dropSdkTraceLogs} does the same for the processes this project starts (the program and the
 * provider plugin): it drops those per-operation traces, and only them. Every other debug message, a
 * trace that carries an error, and everything at info level and above still reach the engine. Set
 * GCR_PULL_SECRETS_SDK_TRACE_LOGS=true to keep them all (to debug the SDK itself with `--debug`).
 */
import * as log from "@pulumi/pulumi/log";

/** The environment variable that keeps the SDK's traces. */
export const keepTraceLogsVariable = "GCR_PULL_SECRETS_SDK_TRACE_LOGS";

/** How the SDK's per-operation traces begin (@pulumi/pulumi runtime/resource.js and runtime/invoke.js). */
export const sdkTracePrefixes: readonly string[] = [
    "Registering resource: ",
    "RegisterResource RPC prepared: ",
    "RegisterResource RPC finished: ",
    "RegisterResourceOutputs RPC prepared: ",
    "RegisterResourceOutputs RPC finished: ",
    "Resource RPC serialization requested: ",
    "Reading resource: ",
    "ReadResource RPC prepared: ",
    "ReadResource RPC finished: ",
    "Getting resource: ",
    "getResource Invoke RPC finished: ",
    "Checking resource existence: ",
    "Invoking function: ",
    "Invoke RPC prepared: ",
    "Invoke RPC finished: ",
    "Calling function: ",
    "Call RPC prepared: ",
    "Call RPC finished: ",
];

/** Whether a debug message is one of the SDK's traces of a call that went well. Pure. */
export function isSdkTrace(message: string): boolean {
    if (!sdkTracePrefixes.some((prefix) => message.startsWith(prefix))) return false;
    // A "finished" trace names the call's error; one that failed is worth its Log call.
    const error = /\berr: ([^,;]*)/.exec(message)?.[1];
    return error === undefined || error === "null" || error === "undefined";
}

/**
 * Replaces the SDK's `log.debug` with one that drops {@link isSdkTrace} messages, unless
 * {@link keepTraceLogsVariable} is `true`. The SDK's runtime calls `log.debug` through the module
 * object, so the replacement reaches its own calls. Idempotent; returns whether the filter is on.
 */
export function dropSdkTraceLogs(env: NodeJS.ProcessEnv = process.env): boolean {
    if (env[keepTraceLogsVariable] === "true") return false;
    const module = log as { debug: typeof log.debug & { sdkTracesDropped?: true } };
    if (module.debug.sdkTracesDropped) return true;
    const debug = module.debug;
    const filtered = (message: string, ...rest: unknown[]): Promise<void> =>
        isSdkTrace(message) ? Promise.resolve() : (debug as (...args: unknown[]) => Promise<void>)(message, ...rest);
    module.debug = Object.assign(filtered, { sdkTracesDropped: true as const });
    return true;
}
