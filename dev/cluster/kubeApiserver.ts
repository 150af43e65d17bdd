import * as fs from "node:fs";
import * as https from "node:https";
import { type Certificates } from "./createCertificates";
import { httpGet } from "./httpGet";
import { componentArgs, ManagedProcess } from "./managedProcess";

/** Service network; the apiserver takes the first address for the `kubernetes` Service. */
const serviceClusterIpRange = "10.0.0.0/24";
/** The `kubernetes` Service's address, which the serving certificate must name. */
export const kubernetesServiceIp = "10.0.0.1";
const serviceAccountIssuer = "https://kubernetes.default.svc.cluster.local";

/** How the control plane starts kube-apiserver. */
export interface ApiserverSetup {
    binary: string;
    /** Its folder (log, pid). */
    dir: string;
    port: number;
    etcdUrl: string;
    certs: Certificates;
    /** When the whole start must be done (epoch ms). */
    deadline: number;
    /** Called with the process as soon as it runs, so that a failed start still stops it. */
    started: (process: ManagedProcess) => void;
}

/** A ready apiserver: its URL, and TLS options that act as the admin. */
export interface Apiserver {
    serverUrl: string;
    adminTls: https.RequestOptions;
}

/** Starts kube-apiserver with the ServiceAccount admission plugin on, and resolves once /readyz answers 200. */
export async function startApiserver(setup: ApiserverSetup): Promise<Apiserver> {
    const { certs } = setup;
    const serverUrl = `https://127.0.0.1:${setup.port}`;
    const apiserver = ManagedProcess.start({
        name: "kube-apiserver",
        binary: setup.binary,
        dir: setup.dir,
        args: componentArgs({
            "etcd-servers": setup.etcdUrl,
            "bind-address": "127.0.0.1",
            "secure-port": setup.port,
            "tls-cert-file": certs.servingCert,
            "tls-private-key-file": certs.servingKey,
            "client-ca-file": certs.caCert,
            "authorization-mode": "RBAC",
            // The default admission plugins stay on, ServiceAccount among them (envtest disables it).
            "service-account-issuer": serviceAccountIssuer,
            "service-account-key-file": certs.serviceAccountPublicKey,
            "service-account-signing-key-file": certs.serviceAccountKey,
            "service-cluster-ip-range": serviceClusterIpRange,
            // The `kubernetes` Service's Endpoints may not point at loopback (validation rejects
            // 127.0.0.0/8), which would log an error every 10 s; nothing here routes to it.
            "endpoint-reconciler-type": "none",
            profiling: false,
        }),
    });
    setup.started(apiserver);
    const adminTls: https.RequestOptions = {
        ca: fs.readFileSync(certs.caCert),
        cert: fs.readFileSync(certs.adminCert),
        key: fs.readFileSync(certs.adminKey),
    };
    await apiserver.waitUntil(
        `kube-apiserver ${serverUrl}/readyz`,
        async () => {
            const { status, body } = await httpGet(`${serverUrl}/readyz?verbose`, adminTls);
            if (status === 200) return true;
            const failing = body.split("\n").filter((line) => line.startsWith("[-]"));
            throw new Error(`HTTP ${status}: ${failing.length ? failing.join(", ") : body.trim().slice(0, 300)}`);
        },
        setup.deadline,
    );
    return { serverUrl, adminTls };
}
