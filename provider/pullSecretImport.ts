/**
 * Import (`pulumi import gcr-pull-secrets:index:PullSecret <name> NAMESPACE/NAME`, or the `import`
 * resource option): the engine calls Read with the id alone, and the resource's inputs and outputs
 * are made from the live Secret and the ServiceAccounts that list it. Nothing is written: the next
 * update puts the owner annotations on the Secret.
 */
import { randomUUID } from "crypto";
import { dockerConfigJsonType, keyless, keySourceAnnotation, registriesAnnotation } from "../components/contract";
import { hasPullSecret } from "../components/imagePullSecrets";
import { describeApiError, readSecret, ServiceAccountObject } from "./kubeApi";
import { ownerOf } from "./ownership";
import { pullSecretOutputs } from "./pullSecretInputs";
import { liveDigest } from "./pullSecretLive";
import { PullSecretContext } from "./secretWrites";

/** The ServiceAccounts of the namespace whose `imagePullSecrets` list the Secret. */
async function listingServiceAccounts(context: PullSecretContext, namespace: string, secretName: string): Promise<string[]> {
    const { api } = context.connection();
    const names: string[] = [];
    let next: string | undefined;
    do {
        let page;
        try {
            page = await api.listServiceAccountForAllNamespaces({ fieldSelector: `metadata.namespace=${namespace}`, limit: 500, _continue: next });
        } catch (error) {
            throw new Error(`listing the ServiceAccounts of namespace ${namespace} failed: ${describeApiError(error)}`);
        }
        for (const item of page.items as ServiceAccountObject[]) {
            const name = (item.metadata as { name?: string } | undefined)?.name;
            if (name && hasPullSecret(item.imagePullSecrets, secretName)) names.push(name);
        }
        next = page.metadata?._continue || undefined;
    } while (next);
    return names.sort();
}

/** The registry hosts of a docker config's `auths`, when the Secret has no registries annotation. */
function hostsOf(data: string | undefined): string[] {
    try {
        return Object.keys(JSON.parse(Buffer.from(data ?? "", "base64").toString("utf8")).auths ?? {});
    } catch {
        return [];
    }
}

/**
 * Read for import. `stack` is `<project>/<stack>` of the importing stack: a Secret this stack's
 * earlier resource owned (one removed with `pulumi state delete`) keeps its owner id; any other is
 * given a new one, and stays refused to updates until `adopt` if another stack owns it.
 */
export async function importedPullSecret(
    context: PullSecretContext,
    id: string,
    stack: string,
): Promise<{ id?: string; props: Record<string, unknown>; inputs?: Record<string, unknown> }> {
    const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/.exec(id);
    if (!match) {
        throw new Error(`the id of a PullSecret to import is NAMESPACE/NAME, the Secret's namespace and name (for example apps/regcred), not "${id}"`);
    }
    const [namespace, secretName] = [match[1], match[3]];
    const live = await readSecret(context.connection().api, namespace, secretName);
    if (!live) return { props: {} };
    if (live.type !== dockerConfigJsonType) {
        throw new Error(`Secret ${id} has type "${live.type}"; only a ${dockerConfigJsonType} Secret can be imported as a PullSecret`);
    }
    const annotations = live.metadata?.annotations ?? {};
    const keySource = annotations[keySourceAnnotation] || "supplied";
    const registries = (annotations[registriesAnnotation] ?? "").split(",").filter((host) => host !== "");
    const serviceAccounts = await listingServiceAccounts(context, namespace, secretName);
    const owner = ownerOf(live);
    const inputs = {
        namespace,
        secretName,
        // A Secret this stack did not write is taken over by the import: the program says so with
        // adopt, and the `import` option's check (before the read) lets it through only then.
        adopt: owner.stack !== stack,
        owner: stack,
        // The identity of the stack of this name that wrote it: an import by a stack of the same name
        // in another backend then differs from its program in stackIdentity, and the engine refuses it.
        ...(owner.stack === stack && owner.stackIdentity ? { stackIdentity: owner.stackIdentity } : {}),
        keySource,
        registries: registries.length > 0 ? registries : hostsOf(live.data?.[".dockerconfigjson"]),
        ...(keySource === keyless.keySource ? {} : { dockerConfigDigest: liveDigest(live) }),
        namespaceCreatedByStack: false,
        serviceAccounts,
        foundServiceAccounts: [],
        waitSeconds: 60,
    };
    const ownerId = owner.ownerId && owner.stack === stack ? owner.ownerId : randomUUID();
    return { id, props: pullSecretOutputs(inputs, ownerId, live.metadata?.uid, serviceAccounts), inputs };
}
