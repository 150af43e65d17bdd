import { RunError } from "@pulumi/pulumi";
import { usernameModes, UsernameMode } from "./dockerConfig";
import { ArtifactRegistryRepositoryArgs, GcrPullSecretsArgs, NamespaceArgs } from "./gcrPullSecretsArgs";
import { readJsonKey } from "./jsonKey";
import { hostForRepository, isArtifactRegistryLocation, registryHostProblem } from "./registryHosts";
import { rotationWindow } from "./rotation";

/** Namespaces that hold cluster machinery; writing pull secrets there needs an explicit opt-in. */
export const systemNamespaces: readonly string[] = ["kube-system", "kube-public", "kube-node-lease"];

/** Where the Google credentials come from. */
export type CredentialPlan =
    | { kind: "createServiceAccount"; accountId: string; displayName: string; description: string }
    | { kind: "existingServiceAccount"; email: string }
    | { kind: "jsonKey" };

/** One namespace as the component will wire it. */
export interface NamespacePlan {
    name: string;
    create: boolean;
    adopt: boolean;
    /** ServiceAccounts to patch, `default` first, each once. */
    serviceAccounts: string[];
}

/** One Artifact Registry grant. */
export interface RepositoryGrantPlan {
    location: string;
    repository: string;
    project?: string;
}

/** Key rotation for keys this program creates. */
export interface RotationPlan {
    /** 0 when there is no scheduled rotation. */
    days: number;
    /** Index of the current rotation period; a new index replaces the key. */
    window: string;
    trigger: string;
}

/** Everything the component will create, decided from validated arguments. Frozen. */
export interface Plan {
    credentials: CredentialPlan;
    project?: string;
    registryHosts: string[];
    repositoryGrants: RepositoryGrantPlan[];
    bucketGrants: string[];
    projectWideRead: boolean;
    rotation?: RotationPlan;
    username: UsernameMode;
    secretName: string;
    namespaces: NamespacePlan[];
    serviceAccountWaitSeconds: number;
    kubeContext?: string;
}

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

/** How the validator names fields: `gcr-pull-secrets:namespaces[0]` for stack config, `namespaces[0]` for code. */
export interface ValidationOptions {
    /** Prefix for every path in messages. Default: "" (component arguments). */
    pathPrefix?: string;
    /** Words for the error's first line. Default: "GcrPullSecrets arguments". */
    source?: string;
    /** The clock for scheduled rotation. Default: now. */
    now?: Date;
}

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const accountIdPattern = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const serviceAccountEmail = /^[a-z0-9][a-z0-9._-]*@[a-z0-9-]+(\.[a-z0-9-]+)*\.gserviceaccount\.com$/;
const projectIdPattern = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$|^[a-z0-9.-]+:[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const bucketPattern = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;
const repositoryIdPattern = /^[a-z]([a-z0-9.-]{0,61}[a-z0-9])?$/;

const labelRule = "lowercase letters, digits and '-', at most 63 characters, starting and ending with a letter or digit";
const subdomainRule = "lowercase letters, digits, '-' and '.', at most 253 characters, starting and ending with a letter or digit";

function isLabel(value: string): boolean {
    return value.length <= 63 && dns1123Label.test(value);
}

function isSubdomain(value: string): boolean {
    return value.length <= 253 && dns1123Subdomain.test(value);
}

function describe(value: unknown): string {
    return typeof value === "string" ? `"${value}"` : JSON.stringify(value) ?? String(value);
}

/**
 * Checks arguments and turns them into the plan the component wires. Every problem is collected
 * and reported together in one {@link ConfigError}; nothing is created before this returns.
 * A `jsonKey` given as a plain string is checked here; one given as an Output can only be checked
 * when it resolves (the component does that).
 */
export function planFromArgs(args: GcrPullSecretsArgs, options: ValidationOptions = {}): Plan {
    const prefix = options.pathPrefix ?? "";
    const problems: ConfigProblem[] = [];
    const fail = (path: string, message: string) => problems.push({ path: `${prefix}${path}`, message });

    const isPlainObject = (value: unknown): value is Record<string, unknown> =>
        value !== null && typeof value === "object" && !Array.isArray(value);
    const optionalString = (path: string, value: unknown): string | undefined => {
        if (value === undefined || value === null) return undefined;
        if (typeof value !== "string") {
            fail(path, `must be a string, not ${describe(value)}`);
            return undefined;
        }
        return value;
    };
    const optionalBoolean = (path: string, value: unknown, fallback: boolean): boolean => {
        if (value === undefined || value === null) return fallback;
        if (typeof value !== "boolean") {
            fail(path, `must be true or false, not ${describe(value)}`);
            return fallback;
        }
        return value;
    };
    const optionalInteger = (path: string, value: unknown, fallback: number, min: number, max: number, unit: string) => {
        if (value === undefined || value === null) return fallback;
        if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
            fail(path, `is ${describe(value)}; it must be a whole number of ${unit} from ${min} to ${max}`);
            return fallback;
        }
        return value;
    };
    const stringList = (path: string, value: unknown): { index: number; value: string }[] => {
        if (value === undefined || value === null) return [];
        if (!Array.isArray(value)) {
            fail(path, `must be a list, not ${describe(value)}`);
            return [];
        }
        const items: { index: number; value: string }[] = [];
        value.forEach((item, index) => {
            if (typeof item !== "string" || item.trim() === "") {
                fail(`${path}[${index}]`, `must be a non-empty string, not ${describe(item)}`);
            } else {
                items.push({ index, value: item });
            }
        });
        return items;
    };

    // --- credential source: exactly one ---
    const sources = (
        [
            ["serviceAccount", args.serviceAccount],
            ["existingServiceAccountEmail", args.existingServiceAccountEmail],
            ["jsonKey", args.jsonKey],
        ] as const
    ).filter(([, value]) => value !== undefined && value !== null && value !== "");
    let credentials: CredentialPlan = { kind: "jsonKey" };
    if (sources.length === 0) {
        fail(
            "serviceAccount",
            "is not set, and neither is existingServiceAccountEmail or jsonKey; set exactly one credential source: " +
                "serviceAccount (create a service account, the usual choice), existingServiceAccountEmail or jsonKey",
        );
    } else if (sources.length > 1) {
        const [first, ...others] = sources.map(([name]) => name);
        fail(first, `is set together with ${others.map((o) => `${prefix}${o}`).join(" and ")}; keep exactly one credential source and remove the others`);
    }
    if (args.serviceAccount !== undefined && args.serviceAccount !== null) {
        const sa = args.serviceAccount as unknown;
        if (!isPlainObject(sa)) {
            fail("serviceAccount", `must be an object with accountId, not ${describe(sa)}`);
        } else {
            const accountId = optionalString("serviceAccount.accountId", sa.accountId);
            if (accountId === undefined) {
                if (sa.accountId === undefined) fail("serviceAccount.accountId", "is missing; set the id of the account to create");
            } else if (!accountIdPattern.test(accountId)) {
                fail(
                    "serviceAccount.accountId",
                    `is "${accountId}"; an account id has 6-30 characters: lowercase letters, digits and '-', starting with a letter`,
                );
            }
            const displayName = optionalString("serviceAccount.displayName", sa.displayName);
            if (displayName !== undefined && displayName.length > 100) {
                fail("serviceAccount.displayName", "is longer than 100 characters; shorten it");
            }
            const description = optionalString("serviceAccount.description", sa.description);
            if (description !== undefined && description.length > 256) {
                fail("serviceAccount.description", "is longer than 256 characters; shorten it");
            }
            if (sources.length === 1 && accountId) {
                credentials = {
                    kind: "createServiceAccount",
                    accountId,
                    displayName: displayName ?? "Image pull (gcr-pull-secrets)",
                    description: description ?? "Reads container images for Kubernetes pull secrets; managed by gcr-pull-secrets.",
                };
            }
        }
    }
    const email = optionalString("existingServiceAccountEmail", args.existingServiceAccountEmail);
    if (email !== undefined && email !== "") {
        if (!serviceAccountEmail.test(email)) {
            fail(
                "existingServiceAccountEmail",
                `is "${email}"; it must be a service account email such as puller@my-project.iam.gserviceaccount.com`,
            );
        } else if (sources.length === 1) {
            credentials = { kind: "existingServiceAccount", email };
        }
    }
    if (typeof args.jsonKey === "string" && args.jsonKey !== "") {
        const reading = readJsonKey(args.jsonKey);
        if (!reading.ok) {
            reading.problems.forEach((message) => fail("jsonKey", message));
        }
    } else if (args.jsonKey !== undefined && args.jsonKey !== null && typeof args.jsonKey !== "string" && !isPulumiInput(args.jsonKey)) {
        fail("jsonKey", "must be the JSON key file's text");
    }
    const managedKey = credentials.kind !== "jsonKey";

    const project = optionalString("project", args.project);
    if (project !== undefined && !projectIdPattern.test(project)) {
        fail("project", `is "${project}", not a Google project id (6-30 lowercase letters, digits and '-')`);
    }

    // --- registries ---
    const hostItems = stringList("registries", args.registries);
    if (args.registries === undefined || args.registries === null || (Array.isArray(args.registries) && args.registries.length === 0)) {
        fail("registries", 'is empty; list at least one registry host, for example ["asia.gcr.io"]');
    }
    const registryHosts: string[] = [];
    for (const { index, value } of hostItems) {
        const problem = registryHostProblem(value);
        if (problem) {
            fail(`registries[${index}]`, problem);
        } else if (registryHosts.includes(value)) {
            fail(`registries[${index}]`, `repeats "${value}"; list each host once`);
        } else {
            registryHosts.push(value);
        }
    }

    // --- grants (only for service accounts this program manages) ---
    const repositoryGrants: RepositoryGrantPlan[] = [];
    const rawRepositories = args.artifactRegistryRepositories as unknown;
    if (rawRepositories !== undefined && rawRepositories !== null && !Array.isArray(rawRepositories)) {
        fail("artifactRegistryRepositories", `must be a list of {location, repository}, not ${describe(rawRepositories)}`);
    }
    (Array.isArray(rawRepositories) ? rawRepositories : []).forEach((item: unknown, index) => {
        const path = `artifactRegistryRepositories[${index}]`;
        if (!isPlainObject(item)) {
            fail(path, `must be an object {location, repository}, not ${describe(item)}`);
            return;
        }
        const repo = item as Partial<ArtifactRegistryRepositoryArgs>;
        const location = optionalString(`${path}.location`, repo.location);
        const repository = optionalString(`${path}.repository`, repo.repository);
        const repoProject = optionalString(`${path}.project`, repo.project);
        if (location === undefined) {
            if (repo.location === undefined) fail(`${path}.location`, "is missing; set the repository's location, such as europe-west1");
        } else if (!isArtifactRegistryLocation(location)) {
            fail(`${path}.location`, `is "${location}", not an Artifact Registry location (a region such as europe-west1, or us, europe, asia)`);
        }
        if (repository === undefined) {
            if (repo.repository === undefined) fail(`${path}.repository`, "is missing; set the repository id");
        } else if (!repositoryIdPattern.test(repository)) {
            fail(`${path}.repository`, `is "${repository}", not a repository id (lowercase letters, digits, '-' and '.')`);
        }
        if (repoProject !== undefined && !projectIdPattern.test(repoProject)) {
            fail(`${path}.project`, `is "${repoProject}", not a Google project id`);
        }
        if (location && repository && isArtifactRegistryLocation(location) && repositoryIdPattern.test(repository)) {
            const host = hostForRepository(location, repository);
            if (!registryHosts.includes(host) && hostItems.every((h) => h.value !== host)) {
                fail(path, `is served from ${host}, which is not in registries; add "${host}" to registries or remove this repository`);
            }
            if (repositoryGrants.some((g) => g.location === location && g.repository === repository && g.project === repoProject)) {
                fail(path, `repeats ${location}/${repository}; list each repository once`);
            } else {
                repositoryGrants.push({ location, repository, ...(repoProject ? { project: repoProject } : {}) });
            }
        }
        for (const key of Object.keys(item)) {
            if (!["location", "repository", "project"].includes(key)) {
                fail(`${path}.${key}`, `is not a known setting; use location, repository or project`);
            }
        }
    });
    const bucketGrants: string[] = [];
    for (const { index, value } of stringList("gcrBuckets", args.gcrBuckets)) {
        if (!bucketPattern.test(value) || value.includes("..")) {
            fail(`gcrBuckets[${index}]`, `is "${value}", not a bucket name; Container Registry buckets look like artifacts.my-project.appspot.com or asia.artifacts.my-project.appspot.com`);
        } else if (bucketGrants.includes(value)) {
            fail(`gcrBuckets[${index}]`, `repeats "${value}"; list each bucket once`);
        } else {
            bucketGrants.push(value);
        }
    }
    const projectWideRead = optionalBoolean("projectWideRead", args.projectWideRead, false);
    if (projectWideRead && managedKey && project === undefined) {
        fail("projectWideRead", "needs the project to grant on; set project (or gcp:project)");
    }
    const wantsGrants = repositoryGrants.length > 0 || bucketGrants.length > 0 || projectWideRead;
    if (sources.length === 1 && !managedKey) {
        for (const [name, set] of [
            ["artifactRegistryRepositories", repositoryGrants.length > 0],
            ["gcrBuckets", bucketGrants.length > 0],
            ["projectWideRead", projectWideRead],
            ["rotationDays", args.rotationDays !== undefined && args.rotationDays !== null],
            ["rotationTrigger", args.rotationTrigger !== undefined && args.rotationTrigger !== null && args.rotationTrigger !== ""],
        ] as const) {
            if (set) {
                fail(name, "applies only to service accounts and keys this program manages, and jsonKey is set; remove it (grant access to the key's account outside this program)");
            }
        }
    }
    if (credentials.kind === "createServiceAccount" && !wantsGrants) {
        fail(
            "serviceAccount",
            "creates an account with no registry access; list artifactRegistryRepositories (or gcrBuckets), or set projectWideRead: true",
        );
    }

    // --- rotation ---
    const rotationDays = optionalInteger("rotationDays", args.rotationDays, 90, 0, 3650, "days");
    const rotationTrigger = optionalString("rotationTrigger", args.rotationTrigger) ?? "";
    const rotation: RotationPlan | undefined = managedKey
        ? { days: rotationDays, window: rotationWindow(options.now ?? new Date(), rotationDays), trigger: rotationTrigger }
        : undefined;

    // --- registry side ---
    let username: UsernameMode = "_json_key";
    if (args.username !== undefined && args.username !== null) {
        if (!usernameModes.includes(args.username)) {
            fail("username", `is ${describe(args.username)}; use "_json_key" (the default) or "_json_key_base64"`);
        } else {
            username = args.username;
        }
    }
    let secretName = "regcred";
    const rawSecretName = optionalString("secretName", args.secretName);
    if (rawSecretName !== undefined) {
        if (!isSubdomain(rawSecretName)) {
            fail("secretName", `is "${rawSecretName}", not a valid Secret name (${subdomainRule})`);
        } else {
            secretName = rawSecretName;
        }
    }

    // --- namespaces ---
    const allowSystemNamespaces = optionalBoolean("allowSystemNamespaces", args.allowSystemNamespaces, false);
    const namespaces: NamespacePlan[] = [];
    const rawNamespaces = args.namespaces as unknown;
    if (!Array.isArray(rawNamespaces) || rawNamespaces.length === 0) {
        fail("namespaces", Array.isArray(rawNamespaces) || rawNamespaces === undefined || rawNamespaces === null
            ? 'is empty; list at least one namespace, for example ["default"]'
            : `must be a list of namespace names, not ${describe(rawNamespaces)}`);
    }
    const seen = new Map<string, number>();
    (Array.isArray(rawNamespaces) ? rawNamespaces : []).forEach((item: unknown, index) => {
        const path = `namespaces[${index}]`;
        let spec: NamespaceArgs;
        let namePath = path;
        if (typeof item === "string") {
            spec = { name: item };
        } else if (isPlainObject(item)) {
            spec = item as unknown as NamespaceArgs;
            namePath = `${path}.name`;
            for (const key of Object.keys(item)) {
                if (!["name", "create", "adopt", "serviceAccounts"].includes(key)) {
                    fail(`${path}.${key}`, `is not a known setting; use name, create, adopt or serviceAccounts`);
                }
            }
        } else {
            fail(path, `must be a namespace name or {name, create, adopt, serviceAccounts}, not ${describe(item)}`);
            return;
        }
        const name = spec.name as unknown;
        if (typeof name !== "string" || name.trim() === "") {
            fail(namePath, name === undefined || name === "" ? "is empty; set the namespace name" : `must be a string, not ${describe(name)}`);
            return;
        }
        if (!isLabel(name)) {
            fail(namePath, `is "${name}", not a valid namespace name (${labelRule})`);
            return;
        }
        if (seen.has(name)) {
            fail(namePath, `repeats "${name}" (also namespaces[${seen.get(name)}]); list each namespace once`);
            return;
        }
        seen.set(name, index);
        if (systemNamespaces.includes(name) && !allowSystemNamespaces) {
            fail(namePath, `is "${name}", a system namespace; remove it, or set allowSystemNamespaces: true if you really mean it`);
        }
        const create = optionalBoolean(`${path}.create`, spec.create, false);
        const adopt = optionalBoolean(`${path}.adopt`, spec.adopt, false);
        if (create && systemNamespaces.concat(["default"]).includes(name)) {
            fail(`${path}.create`, `is true for "${name}", which every cluster has; remove create`);
        }
        const serviceAccounts = ["default"];
        for (const { index: saIndex, value } of stringList(`${path}.serviceAccounts`, spec.serviceAccounts)) {
            if (!isSubdomain(value)) {
                fail(`${path}.serviceAccounts[${saIndex}]`, `is "${value}", not a valid ServiceAccount name (${subdomainRule})`);
            } else if (serviceAccounts.includes(value)) {
                if (value !== "default") {
                    fail(`${path}.serviceAccounts[${saIndex}]`, `repeats "${value}"; list each ServiceAccount once`);
                }
            } else {
                serviceAccounts.push(value);
            }
        }
        namespaces.push({ name, create, adopt, serviceAccounts });
    });

    const serviceAccountWaitSeconds = optionalInteger("serviceAccountWaitSeconds", args.serviceAccountWaitSeconds, 60, 1, 3600, "seconds");
    const kubeContext = optionalString("kubeContext", args.kubeContext);
    if (kubeContext !== undefined && kubeContext.trim() === "") {
        fail("kubeContext", "is empty; remove it to use the current context, or name a context from your kubeconfig");
    }

    if (problems.length > 0) {
        throw new ConfigError(problems, options.source ?? "GcrPullSecrets arguments");
    }
    return deepFreeze({
        credentials,
        ...(project ? { project } : {}),
        registryHosts: [...registryHosts].sort(),
        repositoryGrants,
        bucketGrants,
        projectWideRead,
        ...(rotation ? { rotation } : {}),
        username,
        secretName,
        namespaces: namespaces.sort((a, b) => a.name.localeCompare(b.name)),
        serviceAccountWaitSeconds,
        ...(kubeContext ? { kubeContext } : {}),
    });
}

function isPulumiInput(value: unknown): boolean {
    // An Output or a Promise: checked by the component once it resolves.
    return value !== null && typeof value === "object" && ("apply" in value || "then" in value);
}

function deepFreeze<T>(value: T): T {
    if (value && typeof value === "object") {
        Object.values(value).forEach(deepFreeze);
        Object.freeze(value);
    }
    return value;
}
