import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { roles } from "./contract";
import { registryReadGrants } from "./googleCredentials";
import { Plan } from "./plan";
import { exchangeAudiences, KeylessPlan, projectOfServiceAccount, refresherPrincipal, refresherSubject } from "./validation/planKeyless";

/** What the refresher needs from the Google side. */
export interface KeylessGoogleAccess {
    /** The audience the refresher's projected ServiceAccount token is issued for. */
    tokenAudience: pulumi.Output<string>;
    /** The audience asked of Google STS. */
    stsAudience: pulumi.Output<string>;
    /** The IAM member of the refresher's federated identity. */
    principal: pulumi.Output<string>;
    /** The reader account the refresher impersonates, if any. */
    serviceAccountEmail?: string;
    /** Everything a first refresh depends on: the provider and the grants. */
    ready: pulumi.Resource[];
}

/**
 * Declares the Google side of keyless mode: a Workload Identity pool and OIDC provider trusting
 * the cluster's issuer (unless one exists already, or GKE's own pool is used), and the plan's
 * registry reads for exactly one Kubernetes ServiceAccount, the refresher's: granted to its
 * federated principal, or to a reader account it may impersonate.
 */
export function keylessGoogleAccess(name: string, plan: Plan, keyless: KeylessPlan, parent: pulumi.Resource): KeylessGoogleAccess {
    const federation = keyless.federation;
    let audiences: pulumi.Output<{ token: string; sts: string }>;
    let principal: pulumi.Output<string>;
    const ready: pulumi.Resource[] = [];
    if (federation.kind === "createPool") {
        const pool = new gcp.iam.WorkloadIdentityPool(
            name,
            {
                workloadIdentityPoolId: federation.poolId,
                displayName: "gcr-pull-secrets",
                description: "Kubernetes ServiceAccount tokens of the gcr-pull-secrets token refresher; managed by gcr-pull-secrets.",
                ...(plan.project ? { project: plan.project } : {}),
            },
            { parent },
        );
        const provider = new gcp.iam.WorkloadIdentityPoolProvider(
            name,
            {
                workloadIdentityPoolId: pool.workloadIdentityPoolId,
                workloadIdentityPoolProviderId: federation.providerId,
                displayName: "Kubernetes cluster",
                ...(plan.project ? { project: plan.project } : {}),
                attributeMapping: { "google.subject": "assertion.sub" },
                // The pool trusts the whole issuer; the condition narrows it to the one ServiceAccount
                // that needs it, so no other workload of the cluster can exchange its token here.
                attributeCondition: `assertion.sub == "${refresherSubject(keyless)}"`,
                oidc: { issuerUri: federation.issuerUri, ...(federation.jwks !== undefined ? { jwksJson: federation.jwks } : {}) },
            },
            { parent },
        );
        ready.push(provider);
        audiences = provider.name.apply((providerName) => exchangeAudiences(federation, providerName));
        // The pool's name carries the project number, which the principal must name.
        principal = pool.name.apply((poolName) => refresherPrincipal(keyless, poolName.split("/")[1], federation.poolId));
    } else if (federation.kind === "existingProvider") {
        audiences = pulumi.output(exchangeAudiences(federation));
        principal = pulumi.output(refresherPrincipal(keyless, federation.projectNumber, federation.poolId));
    } else {
        audiences = pulumi.output(exchangeAudiences(federation));
        principal = pulumi.output(refresherPrincipal(keyless, federation.projectNumber, `${federation.project}.svc.id.goog`));
    }

    const email = keyless.serviceAccountEmail;
    if (email) {
        ready.push(
            new gcp.serviceaccount.IAMMember(
                `${name}-impersonate`,
                {
                    serviceAccountId: `projects/${projectOfServiceAccount(email)}/serviceAccounts/${email}`,
                    role: roles.workloadIdentityUser,
                    member: principal,
                },
                { parent },
            ),
        );
    }
    ready.push(...registryReadGrants(name, plan, email ? `serviceAccount:${email}` : principal, parent));
    return {
        tokenAudience: audiences.apply((a) => a.token),
        stsAudience: audiences.apply((a) => a.sts),
        principal,
        ...(email ? { serviceAccountEmail: email } : {}),
        ready,
    };
}
