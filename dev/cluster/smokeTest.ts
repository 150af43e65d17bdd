// Proves a control plane does what the e2e tests rely on; run it against any KUBECONFIG:
//   node -r ts-node/register/transpile-only dev/cluster/cli.ts run -- \
//     node -r ts-node/register/transpile-only dev/cluster/smokeTest.ts
// Checks: a real server version, `default` ServiceAccount creation (serviceaccount controller),
// pull secrets copied into a pod at admission (ServiceAccount admission plugin), Foreground deletion
// (garbage collector) and namespace removal (namespace controller).
import * as k8s from "@kubernetes/client-node";
import { randomUUID } from "node:crypto";

const pollIntervalMs = 100;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function isNotFound(error: unknown): boolean {
    return (error as { code?: number }).code === 404;
}

/** Polls `check` until it returns a value, failing with `what` after `timeoutMs`. */
async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await check();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await sleep(pollIntervalMs);
    }
}

async function gone(read: () => Promise<unknown>): Promise<true | undefined> {
    try {
        await read();
        return undefined;
    } catch (error) {
        if (isNotFound(error)) return true;
        throw error;
    }
}

function step(message: string, startedAt: number): void {
    process.stdout.write(`ok  ${message} (${Date.now() - startedAt} ms)\n`);
}

async function main(): Promise<void> {
    const kubeconfig = new k8s.KubeConfig();
    kubeconfig.loadFromDefault();
    const core = kubeconfig.makeApiClient(k8s.CoreV1Api);
    const version = await kubeconfig.makeApiClient(k8s.VersionApi).getCode();
    process.stdout.write(`server ${kubeconfig.getCurrentCluster()?.server} reports ${version.gitVersion}\n`);
    if (!/^v1\.\d+\.\d+/.test(version.gitVersion)) throw new Error(`server version ${version.gitVersion} is not a release`);

    const namespace = `smoke-${randomUUID().slice(0, 8)}`;
    let startedAt = Date.now();
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    const serviceAccount = await waitFor(`ServiceAccount ${namespace}/default`, 10_000, async () => {
        try {
            return await core.readNamespacedServiceAccount({ name: "default", namespace });
        } catch (error) {
            if (isNotFound(error)) return undefined;
            throw error;
        }
    });
    step(`namespace ${namespace} got its default ServiceAccount`, startedAt);

    // JSON patch with a resourceVersion test: a concurrent writer makes it fail instead of being overwritten.
    startedAt = Date.now();
    await core.patchNamespacedServiceAccount({
        name: "default",
        namespace,
        body: [
            { op: "test", path: "/metadata/resourceVersion", value: serviceAccount.metadata?.resourceVersion },
            { op: "add", path: "/imagePullSecrets", value: [{ name: "regcred" }] },
        ],
    });
    const pod = await core.createNamespacedPod({
        namespace,
        body: {
            metadata: { name: "pull-secret-probe" },
            spec: { containers: [{ name: "probe", image: "europe-docker.pkg.dev/example/images/probe:1" }] },
        },
    });
    const podPullSecrets = (pod.spec?.imagePullSecrets ?? []).map((secret) => secret.name);
    if (!podPullSecrets.includes("regcred")) {
        throw new Error(`admitted pod has imagePullSecrets ${JSON.stringify(podPullSecrets)}, expected regcred`);
    }
    const tokenVolume = pod.spec?.volumes?.find((volume) => volume.name.startsWith("kube-api-access-"));
    if (!tokenVolume) throw new Error("admitted pod has no kube-api-access-* token volume");
    step(`pod admitted with imagePullSecrets [${podPullSecrets.join(", ")}] and volume ${tokenVolume.name}`, startedAt);

    startedAt = Date.now();
    const owner = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: "owner" } } });
    await core.createNamespacedConfigMap({
        namespace,
        body: {
            metadata: {
                name: "dependent",
                ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata!.uid! }],
            },
        },
    });
    await core.deleteNamespacedConfigMap({ name: "owner", namespace, propagationPolicy: "Foreground" });
    await waitFor(
        "Foreground deletion of ConfigMaps owner and dependent",
        30_000,
        async () =>
            (await gone(() => core.readNamespacedConfigMap({ name: "dependent", namespace }))) &&
            (await gone(() => core.readNamespacedConfigMap({ name: "owner", namespace }))),
    );
    step("Foreground delete removed owner and dependent (garbage collector)", startedAt);

    startedAt = Date.now();
    await core.deleteNamespace({ name: namespace });
    await waitFor(`namespace ${namespace} to disappear`, 60_000, () => gone(() => core.readNamespace({ name: namespace })));
    step(`namespace ${namespace} deleted with its pod and ServiceAccount (namespace controller)`, startedAt);
}

main().then(
    () => process.stdout.write("smoke test passed\n"),
    (error: Error) => {
        process.stderr.write(`smoke test FAILED: ${error.message}\n`);
        process.exit(1);
    },
);
