import * as assert from "assert";
import * as http from "http";
import { AddressInfo } from "net";
import { Interruptions } from "../../../provider/interruption";
import { connect, withSignal } from "../../../provider/kubeApi";
import { patientApi } from "../../../provider/patientApi";

/**
 * The provider's calls through the real client-node against a local HTTP server: a call that times
 * out or is cancelled is aborted (the server sees its request closed), not left running; a 429 with
 * Retry-After reaches the retry as client-node reports it.
 */
describe("API calls through client-node: abort and Retry-After", function () {
    this.timeout(20_000);
    let server: http.Server;
    let kubeconfig: string;
    /** What the server does with the next requests, in order; the last one repeats. */
    let script: ("hang" | "429" | "ok")[] = [];
    let requests = 0;
    let closedUnanswered = 0;

    before(async () => {
        server = http.createServer((request, response) => {
            request.resume();
            const step = script[Math.min(requests, script.length - 1)];
            requests += 1;
            if (step === "hang") {
                response.on("close", () => {
                    if (!response.writableEnded) closedUnanswered += 1;
                });
                return;
            }
            response.setHeader("Content-Type", "application/json");
            if (step === "429") {
                response.statusCode = 429;
                response.setHeader("Retry-After", "1");
                response.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", message: "too many requests", code: 429 }));
                return;
            }
            response.end(JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "apps" } }));
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const { port } = server.address() as AddressInfo;
        kubeconfig = JSON.stringify({
            apiVersion: "v1",
            kind: "Config",
            "current-context": "local",
            // client-node refuses plain HTTP unless TLS verification is off.
            clusters: [{ name: "local", cluster: { server: `http://127.0.0.1:${port}`, "insecure-skip-tls-verify": true } }],
            users: [{ name: "admin", user: { token: "not-a-real-token" } }],
            contexts: [{ name: "local", context: { cluster: "local", user: "admin" } }],
        });
    });

    beforeEach(() => {
        requests = 0;
        closedUnanswered = 0;
    });

    after(async () => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
    });

    const patient = (interruptions: Interruptions, timeoutMs: number) => {
        const { api, server: url } = connect({ kubeconfig });
        return patientApi(api, url!, () => undefined, { timeoutMs, budgetMs: 10_000 }, { operation: () => interruptions.current(), withSignal });
    };

    const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

    it("aborts an attempt that times out (its request is closed) and answers from the next one", async () => {
        script = ["hang", "ok"];
        const namespace = (await patient(new Interruptions(), 300).readNamespace({ name: "apps" })) as { metadata?: { name?: string } };
        assert.strictEqual(namespace.metadata?.name, "apps");
        await settle();
        assert.strictEqual(requests, 2);
        assert.strictEqual(closedUnanswered, 1, "the timed-out request was left open");
    });

    it("Cancel aborts a pending request within moments", async () => {
        script = ["hang"];
        const interruptions = new Interruptions();
        const started = Date.now();
        const pending = interruptions.run(0, "creating apps", () => patient(interruptions, 60_000).readNamespace({ name: "apps" }));
        setTimeout(() => interruptions.cancel(), 200);
        await assert.rejects(pending, /the update was cancelled/);
        assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
        await settle();
        assert.strictEqual(closedUnanswered, 1, "the cancelled request was left open");
    });

    it("a patch keeps its patch type when the signal is attached", async () => {
        script = ["ok"];
        let contentType: string | undefined;
        const listener = (request: http.IncomingMessage) => (contentType = request.headers["content-type"]);
        server.prependListener("request", listener);
        try {
            const { api, server: url, mergePatch } = connect({ kubeconfig });
            const wrapped = patientApi(
                api,
                url!,
                () => undefined,
                { timeoutMs: 5000, budgetMs: 5000 },
                { operation: () => new Interruptions().current(), withSignal },
            );
            await wrapped
                .patchNamespacedSecret({ name: "s", namespace: "apps", body: { metadata: { labels: { a: "b" } } } }, mergePatch)
                .catch(() => undefined);
            assert.strictEqual(contentType, "application/merge-patch+json");
        } finally {
            server.removeListener("request", listener);
        }
    });

    it("retries a 429 after the Retry-After the server sent", async () => {
        script = ["429", "ok"];
        const started = Date.now();
        const namespace = (await patient(new Interruptions(), 5000).readNamespace({ name: "apps" })) as { metadata?: { name?: string } };
        assert.strictEqual(namespace.metadata?.name, "apps");
        assert.strictEqual(requests, 2);
        assert.ok(Date.now() - started >= 950, `retried after ${Date.now() - started} ms`);
    });
});
