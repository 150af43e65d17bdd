/**
 * The credentials section: exactly one credential source (`serviceAccount`,
 * `existingServiceAccountEmail`, `jsonKey` or `keyless`, read in planKeyless.ts) and the Google
 * `project`. A plain-string `jsonKey` is read here, the one time it is parsed.
 */
import { Checker, describe, Field, isEventual, quote } from "./checker";
import { GcrPullSecretsArgs } from "../gcrPullSecretsArgs";
import { JsonKeyFacts, readJsonKey } from "../jsonKey";
import { CredentialPlan } from "../plan";
import { readKeyless, unreadableKeyless } from "./planKeyless";

/** The credentials part of the plan, and what the other sections need to know about it. */
export interface CredentialsReading {
    /** Undefined when the source is missing, ambiguous or unreadable (a problem is recorded). */
    credentials?: CredentialPlan;
    /**
     * The kind of the one credential source that is set, even when its content is bad. Undefined
     * when none or several are set: then no check that depends on the source is made, so a broken
     * source is never reported as if another one were set.
     */
    sourceKind?: CredentialPlan["kind"];
    /** The Google project, when set and valid. */
    project?: string;
    /** `project` (or `gcp:project`) is set, whether or not it is valid. */
    projectSet: boolean;
    /**
     * The supplied key's JSON text as read (the key file's text, also when it was given
     * base64-encoded), when jsonKey is a plain string without problems. Secret: it never enters the
     * plan, a message or a log.
     */
    keyJson?: string;
}

const accountIdPattern = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const serviceAccountEmail = /^[a-z0-9][a-z0-9._-]*@[a-z0-9-]+(\.[a-z0-9-]+)*\.gserviceaccount\.com$/;
export const projectIdPattern = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$|^[a-z0-9.-]+\.[a-z]+:[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
export const projectIdRule =
    "6-30 characters: lowercase letters, digits and '-', starting with a letter and ending with a letter or digit " +
    "(for example acme-dev-123456; a domain-scoped project is example.com:my-project)";

const defaultDisplayName = "Image pull (gcr-pull-secrets)";
const defaultDescription = "Reads container images for Kubernetes pull secrets; managed by gcr-pull-secrets.";

const sources = [
    { name: "serviceAccount", kind: "createServiceAccount", what: "the account to create, {accountId: ...}" },
    { name: "existingServiceAccountEmail", kind: "existingServiceAccount", what: "the email of an existing service account" },
    { name: "jsonKey", kind: "jsonKey", what: "the text of a JSON key file" },
    { name: "keyless", kind: "keyless", what: "the keyless setup, {issuerUri | workloadIdentityProvider | gkeCluster, ...}" },
] as const;

/** Checks the credential source (exactly one of three) and the project. */
export function planCredentials(args: GcrPullSecretsArgs, checker: Checker): CredentialsReading {
    const fields = sources.map((source) => ({ ...source, field: checker.setting(source.name, args[source.name]) }));
    const present = fields.filter((s) => checker.isSet(s.field));
    const filled = present.filter((s) => s.field.value !== "");
    const empty = present.filter((s) => s.field.value === "");
    if (present.length === 0) {
        checker.fail(
            fields[0].field,
            "is not set, and neither is existingServiceAccountEmail, jsonKey or keyless; set exactly one credential source: " +
                "serviceAccount (create a service account, the usual choice), existingServiceAccountEmail, jsonKey, or keyless " +
                "(no key at all: short-lived tokens through Workload Identity Federation)",
        );
    } else if (filled.length > 1) {
        const [first, ...others] = filled;
        checker.fail(
            first.field,
            `is set together with ${others.map((o) => o.field.path).join(" and ")}; keep exactly one credential source and remove the others`,
        );
    }
    for (const source of empty) {
        checker.fail(
            source.field,
            filled.length === 1
                ? `is empty; ${checker.howToRemove(source.field)}: ${filled[0].field.path} is the credential source`
                : `is empty; set it to ${source.what}, or remove it and set exactly one other credential source`,
        );
    }
    const sourceKind = filled.length === 1 ? filled[0].kind : undefined;

    // Each source that is set is checked on its own: its problems are real whichever source is chosen.
    const [accountField, emailField, keyField, keylessField] = fields.map((s) => s.field);
    const account = readServiceAccount(accountField, checker);
    const email = readExistingEmail(emailField, checker);
    const key = readSuppliedKey(keyField, checker);
    // With clusters, each cluster names its own issuer (validation/planClusters.ts).
    const keyless = checker.isSet(keylessField)
        ? readKeyless(keylessField, checker, { fleet: checker.isSet(checker.setting("clusters", args.clusters)) })
        : undefined;

    const projectField = checker.setting("project", args.project);
    const project = checker.text(projectField, {
        what: "the Google project id",
        example: "acme-dev-123456",
        emptyFix: `set the Google project id (${projectIdRule}), or ${checker.howToRemove(projectField)} to use the provider's project`,
    });
    const validProject = project !== undefined && projectIdPattern.test(project) ? project : undefined;
    if (project !== undefined && !validProject) {
        checker.fail(
            projectField,
            `is ${quote(projectField)}, not a Google project id: it has ${projectIdRule}; use the project's id (\`gcloud projects list\` shows it)`,
        );
    }

    let credentials: CredentialPlan | undefined;
    if (sourceKind === "jsonKey") {
        credentials = { kind: "jsonKey", ...(key ? { facts: key.facts } : {}) };
    } else if (sourceKind === "createServiceAccount" && (account || accountField.unavailable)) {
        credentials = account ?? { kind: "createServiceAccount", accountId: "", displayName: defaultDisplayName, description: defaultDescription };
    } else if (sourceKind === "existingServiceAccount" && (email !== undefined || emailField.unavailable)) {
        credentials = { kind: "existingServiceAccount", email: email ?? "" };
    } else if (sourceKind === "keyless" && (keyless || keylessField.unavailable)) {
        credentials = { kind: "keyless", keyless: keyless ?? unreadableKeyless };
    }
    return {
        ...(credentials ? { credentials } : {}),
        ...(sourceKind ? { sourceKind } : {}),
        ...(validProject ? { project: validProject } : {}),
        projectSet: checker.isSet(projectField) && projectField.value !== "",
        ...(sourceKind === "jsonKey" && key ? { keyJson: key.json } : {}),
    };
}

function readServiceAccount(field: Field, checker: Checker): CredentialPlan | undefined {
    if (field.value === "") return undefined; // reported as empty above
    const members = checker.object(field, {
        what: "an object {accountId, displayName?, description?}",
        known: ["accountId", "displayName", "description"],
        example: ["accountId", "gke-puller"],
    });
    if (!members) return undefined;
    const idField = members.accountId ?? checker.child(field, "accountId");
    const accountId = checker.text(idField, { what: "the id of the account to create", example: "gke-puller", required: true });
    let valid = accountId !== undefined;
    if (accountId !== undefined && !accountIdPattern.test(accountId)) {
        valid = false;
        checker.fail(
            idField,
            `is ${quote(idField)}, not a valid account id: it has 6-30 characters, lowercase letters, digits and '-', ` +
                "starting with a letter and ending with a letter or digit; use an id such as gke-puller",
        );
    }
    const optional = (name: "displayName" | "description", limit: number, fallback: string): string => {
        const member = members[name];
        if (!member) return fallback;
        const text = checker.text(member, {
            what: name === "displayName" ? "a display name" : "a description",
            example: "Image pull",
            emptyFix: `${checker.howToRemove(member)} to use the default, or set it to at most ${limit} characters of text`,
        });
        if (text !== undefined && text.length > limit) {
            valid = false;
            checker.fail(member, `is longer than the ${limit} characters Google allows; shorten it`);
        }
        return text ?? fallback;
    };
    const displayName = optional("displayName", 100, defaultDisplayName);
    const description = optional("description", 256, defaultDescription);
    return valid ? { kind: "createServiceAccount", accountId: accountId!, displayName, description } : undefined;
}

function readExistingEmail(field: Field, checker: Checker): string | undefined {
    if (field.value === "") return undefined; // reported as empty above
    const email = checker.text(field, { what: "a service account email", example: "puller@my-project.iam.gserviceaccount.com" });
    if (email === undefined) return undefined;
    if (!serviceAccountEmail.test(email)) {
        checker.fail(
            field,
            `is ${quote(field)}, not a service account email: it must look like NAME@PROJECT.iam.gserviceaccount.com, ` +
                "in lowercase (for example puller@my-project.iam.gserviceaccount.com); use the account's email (`gcloud iam service-accounts list` shows it)",
        );
        return undefined;
    }
    return email;
}

/** Reads a supplied key given as a plain string: the one time it is parsed. Undefined when absent, an Output, or bad (problems recorded). */
function readSuppliedKey(field: Field, checker: Checker): { json: string; facts: JsonKeyFacts } | undefined {
    const value = field.value;
    if (field.unavailable || value === undefined || value === null || value === "") return undefined;
    if (isEventual(value)) return undefined; // an Output: read by the component once it resolves
    if (typeof value !== "string") {
        checker.fail(field, `must be the JSON key file's text (a string, or a pulumi.secret of one), not ${describe(field)}`);
        return undefined;
    }
    const reading = readJsonKey(value);
    if (!reading.ok) {
        reading.problems.forEach((message) => checker.fail(field, message));
        return undefined;
    }
    return { json: reading.json, facts: reading.facts };
}
