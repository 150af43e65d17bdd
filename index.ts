import { readStackConfig } from "./components/config";
import { GcrPullSecrets } from "./components/gcrPullSecrets";

// Stacks of this program deployed with 0.1 upgrade in place (see docs/upgrading.md).
const pullSecrets = new GcrPullSecrets("gcr-pull-secrets", readStackConfig({ upgradeFrom01: true }));

/** The pull Secret's name in each namespace (with `clusters`: by cluster, then namespace). */
export const secretNames = pullSecrets.clusterSecretNames ?? pullSecrets.secretNames;
/** The Google service account whose key the Secrets carry (keyless: the impersonated reader account, or empty). */
export const serviceAccountEmail = pullSecrets.serviceAccountEmail;
/** The id of the key in use (the key itself is never exported; empty in keyless mode). */
export const keyId = pullSecrets.keyId;
/** Registry hosts the Secrets cover. */
export const registryHosts = pullSecrets.registryHosts;
/** What `pulumi up` found when it checked pull access, per namespace (see docs/configuration.md, verifyPullAccess). */
export const pullAccess = pullSecrets.pullAccess;
