/**
 * The library entry of the npm package (sdk/nodejs): the component, its arguments and its error,
 * and the plan and resource specs it is built from (to see what it would create, without Pulumi).
 * A program uses it as `import { GcrPullSecrets } from "@gcr-pull-secrets/pulumi"`.
 */
export { ConfigError } from "./configError";
export type { ConfigProblem } from "./configError";
export { GcrPullSecrets } from "./gcrPullSecrets";
export type { ClusterArgs } from "./clusterArgs";
export type {
    ArtifactRegistryRepositoryArgs,
    GcrPullSecretsArgs,
    KeylessArgs,
    NamespaceArgs,
    NamespaceSelectorArgs,
    ServiceAccountArgs,
    ServiceAccountCoverageArgs,
} from "./gcrPullSecretsArgs";
export type { LabelSelectorArgs, LabelSelectorRequirementArgs } from "./labelSelector";
export type { Plan } from "./plan";
export type { NamespacePullAccess, PullAccessStatus, RepositoryAccess, RepositoryPullAccess, ServiceAccountPullAccess } from "./pullAccess";
export { PullSecretsProvider } from "./pullSecretsProvider";
export type { PullSecretsProviderArgs } from "./pullSecretsProvider";
export { ValidatedArgs, validateArgs } from "./validatedArgs";
export type { SuppliedKey } from "./validatedArgs";
export { resolveNamespaces } from "./selectNamespaces";
export type { NamespaceTarget } from "./selectNamespaces";
export { resourceSpecs } from "./specs/resourceSpecs";
export type { OutputSpec, Reference, ResourceSpec, SecretInput, SpecContext, SpecOptions, SpecValue } from "./specs/resourceSpec";
