/**
 * The GitHub Actions matrix of a fleet: one job per cluster. Every entry has every key (empty text
 * when unset), so a workflow can test `matrix.gkeCluster != ''` without a missing-key special case.
 */
import { Fleet } from "./fleetFile";

/** One job of the fleet workflow. */
export interface MatrixEntry {
    cluster: string;
    stack: string;
    /** `--config-file` for the stack, or "" for `Pulumi.<stack>.yaml`. */
    stackFile: string;
    environment: string;
    gkeCluster: string;
    gkeLocation: string;
    gkeProject: string;
}

/** `strategy.matrix` of the fleet workflow: `{ include: [...] }`, in the fleet file's order. */
export function fleetMatrix(fleet: Fleet): { include: MatrixEntry[] } {
    return {
        include: fleet.clusters.map((c) => ({
            cluster: c.name,
            stack: c.stack,
            stackFile: c.stackFile ?? "",
            environment: c.environment,
            gkeCluster: c.gke?.cluster ?? "",
            gkeLocation: c.gke?.location ?? "",
            gkeProject: c.gke?.project ?? "",
        })),
    };
}

/** The lines a first job appends to `$GITHUB_OUTPUT`: the matrix (one line of JSON) and `max-parallel`. */
export function githubOutputs(fleet: Fleet): string {
    return `matrix=${JSON.stringify(fleetMatrix(fleet))}\nparallel=${fleet.parallel}\n`;
}
