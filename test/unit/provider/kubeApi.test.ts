import * as assert from "assert";
import * as fs from "fs";
import * as https from "https";
import * as net from "net";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { connect, describeApiError, unanswered } from "../../../provider/kubeApi";
import { createCertificates } from "../../../dev/cluster/createCertificates";

/**
 * The provider's keep-alive connection (provider/kubeApi.ts reuseConnections): measured at 300
 * namespaces, a TLS handshake per API call was most of the provider's CPU. client-node makes a new
 * connection pool per request (1.x an https.Agent, 2.x an undici Agent), so this guards the patch
 * across client-node upgrades, against a local HTTPS server that counts handshakes.
 */
describe("the provider's connection to the API server", function () {
    this.timeout(30_000);
    let dir: string;
    let server: https.Server;
    let handshakes = 0;
    let kubeconfig: string;

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "gcr-pull-secrets-keepalive-"));
        const certs = await createCertificates(dir, "10.0.0.1");
        server = https.createServer({ key: fs.readFileSync(certs.servingKey), cert: fs.readFileSync(certs.servingCert) }, (request, response) => {
            request.resume();
            response.setHeader("Content-Type", "application/json");
            response.end(JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "apps" } }));
        });
        server.on("secureConnection", () => handshakes++);
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const { port } = server.address() as AddressInfo;
        kubeconfig = JSON.stringify({
            apiVersion: "v1",
            kind: "Config",
            "current-context": "local",
            clusters: [
                {
                    name: "local",
                    cluster: { server: `https://127.0.0.1:${port}`, "certificate-authority-data": fs.readFileSync(certs.caCert).toString("base64") },
                },
            ],
            users: [{ name: "admin", user: { token: "not-a-real-token" } }],
            contexts: [{ name: "local", context: { cluster: "local", user: "admin" } }],
        });
    });

    after(async () => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("reuses its TLS connections: handshakes do not grow with the number of API calls", async () => {
        handshakes = 0;
        const { api } = connect({ kubeconfig });
        for (let call = 0; call < 5; call++) {
            await api.readNamespace({ name: "apps" });
        }
        // undici may open a second connection while the first is still finishing a response.
        const opened = handshakes;
        assert.ok(opened >= 1 && opened <= 2, `${opened} handshakes for 5 calls`);
        for (let call = 0; call < 20; call++) {
            await api.readNamespace({ name: "apps" });
        }
        assert.strictEqual(handshakes, opened, "20 more calls opened new connections");
    });

    it("needs to: client-node alone makes one per call", async () => {
        // If this starts failing, client-node reuses connections by itself and the patch can go.
        handshakes = 0;
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const k8s: typeof import("@kubernetes/client-node") = require("@kubernetes/client-node");
        const config = new k8s.KubeConfig();
        config.loadFromString(kubeconfig);
        const api = config.makeApiClient(k8s.CoreV1Api);
        for (let call = 0; call < 5; call++) {
            await api.readNamespace({ name: "apps" });
        }
        assert.strictEqual(handshakes, 5);
    });
});

describe("a failed connection to the API server, described", function () {
    this.timeout(30_000);
    const kubeconfigFor = (server: string) =>
        JSON.stringify({
            apiVersion: "v1",
            kind: "Config",
            "current-context": "far",
            clusters: [{ name: "far", cluster: { server } }],
            users: [{ name: "admin", user: { token: "not-a-real-token" } }],
            contexts: [{ name: "far", context: { cluster: "far", user: "admin" } }],
        });
    const failure = async (server: string): Promise<string> => {
        const { api } = connect({ kubeconfig: kubeconfigFor(server) });
        try {
            await api.readNamespace({ name: "apps" });
        } catch (error) {
            return describeApiError(error);
        }
        throw new Error("the call succeeded");
    };

    it("says why (the cause's code and what it means), not only fetch's 'fetch failed', and does not name the server", async () => {
        const unresolved = await failure("https://cluster-of-team-a.invalid:6443");
        assert.match(unresolved, /ENOTFOUND: the API server's host name does not resolve/);
        assert.ok(!unresolved.includes("cluster-of-team-a"), unresolved);
        // A port that was free a moment ago: nothing listens there.
        const probe = net.createServer();
        await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
        const { port } = probe.address() as AddressInfo;
        await new Promise((resolve) => probe.close(resolve));
        assert.match(await failure(`https://127.0.0.1:${port}`), /ECONNREFUSED: nothing listens at the API server's address/);
    });
});

describe("a cluster that does not answer", () => {
    const fetchFailed = (code: string) => new TypeError("fetch failed", { cause: Object.assign(new Error(`getaddrinfo ${code} gone.invalid`), { code }) });

    it("is told from an answer: no HTTP status anywhere in the causes, and a socket or lookup error", () => {
        assert.strictEqual(unanswered(fetchFailed("ENOTFOUND")), true);
        assert.strictEqual(unanswered(new Error("reading namespace x failed: fetch failed (ECONNREFUSED)", { cause: fetchFailed("ECONNREFUSED") })), true);
        assert.strictEqual(unanswered(Object.assign(new Error("HTTP 403"), { code: 403 })), false, "an answer, even a refusal");
        assert.strictEqual(unanswered(new Error("wrapped", { cause: Object.assign(new Error("HTTP 500"), { code: 500 }) })), false);
        assert.strictEqual(unanswered(new TypeError("Cannot read properties of undefined")), false, "a bug is no unreachable cluster");
    });

    it("is described with the reason undici keeps in its cause", () => {
        assert.strictEqual(
            describeApiError(fetchFailed("ENOTFOUND")),
            "fetch failed (ENOTFOUND: the API server's host name does not resolve; check the kubeconfig's server)",
        );
        assert.strictEqual(describeApiError(new TypeError("fetch failed", { cause: new Error("invalid header") })), "fetch failed");
    });
});
