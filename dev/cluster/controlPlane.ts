import * as fs from "node:fs";
import * as https from "node:https";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { binaryPath } from "./binaryPath";
import { createCertificates, type Certificates } from "./createCertificates";
import { registerExitCleanup } from "./exitCleanup";
import { freePorts } from "./freePorts";
import { ManagedProcess } from "./managedProcess";
import { writeKubeconfig } from "./writeKubeconfig";

/** A running local control plane: etcd, kube-apiserver and kube-controller-manager on loopback. */
export interface ControlPlane {
    /** Admin kubeconfig (client certificate in group system:masters). */
    kubeconfigPath: string;
    /** Run folder: one sub-folder per component with its log and pid file, plus `pki/`. */
    dir: string;
    /** https://127.0.0.1:<port> */
    serverUrl: string;
    /** Stops every process (reverse start order) and removes `dir` unless it is kept. */
    stop(): Promise<void>;
}

/** Settings for startControlPlane; every field is optional. */
export interface ControlPlaneOptions {
    /**
     * Run folder to use (created if missing; component folders in it are replaced). It is kept after
     * stop(). Default: a fresh temp dir, removed by stop().
     */
    dir?: string;
    /** Keep the temp dir after stop() for reading logs. Default: env KEEP_CONTROL_PLANE_DIR=1. */
    keepDir?: boolean;
    /** Time for the whole start, up to the `default` ServiceAccount existing. Default 90 000 ms. */
    startTimeoutMs?: number;
    /** Time each process gets between SIGTERM and SIGKILL. Default 10 000 ms. */
    stopTimeoutMs?: number;
    /**
     * Kill everything on SIGINT/SIGTERM of this Node process (processes are always killed on 'exit').
     * Default true; the cli turns it off to stop gracefully itself.
     */
    handleSignals?: boolean;
    /** Progress lines. Default: `[cluster] ...` on stderr. */
    log?: (line: string) => void;
}

/** Service network; the apiserver takes the first address for the `kubernetes` Service. */
const serviceClusterIpRange = "10.0.0.0/24";
const kubernetesServiceIp = "10.0.0.1";
const serviceAccountIssuer = "https://kubernetes.default.svc.cluster.local";

/** Controllers the ServiceAccount and deletion behaviour depends on (canonical names since v1.28). */
const controllers = [
    "serviceaccount-controller", // creates `default` in every namespace
    "serviceaccount-token-controller", // legacy token Secrets; needs --service-account-private-key-file
    "namespace-controller", // empties and removes terminating namespaces
    "garbage-collector-controller", // ownerReferences, Foreground deletes used by Pulumi
];

interface HttpResult {
    status: number;
    body: string;
}

function httpGet(url: string, tls?: https.RequestOptions): Promise<HttpResult> {
    return new Promise((resolve, reject) => {
        const get = url.startsWith("https:") ? https.get : http.get;
        const request = get(url, { ...tls, timeout: 2_000 }, (response) => {
            let body = "";
            response.setEncoding("utf8");
            response.on("data", (chunk: string) => (body += chunk));
            response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
            response.on("error", reject);
        });
        request.on("timeout", () => request.destroy(new Error(`GET ${url} timed out`)));
        request.on("error", reject);
    });
}

function componentArgs(flags: Record<string, string | number | boolean>): string[] {
    return Object.entries(flags).map(([flag, value]) => `--${flag}=${value}`);
}

function defaultLog(line: string): void {
    process.stderr.write(`[cluster] ${line}\n`);
}

/**
 * Starts etcd, kube-apiserver and kube-controller-manager on loopback, the way envtest does, but
 * with the ServiceAccount admission plugin left on and a controller manager running, and resolves
 * once the `default` ServiceAccount of namespace `default` exists.
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
    const log = options.log ?? defaultLog;
    const startTimeoutMs = options.startTimeoutMs ?? 90_000;
    const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    const keepDir = options.dir !== undefined || (options.keepDir ?? process.env.KEEP_CONTROL_PLANE_DIR === "1");
    const startedAt = Date.now();
    const deadline = startedAt + startTimeoutMs;

    // Resolve binaries before creating anything, so a missing one fails with nothing to clean up.
    const binaries = {
        etcd: binaryPath("etcd"),
        apiserver: binaryPath("kube-apiserver"),
        controllerManager: binaryPath("kube-controller-manager"),
    };

    let dir: string;
    if (options.dir) {
        dir = path.resolve(options.dir);
        fs.mkdirSync(dir, { recursive: true });
        // Every start is a fresh, empty cluster: old etcd data would not match the new ports and certs.
        for (const stale of ["pki", "etcd", "kube-apiserver", "kube-controller-manager", "kubeconfig"]) {
            fs.rmSync(path.join(dir, stale), { recursive: true, force: true });
        }
    } else {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "gcr-pull-secrets-control-plane-"));
    }

    const started: ManagedProcess[] = [];
    const removeDir = () => {
        if (!keepDir) fs.rmSync(dir, { recursive: true, force: true });
    };
    const unregisterExitCleanup = registerExitCleanup(() => {
        for (const component of [...started].reverse()) component.killNow();
        removeDir();
    }, options.handleSignals ?? true);

    const stopAll = async (): Promise<void> => {
        const errors: Error[] = [];
        for (const component of [...started].reverse()) {
            const stopStartedAt = Date.now();
            try {
                const exit = await component.stop(stopTimeoutMs);
                log(`${component.name} stopped in ${Date.now() - stopStartedAt} ms (${exit.signal ?? `exit code ${exit.code}`})`);
            } catch (error) {
                errors.push(error as Error);
            }
        }
        try {
            removeDir();
        } catch (error) {
            errors.push(new Error(`removing ${dir}: ${(error as Error).message}`));
        }
        unregisterExitCleanup();
        if (errors.length === 1) throw errors[0];
        if (errors.length > 1) throw new AggregateError(errors, errors.map((error) => error.message).join("; "));
    };

    try {
        log(`starting etcd, kube-apiserver, kube-controller-manager; logs in ${dir}/<component>/<component>.log`);
        const certs: Certificates = await createCertificates(path.join(dir, "pki"), kubernetesServiceIp);
        const [etcdClientPort, etcdPeerPort, apiserverPort, controllerManagerPort] = await freePorts(4);

        const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
        const etcdPeerUrl = `http://127.0.0.1:${etcdPeerPort}`;
        const etcdDir = path.join(dir, "etcd");
        const etcd = ManagedProcess.start({
            name: "etcd",
            binary: binaries.etcd,
            dir: etcdDir,
            args: componentArgs({
                name: "etcd",
                "data-dir": path.join(etcdDir, "data"),
                "listen-client-urls": etcdUrl,
                "advertise-client-urls": etcdUrl,
                "listen-peer-urls": etcdPeerUrl,
                "initial-advertise-peer-urls": etcdPeerUrl,
                "initial-cluster": `etcd=${etcdPeerUrl}`,
                // A throwaway cluster: durability is not worth the fsync latency.
                "unsafe-no-fsync": true,
                // A single member elects itself after one election timeout: 100 ms instead of 1 s.
                "heartbeat-interval": 10,
                "election-timeout": 100,
                "log-level": "warn",
            }),
        });
        started.push(etcd);
        await etcd.waitUntil(
            `etcd ${etcdUrl}/health`,
            async () => {
                const { status, body } = await httpGet(`${etcdUrl}/health`);
                if (status === 200 && JSON.parse(body).health === "true") return true;
                throw new Error(`HTTP ${status}: ${body.trim()}`);
            },
            deadline,
        );
        log(`etcd ready at ${etcdUrl} (${Date.now() - startedAt} ms)`);

        const serverUrl = `https://127.0.0.1:${apiserverPort}`;
        const apiserverDir = path.join(dir, "kube-apiserver");
        const apiserver = ManagedProcess.start({
            name: "kube-apiserver",
            binary: binaries.apiserver,
            dir: apiserverDir,
            args: componentArgs({
                "etcd-servers": etcdUrl,
                "bind-address": "127.0.0.1",
                "secure-port": apiserverPort,
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
        started.push(apiserver);
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
            deadline,
        );
        log(`kube-apiserver ready at ${serverUrl} (${Date.now() - startedAt} ms)`);

        const kubeconfigPath = path.join(dir, "kubeconfig");
        writeKubeconfig(kubeconfigPath, {
            serverUrl,
            caCertPath: certs.caCert,
            clientCertPath: certs.adminCert,
            clientKeyPath: certs.adminKey,
            name: "gcr-pull-secrets-local",
        });

        const controllerManagerDir = path.join(dir, "kube-controller-manager");
        fs.mkdirSync(controllerManagerDir, { recursive: true });
        const controllerManagerKubeconfig = path.join(controllerManagerDir, "kubeconfig");
        writeKubeconfig(controllerManagerKubeconfig, {
            serverUrl,
            caCertPath: certs.caCert,
            clientCertPath: certs.controllerManagerCert,
            clientKeyPath: certs.controllerManagerKey,
            name: "kube-controller-manager",
        });
        const controllerManager = ManagedProcess.start({
            name: "kube-controller-manager",
            binary: binaries.controllerManager,
            dir: controllerManagerDir,
            args: componentArgs({
                kubeconfig: controllerManagerKubeconfig,
                controllers: controllers.join(","),
                "service-account-private-key-file": certs.serviceAccountKey,
                "root-ca-file": certs.caCert,
                // Each controller acts as its own ServiceAccount, as in kubeadm clusters.
                "use-service-account-credentials": true,
                // One instance: acquiring a lease would only delay the first reconcile.
                "leader-elect": false,
                "bind-address": "127.0.0.1",
                "secure-port": controllerManagerPort,
                "cert-dir": path.join(controllerManagerDir, "certs"),
                profiling: false,
            }),
        });
        started.push(controllerManager);
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
            deadline,
        );
        log(`kube-controller-manager ready; control plane up in ${Date.now() - startedAt} ms; KUBECONFIG=${kubeconfigPath}`);

        let stopping: Promise<void> | undefined;
        return {
            kubeconfigPath,
            dir,
            serverUrl,
            stop: () => (stopping ??= stopAll()),
        };
    } catch (startError) {
        const failure = startError as Error;
        if (!keepDir) failure.message += `\n(${dir} is removed; set KEEP_CONTROL_PLANE_DIR=1 to keep its logs)`;
        try {
            await stopAll();
        } catch (stopError) {
            failure.message += `\n(while cleaning up: ${(stopError as Error).message})`;
        }
        throw failure;
    }
}
