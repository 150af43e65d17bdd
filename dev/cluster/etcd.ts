import * as path from "node:path";
import { httpGet } from "./httpGet";
import { componentArgs, ManagedProcess } from "./managedProcess";

/** How the control plane starts etcd. */
export interface EtcdSetup {
    binary: string;
    /** Its folder (data, log, pid). */
    dir: string;
    clientPort: number;
    peerPort: number;
    /** When the whole start must be done (epoch ms). */
    deadline: number;
    /** Called with the process as soon as it runs, so that a failed start still stops it. */
    started: (process: ManagedProcess) => void;
}

/** Starts a one-member etcd on loopback and resolves with its client URL once it is healthy. */
export async function startEtcd(setup: EtcdSetup): Promise<string> {
    const url = `http://127.0.0.1:${setup.clientPort}`;
    const peerUrl = `http://127.0.0.1:${setup.peerPort}`;
    const etcd = ManagedProcess.start({
        name: "etcd",
        binary: setup.binary,
        dir: setup.dir,
        args: componentArgs({
            name: "etcd",
            "data-dir": path.join(setup.dir, "data"),
            "listen-client-urls": url,
            "advertise-client-urls": url,
            "listen-peer-urls": peerUrl,
            "initial-advertise-peer-urls": peerUrl,
            "initial-cluster": `etcd=${peerUrl}`,
            // A throwaway cluster: durability is not worth the fsync latency.
            "unsafe-no-fsync": true,
            // A single member elects itself after one election timeout: 100 ms instead of 1 s.
            "heartbeat-interval": 10,
            "election-timeout": 100,
            "log-level": "warn",
        }),
    });
    setup.started(etcd);
    await etcd.waitUntil(
        `etcd ${url}/health`,
        async () => {
            const { status, body } = await httpGet(`${url}/health`);
            if (status === 200 && JSON.parse(body).health === "true") return true;
            throw new Error(`HTTP ${status}: ${body.trim()}`);
        },
        setup.deadline,
    );
    return url;
}
