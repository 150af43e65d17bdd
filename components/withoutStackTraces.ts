/**
 * Runs `work` with V8 recording no stack frames for new Errors, and any stack an Error formats while
 * it runs reduced to its first line (`Error: message`).
 *
 * Why, measured (docs/performance.md):
 * - The SDK records a formatted stack with every promise it makes (for its report of leaked
 *   promises), and under ts-node each one maps every frame through source maps: a third of the
 *   program's CPU time at 300 namespaces.
 * - The SDK also takes a creation stack trace for every resource (raising the frame limit itself),
 *   and the engine keeps it and its source position in the state, which it rewrites whole after
 *   every step. For the component's children those frames point into the component, never into the
 *   user's program, so they are dropped: about 250 bytes per namespace, times two writes per step.
 *
 * Errors thrown while it runs keep their messages. Both settings are restored afterwards, also when
 * `work` throws.
 */
export function withoutStackTraces<T>(work: () => T): T {
    const limit = Error.stackTraceLimit;
    const prepare = Error.prepareStackTrace;
    Error.stackTraceLimit = 0;
    Error.prepareStackTrace = (error: unknown) => firstLine(error);
    try {
        return work();
    } finally {
        Error.stackTraceLimit = limit;
        Error.prepareStackTrace = prepare;
    }
}

/** What V8 puts on a stack's first line: `Name: message`, or the name alone. */
function firstLine(error: unknown): string {
    if (!(error instanceof Error)) return "Error";
    return error.message ? `${error.name}: ${error.message}` : error.name;
}
