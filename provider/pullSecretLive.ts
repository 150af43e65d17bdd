/** What refresh and import read of a live pull Secret: its content's digest and the ServiceAccounts that list it. */
import { dockerConfigDigest } from "../components/dockerConfig";
import { hasPullSecret } from "../components/imagePullSecrets";
import { CoreApi, describeApiError, SecretObject, statusOf } from "./kubeApi";

/** The digest of the docker config the Secret holds, or "none" when it holds none. */
export function liveDigest(secret: SecretObject): string {
    const data = secret.data?.[".dockerconfigjson"];
    return data ? dockerConfigDigest(Buffer.from(data, "base64").toString("utf8")) : "none";
}

/** Those of `serviceAccounts` whose `imagePullSecrets` list the Secret now; a missing ServiceAccount lists nothing. */
export async function liveEntries(api: CoreApi, namespace: string, secretName: string, serviceAccounts: string[]): Promise<string[]> {
    const attached: string[] = [];
    for (const serviceAccount of serviceAccounts) {
        try {
            const account = await api.readNamespacedServiceAccount({ name: serviceAccount, namespace });
            if (hasPullSecret(account.imagePullSecrets, secretName)) attached.push(serviceAccount);
        } catch (error) {
            if (statusOf(error) !== 404) throw new Error(`reading ServiceAccount ${namespace}/${serviceAccount} failed: ${describeApiError(error)}`);
        }
    }
    return attached;
}
