/**
 * The per-cluster results of a fleet run and the table that shows them: plain text for a terminal,
 * Markdown for `$GITHUB_STEP_SUMMARY`. The CI workflow's summary job renders the result files its
 * jobs uploaded with the same function the local run prints with.
 */
import { Fleet } from "./fleetFile";

/** What happened to one stack. */
export interface StackResult {
    cluster: string;
    stack: string;
    operation: "preview" | "up";
    result: "succeeded" | "failed";
    /** Resources by operation, without `same` and zeros (`{ create: 2 }`); absent when unknown (a failed run). */
    changes?: Record<string, number>;
    durationSeconds: number;
    /** The first error line the CLI printed (Pulumi masks secrets there), when it failed. */
    error?: string;
    /** Where the stack's whole output is. */
    log?: string;
}

/** A cluster of the fleet that has no result: its job never got as far as writing one. */
const missing = (cluster: string, stack: string): StackResult => ({
    cluster,
    stack,
    operation: "up",
    result: "failed",
    durationSeconds: 0,
    error: "no result: the job failed before the stack ran (see its log)",
});

/** One row per cluster of the fleet (in its order), a missing result counted as failed. */
export function resultsForFleet(fleet: Fleet, results: readonly StackResult[]): StackResult[] {
    return fleet.clusters.map((c) => results.find((r) => r.cluster === c.name) ?? missing(c.name, c.stack));
}

/** A run failed when any stack failed. */
export function anyFailed(results: readonly StackResult[]): boolean {
    return results.some((r) => r.result !== "succeeded");
}

/** `create 2, update 1`, `no changes`, or `unknown` when the run did not get to count. */
export function describeChanges(changes: Record<string, number> | undefined): string {
    if (changes === undefined) return "unknown";
    const parts = Object.entries(changes)
        .filter(([op, n]) => op !== "same" && n > 0)
        .map(([op, n]) => `${op} ${n}`);
    return parts.length === 0 ? "no changes" : parts.join(", ");
}

/** `42s`, `3m 05s`. */
export function describeDuration(seconds: number): string {
    const whole = Math.round(seconds);
    return whole < 60 ? `${whole}s` : `${Math.floor(whole / 60)}m ${String(whole % 60).padStart(2, "0")}s`;
}

const headers = ["Cluster", "Stack", "Result", "Changes", "Duration"];

function row(r: StackResult): string[] {
    const outcome = r.result === "succeeded" ? "succeeded" : `failed${r.error ? `: ${r.error}` : ""}`;
    return [r.cluster, r.stack, outcome, describeChanges(r.changes), describeDuration(r.durationSeconds)];
}

function counts(results: readonly StackResult[]): string {
    const failed = results.filter((r) => r.result !== "succeeded").length;
    const operations = [...new Set(results.map((r) => r.operation))].join("/");
    return `${operations}: ${results.length - failed} of ${results.length} stack${results.length === 1 ? "" : "s"} succeeded${failed > 0 ? `, ${failed} failed` : ""}`;
}

/** Markdown for `$GITHUB_STEP_SUMMARY`: a heading line, then the table. */
export function markdownSummary(results: readonly StackResult[]): string {
    // A `|` in a cell would end it; a newline would end the row.
    const cell = (s: string) =>
        s
            .replace(/\\/g, "\\\\")
            .replace(/\|/g, "\\|")
            .replace(/[\r\n]+/g, " ");
    const lines = [`### Fleet ${counts(results)}`, "", `| ${headers.join(" | ")} |`, `| ${headers.map(() => "---").join(" | ")} |`];
    for (const r of results) {
        const cells = row(r).map(cell);
        cells[2] = r.result === "succeeded" ? `✅ ${cells[2]}` : `❌ ${cells[2]}`;
        lines.push(`| ${cells.join(" | ")} |`);
    }
    return `${lines.join("\n")}\n`;
}

/** The same table for a terminal: aligned columns, then the count. */
export function textSummary(results: readonly StackResult[]): string {
    const rows = [headers, ...results.map(row)];
    const widths = headers.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    const lines = rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  "));
    lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
    return `${lines.join("\n")}\n${counts(results)}\n`;
}

/** Reads a result file's JSON, refusing anything that is not a {@link StackResult}. */
export function parseResult(json: string, file: string): StackResult {
    const r = JSON.parse(json) as Partial<StackResult>;
    const ok =
        typeof r.cluster === "string" &&
        typeof r.stack === "string" &&
        (r.operation === "preview" || r.operation === "up") &&
        (r.result === "succeeded" || r.result === "failed") &&
        typeof r.durationSeconds === "number";
    if (!ok)
        throw new Error(
            `${file} is not a fleet result file (cluster, stack, operation, result, durationSeconds); was it written by \`npm run fleet -- up --result-dir\`?`,
        );
    return r as StackResult;
}
