#!/usr/bin/env node
// The keyless token refresher (gcr-pull-secrets). The stack puts this very file into a ConfigMap and
// runs it on a stock Node.js image (18 or newer): no dependency beyond the runtime.
//
// One run: read this pod's projected ServiceAccount token (issued for the federation's audience),
// exchange it at Google STS for an access token (optionally impersonating a reader service account),
// and write that token into each listed pull Secret as `oauth2accesstoken` credentials, with its
// expiry in an annotation. The stack owns the Secrets' existence, type and labels; this owns their
// content. Tokens are never printed: every message that could carry one is scrubbed first.
//
// Google's transient answers (429, 5xx, no answer) are retried with exponential backoff and jitter,
// honouring Retry-After, within RETRY_BUDGET_SECONDS, so a run ends well inside the CronJob period.
// Each Secret gets a Kubernetes Event (events.k8s.io/v1, reason Refreshed or RefreshFailed, never a
// token); a failure is also written into the Secret's annotations (when and why), which
// `pulumi preview` and `pulumi refresh` read to warn. Exit codes (exitCodes below; docs/keyless.md):
// 0 every Secret refreshed, 1 an unexpected error, 2 configuration, 3 Google STS, 4 IAM Credentials
// (impersonation), 5 one or more Secrets could not be written.
//
// Settings (environment):
//   PULL_SECRETS        namespace/name,...  the Secrets to write (the Role allows exactly these)
//   REGISTRIES          host,...            registry hosts the docker config covers
//   STS_AUDIENCE                            the audience asked of Google STS
//   STS_TOKEN_FILE      projected token     default /var/run/secrets/gcr-pull-secrets/sts-token
//   STS_URL                                 default https://sts.googleapis.com/v1/token
//   IMPERSONATE_SERVICE_ACCOUNT             optional reader account email
//   IAM_CREDENTIALS_URL                     default https://iamcredentials.googleapis.com/v1
//   KUBE_API_URL        default https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT
//   KUBE_CA_FILE        default /var/run/secrets/kubernetes.io/serviceaccount/ca.crt
//   KUBE_TOKEN_FILE     default /var/run/secrets/kubernetes.io/serviceaccount/token
//   REQUEST_TIMEOUT_SECONDS                 default 15
//   RETRY_BUDGET_SECONDS                    default 120: no new attempt at Google starts after this
//   RETRY_ATTEMPTS                          default 5 per call to Google
"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs");
const http = require("node:http");
const https = require("node:https");
const os = require("node:os");
const { setTimeout } = require("node:timers");

// Repeated from components/contract.ts (`keyless`): this file runs without the package.
const expiresAnnotation = "gcr-pull-secrets.dev/token-expires-at";
const refreshedAnnotation = "gcr-pull-secrets.dev/token-refreshed-at";
const failedAtAnnotation = "gcr-pull-secrets.dev/refresh-failed-at";
const failureAnnotation = "gcr-pull-secrets.dev/refresh-failure";
const keySourceAnnotation = "gcr-pull-secrets.dev/key-source";
const keylessKeySource = "keyless";
const username = "oauth2accesstoken";
const cloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";
const reportingController = "gcr-pull-secrets.dev/token-refresher";

/** What the process exit code says: which step failed (documented in docs/keyless.md). */
const exitCodes = Object.freeze({ ok: 0, unexpected: 1, config: 2, sts: 3, iamCredentials: 4, kubernetes: 5 });

/** Google's answers worth another attempt: rate limiting and transient server errors. */
const retryableStatuses = new Set([408, 429, 500, 502, 503, 504]);

/** Values that must never reach the log, filled in as they are read or received. */
const secrets = new Set();

function scrub(text) {
    let clean = String(text);
    for (const secret of secrets) {
        if (secret) clean = clean.split(secret).join("[redacted]");
    }
    return clean;
}

function log(line) {
    process.stdout.write(`${scrub(line)}\n`);
}

/** A failure this script explains; `stage` (a key of exitCodes) says which step failed. */
class RefreshError extends Error {
    constructor(message, stage = "unexpected") {
        super(message);
        this.stage = stage;
    }
}

/** A request that got no answer (refused connection, timeout): worth another attempt. */
class NoAnswerError extends RefreshError {}

/** The exit code for what ended the run. */
function exitCodeFor(error) {
    if (error === undefined) return exitCodes.ok;
    return error instanceof RefreshError && error.stage in exitCodes ? exitCodes[error.stage] : exitCodes.unexpected;
}

/** Registers a value that must never be printed or written anywhere but into a Secret's data. */
function redact(value) {
    if (value) secrets.add(String(value));
}

function setting(name, fallback) {
    const value = process.env[name];
    if (value !== undefined && value !== "") return value;
    if (fallback !== undefined) return fallback;
    throw new RefreshError(`setting ${name} is not set (the CronJob sets it; to run by hand, export it)`, "config");
}

function readSecretFile(what, file) {
    let text;
    try {
        text = fs.readFileSync(file, "utf8").trim();
    } catch (error) {
        throw new RefreshError(`cannot read ${what} from ${file}: ${error.code || error.message}`, "config");
    }
    if (!text) throw new RefreshError(`${what} in ${file} is empty`, "config");
    redact(text);
    return text;
}

/** One HTTP exchange: the status and the body's text. Plain http is refused except on loopback. */
function request(url, { method = "GET", headers = {}, body, ca, timeoutMs }) {
    const target = new URL(url);
    const loopback = target.hostname === "127.0.0.1" || target.hostname === "localhost" || target.hostname === "[::1]";
    if (target.protocol !== "https:" && !(target.protocol === "http:" && loopback)) {
        return Promise.reject(
            new RefreshError(`refusing to send credentials to ${target.origin}: only https is used (plain http only on loopback, for tests)`, "config"),
        );
    }
    const transport = target.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
        const req = transport.request(target, { method, headers, ...(ca ? { ca } : {}), timeout: timeoutMs }, (response) => {
            let text = "";
            response.setEncoding("utf8");
            response.on("data", (chunk) => (text += chunk));
            response.on("end", () => resolve({ status: response.statusCode || 0, headers: response.headers, text }));
            response.on("error", reject);
        });
        req.on("timeout", () => req.destroy(new NoAnswerError(`${method} ${target.origin}${target.pathname}: no answer within ${timeoutMs / 1000}s`)));
        req.on("error", (error) =>
            reject(error instanceof RefreshError ? error : new NoAnswerError(`${method} ${target.origin}${target.pathname} failed: ${error.code || error.message}`)),
        );
        if (body !== undefined) req.write(body);
        req.end();
    });
}

function parseJson(text) {
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

/** Google's error answer in a few words (`invalid_grant: The audience ...`), never the request. */
function googleError(response) {
    const body = parseJson(response.text) || {};
    const detail =
        typeof body.error === "object" && body.error !== null
            ? `${body.error.status || ""} ${body.error.message || ""}`.trim()
            : [body.error, body.error_description].filter((part) => typeof part === "string" && part).join(": ");
    return `HTTP ${response.status}${detail ? `: ${detail.slice(0, 300)}` : ""}`;
}

/**
 * The wait before attempt `attempt + 1` at Google: exponential from `baseMs` (1 s, 2 s, 4 s, ...) up to
 * `capMs`, with "equal jitter" (between half and all of it) so that the CronJobs of many clusters do
 * not retry in step; never shorter than what Google's Retry-After asked for.
 */
function backoffDelayMs(attempt, { baseMs, capMs }, random = Math.random, retryAfterMs = 0) {
    const ceiling = Math.min(capMs, baseMs * 2 ** (attempt - 1));
    return Math.max(Math.round(ceiling / 2 + (random() * ceiling) / 2), retryAfterMs);
}

/** Retry-After (delay-seconds or an HTTP date) in milliseconds; 0 when absent or unreadable. */
function retryAfterMs(header, now = Date.now()) {
    const value = String(header === undefined ? "" : header).trim();
    if (/^\d+$/.test(value)) return Number(value) * 1000;
    const at = Date.parse(value);
    return value && !Number.isNaN(at) ? Math.max(0, at - now) : 0;
}

/**
 * Whether to try again after a failed attempt, and after how long: undefined once `attempts` are
 * spent, or when the wait would end past the run's budget (the attempt after it must still fit).
 */
function nextRetry({ attempt, elapsedMs, retryAfter = 0, policy, random = Math.random }) {
    if (attempt >= policy.attempts) return undefined;
    const delayMs = backoffDelayMs(attempt, policy, random, retryAfter);
    if (elapsedMs + delayMs > policy.budgetMs) return undefined;
    return { delayMs };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One call to Google, retried while its answer is transient (retryableStatuses, or no answer).
 * Returns the last answer (the caller explains a refusal) and how many attempts it took.
 */
async function withRetries(what, stage, config, call) {
    // One budget for the whole run (STS and IAM Credentials together), so that a run ends in time.
    const started = config.retry.startedAt;
    for (let attempt = 1; ; attempt++) {
        let response;
        let failure;
        try {
            response = await call();
            if (!retryableStatuses.has(response.status)) return { response, attempts: attempt };
            failure = googleError(response);
        } catch (error) {
            if (!(error instanceof NoAnswerError)) throw error;
            failure = error.message;
        }
        const retry = nextRetry({
            attempt,
            elapsedMs: Date.now() - started,
            retryAfter: response ? retryAfterMs(response.headers["retry-after"]) : 0,
            policy: config.retry,
        });
        if (!retry) {
            if (response) return { response, attempts: attempt };
            throw new RefreshError(`${what} failed after ${attempt} attempt${attempt === 1 ? "" : "s"} (${failure})`, stage);
        }
        log(`${what}: attempt ${attempt} failed (${failure}); trying again in ${(retry.delayMs / 1000).toFixed(1)}s`);
        await sleep(retry.delayMs);
    }
}

/** " after N attempts" when there was more than one. */
function afterAttempts(attempts) {
    return attempts > 1 ? ` after ${attempts} attempts` : "";
}

/** Exchanges the ServiceAccount token at STS; impersonates the reader account if one is set. */
async function googleAccessToken(config) {
    const form = new URLSearchParams({
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        audience: config.stsAudience,
        scope: cloudPlatformScope,
        requested_token_type: "urn:ietf:params:oauth:token-type:access_token",
        subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
        subject_token: config.subjectToken,
    }).toString();
    const exchange = await withRetries("the token exchange at Google STS", "sts", config, () =>
        request(config.stsUrl, {
            method: "POST",
            headers: { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": Buffer.byteLength(form) },
            body: form,
            timeoutMs: config.timeoutMs,
        }),
    );
    const exchanged = exchange.response;
    if (exchanged.status !== 200) {
        throw new RefreshError(
            `Google STS refused the token exchange for audience ${config.stsAudience}${afterAttempts(exchange.attempts)} (${googleError(exchanged)})`,
            "sts",
        );
    }
    const federated = parseJson(exchanged.text);
    if (!federated || typeof federated.access_token !== "string" || !federated.access_token) {
        throw new RefreshError("Google STS answered without an access token", "sts");
    }
    redact(federated.access_token);
    if (!config.impersonate) {
        const seconds = Number(federated.expires_in) > 0 ? Number(federated.expires_in) : 3600;
        return { token: federated.access_token, expiresAt: new Date(Date.now() + seconds * 1000) };
    }
    const body = JSON.stringify({ scope: [cloudPlatformScope], lifetime: "3600s" });
    const url = `${config.iamCredentialsUrl}/projects/-/serviceAccounts/${encodeURIComponent(config.impersonate)}:generateAccessToken`;
    const generation = await withRetries(`impersonating ${config.impersonate} at IAM Credentials`, "iamCredentials", config, () =>
        request(url, {
            method: "POST",
            headers: { Authorization: `Bearer ${federated.access_token}`, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) },
            body,
            timeoutMs: config.timeoutMs,
        }),
    );
    const generated = generation.response;
    if (generated.status !== 200) {
        throw new RefreshError(
            `impersonating ${config.impersonate} was refused${afterAttempts(generation.attempts)} (${googleError(generated)}); the principal needs roles/iam.workloadIdentityUser on it`,
            "iamCredentials",
        );
    }
    const impersonated = parseJson(generated.text);
    if (!impersonated || typeof impersonated.accessToken !== "string" || !impersonated.accessToken) {
        throw new RefreshError(`impersonating ${config.impersonate} answered without an access token`, "iamCredentials");
    }
    redact(impersonated.accessToken);
    const expiresAt = new Date(impersonated.expireTime);
    return { token: impersonated.accessToken, expiresAt: Number.isNaN(expiresAt.getTime()) ? new Date(Date.now() + 3600_000) : expiresAt };
}

function dockerConfigJson(registries, token) {
    const auth = Buffer.from(`${username}:${token}`).toString("base64");
    redact(auth);
    const auths = {};
    for (const host of registries) auths[host] = { username, password: token, auth };
    return JSON.stringify({ auths });
}

function kubeMessage(response) {
    const body = parseJson(response.text);
    return `HTTP ${response.status}${body && body.message ? `: ${body.message}` : ""}`;
}

/** A failure's reason as the Secret's annotation and Event carry it: scrubbed, and short. */
function failureReason(message) {
    const clean = scrub(message);
    return clean.length > 500 ? `${clean.slice(0, 497)}...` : clean;
}

/**
 * The Secret's new annotations and data. A refresh writes the token and its expiry and clears a
 * recorded failure; a failure records when and why, and leaves the last token in place.
 */
function secretPatch(resourceVersion, outcome, now = new Date()) {
    if (outcome.failure !== undefined) {
        return {
            metadata: { resourceVersion, annotations: { [failedAtAnnotation]: now.toISOString(), [failureAnnotation]: failureReason(outcome.failure) } },
        };
    }
    return {
        metadata: {
            resourceVersion,
            annotations: {
                [expiresAnnotation]: outcome.expiresAt.toISOString(),
                [refreshedAnnotation]: now.toISOString(),
                [failedAtAnnotation]: null,
                [failureAnnotation]: null,
            },
        },
        data: { ".dockerconfigjson": Buffer.from(outcome.content).toString("base64") },
    };
}

/**
 * Writes one outcome into one Secret (conditional on the version read, after checking that it is a
 * keyless pull Secret of the stack); returns the Secret's uid, for its Event.
 */
async function writeSecret(config, target, outcome) {
    const [namespace, name] = target.split("/");
    const url = `${config.kubeApiUrl}/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`;
    const headers = { Authorization: `Bearer ${config.kubeToken}`, Accept: "application/json" };
    for (let attempt = 1; ; attempt++) {
        const written = await writeSecretOnce(config, target, url, headers, outcome);
        if (written !== "conflict") return written.uid;
        // 409: the stack changed the Secret between our read and write; read it again (it may have switched to a key).
        if (attempt >= 3) throw new RefreshError(`writing Secret ${target} failed: it kept changing between read and write`, "kubernetes");
    }
}

async function writeSecretOnce(config, target, url, headers, outcome) {
    const current = await request(url, { headers, ca: config.kubeCa, timeoutMs: config.timeoutMs });
    if (current.status !== 200) throw new RefreshError(`reading Secret ${target} failed (${kubeMessage(current)})`, "kubernetes");
    const secret = parseJson(current.text) || {};
    const source = ((secret.metadata || {}).annotations || {})[keySourceAnnotation];
    if (secret.type !== "kubernetes.io/dockerconfigjson" || source !== keylessKeySource) {
        // The stack switched this Secret to a key (or it is not ours): its content is not ours to write.
        throw new RefreshError(
            `Secret ${target} is not a keyless pull Secret (type ${secret.type}, ${keySourceAnnotation}: ${source || "none"}); left unchanged`,
            "kubernetes",
        );
    }
    const patch = JSON.stringify(secretPatch(secret.metadata.resourceVersion, outcome));
    const patched = await request(url, {
        method: "PATCH",
        headers: { ...headers, "Content-Type": "application/merge-patch+json", "Content-Length": Buffer.byteLength(patch) },
        body: patch,
        ca: config.kubeCa,
        timeoutMs: config.timeoutMs,
    });
    if (patched.status === 409) return "conflict";
    if (patched.status !== 200) throw new RefreshError(`writing Secret ${target} failed (${kubeMessage(patched)})`, "kubernetes");
    return { uid: secret.metadata.uid };
}

/**
 * An events.k8s.io/v1 Event about one Secret: `Refreshed` (Normal) or `RefreshFailed` (Warning) with
 * the reason. Its note is scrubbed of every registered secret, and never carries the token itself.
 */
function eventBody({ namespace, name, uid, reason, note, instance, now = new Date(), suffix = crypto.randomBytes(4).toString("hex") }) {
    return {
        apiVersion: "events.k8s.io/v1",
        kind: "Event",
        // Named as the kubelet names its Events (object name, then a unique hex part): the API server
        // refuses a generateName that ends in "." for Events.
        metadata: { name: `${name}.${now.getTime().toString(16)}${suffix}`, namespace },
        // MicroTime: the API server wants six fractional digits.
        eventTime: now.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z"),
        reportingController,
        reportingInstance: String(instance).slice(0, 128),
        action: "Refresh",
        reason,
        type: reason === "Refreshed" ? "Normal" : "Warning",
        regarding: { apiVersion: "v1", kind: "Secret", namespace, name, ...(uid ? { uid } : {}) },
        // The API server refuses notes over 1 kB.
        note: failureReason(note).slice(0, 1000),
    };
}

/** Records an Event about a Secret; a failure to record it is logged, never fatal (the Secret matters more). */
async function recordEvent(config, target, uid, reason, note) {
    const [namespace, name] = target.split("/");
    const body = JSON.stringify(eventBody({ namespace, name, uid, reason, note, instance: config.instance }));
    try {
        const created = await request(`${config.kubeApiUrl}/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/events`, {
            method: "POST",
            headers: { Authorization: `Bearer ${config.kubeToken}`, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) },
            body,
            ca: config.kubeCa,
            timeoutMs: config.timeoutMs,
        });
        if (created.status !== 201) log(`could not record the ${reason} Event on ${target} (${kubeMessage(created)})`);
    } catch (error) {
        log(`could not record the ${reason} Event on ${target} (${error && error.message})`);
    }
}

function readConfig() {
    const host = process.env.KUBERNETES_SERVICE_HOST;
    const port = process.env.KUBERNETES_SERVICE_PORT || "443";
    const inCluster = host ? `https://${host.includes(":") ? `[${host}]` : host}:${port}` : undefined;
    const list = (name) =>
        setting(name)
            .split(",")
            .map((item) => item.trim())
            .filter(Boolean);
    const pullSecrets = list("PULL_SECRETS");
    for (const target of pullSecrets) {
        if (!/^[a-z0-9-]+\/[a-z0-9.-]+$/.test(target)) throw new RefreshError(`PULL_SECRETS entry "${target}" is not namespace/name`, "config");
    }
    const caFile = setting("KUBE_CA_FILE", "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt");
    let kubeCa;
    try {
        kubeCa = fs.readFileSync(caFile);
    } catch (error) {
        throw new RefreshError(`cannot read the cluster CA from ${caFile}: ${error.code || error.message}`, "config");
    }
    const number = (name, fallback) => {
        const value = Number(setting(name, fallback));
        if (!Number.isFinite(value) || value <= 0) throw new RefreshError(`setting ${name} must be a positive number`, "config");
        return value;
    };
    return {
        pullSecrets,
        registries: list("REGISTRIES"),
        stsAudience: setting("STS_AUDIENCE"),
        stsUrl: setting("STS_URL", "https://sts.googleapis.com/v1/token"),
        impersonate: process.env.IMPERSONATE_SERVICE_ACCOUNT || undefined,
        iamCredentialsUrl: setting("IAM_CREDENTIALS_URL", "https://iamcredentials.googleapis.com/v1"),
        kubeApiUrl: setting("KUBE_API_URL", inCluster).replace(/\/$/, ""),
        kubeCa,
        kubeToken: readSecretFile("the Kubernetes API token", setting("KUBE_TOKEN_FILE", "/var/run/secrets/kubernetes.io/serviceaccount/token")),
        subjectToken: readSecretFile("the ServiceAccount token for Google", setting("STS_TOKEN_FILE", "/var/run/secrets/gcr-pull-secrets/sts-token")),
        timeoutMs: number("REQUEST_TIMEOUT_SECONDS", "15") * 1000,
        retry: {
            attempts: Math.floor(number("RETRY_ATTEMPTS", "5")),
            baseMs: 1000,
            capMs: 30_000,
            budgetMs: number("RETRY_BUDGET_SECONDS", "120") * 1000,
            startedAt: Date.now(),
        },
        // The pod's name, which the Job's pods get as their hostname.
        instance: process.env.HOSTNAME || os.hostname(),
    };
}

/** A failure at Google: every Secret keeps its last token, and says when and why in its annotations and an Event. */
async function recordGoogleFailure(config, error) {
    const reason = error.message;
    for (const target of config.pullSecrets) {
        let uid;
        try {
            uid = await writeSecret(config, target, { failure: reason });
        } catch (writeError) {
            log(`could not record the failure on ${target}: ${writeError && writeError.message}`);
        }
        await recordEvent(config, target, uid, "RefreshFailed", `not refreshed, the last token stays until it expires: ${reason}`);
    }
}

async function main() {
    const config = readConfig();
    let access;
    try {
        access = await googleAccessToken(config);
    } catch (error) {
        if (error instanceof RefreshError && (error.stage === "sts" || error.stage === "iamCredentials")) await recordGoogleFailure(config, error);
        throw error;
    }
    const content = dockerConfigJson(config.registries, access.token);
    const failures = [];
    for (const target of config.pullSecrets) {
        try {
            const uid = await writeSecret(config, target, { content, expiresAt: access.expiresAt });
            log(`refreshed ${target}: token expires at ${access.expiresAt.toISOString()}`);
            await recordEvent(config, target, uid, "Refreshed", `token refreshed; it expires at ${access.expiresAt.toISOString()}`);
        } catch (error) {
            failures.push(target);
            const reason = error instanceof RefreshError ? error.message : error && error.message;
            log(`FAILED ${target}: ${reason}`);
            await recordEvent(config, target, undefined, "RefreshFailed", reason);
        }
    }
    if (failures.length > 0) {
        throw new RefreshError(`${failures.length} of ${config.pullSecrets.length} Secrets were not refreshed: ${failures.join(", ")}`, "kubernetes");
    }
    log(`all ${config.pullSecrets.length} Secrets refreshed`);
}

// Run when started as a program (the CronJob's pod, the end-to-end tests); a `require` (the unit
// tests) gets the pure parts only.
if (require.main === module) {
    main().then(
        () => (process.exitCode = exitCodes.ok),
        (error) => {
            const message = error instanceof RefreshError ? error.message : `unexpected failure: ${error && error.message}`;
            process.stderr.write(`${scrub(`gcr-pull-secrets refresher: ${message}`)}\n`);
            process.exitCode = exitCodeFor(error);
        },
    );
}

module.exports = {
    exitCodes,
    exitCodeFor,
    RefreshError,
    NoAnswerError,
    backoffDelayMs,
    retryAfterMs,
    nextRetry,
    retryableStatuses,
    secretPatch,
    eventBody,
    redact,
    scrub,
};
