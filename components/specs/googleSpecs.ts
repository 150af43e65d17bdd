/**
 * The Google side of a key this program mints: the service account (created, or existing and only
 * named), its read-only grants, and the key. Also the grants alone, which keyless mode gives its
 * federated principal or reader account.
 */
import { foreignTypes, roles } from "../contract";
import { Plan } from "../plan";
import { OutputSpec, ref, ResourceSpec, SpecContext, SpecValue } from "./resourceSpec";

/** The keys of the Google side's specs that others name. */
export const googleKeys = { account: "account", key: "key" } as const;

/** The service account (if created), its grants and its key; none for a supplied key or keyless. */
export function managedKeySpecs(plan: Plan, context: SpecContext): ResourceSpec[] {
    const credentials = plan.credentials;
    if (credentials.kind !== "createServiceAccount" && credentials.kind !== "existingServiceAccount") return [];
    const specs: ResourceSpec[] = [];
    let member: SpecValue;
    let serviceAccountId: SpecValue;
    if (credentials.kind === "createServiceAccount") {
        specs.push({
            key: googleKeys.account,
            name: context.name,
            type: foreignTypes.account,
            inputs: {
                accountId: credentials.accountId,
                displayName: credentials.displayName,
                description: credentials.description,
                ...(plan.project ? { project: plan.project } : {}),
            },
            options: {},
        });
        member = ref(googleKeys.account, "email", { format: "serviceAccount:{}" });
        serviceAccountId = ref(googleKeys.account, "name");
    } else {
        member = `serviceAccount:${credentials.email}`;
        serviceAccountId = credentials.email;
    }
    const grants = registryReadGrantSpecs(plan, context, member);
    specs.push(...grants);
    const rotation = plan.rotation!;
    specs.push({
        key: googleKeys.key,
        name: context.name,
        type: foreignTypes.key,
        inputs: {
            serviceAccountId,
            // A change of any keeper replaces the key.
            keepers: { rotationDays: String(rotation.days), rotationWindow: rotation.window, rotationTrigger: rotation.trigger },
        },
        // Replacement is create-before-delete (Pulumi's default, kept on purpose): the new key exists
        // and the Secrets are updated with it before the old key is deleted at the end of the update.
        options: { additionalSecretOutputs: ["privateKey"], ...(grants.length > 0 ? { dependsOn: grants.map((grant) => grant.key) } : {}) },
    });
    return specs;
}

/**
 * The read grants the plan lists (repositories, legacy buckets, project-wide read), each for
 * `member`; names come from what is granted, never from list positions.
 */
export function registryReadGrantSpecs(plan: Plan, context: SpecContext, member: SpecValue): ResourceSpec[] {
    const specs: ResourceSpec[] = [];
    for (const grant of plan.repositoryGrants) {
        const project = grant.project ?? plan.project;
        const what = `${grant.project ? `${grant.project}-` : ""}${grant.location}-${grant.repository}`;
        specs.push({
            key: `repositoryGrant/${what}`,
            name: `${context.name}-${what}`,
            type: foreignTypes.repositoryIamMember,
            inputs: { location: grant.location, repository: grant.repository, ...(project ? { project } : {}), role: roles.registryReader, member },
            options: {},
        });
    }
    for (const bucket of plan.bucketGrants) {
        specs.push({
            key: `bucketGrant/${bucket}`,
            name: `${context.name}-${bucket}`,
            type: foreignTypes.bucketIamMember,
            inputs: { bucket, role: roles.gcrBucketReader, member },
            options: {},
        });
    }
    if (plan.projectWideRead) {
        specs.push({
            key: "projectGrant",
            name: `${context.name}-project-reader`,
            type: foreignTypes.projectIamMember,
            inputs: { project: plan.project!, role: roles.registryReader, member },
            options: {},
        });
    }
    return specs;
}

/** The component's outputs about the credentials: the account's email and the key's id (never the key). */
export function credentialOutputs(plan: Plan): { serviceAccountEmail: OutputSpec; keyId: OutputSpec } {
    const credentials = plan.credentials;
    switch (credentials.kind) {
        case "createServiceAccount":
            return { serviceAccountEmail: ref(googleKeys.account, "email"), keyId: keyIdOfKey };
        case "existingServiceAccount":
            return { serviceAccountEmail: credentials.email, keyId: keyIdOfKey };
        case "jsonKey":
            return credentials.facts
                ? { serviceAccountEmail: credentials.facts.clientEmail, keyId: credentials.facts.privateKeyId }
                : { serviceAccountEmail: { $jsonKey: "clientEmail" }, keyId: { $jsonKey: "privateKeyId" } };
        case "keyless":
            return { serviceAccountEmail: credentials.keyless.serviceAccountEmail ?? "", keyId: "" };
    }
}

// The key's name is projects/P/serviceAccounts/EMAIL/keys/ID.
const keyIdOfKey = ref(googleKeys.key, "name", { part: -1 });
