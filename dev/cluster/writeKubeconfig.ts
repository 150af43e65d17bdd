import * as fs from "node:fs";

/** Who a kubeconfig talks to and as whom (client certificate). */
export interface KubeconfigSpec {
    serverUrl: string;
    caCertPath: string;
    clientCertPath: string;
    clientKeyPath: string;
    /** Cluster, user and context name. */
    name: string;
}

/**
 * Writes a self-contained kubeconfig (certificates inlined, so a copy keeps working while the
 * cluster runs). JSON is valid YAML, and kubectl and @kubernetes/client-node read it.
 */
export function writeKubeconfig(file: string, spec: KubeconfigSpec): void {
    const base64 = (pemPath: string) => fs.readFileSync(pemPath).toString("base64");
    const kubeconfig = {
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: spec.name, cluster: { server: spec.serverUrl, "certificate-authority-data": base64(spec.caCertPath) } }],
        users: [
            {
                name: spec.name,
                user: {
                    "client-certificate-data": base64(spec.clientCertPath),
                    "client-key-data": base64(spec.clientKeyPath),
                },
            },
        ],
        contexts: [{ name: spec.name, context: { cluster: spec.name, user: spec.name, namespace: "default" } }],
        "current-context": spec.name,
        preferences: {},
    };
    fs.writeFileSync(file, JSON.stringify(kubeconfig, null, 2) + "\n", { mode: 0o600 });
}
