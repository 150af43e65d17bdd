/**
 * A TLS proxy in front of the test cluster's API server that answers chosen requests itself: a 429
 * with Retry-After (as API Priority and Fairness does), a 503, or no answer at all (a blackholed
 * server). Everything else is passed through with the admin kubeconfig's client certificate. The
 * stack reaches it through its own kubeconfig (`kubeconfigText`), so nothing else is disturbed.
 */
import * as fs from "fs";
import * as https from "https";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { createCertificates } from "../../dev/cluster/createCertificates";

/** What the proxy does with requests that `match` (method and path), while `remaining` > 0. */
export interface Fault {
    match: RegExp;
    /** An HTTP status with a Kubernetes Status body, or "hold": never answer. */
    answer: number | "hold";
    retryAfterSeconds?: number;
    remaining: number;
}

/** One request the proxy saw: what it was, when, and whether a fault answered it. */
export interface SeenRequest {
    request: string;
    at: number;
    fault?: number | "hold";
}

export interface FaultProxy {
    /** A kubeconfig (JSON text) for the same cluster through the proxy. */
    kubeconfigText: string;
    faults: Fault[];
    seen: SeenRequest[];
    /** Requests held open now. */
    held(): number;
    stop(): Promise<void>;
}

interface KubeconfigJson {
    clusters: { cluster: { server: string; "certificate-authority-data": string } }[];
    users: { name: string; user: { "client-certificate-data": string; "client-key-data": string } }[];
}

/** Starts the proxy in front of the cluster of `kubeconfigPath` (the harness's JSON kubeconfig). */
export async function startFaultProxy(kubeconfigPath: string): Promise<FaultProxy> {
    const kubeconfig = JSON.parse(fs.readFileSync(kubeconfigPath, "utf8")) as KubeconfigJson & Record<string, unknown>;
    const upstream = new URL(kubeconfig.clusters[0].cluster.server);
    const decode = (data: string) => Buffer.from(data, "base64");
    const client = kubeconfig.users[0].user;
    const agent = new https.Agent({
        ca: decode(kubeconfig.clusters[0].cluster["certificate-authority-data"]),
        cert: decode(client["client-certificate-data"]),
        key: decode(client["client-key-data"]),
        keepAlive: true,
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gcr-pull-secrets-fault-proxy-"));
    const certs = await createCertificates(dir, "10.0.0.1");
    const faults: Fault[] = [];
    const seen: SeenRequest[] = [];
    let holding = 0;
    const server = https.createServer({ key: fs.readFileSync(certs.servingKey), cert: fs.readFileSync(certs.servingCert) }, (request, response) => {
        const what = `${request.method} ${request.url}`;
        const fault = faults.find((f) => f.remaining > 0 && f.match.test(what));
        seen.push({ request: what, at: Date.now(), ...(fault ? { fault: fault.answer } : {}) });
        if (fault) {
            fault.remaining -= 1;
            request.resume();
            if (fault.answer === "hold") {
                holding += 1;
                response.on("close", () => (holding -= 1));
                return;
            }
            response.statusCode = fault.answer;
            response.setHeader("Content-Type", "application/json");
            if (fault.retryAfterSeconds !== undefined) response.setHeader("Retry-After", String(fault.retryAfterSeconds));
            response.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", message: `injected by the test proxy`, code: fault.answer }));
            return;
        }
        const headers = { ...request.headers, host: upstream.host };
        const forwarded = https.request(
            { protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers, agent },
            (answer) => {
                response.writeHead(answer.statusCode ?? 502, answer.headers);
                answer.pipe(response);
            },
        );
        forwarded.on("error", () => response.destroy());
        request.pipe(forwarded);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const proxied = {
        ...kubeconfig,
        clusters: kubeconfig.clusters.map((c) => ({
            ...c,
            cluster: { server: `https://127.0.0.1:${port}`, "certificate-authority-data": fs.readFileSync(certs.caCert).toString("base64") },
        })),
    };
    return {
        kubeconfigText: JSON.stringify(proxied, null, 2),
        faults,
        seen,
        held: () => holding,
        async stop() {
            server.closeAllConnections();
            await new Promise((resolve) => server.close(resolve));
            agent.destroy();
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
