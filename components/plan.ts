/**
 * The plan: everything the component will create, decided from validated arguments
 * (validation/checkArgs.ts) and nothing created yet. specs/ turns it into the specs of every resource.
 */
import { UsernameMode } from "./dockerConfig";
import { CredentialPlan } from "./validation/planCredentials";
import { KeylessPlan } from "./validation/planKeyless";
import { NamespacePlan, NamespaceSelectorPlan } from "./validation/planNamespaces";
import { RepositoryGrantPlan } from "./validation/planRegistries";
import { RotationPlan } from "./validation/planRotation";

export type { CredentialPlan, KeylessPlan, NamespacePlan, NamespaceSelectorPlan, RepositoryGrantPlan, RotationPlan };

/** Everything the component will create, decided from validated arguments. Frozen. */
export interface Plan {
    credentials: CredentialPlan;
    project?: string;
    registryHosts: string[];
    repositoryGrants: RepositoryGrantPlan[];
    bucketGrants: string[];
    projectWideRead: boolean;
    /** Present for keys this program mints (a created or existing service account). */
    rotation?: RotationPlan;
    username: UsernameMode;
    secretName: string;
    /** Namespaces listed by name, sorted. */
    namespaces: NamespacePlan[];
    /** Namespaces chosen by label when the program runs. */
    namespaceSelector?: NamespaceSelectorPlan;
    serviceAccountWaitSeconds: number;
    kubeContext?: string;
}
