/**
 * The names Google and the cluster see in keyless mode, made from the plan: the refresher's
 * Kubernetes subject, its federated principal, and the audiences of the token exchange. Pure.
 */
import { FederationPlan, KeylessPlan } from "../plan";
import { serviceAccountEmailPattern } from "../validation/planKeyless";

/** The Kubernetes subject of the refresher: what the ServiceAccount token's `sub` claim says. */
export function refresherSubject(plan: Pick<KeylessPlan, "namespace" | "serviceAccountName">): string {
    return `system:serviceaccount:${plan.namespace}:${plan.serviceAccountName}`;
}

/** The project an account email names: `name@PROJECT.iam.gserviceaccount.com`. */
export function projectOfServiceAccount(email: string): string {
    return serviceAccountEmailPattern.exec(email)?.[1] ?? "-";
}

/**
 * The IAM member of the refresher's federated identity, for a pool named by project number and
 * id. GKE's own pool maps the subject to `ns/<namespace>/sa/<name>`; a pool of ours maps
 * `google.subject` to the token's `sub` as is.
 */
export function refresherPrincipal(plan: KeylessPlan, projectNumber: string, poolId: string): string {
    const subject = plan.federation.kind === "gke" ? `ns/${plan.namespace}/sa/${plan.serviceAccountName}` : refresherSubject(plan);
    return `principal://iam.googleapis.com/projects/${projectNumber}/locations/global/workloadIdentityPools/${poolId}/subject/${subject}`;
}

/**
 * The audiences of the exchange, given the provider's resource name (known only once a created
 * provider exists): `token` is what the projected ServiceAccount token is issued for (an OIDC
 * provider's default allowed audience), `sts` is what Google STS is asked for.
 */
export function exchangeAudiences(federation: FederationPlan, providerName?: string): { token: string; sts: string } {
    if (federation.kind === "gke") {
        const pool = `${federation.project}.svc.id.goog`;
        return {
            token: pool,
            sts: `identitynamespace:${pool}:https://container.googleapis.com/v1/projects/${federation.project}/locations/${federation.location}/clusters/${federation.cluster}`,
        };
    }
    const name =
        providerName ??
        (federation.kind === "existingProvider"
            ? `projects/${federation.projectNumber}/locations/global/workloadIdentityPools/${federation.poolId}/providers/${federation.providerId}`
            : undefined);
    if (name === undefined) throw new Error("internal error: the provider's name is needed for the audiences of a created pool");
    return { token: `https://iam.googleapis.com/${name}`, sts: `//iam.googleapis.com/${name}` };
}
