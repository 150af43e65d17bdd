import * as assert from "assert";
import { CoreApi } from "../../../provider/kubeApi";
import { patientApi } from "../../../provider/patientApi";

const httpError = (code: number, message: string) => Object.assign(new Error(message), { code, body: { message } });

/** An API whose readNamespace answers as `behaviour` says, call after call. */
function apiThat(behaviour: (call: number) => Promise<unknown>): { api: CoreApi; calls: () => number } {
    let calls = 0;
    const unused = async (): Promise<never> => {
        throw new Error("unused");
    };
    const api = {
        readNamespace: () => behaviour(++calls),
        readNamespacedServiceAccount: unused,
        patchNamespacedServiceAccount: unused,
        readNamespacedSecret: unused,
        createNamespacedSecret: unused,
        patchNamespacedSecret: unused,
        deleteNamespacedSecret: unused,
    } as unknown as CoreApi;
    return { api, calls: () => calls };
}

const never = () => new Promise<never>(() => undefined);
const patience = { timeoutMs: 40, budgetMs: 2_000 };

describe("API calls against a server that stops answering", () => {
    it("tries again after a call gets no answer, saying what it waits for, and returns the answer once there is one", async () => {
        const warnings: string[] = [];
        const { api, calls } = apiThat((call) => (call < 3 ? never() : Promise.resolve({ ok: true })));
        const answer = await patientApi(api, "https://10.0.0.1:6443", (m) => warnings.push(m), patience).readNamespace({ name: "apps" });
        assert.deepStrictEqual(answer, { ok: true });
        assert.strictEqual(calls(), 3);
        assert.strictEqual(warnings.length, 2);
        assert.match(warnings[0], /^waiting for the Kubernetes API server at https:\/\/10\.0\.0\.1:6443: readNamespace apps: no answer for 0s; trying again/);
    });

    it("gives up after its budget with an error naming the server and the call", async () => {
        const { api } = apiThat(() => never());
        await assert.rejects(
            patientApi(api, "https://10.0.0.1:6443", () => undefined, { timeoutMs: 30, budgetMs: 200 }).readNamespace({ name: "apps" }),
            /the Kubernetes API server at https:\/\/10\.0\.0\.1:6443 did not answer readNamespace apps within 0s \(no answer for 0s\); check that it is up and reachable/,
        );
    });

    it("retries a refused connection, but returns an answer of the server (any HTTP status) at once", async () => {
        const refused = apiThat((call) =>
            call === 1 ? Promise.reject(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })) : Promise.resolve("up"),
        );
        assert.strictEqual(await patientApi(refused.api, "s", () => undefined, patience).readNamespace({ name: "x" }), "up");
        const notFound = apiThat(() => Promise.reject(httpError(404, 'namespaces "x" not found')));
        await assert.rejects(patientApi(notFound.api, "s", () => undefined, patience).readNamespace({ name: "x" }), /not found/);
        assert.strictEqual(notFound.calls(), 1);
    });

    it("retries undici's `fetch failed` (client-node 2.x) when its cause is a refused or closed socket", async () => {
        const fetchFailed = (code: string) => Promise.reject(new TypeError("fetch failed", { cause: Object.assign(new Error(code), { code }) }));
        for (const code of ["ECONNREFUSED", "UND_ERR_SOCKET"]) {
            const flaky = apiThat((call) => (call === 1 ? fetchFailed(code) : Promise.resolve("up")));
            assert.strictEqual(await patientApi(flaky.api, "s", () => undefined, patience).readNamespace({ name: "x" }), "up");
            assert.strictEqual(flaky.calls(), 2);
        }
        const badRequest = apiThat(() => Promise.reject(new TypeError("fetch failed", { cause: new Error("invalid header") })));
        await assert.rejects(patientApi(badRequest.api, "s", () => undefined, patience).readNamespace({ name: "x" }), /fetch failed/);
        assert.strictEqual(badRequest.calls(), 1);
    });
});
