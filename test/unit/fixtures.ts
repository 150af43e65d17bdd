import { GcrPullSecretsArgs } from "../../components/gcrPullSecretsArgs";
import { fakeKeyJson } from "./fakeKey";

/** A complete, fake JSON key (not a real Google key). */
export const sampleKeyJson = fakeKeyJson("puller@acme-dev-123456.iam.gserviceaccount.com", "sample");

/** Stack config values as Pulumi hands them to the program: `gcr-pull-secrets:<key>` -> stored text. */
export function stackValues(settings: Record<string, unknown>): Record<string, string> {
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(settings)) {
        const fullKey = key.includes(":") ? key : `gcr-pull-secrets:${key}`;
        values[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return values;
}

/** A valid stack that creates a service account (also valid as component arguments). */
export const validCreateStack: GcrPullSecretsArgs = {
    serviceAccount: { accountId: "gke-puller-dev" },
    project: "acme-dev-123456",
    registries: ["asia.gcr.io", "europe-west1-docker.pkg.dev"],
    artifactRegistryRepositories: [
        { location: "asia", repository: "asia.gcr.io" },
        { location: "europe-west1", repository: "apps" },
    ],
    namespaces: ["team-a", "team-b"],
};
