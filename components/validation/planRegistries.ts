/**
 * The registries section: the registry hosts the Secrets cover, and the read grants behind them
 * (`artifactRegistryRepositories`, `gcrBuckets`, `projectWideRead`), checked against the
 * credential source: refused for a supplied key, required for an identity the program creates.
 */
import { Checker, childPath, Field, quote } from "./checker";
import { Uniques } from "./uniques";
import { GcrPullSecretsArgs } from "../gcrPullSecretsArgs";
import { RepositoryGrantPlan } from "../plan";
import { CredentialsReading, projectIdPattern, projectIdRule } from "./planCredentials";
import {
    acceptedHostForms,
    artifactRegistryLocationForms,
    gcrBucketForms,
    gcrHostLocations,
    hostForGcrBucket,
    hostForRepository,
    intendedHost,
    isArtifactRegistryLocation,
    isGcrHost,
    isRepositoryId,
    registryHostProblem,
} from "./registryHosts";

/** The registry hosts and the read grants of the plan. */
export interface RegistriesReading {
    registryHosts: string[];
    repositoryGrants: RepositoryGrantPlan[];
    bucketGrants: string[];
    projectWideRead: boolean;
}

/**
 * Checks the registry hosts, and the grants that give the service account (or keyless principal)
 * read access behind them: refused where they cannot apply (a supplied key), required where the
 * program would otherwise make an identity that can read nothing.
 */
export function planRegistries(args: GcrPullSecretsArgs, checker: Checker, credentials: CredentialsReading): RegistriesReading {
    const registryHosts: string[] = [];
    // Hosts as written and as meant (https://gcr.io/ means gcr.io), valid or not: a grant is not
    // also reported as uncovered when the entry that covers it is refused for its form.
    const listedHosts = new Set<string>();
    const registriesField = checker.setting("registries", args.registries);
    const hostItems = checker.list(registriesField, { what: "registry hosts", example: "asia.gcr.io" });
    if (!checker.isSet(registriesField) || hostItems?.length === 0) {
        const example = checker.howToSet({ ...registriesField, path: childPath(registriesField.path, 0) }, "asia.gcr.io");
        checker.fail(
            registriesField,
            `${checker.isSet(registriesField) ? "is empty" : "is not set"}; list at least one registry host (${acceptedHostForms.join(", ")}), for example ${example}`,
        );
    }
    const uniqueHosts = new Uniques(checker, "host");
    for (const item of hostItems ?? []) {
        const host = checker.text(item, { what: "a registry host", example: "asia.gcr.io", required: true });
        if (host === undefined) continue;
        listedHosts.add(host).add(intendedHost(host));
        const problem = registryHostProblem(host, quote(item), item.secret);
        if (problem) {
            checker.fail(item, problem);
        } else if (uniqueHosts.add(host, item)) {
            registryHosts.push(host);
        }
    }
    // Not readable as a list (or not readable here at all): which hosts were meant is unknown.
    const registriesUnknown = registriesField.unavailable === true || (checker.isSet(registriesField) && hostItems === undefined);
    const requireHost = (entry: Field, host: Field, what: string) => {
        if (registriesUnknown || listedHosts.has(host.value as string)) return;
        checker.fail(
            entry,
            `is ${what} ${quote(host)}, which is not in registries: add ${host.secret ? "that host" : `"${host.value}"`} to registries, or remove this entry`,
        );
    };

    // --- Artifact Registry repositories ---
    const repositoryGrants: RepositoryGrantPlan[] = [];
    const repositoriesField = checker.setting("artifactRegistryRepositories", args.artifactRegistryRepositories);
    const repositoryItems =
        checker.list(repositoriesField, { what: "repositories {location, repository, project?}", example: "{location: asia, repository: asia.gcr.io}" }) ?? [];
    const uniqueRepositories = new Uniques(checker, "repository");
    for (const item of repositoryItems) {
        const members = checker.object(item, {
            what: "a repository {location, repository, project?}",
            known: ["location", "repository", "project"],
            example: ["repository", "apps"],
        });
        if (!members) continue;
        const locationField = members.location ?? checker.child(item, "location");
        const repositoryField = members.repository ?? checker.child(item, "repository");
        let location = checker.text(locationField, { what: "the repository's location", example: "europe-west1", required: true });
        let repository = checker.text(repositoryField, { what: "the repository id", example: "apps", required: true });
        const repoProject =
            members.project &&
            checker.text(members.project, {
                what: "the repository's project id",
                example: "acme-shared-images",
                emptyFix: `${checker.howToRemove(members.project)} to use project, or set the project id`,
            });
        let valid = true;
        if (location !== undefined && !isArtifactRegistryLocation(location)) {
            checker.fail(locationField, `is ${quote(locationField)}, not an Artifact Registry location: use ${artifactRegistryLocationForms}`);
            location = undefined;
        }
        if (repository !== undefined && !isRepositoryId(repository)) {
            checker.fail(
                repositoryField,
                `is ${quote(repositoryField)}, not a repository id: lowercase letters, digits and '-', starting with a letter, at most 63 characters ` +
                    "(or gcr.io, us.gcr.io, eu.gcr.io, asia.gcr.io for the repositories behind those hosts); use the repository's id (`gcloud artifacts repositories list` shows it)",
            );
            repository = undefined;
        }
        if (repoProject !== undefined && !projectIdPattern.test(repoProject)) {
            checker.fail(
                members.project!,
                `is ${quote(members.project!)}, not a Google project id: it has ${projectIdRule}; use the project's id, or remove it to use project`,
            );
            valid = false;
        }
        if (location === undefined || repository === undefined) continue;
        if (isGcrHost(repository) && gcrHostLocations[repository] !== location) {
            // Each gcr.io repository exists in one location only; any other names a repository that does not exist.
            const expected = checker.derived(gcrHostLocations[repository], repositoryField);
            checker.fail(
                locationField,
                `is ${quote(locationField)}, but the repository behind ${quote(repositoryField)} is in ${quote(expected)} ` +
                    "(gcr.io and us.gcr.io: us; eu.gcr.io: europe; asia.gcr.io: asia); set that location",
            );
            valid = false;
        }
        const label = checker.derived(`${location}/${repository}`, locationField, repositoryField);
        const effectiveProject = repoProject ?? credentials.project ?? "";
        // With a misspelt field (projet) it is unknown which repository was meant: no repeat is claimed.
        const fullyKnown = Object.keys(item.value as object).length === Object.keys(members).length;
        if (fullyKnown && !uniqueRepositories.add(`${effectiveProject}/${location}/${repository}`, item, label)) continue;
        requireHost(item, checker.derived(hostForRepository(location, repository), locationField, repositoryField), "served from");
        if (valid && fullyKnown) {
            repositoryGrants.push({ location, repository, ...(repoProject ? { project: repoProject } : {}) });
        }
    }

    // --- legacy Container Registry buckets ---
    const bucketGrants: string[] = [];
    const bucketsField = checker.setting("gcrBuckets", args.gcrBuckets);
    const bucketItems = checker.list(bucketsField, { what: "bucket names", example: "eu.artifacts.my-project.appspot.com" }) ?? [];
    const uniqueBuckets = new Uniques(checker, "bucket");
    for (const item of bucketItems) {
        const bucket = checker.text(item, { what: "a Container Registry bucket name", example: "eu.artifacts.my-project.appspot.com", required: true });
        if (bucket === undefined) continue;
        const host = hostForGcrBucket(bucket);
        if (!host) {
            checker.fail(
                item,
                `is ${quote(item)}, not a Container Registry bucket: its name has the form ${gcrBucketForms}; write the bucket's name alone, without gs://`,
            );
            continue;
        }
        if (!uniqueBuckets.add(bucket, item)) continue;
        requireHost(item, checker.derived(host, item), "the bucket behind");
        bucketGrants.push(bucket);
    }

    const projectWideField = checker.setting("projectWideRead", args.projectWideRead);
    const projectWideRead = checker.boolean(projectWideField, false);
    const managed =
        credentials.sourceKind === "createServiceAccount" || credentials.sourceKind === "existingServiceAccount" || credentials.sourceKind === "keyless";
    if (projectWideRead && managed && !credentials.projectSet) {
        checker.fail(
            projectWideField,
            `needs the project to grant on; set project (${checker.howToSet(checker.setting("project", undefined), "my-project")}) or gcp:project`,
        );
    }

    // Whether each grant setting asks for something: set, and not the empty list or false that the
    // CLI hands over as the declared default. A value that cannot be read still asks (what it asks
    // for is unknown), so neither "no registry access" nor silence is made up for it.
    const asks = (field: Field) =>
        checker.isSet(field) && !(Array.isArray(field.value) && field.value.length === 0) && field.value !== false && field.value !== "false";
    const grantSettings = [repositoriesField, bucketsField, projectWideField];
    if (credentials.sourceKind === "jsonKey") {
        for (const field of grantSettings.filter(asks)) {
            checker.fail(
                field,
                `applies only to service accounts and keys this program manages, and jsonKey is set; ${checker.howToRemove(field)} (grant access to the key's account outside this program)`,
            );
        }
    }
    // Some grant is asked for (listed, even if an entry is bad), so the identity would get some access.
    const grantsAsked = grantSettings.some(asks);
    if (credentials.sourceKind === "createServiceAccount" && !grantsAsked) {
        checker.fail(
            checker.setting("serviceAccount", args.serviceAccount),
            "creates an account with no registry access; list artifactRegistryRepositories (or gcrBuckets), or set projectWideRead: true",
        );
    }
    const keyless = credentials.credentials?.kind === "keyless" ? credentials.credentials.keyless : undefined;
    if (keyless?.federation.kind === "createPool" && !keyless.serviceAccountEmail && !grantsAsked) {
        checker.fail(
            checker.setting("keyless", args.keyless),
            "creates a pool whose principal gets no registry access; list artifactRegistryRepositories (or gcrBuckets), set projectWideRead: true, " +
                "or set keyless.serviceAccountEmail to impersonate an account that can read",
        );
    }
    return { registryHosts, repositoryGrants, bucketGrants, projectWideRead };
}
