import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { binaryPath } from "./binaryPath";
import { createCertificates, type Certificates } from "./createCertificates";
import { startEtcd } from "./etcd";
import { registerExitCleanup } from "./exitCleanup";
import { freePorts } from "./freePorts";
import { kubernetesServiceIp, startApiserver } from "./kubeApiserver";
import { startControllerManager } from "./kubeControllerManager";
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
        const track = (component: ManagedProcess) => started.push(component);

        const etcdUrl = await startEtcd({
            binary: binaries.etcd,
            dir: path.join(dir, "etcd"),
            clientPort: etcdClientPort,
            peerPort: etcdPeerPort,
            deadline,
            started: track,
        });
        log(`etcd ready at ${etcdUrl} (${Date.now() - startedAt} ms)`);

        const apiserver = await startApiserver({
            binary: binaries.apiserver,
            dir: path.join(dir, "kube-apiserver"),
            port: apiserverPort,
            etcdUrl,
            certs,
            deadline,
            started: track,
        });
        const { serverUrl } = apiserver;
        log(`kube-apiserver ready at ${serverUrl} (${Date.now() - startedAt} ms)`);

        const kubeconfigPath = path.join(dir, "kubeconfig");
        writeKubeconfig(kubeconfigPath, {
            serverUrl,
            caCertPath: certs.caCert,
            clientCertPath: certs.adminCert,
            clientKeyPath: certs.adminKey,
            name: "gcr-pull-secrets-local",
        });

        await startControllerManager({
            binary: binaries.controllerManager,
            dir: path.join(dir, "kube-controller-manager"),
            port: controllerManagerPort,
            apiserver,
            certs,
            deadline,
            started: track,
        });
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
