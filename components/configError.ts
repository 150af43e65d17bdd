import { RunError } from "@pulumi/pulumi";

/** One problem with the input: where it is and what to do. */
export interface ConfigProblem {
    path: string;
    message: string;
}

/**
 * Invalid input. `message` lists every problem, each naming its path and fix; none quotes a secret.
 * A RunError, so Pulumi prints the message alone, without a stack trace.
 */
export class ConfigError extends RunError {
    constructor(
        readonly problems: ConfigProblem[],
        source: string,
    ) {
        super(
            `Invalid ${source} (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was changed:\n` +
                problems.map((p) => `  - ${p.path} ${p.message}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}
