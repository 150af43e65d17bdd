/**
 * The end-to-end tests' view of the cluster: a real client (never the program's own objects), and
 * the reads and writes the tests make with it. Re-exported by stackHarness.ts.
 */
import * as k8s from "@kubernetes/client-node";
import { randomBytes } from "crypto";
import { liveDigest } from "../../provider/pullSecretLive";

/** A Kubernetes client for the test cluster, or the one of `kubeconfigPath` (never the program's own objects). */
export function kube(kubeconfigPath?: string): { core: k8s.CoreV1Api; config: k8s.KubeConfig } {
    const config = new k8s.KubeConfig();
    if (kubeconfigPath) config.loadFromFile(kubeconfigPath);
    else config.loadFromDefault();
    return { core: config.makeApiClient(k8s.CoreV1Api), config };
}

/** A namespace name unique to this run. */
export function uniqueNamespace(prefix: string): string {
    return `${prefix}-${randomBytes(3).toString("hex")}`;
}

/** Creates a namespace and waits for its `default` ServiceAccount. */
export async function createNamespace(name: string, kubeconfigPath?: string): Promise<void> {
    const { core } = kube(kubeconfigPath);
    await core.createNamespace({ body: { metadata: { name } } });
    await waitFor(`default ServiceAccount in ${name}`, async () => {
        await core.readNamespacedServiceAccount({ name: "default", namespace: name });
        return true;
    });
}

/** Polls `check` every 100 ms until it returns a truthy value (errors count as not yet), for at most `ms`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
    const deadline = Date.now() + ms;
    let lastError: unknown;
    for (;;) {
        try {
            const value = await check();
            if (value) return value;
        } catch (error) {
            lastError = error;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ""}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}

/** Whether the namespace has a Secret of that name (404 is "no"; any other failure throws). */
export async function secretExists(namespace: string, name = "regcred"): Promise<boolean> {
    return kube()
        .core.readNamespacedSecret({ name, namespace })
        .then(
            () => true,
            (e: { code?: number }) => (e.code === 404 ? false : Promise.reject(e)),
        );
}

/** The names in a ServiceAccount's imagePullSecrets, in order. */
export async function pullSecretNames(namespace: string, serviceAccount = "default", kubeconfigPath?: string): Promise<string[]> {
    const account = await kube(kubeconfigPath).core.readNamespacedServiceAccount({ name: serviceAccount, namespace });
    return (account.imagePullSecrets ?? []).map((ref) => ref.name ?? "");
}

/**
 * Adds an entry the way a careful `kubectl patch --type=json` does: appended, nobody's entry
 * replaced. The patch is conditional on the resourceVersion it read (a JSON-patch `test`), because
 * adding the list when it is empty would otherwise replace a list someone wrote in between.
 */
export async function appendPullSecret(namespace: string, name: string, serviceAccount = "default", kubeconfigPath?: string): Promise<void> {
    const { core } = kube(kubeconfigPath);
    for (let attempt = 1; ; attempt++) {
        const account = await core.readNamespacedServiceAccount({ name: serviceAccount, namespace });
        const patch = [
            { op: "test", path: "/metadata/resourceVersion", value: account.metadata?.resourceVersion },
            account.imagePullSecrets?.length
                ? { op: "add", path: "/imagePullSecrets/-", value: { name } }
                : { op: "add", path: "/imagePullSecrets", value: [{ name }] },
        ];
        try {
            await core.patchNamespacedServiceAccount(
                { name: serviceAccount, namespace, body: patch },
                k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.JsonPatch),
            );
            return;
        } catch (error) {
            // 422 (the test failed) or 409: someone wrote in between; read again.
            const code = (error as { code?: number }).code;
            if ((code !== 422 && code !== 409) || attempt >= 1000) throw error;
        }
    }
}

/** The manual recipe, step for step: `kubectl create secret docker-registry` then `kubectl patch serviceaccount default`. */
export async function manualRecipe(namespace: string, keyJson: string, host: string): Promise<void> {
    const { core } = kube();
    const auth = Buffer.from(`_json_key:${keyJson}`).toString("base64");
    const dockerConfig = JSON.stringify({ auths: { [host]: { username: "_json_key", password: keyJson, auth } } });
    await core.createNamespacedSecret({
        namespace,
        body: {
            metadata: { name: "regcred" },
            type: "kubernetes.io/dockerconfigjson",
            data: { ".dockerconfigjson": Buffer.from(dockerConfig).toString("base64") },
        },
    });
    await core.patchNamespacedServiceAccount(
        { name: "default", namespace, body: { imagePullSecrets: [{ name: "regcred" }] } },
        k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.StrategicMergePatch),
    );
}

/** Creates a Pod that names no imagePullSecrets and returns the ones admission gave it. */
export async function admittedPullSecrets(namespace: string, podName: string): Promise<string[]> {
    const { core } = kube();
    const pod = await core.createNamespacedPod({
        namespace,
        body: { metadata: { name: podName }, spec: { containers: [{ name: "app", image: "asia.gcr.io/acme/app:1.0" }] } },
    });
    return (pod.spec?.imagePullSecrets ?? []).map((ref) => ref.name ?? "");
}

/** The decoded `.dockerconfigjson` of a Secret, with its UID and type. */
export async function readPullSecret(namespace: string, name = "regcred") {
    const secret = await kube().core.readNamespacedSecret({ name, namespace });
    const data = secret.data?.[".dockerconfigjson"];
    return {
        uid: secret.metadata?.uid,
        type: secret.type,
        labels: secret.metadata?.labels ?? {},
        config: data ? JSON.parse(Buffer.from(data, "base64").toString("utf8")) : undefined,
    };
}

/** The digest of the docker config a namespace's pull Secret holds now, as the provider computes it. */
export async function heldDigest(namespace: string, name = "regcred"): Promise<string> {
    return liveDigest(await kube().core.readNamespacedSecret({ name, namespace }));
}
