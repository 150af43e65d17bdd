import { readStackConfig } from "./components/config";
import { GcrPullSecrets } from "./components/gcrPullSecrets";

const pullSecrets = new GcrPullSecrets("gcr-pull-secrets", readStackConfig());

/** The pull Secret's name in each namespace. */
export const secretNames = pullSecrets.secretNames;
/** The Google service account whose key the Secrets carry. */
export const serviceAccountEmail = pullSecrets.serviceAccountEmail;
/** The id of the key in use (the key itself is never exported). */
export const keyId = pullSecrets.keyId;
/** Registry hosts the Secrets cover. */
export const registryHosts = pullSecrets.registryHosts;
