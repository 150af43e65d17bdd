// The fleet benchmark's figures and how they print: one markdown table row per run, with the ratios
// the issue asks about computed here (pure, so a unit test can check them without any cluster).

/** What one fleet benchmark run measured, in seconds unless said otherwise. */
export interface FleetRow {
    /** Namespaces per cluster. */
    n: number;
    /** Clusters in the fleet. */
    clusters: number;
    /** The manual recipe loop over every namespace of every cluster, one after the other. */
    recipe: number;
    /** The bulk apply, cluster after cluster (the sum of the per-cluster times). */
    bulk: number;
    /** A: `pulumi up` of the one stack with `clusters`. */
    aUp: number;
    /** A: the no-op `pulumi preview` right after it. */
    aPreview: number;
    /** A: `pulumi destroy`. */
    aDestroy: number;
    /** A: peak resident memory of the CLI's process tree during `up`, in MiB (NaN where not measured). */
    aPeakMiB: number;
    /** B: each single-cluster stack's `pulumi up`, all run at once. */
    bUps: number[];
    /** B: from starting the first of those ups to the end of the last. */
    bUpWall: number;
    /** B: the destroys of those stacks, run at once, wall time. */
    bDestroyWall: number;
}

/** The issue's target: one stack's `up` over the fleet within this factor of the sum of the single-cluster ups. */
export const targetRatio = 1.2;

const seconds = (x: number) => `${x.toFixed(1)} s`;
const ratio = (x: number, base: number) => `${(x / base).toFixed(2)}x`;

/** The sum of B's up times. */
export function bUpSum(row: FleetRow): number {
    return row.bUps.reduce((sum, x) => sum + x, 0);
}

/** The markdown table of `rows`, with a line per row saying whether A met the target against B's sum. */
export function fleetTable(rows: FleetRow[]): string {
    const lines = [
        "| N per cluster | clusters | recipe loop (all) | bulk apply (cluster after cluster) | A: one stack, `up` | B: stack per cluster, `up` wall | B: sum of ups | " +
            "A / B sum | A / recipe | A / bulk | A: no-op preview | A: destroy | B: destroy wall | A: peak memory (up) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ];
    for (const row of rows) {
        lines.push(
            `| ${row.n} | ${row.clusters} | ${seconds(row.recipe)} | ${seconds(row.bulk)} | ${seconds(row.aUp)} | ${seconds(row.bUpWall)} | ` +
                `${seconds(bUpSum(row))} | ${ratio(row.aUp, bUpSum(row))} | ${ratio(row.aUp, row.recipe)} | ${ratio(row.aUp, row.bulk)} | ` +
                `${seconds(row.aPreview)} | ${seconds(row.aDestroy)} | ${seconds(row.bDestroyWall)} | ` +
                `${Number.isNaN(row.aPeakMiB) ? "n/a" : `${row.aPeakMiB.toFixed(0)} MiB`} |`,
        );
    }
    for (const row of rows) {
        const r = row.aUp / bUpSum(row);
        lines.push(
            `N=${row.n}: A / B sum = ${r.toFixed(2)}, ${r <= targetRatio ? "within" : "outside"} the ${targetRatio}x target; ` +
                `B's ups ${row.bUps.map(seconds).join(", ")}`,
        );
    }
    return lines.join("\n");
}

/** The line above the table: where the figures come from. */
export function fleetHeader(machine: { cores: number; memoryBytes: number }, clusters: number): string {
    return (
        `gcr-pull-secrets (this checkout); ${machine.cores} cores, ${(machine.memoryBytes / 2 ** 30).toFixed(0)} GiB; ` +
        `${clusters} local control planes on this machine; file backend`
    );
}
