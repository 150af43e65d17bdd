/** The registry host forms a Google pull secret can serve, as shown to users in error messages. */
export const acceptedHostForms = [
    "gcr.io",
    "us.gcr.io",
    "eu.gcr.io",
    "asia.gcr.io",
    "<location>-docker.pkg.dev (for example europe-west1-docker.pkg.dev or us-docker.pkg.dev)",
];

/**
 * The gcr.io hosts and the Artifact Registry location of the `gcr.io` repository behind each: since
 * Container Registry moved to Artifact Registry, `asia.gcr.io` is the repository named `asia.gcr.io`
 * in the multi-region `asia`, and so on (gcr.io and us.gcr.io both live in `us`).
 */
export const gcrHostLocations: Readonly<Record<string, string>> = {
    "gcr.io": "us",
    "us.gcr.io": "us",
    "eu.gcr.io": "europe",
    "asia.gcr.io": "asia",
};

// Artifact Registry locations are multi-regions (us, europe, asia) or regions such as
// europe-west1, northamerica-northeast2, me-central1.
const artifactRegistryLocation = /^(?:us|europe|asia|[a-z]+-[a-z]+[1-9][0-9]?)$/;
const artifactRegistryHost = /^([a-z0-9-]+)-docker\.pkg\.dev$/;
// A repository id: lowercase letters, digits and '-', starting with a letter, at most 63 characters.
const repositoryId = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const projectId = "[a-z][a-z0-9-]{4,28}[a-z0-9]";
// Container Registry's buckets: [us.|eu.|asia.]artifacts.PROJECT.appspot.com; a domain-scoped
// project (example.com:my-project) has artifacts.my-project.example.com.a.appspot.com.
const gcrBucket = new RegExp(`^(?:(us|eu|asia)\\.)?artifacts\\.${projectId}(?:\\.[a-z0-9-]+(?:\\.[a-z0-9-]+)+\\.a)?\\.appspot\\.com$`);

/** The forms of a legacy Container Registry bucket, for messages. */
export const gcrBucketForms =
    "artifacts.PROJECT.appspot.com (gcr.io), or us., eu. or asia. before it (us.gcr.io, eu.gcr.io, asia.gcr.io), " +
    "PROJECT being the project id (for example eu.artifacts.acme-staging-381204.appspot.com)";

/** Artifact Registry locations, for messages. */
export const artifactRegistryLocationForms = "a region such as europe-west1, or one of the multi-regions us, europe, asia";

/** True when `location` has the shape of an Artifact Registry location. */
export function isArtifactRegistryLocation(location: string): boolean {
    return artifactRegistryLocation.test(location);
}

/** True for gcr.io and its regional hosts (served by Artifact Registry `gcr.io` repositories since 2025). */
export function isGcrHost(host: string): boolean {
    return Object.hasOwn(gcrHostLocations, host);
}

/** True for a repository id: an Artifact Registry id, or one of the gcr.io repository names. */
export function isRepositoryId(repository: string): boolean {
    return isGcrHost(repository) || repositoryId.test(repository);
}

/** The host an entry was meant to name: without scheme, port or path, in lowercase. */
export function intendedHost(host: string): string {
    return host
        .trim()
        .replace(/^[a-z]+:\/\//i, "")
        .replace(/[/:].*$/, "")
        .toLowerCase();
}

/**
 * Checks one registry host. Returns undefined when it is accepted, else the reason and the fix,
 * phrased to follow "<path> ". `shown` is how the message may show the host (a secret host is not
 * shown, and then neither is the corrected form, which is made from it).
 */
export function registryHostProblem(host: string, shown: string, secret: boolean): string | undefined {
    if (isGcrHost(host)) {
        return undefined;
    }
    const match = artifactRegistryHost.exec(host);
    if (match && artifactRegistryLocation.test(match[1])) {
        return undefined;
    }
    const stripped = intendedHost(host);
    if (stripped !== host && (isGcrHost(stripped) || artifactRegistryHost.test(stripped))) {
        return `is ${shown}: write the host name only, in lowercase, without scheme, port or path${secret ? "" : `: "${stripped}"`}`;
    }
    if (match) {
        return `is ${shown}, whose location is not an Artifact Registry location (${artifactRegistryLocationForms}); use <location>-docker.pkg.dev with the repository's location`;
    }
    return `is ${shown}, which is not a Google registry host; use one of: ${acceptedHostForms.join(", ")}`;
}

/** The registry host that serves an Artifact Registry repository. */
export function hostForRepository(location: string, repository: string): string {
    // gcr.io repositories keep their gcr.io host names after the move to Artifact Registry.
    return isGcrHost(repository) ? repository : `${location}-docker.pkg.dev`;
}

/** The gcr.io host a legacy Container Registry bucket serves, or undefined when the name has no bucket's form. */
export function hostForGcrBucket(bucket: string): string | undefined {
    const match = gcrBucket.exec(bucket);
    if (!match) return undefined;
    return match[1] ? `${match[1]}.gcr.io` : "gcr.io";
}
