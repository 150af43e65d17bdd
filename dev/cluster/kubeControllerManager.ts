import * as fs from "node:fs";
import * as path from "node:path";
import { type Certificates } from "./createCertificates";
import { httpGet } from "./httpGet";
import { type Apiserver } from "./kubeApiserver";
import { componentArgs, ManagedProcess } from "./managedProcess";
import { writeKubeconfig } from "./writeKubeconfig";

/** Controllers the ServiceAccount and deletion behaviour depends on (canonical names since v1.28). */
const controllers = [
    "serviceaccount-controller", // creates `default` in every namespace
    "serviceaccount-token-controller", // legacy token Secrets; needs --service-account-private-key-file
    "namespace-controller", // empties and removes terminating namespaces
    "garbage-collector-controller", // ownerReferences, Foreground deletes used by Pulumi
];

/** How the control plane starts kube-controller-manager. */
export interface ControllerManagerSetup {
    binary: string;
    /** Its folder (kubeconfig, certs, log, pid). */
    dir: string;
    port: number;
    apiserver: Apiserver;
    certs: Certificates;
    /** When the whole start must be done (epoch ms). */
    deadline: number;
    /** Called with the process as soon as it runs, so that a failed start still stops it. */
    started: (process: ManagedProcess) => void;
}

/** Starts kube-controller-manager and resolves once the `default` ServiceAccount of namespace `default` exists. */
export async function startControllerManager(setup: ControllerManagerSetup): Promise<void> {
    const { certs, dir } = setup;
    const { serverUrl, adminTls } = setup.apiserver;
    fs.mkdirSync(dir, { recursive: true });
    const kubeconfig = path.join(dir, "kubeconfig");
    writeKubeconfig(kubeconfig, {
        serverUrl,
        caCertPath: certs.caCert,
        clientCertPath: certs.controllerManagerCert,
        clientKeyPath: certs.controllerManagerKey,
        name: "kube-controller-manager",
    });
    const controllerManager = ManagedProcess.start({
        name: "kube-controller-manager",
        binary: setup.binary,
        dir,
        args: componentArgs({
            kubeconfig,
            controllers: controllers.join(","),
            "service-account-private-key-file": certs.serviceAccountKey,
            "root-ca-file": certs.caCert,
            // Each controller acts as its own ServiceAccount, as in kubeadm clusters.
            "use-service-account-credentials": true,
            // One instance: acquiring a lease would only delay the first reconcile.
            "leader-elect": false,
            "bind-address": "127.0.0.1",
            "secure-port": setup.port,
            "cert-dir": path.join(dir, "certs"),
            profiling: false,
        }),
    });
    setup.started(controllerManager);
    // The default ServiceAccount exists only once the serviceaccount controller runs, and pods are
    // refused by the ServiceAccount admission plugin until it does.
    await controllerManager.waitUntil(
        "the default ServiceAccount in namespace default",
        async () => {
            const { status, body } = await httpGet(`${serverUrl}/api/v1/namespaces/default/serviceaccounts/default`, adminTls);
            if (status === 200) return true;
            let reason = body.trim();
            try {
                reason = JSON.parse(body).message ?? reason;
            } catch {
                // Not a Status object; keep the raw body.
            }
            throw new Error(`HTTP ${status}: ${reason}`);
        },
        setup.deadline,
    );
}
