/**
 * The Google side of keyless mode: a Workload Identity pool and OIDC provider trusting the
 * cluster's issuer (unless one exists already, or GKE's own pool is used), and the plan's registry
 * reads for exactly one Kubernetes ServiceAccount, the refresher's: granted to its federated
 * principal, or to a reader account it may impersonate.
 */
import { foreignTypes, roles } from "../contract";
import { Plan } from "../plan";
import { exchangeAudiences, projectOfServiceAccount, refresherPrincipal, refresherSubject } from "./federationNames";
import { registryReadGrantSpecs } from "./googleSpecs";
import { ref, ResourceSpec, SpecContext, SpecValue } from "./resourceSpec";

/** What the refresher needs from the Google side. */
export interface KeylessAccess {
    /** The audience the refresher's projected ServiceAccount token is issued for. */
    tokenAudience: SpecValue;
    /** The audience asked of Google STS. */
    stsAudience: SpecValue;
    /** The reader account the refresher impersonates, if any. */
    serviceAccountEmail?: string;
    /** Keys of everything a first refresh depends on: the pool's provider and the grants. */
    ready: string[];
}

/** The keys of the keyless Google specs that others name. */
export const keylessGoogleKeys = { pool: "pool", poolProvider: "poolProvider", impersonation: "impersonation" } as const;

/** The specs of the Google side, and what the refresher needs from it; nothing unless keyless. */
export function keylessGoogleSpecs(plan: Plan, context: SpecContext): { specs: ResourceSpec[]; access?: KeylessAccess } {
    if (plan.credentials.kind !== "keyless") return { specs: [] };
    const keyless = plan.credentials.keyless;
    const federation = keyless.federation;
    const specs: ResourceSpec[] = [];
    let audiences: { token: SpecValue; sts: SpecValue };
    let principal: SpecValue;
    if (federation.kind === "createPool") {
        specs.push({
            key: keylessGoogleKeys.pool,
            name: context.name,
            type: foreignTypes.workloadIdentityPool,
            inputs: {
                workloadIdentityPoolId: federation.poolId,
                displayName: "gcr-pull-secrets",
                description: "Kubernetes ServiceAccount tokens of the gcr-pull-secrets token refresher; managed by gcr-pull-secrets.",
                ...(plan.project ? { project: plan.project } : {}),
            },
            options: {},
        });
        specs.push({
            key: keylessGoogleKeys.poolProvider,
            name: context.name,
            type: foreignTypes.workloadIdentityPoolProvider,
            inputs: {
                workloadIdentityPoolId: ref(keylessGoogleKeys.pool, "workloadIdentityPoolId"),
                workloadIdentityPoolProviderId: federation.providerId,
                displayName: "Kubernetes cluster",
                ...(plan.project ? { project: plan.project } : {}),
                attributeMapping: { "google.subject": "assertion.sub" },
                // The pool trusts the whole issuer; the condition narrows it to the one ServiceAccount
                // that needs it, so no other workload of the cluster can exchange its token here.
                attributeCondition: `assertion.sub == "${refresherSubject(keyless)}"`,
                oidc: { issuerUri: federation.issuerUri, ...(federation.jwks !== undefined ? { jwksJson: federation.jwks } : {}) },
            },
            options: {},
        });
        // Both are known only once Google has named the provider and the pool.
        const named = exchangeAudiences(federation, "{}");
        audiences = {
            token: ref(keylessGoogleKeys.poolProvider, "name", { format: named.token }),
            sts: ref(keylessGoogleKeys.poolProvider, "name", { format: named.sts }),
        };
        // The pool's name, projects/NUMBER/..., carries the project number, which the principal must name.
        principal = ref(keylessGoogleKeys.pool, "name", { part: 1, format: refresherPrincipal(keyless, "{}", federation.poolId) });
    } else if (federation.kind === "existingProvider") {
        audiences = exchangeAudiences(federation);
        principal = refresherPrincipal(keyless, federation.projectNumber, federation.poolId);
    } else {
        audiences = exchangeAudiences(federation);
        principal = refresherPrincipal(keyless, federation.projectNumber, `${federation.project}.svc.id.goog`);
    }

    const email = keyless.serviceAccountEmail;
    if (email) {
        specs.push({
            key: keylessGoogleKeys.impersonation,
            name: `${context.name}-impersonate`,
            type: foreignTypes.serviceAccountIamMember,
            inputs: {
                serviceAccountId: `projects/${projectOfServiceAccount(email)}/serviceAccounts/${email}`,
                role: roles.workloadIdentityUser,
                member: principal,
            },
            options: {},
        });
    }
    specs.push(...registryReadGrantSpecs(plan, context, email ? `serviceAccount:${email}` : principal));
    return {
        specs,
        access: {
            tokenAudience: audiences.token,
            stsAudience: audiences.sts,
            ...(email ? { serviceAccountEmail: email } : {}),
            // The pool is there before its provider; a first run needs the provider and every grant.
            ready: specs.filter((spec) => spec.key !== keylessGoogleKeys.pool).map((spec) => spec.key),
        },
    };
}
