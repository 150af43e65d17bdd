import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { roles } from "./contract";
import { readJsonKey } from "./jsonKey";
import { ConfigError } from "./configError";
import { Plan } from "./plan";
import { SuppliedKey } from "./validatedArgs";

/** The credentials the pull Secrets are built from. */
export interface GoogleCredentials {
    /** Email of the service account the key belongs to. */
    email: pulumi.Output<string>;
    /** Id of the key (public). */
    keyId: pulumi.Output<string>;
    /** The JSON key file's text. Secret. */
    keyJson: pulumi.Output<string>;
}

/**
 * Declares the Google side the plan asks for: a service account (created or existing), its
 * read-only grants and a key, or nothing at all for a supplied JSON key.
 */
export function googleCredentials(name: string, plan: Plan, suppliedKey: SuppliedKey | undefined, parent: pulumi.Resource): GoogleCredentials {
    const credentials = plan.credentials;
    if (credentials.kind === "jsonKey") {
        if (!suppliedKey) throw new Error("internal error: jsonKey is the credential source, but no key was supplied");
        if (suppliedKey.read) {
            // Read during validation: who the key belongs to and its id are not secret; the key is.
            const facts = credentials.facts!;
            return { email: pulumi.output(facts.clientEmail), keyId: pulumi.output(facts.privateKeyId), keyJson: suppliedKey.json };
        }
        const reading = suppliedKey.text.apply((text) => {
            const result = readJsonKey(text);
            if (!result.ok) {
                // Reached only when the key came as an Output; plain strings were checked up front.
                throw new ConfigError(
                    result.problems.map((message) => ({ path: "jsonKey", message })),
                    "GcrPullSecrets arguments",
                );
            }
            return result;
        });
        return {
            email: pulumi.unsecret(reading.apply((r) => r.facts.clientEmail)),
            keyId: pulumi.unsecret(reading.apply((r) => r.facts.privateKeyId)),
            keyJson: pulumi.secret(reading.apply((r) => r.json)),
        };
    }

    let email: pulumi.Output<string>;
    let accountRef: pulumi.Input<string>;
    if (credentials.kind === "createServiceAccount") {
        const account = new gcp.serviceaccount.Account(
            name,
            {
                accountId: credentials.accountId,
                displayName: credentials.displayName,
                description: credentials.description,
                ...(plan.project ? { project: plan.project } : {}),
            },
            { parent },
        );
        email = account.email;
        accountRef = account.name;
    } else {
        if (credentials.kind !== "existingServiceAccount") throw new Error(`internal error: ${credentials.kind} has no key to mint`);
        email = pulumi.output(credentials.email);
        accountRef = credentials.email;
    }
    const member = pulumi.interpolate`serviceAccount:${email}`;

    const grants = registryReadGrants(name, plan, member, parent);

    // Replacement is create-before-delete (Pulumi's default, kept on purpose): the new key exists
    // and the Secrets are updated with it before the old key is deleted at the end of the update.
    const key = new gcp.serviceaccount.Key(
        name,
        {
            serviceAccountId: accountRef,
            keepers: {
                rotationDays: String(plan.rotation!.days),
                rotationWindow: plan.rotation!.window,
                rotationTrigger: plan.rotation!.trigger,
            },
        },
        { parent, additionalSecretOutputs: ["privateKey"], dependsOn: grants },
    );
    return {
        email,
        keyId: key.name.apply((keyName) => keyName.split("/").pop() ?? keyName),
        keyJson: pulumi.secret(key.privateKey.apply((encoded) => Buffer.from(encoded, "base64").toString("utf8"))),
    };
}

/**
 * The read grants the plan lists (repositories, legacy buckets, project-wide read), each for
 * `member`; names come from what is granted, never from list positions.
 */
export function registryReadGrants(name: string, plan: Plan, member: pulumi.Input<string>, parent: pulumi.Resource): pulumi.Resource[] {
    const grants: pulumi.Resource[] = [];
    for (const grant of plan.repositoryGrants) {
        const project = grant.project ?? plan.project;
        grants.push(
            new gcp.artifactregistry.RepositoryIamMember(
                `${name}-${grant.project ? `${grant.project}-` : ""}${grant.location}-${grant.repository}`,
                {
                    location: grant.location,
                    repository: grant.repository,
                    ...(project ? { project } : {}),
                    role: roles.registryReader,
                    member,
                },
                { parent },
            ),
        );
    }
    for (const bucket of plan.bucketGrants) {
        grants.push(new gcp.storage.BucketIAMMember(`${name}-${bucket}`, { bucket, role: roles.gcrBucketReader, member }, { parent }));
    }
    if (plan.projectWideRead) {
        grants.push(new gcp.projects.IAMMember(`${name}-project-reader`, { project: plan.project!, role: roles.registryReader, member }, { parent }));
    }

    return grants;
}
