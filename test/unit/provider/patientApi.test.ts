import * as assert from "assert";
import { CoreApi } from "../../../provider/kubeApi";
import { Interruptions } from "../../../provider/interruption";
import { patientApi, retryAfterMs } from "../../../provider/patientApi";

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

/** An answer of the server with that status, as client-node 2.x rejects it (headers lower-cased). */
const busy = (code: number, retryAfter?: string) =>
    Promise.reject(Object.assign(new Error(`HTTP ${code}`), { code, body: { message: "busy" }, headers: retryAfter ? { "retry-after": retryAfter } : {} }));

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

describe("API calls against a busy or failing server", () => {
    it("retries 429, 500, 503 and 504, and returns the answer that follows", async () => {
        for (const code of [429, 500, 503, 504]) {
            const warnings: string[] = [];
            const flaky = apiThat((call) => (call < 2 ? busy(code) : Promise.resolve("served")));
            assert.strictEqual(await patientApi(flaky.api, "s", (m) => warnings.push(m), patience).readNamespace({ name: "x" }), "served");
            assert.strictEqual(flaky.calls(), 2, `HTTP ${code}`);
            assert.match(warnings[0], new RegExp(`readNamespace x: HTTP ${code}.*; trying again`));
        }
    });

    it("answers other statuses (403, 404, 409, 422, 502) at once", async () => {
        for (const code of [403, 404, 409, 422, 502]) {
            const refused = apiThat(() => busy(code));
            await assert.rejects(
                patientApi(refused.api, "s", () => undefined, patience).readNamespace({ name: "x" }),
                (e: { code?: number }) => e.code === code,
            );
            assert.strictEqual(refused.calls(), 1, `HTTP ${code}`);
        }
    });

    it("waits as long as Retry-After asks (seconds or an HTTP date), and says so", async () => {
        const warnings: string[] = [];
        const started = Date.now();
        const asked = apiThat((call) => (call === 1 ? busy(429, "1") : Promise.resolve("served")));
        assert.strictEqual(await patientApi(asked.api, "s", (m) => warnings.push(m), patience).readNamespace({ name: "x" }), "served");
        assert.ok(Date.now() - started >= 950, `retried after ${Date.now() - started} ms, before the 1 s the server asked for`);
        assert.match(warnings[0], /HTTP 429 \(too many requests\); trying again after 1s \(Retry-After\)/);
        const now = Date.now();
        const untilDate = retryAfterMs({ headers: { "retry-after": new Date(now + 3000).toUTCString() } }, now) ?? 0;
        assert.ok(untilDate > 2000 && untilDate <= 3000, `${untilDate} ms until a date 3 s away`);
        assert.strictEqual(retryAfterMs({ headers: {} }), undefined);
        assert.strictEqual(retryAfterMs({ headers: { "retry-after": "soon" } }), undefined);
    });

    it("gives up at once, naming the status, when Retry-After asks for more than the budget left", async () => {
        const started = Date.now();
        const asked = apiThat(() => busy(503, "600"));
        await assert.rejects(
            patientApi(asked.api, "https://10.0.0.1:6443", () => undefined, patience).readNamespace({ name: "x" }),
            /did not answer readNamespace x within 2s \(HTTP 503, asked to retry after 600s\)/,
        );
        assert.strictEqual(asked.calls(), 1);
        assert.ok(Date.now() - started < 500);
    });

    it("wraps every method of the API, not a list of names", async () => {
        let calls = 0;
        const api = {
            readNamespacedConfigMap: () => (++calls < 2 ? busy(503) : Promise.resolve("cm")),
        } as unknown as CoreApi & { readNamespacedConfigMap(req: object): Promise<unknown> };
        const patient = patientApi(api, "s", () => undefined, patience) as typeof api;
        assert.strictEqual(await patient.readNamespacedConfigMap({ name: "x" }), "cm");
        assert.strictEqual(calls, 2);
    });
});

describe("API calls within an operation: customTimeouts and Cancel", () => {
    const control = (interruptions: Interruptions) => ({ operation: () => interruptions.current(), withSignal: (options: unknown) => options });

    it("a customTimeouts shorter than the budget ends a hanging call at the deadline, naming the resource and the timeout", async () => {
        const interruptions = new Interruptions();
        const { api } = apiThat(() => never());
        const patient = patientApi(api, "s", () => undefined, { timeoutMs: 15_000, budgetMs: 120_000 }, control(interruptions));
        const started = Date.now();
        await assert.rejects(
            interruptions.run(1, "creating apps", () => patient.readNamespace({ name: "apps" })),
            /creating apps did not finish within its timeout of 1s \(customTimeouts\).*while waiting for readNamespace apps from s/,
        );
        const took = Date.now() - started;
        assert.ok(took >= 950 && took < 2000, `took ${took} ms`);
    });

    it("a customTimeouts longer than the budget keeps retrying past it", async () => {
        const interruptions = new Interruptions();
        const refused = () => Promise.reject(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
        const flaky = apiThat((call) => (call < 4 ? refused() : Promise.resolve("up")));
        // 500 + 1000 + 1500 ms of backoff: past a 300 ms budget, within a 10 s timeout.
        const patient = patientApi(flaky.api, "s", () => undefined, { timeoutMs: 1000, budgetMs: 300 }, control(interruptions));
        assert.strictEqual(await interruptions.run(10, "creating apps", () => patient.readNamespace({ name: "apps" })), "up");
        assert.strictEqual(flaky.calls(), 4);
        await assert.rejects(
            patientApi(apiThat(refused).api, "s", () => undefined, { timeoutMs: 1000, budgetMs: 300 }).readNamespace({ name: "x" }),
            /within 0s/,
        );
    });

    it("Cancel fails a pending call, one waiting to retry, and every later one, at once", async () => {
        const interruptions = new Interruptions();
        const hanging = patientApi(apiThat(() => never()).api, "s", () => undefined, { timeoutMs: 60_000, budgetMs: 120_000 }, control(interruptions));
        const backingOff = patientApi(
            apiThat(() => busy(429, "60")).api,
            "s",
            () => undefined,
            { timeoutMs: 60_000, budgetMs: 120_000 },
            control(interruptions),
        );
        const started = Date.now();
        const pending = interruptions.run(0, "creating a", () => hanging.readNamespace({ name: "a" }));
        const waiting = backingOff.readNamespace({ name: "b" });
        setTimeout(() => interruptions.cancel(), 100);
        await Promise.all([
            assert.rejects(pending, /the update was cancelled .*while waiting for readNamespace a from s/),
            assert.rejects(waiting, /the update was cancelled .*while waiting for readNamespace b from s/),
        ]);
        assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
        const later = apiThat(() => Promise.resolve("up"));
        await assert.rejects(patientApi(later.api, "s", () => undefined, patience, control(interruptions)).readNamespace({ name: "c" }), /cancelled/);
        assert.strictEqual(later.calls(), 0);
    });
});
