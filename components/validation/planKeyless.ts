/**
 * The `keyless` credential source, checked into a plan: which federation the refresher's token
 * exchange goes through, which reader account (if any) it impersonates, and how the refresher runs.
 * The names Google sees (principal, audiences) are made from this plan in specs/federationNames.ts.
 */
import { systemNamespaces } from "../contract";
import { FederationPlan, KeylessPlan } from "../plan";
import { Checker, Field, quote } from "./checker";
import { isLabel, labelRule } from "./planNamespaces";
import { defaultRefresherImage, imageReferenceProblem } from "./refresherImage";

export const defaultPoolId = "gcr-pull-secrets";
export const defaultProviderId = "kubernetes";
export const defaultRefresherNamespace = "gcr-pull-secrets-refresher";
export { defaultRefresherImage } from "./refresherImage";
export const defaultRefresherSchedule = "*/30 * * * *";
/** Fixed: the federated principal names it, so renaming it would cut the refresher off. */
export const refresherServiceAccountName = "token-refresher";

const keylessFields = [
    "issuerUri",
    "jwks",
    "poolId",
    "providerId",
    "workloadIdentityProvider",
    "gkeCluster",
    "projectNumber",
    "serviceAccountEmail",
    "namespace",
    "image",
    "schedule",
    "waitForFirstRun",
] as const;

// Pool and provider ids: 4-32 characters [a-z0-9-]; the prefix gcp- is reserved by Google.
export const idPattern = /^[a-z0-9-]{4,32}$/;
export const idRule = "4-32 characters: lowercase letters, digits and '-', not starting with gcp-";
const providerNamePattern = /^projects\/(\d+)\/locations\/global\/workloadIdentityPools\/([a-z0-9-]{4,32})\/providers\/([a-z0-9-]{4,32})$/;
const gkeClusterPattern = /^projects\/([a-z][a-z0-9-]{4,28}[a-z0-9])\/locations\/([a-z0-9-]+)\/clusters\/([a-z]([a-z0-9-]{0,38}[a-z0-9])?)$/;
/** A service account email; the project id is its group 1. */
export const serviceAccountEmailPattern = /^[a-z][a-z0-9-]{4,28}[a-z0-9]@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$/;
const cronField = /^[0-9*/,-]+$/;

/** Offline validation of an encrypted `keyless` value: the shape of the plan, never values to create it with. */
export const unreadableKeyless: KeylessPlan = {
    federation: { kind: "existingProvider", projectNumber: "", poolId: "", providerId: "" },
    namespace: defaultRefresherNamespace,
    serviceAccountName: refresherServiceAccountName,
    image: defaultRefresherImage,
    schedule: defaultRefresherSchedule,
    waitForFirstRun: true,
};

/**
 * A fleet's federation before any cluster is known: the pool every cluster's provider goes into.
 * Each cluster's own (`createPool` with its issuer and provider id) replaces it in that cluster's
 * plan; nothing is ever declared from this one (issuerUri and providerId stay empty).
 */
export function fleetPool(poolId: string): FederationPlan {
    return { kind: "createPool", issuerUri: "", poolId, providerId: "" };
}

/** Hosts that only the cluster itself can reach: Google cannot fetch an issuer's keys from them. */
export function isPrivateHost(host: string): boolean {
    return (
        host === "localhost" ||
        /\.(svc|local|internal|cluster\.local|localdomain)$/.test(host) ||
        /^(10|127)\.|^192\.168\.|^172\.(1[6-9]|2\d|3[01])\./.test(host) ||
        host.startsWith("[")
    );
}

/**
 * Reads the `keyless` setting; undefined when it is unusable (problems recorded). With `fleet`
 * (`clusters` is set), each cluster names its issuer (`clusters[N].keyless`) and the setting only
 * the pool they share and how the refresher runs: its federation is then the pool's alone (see
 * {@link fleetPool}), which each cluster's replaces.
 */
export function readKeyless(field: Field, checker: Checker, options: { fleet?: boolean } = {}): KeylessPlan | undefined {
    if (field.value === "") return undefined; // reported as empty with the other sources
    const members = checker.object(field, {
        what: "the keyless setup, an object {issuerUri | workloadIdentityProvider | gkeCluster, ...}",
        known: keylessFields,
        example: ["issuerUri", "https://container.googleapis.com/v1/projects/acme/locations/europe-west1/clusters/dev"],
    });
    if (!members) return undefined;
    let valid = true;
    const fail = (at: Field, message: string) => {
        valid = false;
        checker.fail(at, message);
    };
    const text = (name: (typeof keylessFields)[number], what: string, example: string): string | undefined => {
        const member = members[name];
        if (!member) return undefined;
        const value = checker.text(member, {
            what,
            example,
            emptyFix: `set ${what}, for example ${checker.howToSet(member, example)}, or ${checker.howToRemove(member)}`,
        });
        if (value === undefined) valid = false;
        return value;
    };
    const onlyWith = (name: (typeof keylessFields)[number], owner: string, present: boolean) => {
        const member = members[name];
        if (member && !present) fail(member, `applies only with ${owner}; ${checker.howToRemove(member)}`);
    };

    // --- the federation: exactly one way ---
    const ways = (["issuerUri", "workloadIdentityProvider", "gkeCluster"] as const).filter((name) => members[name]);
    if (options.fleet) {
        for (const name of [...ways, ...(["jwks", "providerId", "projectNumber"] as const).filter((name) => members[name])]) {
            fail(
                members[name],
                `is set next to clusters, where each cluster names its own issuer: set clusters[N].keyless.issuerUri (with jwks and providerId if needed) ` +
                    `for each cluster, and ${checker.howToRemove(members[name])}; keyless with clusters creates one pool with a provider per cluster`,
            );
        }
    } else if (ways.length === 0) {
        fail(
            field,
            "names no federation; set exactly one of issuerUri (create a pool trusting the cluster's ServiceAccount issuer), " +
                `workloadIdentityProvider (an existing pool provider) or gkeCluster (GKE's own pool), for example ${checker.howToSet(checker.child(field, "issuerUri"), "https://issuer.example.com")}`,
        );
    } else if (ways.length > 1) {
        fail(members[ways[0]], `is set together with ${ways.slice(1).join(" and ")}; keep exactly one way to federate and remove the others`);
    }
    const way = ways.length === 1 ? ways[0] : undefined;
    let federation: FederationPlan | undefined;

    const issuerUri = text("issuerUri", "the cluster's ServiceAccount issuer URL", "https://issuer.example.com");
    onlyWith("jwks", "issuerUri", way === "issuerUri");
    onlyWith("poolId", "issuerUri (it names the pool to create)", way === "issuerUri" || options.fleet === true);
    onlyWith("providerId", "issuerUri (it names the provider to create)", way === "issuerUri");
    onlyWith("projectNumber", "gkeCluster (a created or named pool says its project number itself)", way === "gkeCluster");
    const jwks = text("jwks", "the issuer's JSON Web Key Set (the output of `kubectl get --raw /openid/v1/jwks`)", "'{\"keys\":[...]}'");
    const poolId = text("poolId", "a pool id", defaultPoolId) ?? defaultPoolId;
    const providerId = text("providerId", "a provider id", defaultProviderId) ?? defaultProviderId;
    if (issuerUri !== undefined) {
        const url = issuerUrl(issuerUri);
        if (!url) {
            fail(
                members.issuerUri,
                `is ${quote(members.issuerUri)}, not an issuer URL: it is https://, with no query or fragment, exactly as the cluster's ` +
                    "`kubectl get --raw /.well-known/openid-configuration` shows it as issuer",
            );
        } else if (isPrivateHost(url.hostname) && !members.jwks && way === "issuerUri") {
            fail(
                members.issuerUri,
                `is ${quote(members.issuerUri)}, on a host Google cannot reach to fetch the signing keys; inline them: ` +
                    `set jwks to the output of \`kubectl get --raw /openid/v1/jwks\` (${checker.howToSet(checker.child(field, "jwks"), '"$(kubectl get --raw /openid/v1/jwks)"')})`,
            );
        }
    }
    const notJwks = jwks === undefined ? undefined : jwksProblem(jwks);
    if (notJwks) fail(members.jwks, `is not a JSON Web Key Set: ${notJwks}; set it to the output of \`kubectl get --raw /openid/v1/jwks\``);
    for (const [name, id] of [
        ["poolId", poolId],
        ["providerId", providerId],
    ] as const) {
        if (members[name] && (!idPattern.test(id) || id.startsWith("gcp-"))) fail(members[name], `is ${quote(members[name])}, not a valid id (${idRule})`);
    }
    if (way === "issuerUri" && issuerUri !== undefined) {
        federation = { kind: "createPool", issuerUri, ...(jwks !== undefined ? { jwks } : {}), poolId, providerId };
    }
    if (options.fleet) federation = fleetPool(poolId);

    const providerName = text(
        "workloadIdentityProvider",
        "the provider's full name",
        "projects/123456789012/locations/global/workloadIdentityPools/pool/providers/kubernetes",
    );
    if (providerName !== undefined) {
        const match = providerNamePattern.exec(providerName);
        if (!match) {
            fail(
                members.workloadIdentityProvider,
                `is ${quote(members.workloadIdentityProvider)}, not a provider's full name: it is ` +
                    "projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER, with the project's number " +
                    "(`gcloud iam workload-identity-pools providers describe PROVIDER --workload-identity-pool POOL --location global --format 'value(name)'` shows it)",
            );
        } else if (way === "workloadIdentityProvider") {
            federation = { kind: "existingProvider", projectNumber: match[1], poolId: match[2], providerId: match[3] };
        }
    }

    const gkeCluster = text("gkeCluster", "the cluster's full name", "projects/acme-dev-123456/locations/europe-west1/clusters/dev");
    const projectNumber = text("projectNumber", "the project number", "123456789012");
    if (projectNumber !== undefined && !/^\d{6,20}$/.test(projectNumber)) {
        fail(
            members.projectNumber,
            `is ${quote(members.projectNumber)}, not a project number (digits only; \`gcloud projects describe PROJECT --format 'value(projectNumber)'\` shows it)`,
        );
    }
    if (gkeCluster !== undefined) {
        const match = gkeClusterPattern.exec(gkeCluster);
        if (!match) {
            fail(
                members.gkeCluster,
                `is ${quote(members.gkeCluster)}, not a cluster's full name: it is projects/PROJECT/locations/LOCATION/clusters/NAME, ` +
                    "with the project's id (`gcloud container clusters list --uri` shows the same parts)",
            );
        } else if (way === "gkeCluster") {
            if (!members.projectNumber) {
                fail(
                    members.gkeCluster,
                    `needs projectNumber too (the federated principal names the pool's project by number); set it, for example ${checker.howToSet(checker.child(field, "projectNumber"), "123456789012")}`,
                );
            } else if (projectNumber !== undefined) {
                federation = { kind: "gke", project: match[1], location: match[2], cluster: match[3], projectNumber };
            }
        }
    }

    // --- who reads, and how the refresher runs ---
    const serviceAccountEmail = text("serviceAccountEmail", "a service account email", "reader@acme-dev-123456.iam.gserviceaccount.com");
    if (serviceAccountEmail !== undefined && !serviceAccountEmailPattern.test(serviceAccountEmail)) {
        fail(
            members.serviceAccountEmail,
            `is ${quote(members.serviceAccountEmail)}, not a service account email: it looks like NAME@PROJECT.iam.gserviceaccount.com, in lowercase`,
        );
    }
    const namespace = text("namespace", "the refresher's namespace", defaultRefresherNamespace) ?? defaultRefresherNamespace;
    if (members.namespace && !isLabel(namespace)) {
        fail(members.namespace, `is ${quote(members.namespace)}, not a valid namespace name (${labelRule})`);
    } else if (members.namespace && (systemNamespaces.includes(namespace) || namespace === "default")) {
        fail(
            members.namespace,
            `is ${quote(members.namespace)}, a namespace the stack cannot create and own; choose a namespace of its own, such as ${defaultRefresherNamespace}`,
        );
    }
    const image = text("image", "a container image with Node.js 18 or newer", defaultRefresherImage) ?? defaultRefresherImage;
    const notImage = members.image ? imageReferenceProblem(image) : undefined;
    if (notImage) {
        fail(
            members.image,
            `is ${quote(members.image)}, not an image reference: ${notImage}; give NAME[:TAG][@sha256:DIGEST], pinned by digest like the default ${defaultRefresherImage}`,
        );
    }
    const schedule = text("schedule", "a cron schedule", `"${defaultRefresherSchedule}"`) ?? defaultRefresherSchedule;
    const parts = schedule.trim().split(/\s+/);
    if (members.schedule && (parts.length !== 5 || !parts.every((part) => cronField.test(part)))) {
        fail(
            members.schedule,
            `is ${quote(members.schedule)}, not a cron schedule of five fields (minute hour day month weekday); ` +
                `tokens live one hour, so refresh at least every 45 minutes, for example "${defaultRefresherSchedule}"`,
        );
    }

    const waitForFirstRun = members.waitForFirstRun ? checker.boolean(members.waitForFirstRun, true) : true;

    if (!valid || !federation) return undefined;
    return {
        federation,
        ...(serviceAccountEmail !== undefined ? { serviceAccountEmail } : {}),
        namespace,
        serviceAccountName: refresherServiceAccountName,
        image,
        schedule: parts.join(" "),
        waitForFirstRun,
    };
}

/** Why a text is not a JSON Web Key Set, or undefined when it is one. Never quotes the text. */
export function jwksProblem(text: string): string | undefined {
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        return "it is not JSON";
    }
    const keys = (parsed as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys) || keys.length === 0) return 'it has no "keys" list with at least one key';
    if (keys.some((key) => typeof key !== "object" || key === null || typeof (key as { kty?: unknown }).kty !== "string"))
        return 'a key in "keys" has no "kty"';
    if (keys.some((key) => "d" in (key as object))) return 'a key in it is private (it has "d"); use the public keys the API server publishes';
    return undefined;
}

/**
 * The issuer URL `text` names, or undefined when it is none Google takes: https://, with no query,
 * fragment or credentials (the cluster's `iss` claim, exactly).
 */
export function issuerUrl(text: string): URL | undefined {
    let url: URL;
    try {
        url = new URL(text);
    } catch {
        return undefined;
    }
    return url.protocol === "https:" && !url.search && !url.hash && !url.username ? url : undefined;
}
