/** The registry host forms a Google pull secret can serve, as shown to users in error messages. */
export const acceptedHostForms = [
    "gcr.io",
    "us.gcr.io",
    "eu.gcr.io",
    "asia.gcr.io",
    "<location>-docker.pkg.dev (for example europe-west1-docker.pkg.dev or us-docker.pkg.dev)",
];

const gcrHosts = new Set(["gcr.io", "us.gcr.io", "eu.gcr.io", "asia.gcr.io"]);

// Artifact Registry locations are multi-regions (us, europe, asia) or regions such as
// europe-west1, northamerica-northeast2, me-central1.
const artifactRegistryLocation = /^(?:us|europe|asia|[a-z]+-[a-z]+[1-9][0-9]?)$/;
const artifactRegistryHost = /^([a-z0-9-]+)-docker\.pkg\.dev$/;

/** True when `location` has the shape of an Artifact Registry location. */
export function isArtifactRegistryLocation(location: string): boolean {
    return artifactRegistryLocation.test(location);
}

/** True for gcr.io and its regional hosts (served by Artifact Registry `gcr.io` repositories since 2025). */
export function isGcrHost(host: string): boolean {
    return gcrHosts.has(host);
}

/**
 * Checks one registry host. Returns undefined when it is accepted, else the reason and the fix,
 * phrased to follow "<path> ...".
 */
export function registryHostProblem(host: string): string | undefined {
    if (gcrHosts.has(host)) {
        return undefined;
    }
    const match = artifactRegistryHost.exec(host);
    if (match && artifactRegistryLocation.test(match[1])) {
        return undefined;
    }
    const stripped = host.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "").toLowerCase();
    if (stripped !== host && (gcrHosts.has(stripped) || artifactRegistryHost.test(stripped))) {
        return `is "${host}": write the host name only, "${stripped}"`;
    }
    return `is "${host}", which is not a Google registry host; use one of: ${acceptedHostForms.join(", ")}`;
}

/** The registry host that serves an Artifact Registry repository. */
export function hostForRepository(location: string, repository: string): string {
    // gcr.io repositories keep their gcr.io host names after the move to Artifact Registry.
    return gcrHosts.has(repository) ? repository : `${location}-docker.pkg.dev`;
}
