/**
 * The fleet file (`fleet.yaml`): one stack of this program per cluster, and how each is reached.
 * `checkFleet` turns its parsed YAML into a frozen {@link Fleet} or a list of problems, each naming
 * the field and the fix. It never quotes a value: a kubeconfig pasted where a path belongs must not
 * end up in a CI log. Format and examples: docs/fleets.md.
 */
import * as yaml from "js-yaml";
import { ConfigProblem } from "../../components/configError";
import { closest } from "../../components/validation/closest";

/** How a CI job gets credentials for a GKE cluster (google-github-actions/get-gke-credentials). */
export interface GkeCluster {
    /** The cluster's name. */
    cluster: string;
    /** Its region or zone. */
    location: string;
    /** Its Google project. Default: the project of the job's Google credentials. */
    project?: string;
}

/** One cluster of the fleet and its stack. */
export interface FleetCluster {
    /** The cluster's name in the fleet file: the key of the job, the log and the summary row. */
    name: string;
    /** The stack (`stack`, else the cluster's name); `org/stack` and `org/project/stack` are passed on as they are. */
    stack: string;
    /** A stack file in place of `Pulumi.<stack>.yaml`, relative to the project (`--config-file`). */
    stackFile?: string;
    /** The GitHub environment of the cluster's CI job. Default: the stack's own name (its last part). */
    environment: string;
    /** CI credentials for a GKE cluster; absent when the stack's `kubeconfig` setting names the cluster. */
    gke?: GkeCluster;
    /** Local runs: the kubeconfig file the stack's CLI gets as `KUBECONFIG`, relative to the fleet file. Default: yours. */
    kubeconfig?: string;
}

/** A checked fleet file. */
export interface Fleet {
    /** Stacks run at once, locally and in CI (`max-parallel`). */
    parallel: number;
    /** The Pulumi project's folder, relative to the fleet file. */
    project: string;
    /** The clusters, in the file's order. */
    clusters: readonly FleetCluster[];
}

/** Stacks run at once when the fleet file does not say. */
export const defaultParallel = 4;
/** GitHub runs at most 256 jobs of one matrix. */
export const maxClusters = 256;

const topFields = ["parallel", "project", "clusters"] as const;
const clusterFields = ["stack", "stackFile", "environment", "gke", "kubeconfig"] as const;
const gkeFields = ["cluster", "location", "project"] as const;

// Pulumi's rule for a stack's own name (sdk/go/common/tokens ValidateStackName): at most 100 of these.
const stackNamePart = /^[A-Za-z0-9_.-]{1,100}$/;
// A cluster name becomes a job name, an artifact name and a log file name: nothing that needs quoting.
const clusterNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** The outcome of {@link checkFleet}. */
export interface FleetCheck {
    fleet?: Fleet;
    problems: ConfigProblem[];
}

function isMap(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

function describe(value: unknown): string {
    if (value === null || value === undefined) return "empty";
    if (Array.isArray(value)) return "a list";
    return typeof value === "object" ? "a mapping" : `a ${typeof value}`;
}

/** Refuses fields that are not in `known`, with the closest known one when it is near. */
function unknownFields(map: Record<string, unknown>, known: readonly string[], at: string, problems: ConfigProblem[]): void {
    for (const key of Object.keys(map)) {
        if (known.includes(key)) continue;
        const near = closest(key, known);
        problems.push({
            path: `${at}${key}`,
            message: `is not a field of ${at ? at.slice(0, -1) : "the fleet file"}${near ? `; did you mean ${near}?` : ""} Remove it${near ? ` or rename it` : ""} (known: ${known.join(", ")})`,
        });
    }
}

/** Why `stack` is not a stack name Pulumi accepts, or undefined when it is one. */
export function stackNameProblem(stack: string): string | undefined {
    const parts = stack.split("/");
    if (parts.length > 3) return "has more than three parts; use <stack>, <org>/<stack> or <org>/<project>/<stack>";
    const bad = parts.find((part) => !stackNamePart.test(part));
    if (bad === undefined) return undefined;
    if (bad.length === 0) return "has an empty part; use <stack>, <org>/<stack> or <org>/<project>/<stack>";
    if (bad.length > 100) return "is longer than 100 characters, which Pulumi refuses; shorten it";
    return "holds a character Pulumi refuses in a stack name; use letters, digits, -, _ and . only";
}

/** A text field that must be a non-empty single line; its value is never quoted. */
function text(value: unknown, path: string, problems: ConfigProblem[]): string | undefined {
    if (typeof value !== "string" || value.trim() === "") {
        problems.push({ path, message: `must be non-empty text, not ${typeof value === "string" ? "empty" : describe(value)}` });
        return undefined;
    }
    if (/[\r\n]/.test(value)) {
        problems.push({ path, message: "must be one line (its value is not shown); fix or remove it" });
        return undefined;
    }
    return value;
}

function checkGke(value: unknown, at: string, problems: ConfigProblem[]): GkeCluster | undefined {
    if (!isMap(value)) {
        problems.push({ path: at, message: `must be a mapping {cluster, location, project}, not ${describe(value)}` });
        return undefined;
    }
    unknownFields(value, gkeFields, `${at}.`, problems);
    const before = problems.length;
    for (const required of ["cluster", "location"] as const) {
        if (value[required] === undefined) problems.push({ path: `${at}.${required}`, message: `is missing; name the GKE cluster's ${required}` });
    }
    const cluster = value.cluster === undefined ? undefined : text(value.cluster, `${at}.cluster`, problems);
    const location = value.location === undefined ? undefined : text(value.location, `${at}.location`, problems);
    const project = value.project === undefined ? undefined : text(value.project, `${at}.project`, problems);
    if (problems.length > before || !cluster || !location) return undefined;
    return { cluster, location, ...(project ? { project } : {}) };
}

function checkCluster(name: string, value: unknown, problems: ConfigProblem[]): FleetCluster | undefined {
    const at = `clusters.${name}`;
    const before = problems.length;
    if (!clusterNamePattern.test(name)) {
        problems.push({
            path: at,
            message:
                "is not a usable cluster name: it names a CI job, an artifact and a log file, so use letters, digits, -, _ and . (at most 63, starting with a letter or digit)",
        });
    }
    if (value !== null && value !== undefined && !isMap(value)) {
        problems.push({
            path: at,
            message: `must be a mapping of the cluster's fields (${clusterFields.join(", ")}), or empty for all defaults; not ${describe(value)}`,
        });
        return undefined;
    }
    const fields = value ?? {};
    unknownFields(fields, clusterFields, `${at}.`, problems);
    let stack = name;
    if (fields.stack !== undefined) stack = text(fields.stack, `${at}.stack`, problems) ?? name;
    // A stack named after its cluster needs no check of its own: a valid cluster name is a valid stack name.
    const stackProblem = fields.stack === undefined ? undefined : stackNameProblem(stack);
    if (stackProblem) problems.push({ path: `${at}.stack`, message: stackProblem });
    const stackFile = fields.stackFile === undefined ? undefined : text(fields.stackFile, `${at}.stackFile`, problems);
    if (stackFile !== undefined && !/\.ya?ml$/.test(stackFile)) {
        problems.push({ path: `${at}.stackFile`, message: "must be a YAML stack file (ending in .yaml or .yml), relative to the project" });
    }
    const environment = fields.environment === undefined ? stack.split("/").pop()! : text(fields.environment, `${at}.environment`, problems);
    const gke = fields.gke === undefined ? undefined : checkGke(fields.gke, `${at}.gke`, problems);
    let kubeconfig: string | undefined;
    if (fields.kubeconfig !== undefined) {
        if (typeof fields.kubeconfig === "string" && /[\r\n]|apiVersion|certificate-authority-data|client-key-data|token:/.test(fields.kubeconfig)) {
            // Never repeated: it may be a whole kubeconfig with its credentials.
            problems.push({
                path: `${at}.kubeconfig`,
                message:
                    "looks like a kubeconfig's content (not shown), not the path of a kubeconfig file; the fleet file is not encrypted: " +
                    "give a path here, or put the content in the stack, encrypted (`pulumi config set --secret gcr-pull-secrets:kubeconfig < kubeconfig.yaml`), and rotate the credentials it held",
            });
        } else {
            kubeconfig = text(fields.kubeconfig, `${at}.kubeconfig`, problems);
        }
    }
    if (problems.length > before || environment === undefined) return undefined;
    return {
        name,
        stack,
        environment,
        ...(stackFile ? { stackFile } : {}),
        ...(gke ? { gke } : {}),
        ...(kubeconfig ? { kubeconfig } : {}),
    };
}

/** Checks a parsed fleet file: every problem at once, none quoting a value. */
export function checkFleet(doc: unknown): FleetCheck {
    const problems: ConfigProblem[] = [];
    if (!isMap(doc)) {
        return { problems: [{ path: "(the file)", message: `must be a mapping with clusters: (and optionally parallel:, project:), not ${describe(doc)}` }] };
    }
    unknownFields(doc, topFields, "", problems);
    let parallel = defaultParallel;
    if (doc.parallel !== undefined) {
        if (typeof doc.parallel !== "number" || !Number.isInteger(doc.parallel) || doc.parallel < 1 || doc.parallel > 256) {
            problems.push({ path: "parallel", message: `must be a whole number from 1 to 256 (stacks run at once); default ${defaultParallel}` });
        } else {
            parallel = doc.parallel;
        }
    }
    const project = doc.project === undefined ? "." : (text(doc.project, "project", problems) ?? ".");
    const clusters: FleetCluster[] = [];
    if (!isMap(doc.clusters) || Object.keys(doc.clusters).length === 0) {
        problems.push({
            path: "clusters",
            message: `must map each cluster's name to its settings (at least one), not ${doc.clusters === undefined ? "missing" : describe(doc.clusters)}; for example clusters: {europe-west1: {stack: prod-europe-west1}}`,
        });
    } else {
        const entries = Object.entries(doc.clusters);
        if (entries.length > maxClusters) {
            problems.push({
                path: "clusters",
                message: `lists ${entries.length} clusters; a GitHub Actions matrix runs at most ${maxClusters} jobs: split the fleet into several files`,
            });
        }
        const stackOwner = new Map<string, string>();
        for (const [name, value] of entries) {
            const cluster = checkCluster(name, value, problems);
            if (!cluster) continue;
            // Pulumi compares stack names case-insensitively in some backends; two clusters in one stack would undo each other.
            const key = cluster.stack.toLowerCase();
            const first = stackOwner.get(key);
            if (first !== undefined) {
                problems.push({
                    path: `clusters.${name}.stack`,
                    message: `is also the stack of clusters.${first}; each cluster needs a stack of its own (one stack holds one cluster's state): name another stack`,
                });
                continue;
            }
            stackOwner.set(key, name);
            clusters.push(cluster);
        }
    }
    if (problems.length > 0) return { problems };
    return { fleet: Object.freeze({ parallel, project, clusters: Object.freeze(clusters.map((c) => Object.freeze(c))) }), problems };
}

/** Parses a fleet file's text and checks it; YAML errors give a position and reason, never a snippet. */
export function parseFleet(text: string, file = "fleet.yaml"): FleetCheck {
    let doc: unknown;
    try {
        // js-yaml refuses a key given twice ("duplicated mapping key"), which is what we want.
        doc = yaml.load(text, { schema: yaml.CORE_SCHEMA });
    } catch (error) {
        // js-yaml's message includes a snippet of the file; only the reason and position are kept.
        const e = error as { reason?: string; mark?: { line: number; column: number } };
        const where = e.mark ? ` (line ${e.mark.line + 1}, column ${e.mark.column + 1})` : "";
        const reason = e.reason === "duplicated mapping key" ? "a key is given twice; keep one" : (e.reason ?? "unreadable");
        return { problems: [{ path: file, message: `is not valid YAML${where}: ${reason}` }] };
    }
    return checkFleet(doc);
}

/** The clusters named by `--only` (a comma-separated list), or problems naming the unknown ones. */
export function selectClusters(fleet: Fleet, only: string | undefined): { clusters: FleetCluster[]; problems: ConfigProblem[] } {
    if (only === undefined) return { clusters: [...fleet.clusters], problems: [] };
    const names = only
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    const known = fleet.clusters.map((c) => c.name);
    const problems = names
        .filter((n) => !known.includes(n))
        .map((n) => {
            const near = closest(n, known);
            return {
                path: `--only ${n}`,
                message: `is not a cluster of the fleet file${near ? `; did you mean ${near}?` : ""} (clusters: ${known.join(", ")})`,
            };
        });
    if (names.length === 0) problems.push({ path: "--only", message: `is empty; name one or more clusters, comma-separated (clusters: ${known.join(", ")})` });
    return { clusters: fleet.clusters.filter((c) => names.includes(c.name)), problems };
}
