// Shows what `npm run up:local` did, read from the cluster itself (KUBECONFIG): each pull Secret
// (type and registry hosts, never its content), each namespace's default ServiceAccount, and a Pod
// created without imagePullSecrets as the ServiceAccount admission plugin admitted it.
import * as k8s from "@kubernetes/client-node";

async function main(): Promise<void> {
    const config = new k8s.KubeConfig();
    config.loadFromDefault();
    const core = config.makeApiClient(k8s.CoreV1Api);
    const secrets = await core.listSecretForAllNamespaces({ labelSelector: "app.kubernetes.io/part-of=gcr-pull-secrets" });
    console.log("\nPull Secrets (label app.kubernetes.io/part-of=gcr-pull-secrets):");
    for (const secret of secrets.items) {
        const hosts = Object.keys(JSON.parse(Buffer.from(secret.data?.[".dockerconfigjson"] ?? "", "base64").toString() || "{}").auths ?? {});
        console.log(`  ${secret.metadata?.namespace}/${secret.metadata?.name}  type=${secret.type}  registries=${hosts.join(",")}`);
    }
    console.log("\ndefault ServiceAccounts:");
    for (const secret of secrets.items) {
        const namespace = secret.metadata!.namespace!;
        const account = await core.readNamespacedServiceAccount({ name: "default", namespace });
        console.log(`  ${namespace}/default  imagePullSecrets=${JSON.stringify(account.imagePullSecrets ?? [])}`);
    }
    const namespace = secrets.items.find((s) => s.metadata?.namespace === "demo") ? "demo" : secrets.items[0]?.metadata?.namespace;
    if (!namespace) {
        throw new Error("no pull Secret found; did pulumi up succeed?");
    }
    const name = `pull-check-${Date.now()}`;
    const pod = await core.createNamespacedPod({
        namespace,
        body: { metadata: { name }, spec: { containers: [{ name: "app", image: "asia.gcr.io/acme/app:1.0" }] } },
    });
    console.log(`\nPod ${namespace}/${name} was created naming no imagePullSecrets; as admitted it has:`);
    console.log(`  spec.imagePullSecrets=${JSON.stringify(pod.spec?.imagePullSecrets ?? [])}`);
    await core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 });
}

main().catch((error) => {
    console.error(`showLocal: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
});
