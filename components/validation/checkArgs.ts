/**
 * Arguments -> the plan: every check and every default, section by section, nothing created. Each
 * section is a file of its own and reads the sections before it only through what they return:
 * credentials (planCredentials, with planKeyless), registries and grants (planRegistries), key
 * rotation (planRotation), the Secret (planSecret), namespaces (planNamespaces, labelSelector) and
 * the cluster (planCluster), or several (planClusters, each with its namespaces). Problems are
 * reported in that order.
 */
import { ConfigProblem } from "../configError";
import { GcrPullSecretsArgs } from "../gcrPullSecretsArgs";
import { Plan } from "../plan";
import { Checker, isEventual } from "./checker";
import { planCluster } from "./planCluster";
import { planClusters } from "./planClusters";
import { planCredentials } from "./planCredentials";
import { planNamespaces } from "./planNamespaces";
import { planRegistries } from "./planRegistries";
import { planRotation } from "./planRotation";
import { planSecret } from "./planSecret";
import { planVerification } from "./planVerification";

/** How the validator names fields and which values it may quote. */
export interface ValidationOptions {
    /** Prefix for every path in messages, `gcr-pull-secrets:` for stack config. Default: "" (component arguments). */
    pathPrefix?: string;
    /** The clock for scheduled rotation. Default: now. */
    now?: Date;
    /**
     * Settings whose values arrived as secrets (stack config stored with `--secret`): no message
     * quotes them or anything made from them. `jsonKey` and `kubeconfig` are always treated so.
     */
    secretSettings?: ReadonlySet<keyof GcrPullSecretsArgs>;
    /** Settings that came from elsewhere, by the full path messages should name (`project` from `gcp:project`). */
    settingPaths?: Readonly<Partial<Record<keyof GcrPullSecretsArgs, string>>>;
    /**
     * Offline validation only: settings that are set but whose encrypted values could not be read.
     * They count as set and are not checked; the plan's fields made from them are left empty, so
     * such a plan shows the shape of what would be created, never the values to create it with.
     */
    unavailableSettings?: ReadonlySet<keyof GcrPullSecretsArgs>;
}

/** The outcome of {@link checkArgs}. */
export interface ArgsCheck {
    /** The plan, when there is no problem. Frozen. */
    plan?: Plan;
    /**
     * The supplied key's JSON text, read while checking (when jsonKey is a plain string and the plan
     * exists), so that nothing parses it again. Secret: never part of the plan.
     */
    keyJson?: string;
    problems: ConfigProblem[];
}

/**
 * Checks arguments and turns them into the plan the component wires, collecting every problem
 * (`validateArgs` throws them as one ConfigError).
 * A `jsonKey` given as a plain string is read here; one given as an Output can only be read when it
 * resolves (the component does that).
 */
export function checkArgs(args: GcrPullSecretsArgs, options: ValidationOptions = {}): ArgsCheck {
    // Everything but the two secrets decides which resources exist, so it must be known before any
    // resource is declared. An Output there is refused without being read (it may hold a secret),
    // and otherwise treated as set but unreadable, so nothing else is reported about it.
    const eventual = Object.keys(args).filter(
        (name) => name !== "jsonKey" && name !== "kubeconfig" && isEventual((args as unknown as Record<string, unknown>)[name]),
    );
    const checker = new Checker({
        pathPrefix: options.pathPrefix ?? "",
        secretSettings: new Set<string>(["jsonKey", "kubeconfig", ...(options.secretSettings ?? [])]),
        settingPaths: options.settingPaths ?? {},
        unavailableSettings: new Set<string>([...(options.unavailableSettings ?? []), ...eventual]),
    });
    for (const name of eventual) {
        checker.fail(
            checker.setting(name, undefined),
            "is a pulumi Output or Promise; it must be a plain value, because it decides which resources exist before any is declared",
        );
    }

    const credentials = planCredentials(args, checker);
    const registries = planRegistries(args, checker, credentials);
    const rotation = planRotation(args, checker, credentials.sourceKind, options.now ?? new Date());
    const secret = planSecret(args, checker, credentials.sourceKind);
    const refresherNamespace = credentials.credentials?.kind === "keyless" ? credentials.credentials.keyless.namespace : undefined;
    // With clusters, each has its namespaces (the top-level ones are defaults, checked with each cluster's).
    const clusters = planClusters(args, checker, credentials.credentials?.kind === "keyless" ? credentials.credentials.keyless : undefined);
    const { namespaces, namespaceSelector } = clusters ? { namespaces: [], namespaceSelector: undefined } : planNamespaces(args, checker, refresherNamespace);
    const cluster = planCluster(args, checker);
    const verification = planVerification(args, checker, registries.registryHosts);

    if (checker.problems.length > 0) {
        return { problems: checker.problems };
    }
    if (!credentials.credentials) {
        throw new Error("internal error: no credential source and no problem reported; please report this");
    }
    const plan: Plan = {
        credentials: credentials.credentials,
        ...(credentials.project ? { project: credentials.project } : {}),
        registryHosts: [...registries.registryHosts].sort(),
        repositoryGrants: registries.repositoryGrants,
        bucketGrants: registries.bucketGrants,
        projectWideRead: registries.projectWideRead,
        ...(rotation ? { rotation } : {}),
        username: secret.username,
        secretName: secret.secretName,
        namespaces,
        ...(namespaceSelector ? { namespaceSelector } : {}),
        serviceAccountWaitSeconds: cluster.serviceAccountWaitSeconds,
        ...(cluster.kubeContext ? { kubeContext: cluster.kubeContext } : {}),
        ...(cluster.clusterIdentifier ? { clusterIdentifier: cluster.clusterIdentifier } : {}),
        verification,
        ...(clusters ? { clusters } : {}),
    };
    return { plan: deepFreeze(plan), ...(credentials.keyJson !== undefined ? { keyJson: credentials.keyJson } : {}), problems: [] };
}

function deepFreeze<T>(value: T): T {
    if (value && typeof value === "object") {
        Object.values(value).forEach(deepFreeze);
        Object.freeze(value);
    }
    return value;
}
