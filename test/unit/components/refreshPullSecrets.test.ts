/**
 * The pure parts of the keyless refresher script: how long it waits between attempts at Google, when
 * it gives up, what its exit code says, and what it writes into a Secret and an Event. The script's
 * runs against a real API server and a fake STS are in test/e2e/keyless.test.ts.
 */
import * as assert from "assert";
import fc from "fast-check";
import { keyless as names } from "../../../components/contract";
import {
    backoffDelayMs,
    eventBody,
    exitCodeFor,
    exitCodes,
    NoAnswerError,
    nextRetry,
    redact,
    RefreshError,
    retryableStatuses,
    retryAfterMs,
    scrub,
    secretPatch,
} from "../../../components/refreshPullSecrets";

const policy = { attempts: 5, baseMs: 1000, capMs: 30_000, budgetMs: 120_000 };

describe("keyless refresher: retries at Google", () => {
    it("the backoff doubles from 1 s and stays between half and all of it (equal jitter), capped at 30 s", () => {
        const lowest = [1, 2, 3, 4, 5, 6, 7].map((attempt) => backoffDelayMs(attempt, policy, () => 0));
        const highest = [1, 2, 3, 4, 5, 6, 7].map((attempt) => backoffDelayMs(attempt, policy, () => 1));
        assert.deepStrictEqual(lowest, [500, 1000, 2000, 4000, 8000, 15_000, 15_000]);
        assert.deepStrictEqual(highest, [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, random) => {
                const delay = backoffDelayMs(attempt, policy, () => random);
                const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
                return delay >= ceiling / 2 && delay <= ceiling;
            }),
        );
    });

    it("Retry-After is honoured as seconds or an HTTP date, and never shortens the backoff", () => {
        const now = Date.parse("2026-12-05T10:00:00Z");
        assert.strictEqual(retryAfterMs("7", now), 7000);
        assert.strictEqual(retryAfterMs("Sat, 05 Dec 2026 10:00:20 GMT", now), 20_000);
        assert.strictEqual(retryAfterMs("Sat, 05 Dec 2026 09:59:00 GMT", now), 0, "a date in the past asks for no wait");
        assert.strictEqual(retryAfterMs(undefined, now), 0);
        assert.strictEqual(retryAfterMs("soon", now), 0);
        assert.strictEqual(
            backoffDelayMs(1, policy, () => 0, 7000),
            7000,
        );
        assert.strictEqual(
            backoffDelayMs(5, policy, () => 1, 2000),
            16_000,
        );
    });

    it("it gives up once the attempts are spent, or when the wait would end past the run's budget", () => {
        assert.deepStrictEqual(nextRetry({ attempt: 1, elapsedMs: 0, policy, random: () => 1 }), { delayMs: 1000 });
        assert.strictEqual(nextRetry({ attempt: 5, elapsedMs: 0, policy, random: () => 0 }), undefined, "5 attempts at most");
        assert.strictEqual(nextRetry({ attempt: 2, elapsedMs: 119_000, policy, random: () => 1 }), undefined, "2 s wait past a 120 s budget");
        assert.strictEqual(nextRetry({ attempt: 1, elapsedMs: 0, retryAfter: 600_000, policy }), undefined, "a Retry-After beyond the budget ends the run now");
        // Whatever Google answers, the waits of one run add up to less than its budget.
        fc.assert(
            fc.property(fc.array(fc.integer({ min: 0, max: 200_000 }), { minLength: 10, maxLength: 10 }), (retryAfters) => {
                let elapsedMs = 0;
                for (let attempt = 1; attempt <= 10; attempt++) {
                    const retry = nextRetry({ attempt, elapsedMs, retryAfter: retryAfters[attempt - 1], policy });
                    if (!retry) return attempt <= policy.attempts && elapsedMs <= policy.budgetMs;
                    elapsedMs += retry.delayMs;
                }
                return false;
            }),
        );
    });

    it("only Google's transient answers are retried: rate limiting and server errors, never a refusal", () => {
        for (const status of [429, 500, 502, 503, 504]) assert.ok(retryableStatuses.has(status), `${status}`);
        for (const status of [200, 400, 401, 403, 404]) assert.ok(!retryableStatuses.has(status), `${status}`);
    });
});

describe("keyless refresher: exit codes", () => {
    it("each step that can fail has its own code; anything unexplained is 1", () => {
        assert.deepStrictEqual(exitCodes, { ok: 0, unexpected: 1, config: 2, sts: 3, iamCredentials: 4, kubernetes: 5 });
        assert.strictEqual(exitCodeFor(undefined), 0);
        assert.strictEqual(exitCodeFor(new RefreshError("setting STS_AUDIENCE is not set", "config")), 2);
        assert.strictEqual(exitCodeFor(new RefreshError("Google STS refused", "sts")), 3);
        assert.strictEqual(exitCodeFor(new RefreshError("impersonating x was refused", "iamCredentials")), 4);
        assert.strictEqual(exitCodeFor(new RefreshError("1 of 2 Secrets were not refreshed", "kubernetes")), 5);
        assert.strictEqual(exitCodeFor(new NoAnswerError("no answer")), 1, "a bare network failure is wrapped by its step before it ends a run");
        assert.strictEqual(exitCodeFor(new TypeError("x is undefined")), 1);
        assert.strictEqual(exitCodeFor(new RefreshError("no stage")), 1);
    });
});

describe("keyless refresher: what it writes", () => {
    const token = "ya29.unit-test-token-7b1f0c";
    const auth = Buffer.from(`oauth2accesstoken:${token}`).toString("base64");
    before(() => {
        redact(token);
        redact(auth);
    });

    it("a refresh writes the token, its expiry and clears a recorded failure; a failure writes when and why and keeps the token", () => {
        const now = new Date("2026-12-05T10:00:00.000Z");
        const expiresAt = new Date("2026-12-05T11:00:00.000Z");
        const refreshed = secretPatch("42", { content: `{"auths":{"gcr.io":{"password":"${token}"}}}`, expiresAt }, now);
        assert.deepStrictEqual(refreshed.metadata, {
            resourceVersion: "42",
            annotations: {
                [names.expiresAnnotation]: "2026-12-05T11:00:00.000Z",
                [names.refreshedAnnotation]: "2026-12-05T10:00:00.000Z",
                [names.failedAtAnnotation]: null,
                [names.failureAnnotation]: null,
            },
        });
        assert.ok(refreshed.data?.[".dockerconfigjson"], "the content goes into data, base64");

        const failed = secretPatch("43", { failure: `Google STS refused the token exchange (HTTP 400: invalid_grant: bad ${token})` }, now);
        assert.deepStrictEqual(failed, {
            metadata: {
                resourceVersion: "43",
                annotations: {
                    [names.failedAtAnnotation]: "2026-12-05T10:00:00.000Z",
                    [names.failureAnnotation]: "Google STS refused the token exchange (HTTP 400: invalid_grant: bad [redacted])",
                },
            },
        });
        assert.ok(secretPatch("1", { failure: "x".repeat(5000) }).metadata.annotations[names.failureAnnotation]!.length <= 500, "the reason is kept short");
    });

    it("Events: Refreshed is Normal, RefreshFailed a Warning with the reason; no form of a token is in either", () => {
        const now = new Date("2026-12-05T10:00:00.123Z");
        const refreshed = eventBody({
            namespace: "team-a",
            name: "regcred",
            uid: "u-1",
            reason: "Refreshed",
            note: "token refreshed; it expires at 2026-12-05T11:00:00.000Z",
            instance: "token-refresher-29000000-abcde",
            now,
            suffix: "0a1b2c3d",
        });
        assert.deepStrictEqual(refreshed, {
            apiVersion: "events.k8s.io/v1",
            kind: "Event",
            metadata: { name: `regcred.${now.getTime().toString(16)}0a1b2c3d`, namespace: "team-a" },
            eventTime: "2026-12-05T10:00:00.123000Z",
            reportingController: names.eventController,
            reportingInstance: "token-refresher-29000000-abcde",
            action: "Refresh",
            reason: "Refreshed",
            type: "Normal",
            regarding: { apiVersion: "v1", kind: "Secret", namespace: "team-a", name: "regcred", uid: "u-1" },
            note: "token refreshed; it expires at 2026-12-05T11:00:00.000Z",
        });
        const failed = eventBody({
            namespace: "team-a",
            name: "regcred",
            reason: "RefreshFailed",
            note: `writing Secret team-a/regcred failed (HTTP 422: data ${auth} token ${token}) ${"x".repeat(2000)}`,
            instance: "i".repeat(300),
        });
        assert.strictEqual(failed.type, "Warning");
        assert.match(failed.note, /^writing Secret team-a\/regcred failed \(HTTP 422: data \[redacted\] token \[redacted\]\)/);
        assert.ok(failed.note.length <= 1000, "the API server refuses notes over 1 kB");
        assert.strictEqual((failed as { reportingInstance?: string }).reportingInstance?.length, 128);
        for (const body of [refreshed, failed]) {
            const text = JSON.stringify(body);
            for (const form of [token, auth, token.slice(5)]) assert.ok(!text.includes(form), "no token in the Event");
        }
        assert.strictEqual(scrub(`a ${token} b`), "a [redacted] b");
    });
});
