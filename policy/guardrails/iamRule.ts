/** Rule registry-read-only-iam. */
import { roles } from "../../components/contract";
import { ResourceFacts, resourceTypes, Violation } from "./facts";

/** The only IAM grants this program makes: resource type → the one role it may carry. */
export const allowedRoleByType: Readonly<Record<string, string>> = {
    [resourceTypes.repositoryIamMember]: roles.registryReader,
    [resourceTypes.bucketIamMember]: roles.gcrBucketReader,
    [resourceTypes.projectIamMember]: roles.registryReader,
    // Keyless mode with impersonation: the refresher's federated principal may act as the reader account.
    [resourceTypes.serviceAccountIamMember]: roles.workloadIdentityUser,
};

const grantScope: Readonly<Record<string, string>> = {
    [resourceTypes.repositoryIamMember]: "an Artifact Registry repository",
    [resourceTypes.bucketIamMember]: "a Container Registry bucket",
    [resourceTypes.projectIamMember]: "the project (projectWideRead)",
    [resourceTypes.serviceAccountIamMember]: "the reader service account (keyless impersonation)",
};

/** Google IAM grants (any *IamMember, *IamBinding or *IamPolicy resource of @pulumi/gcp). */
export function isIamGrant(type: string): boolean {
    return type.startsWith("gcp:") && /Iam(Member|Binding|Policy)$/i.test(type.split(":").pop() ?? "");
}

/** Only the three registry-read grants, each with its one role; no other IAM resource at all. */
export function iamViolations(resource: ResourceFacts): Violation[] {
    if (!isIamGrant(resource.type)) {
        return [];
    }
    const allowedRole = allowedRoleByType[resource.type];
    if (allowedRole === undefined) {
        return [
            {
                message:
                    `${resource.type} is an IAM grant this program must not make. It grants only registry read access, through ` +
                    "RepositoryIamMember (roles/artifactregistry.reader), BucketIAMMember (roles/storage.objectViewer), project " +
                    "IAMMember (roles/artifactregistry.reader) and, in keyless mode, service account IAMMember (roles/iam.workloadIdentityUser); bindings and policies are authoritative and would remove other members' access.",
            },
        ];
    }
    const role = resource.props.role;
    if (role === allowedRole) {
        return [];
    }
    const danger = typeof role === "string" && /^roles\/(owner|editor)$/.test(role) ? " (project-wide write access)" : "";
    return [
        {
            message:
                `This grant on ${grantScope[resource.type]} gives "${String(role)}"${danger}; this program may grant only ` +
                `"${allowedRole}" here, the read access image pulls need. Grant anything else outside this program.`,
        },
    ];
}
