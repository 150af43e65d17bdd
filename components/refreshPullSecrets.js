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
"use strict";

const fs = require("node:fs");
const http = require("node:http");
const https = require("node:https");

// Repeated from components/contract.ts (`keyless`): this file runs without the package.
const expiresAnnotation = "gcr-pull-secrets.dev/token-expires-at";
const refreshedAnnotation = "gcr-pull-secrets.dev/token-refreshed-at";
const keySourceAnnotation = "gcr-pull-secrets.dev/key-source";
const keylessKeySource = "keyless";
const username = "oauth2accesstoken";
const cloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

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

class RefreshError extends Error {}

function setting(name, fallback) {
    const value = process.env[name];
    if (value !== undefined && value !== "") return value;
    if (fallback !== undefined) return fallback;
    throw new RefreshError(`setting ${name} is not set (the CronJob sets it; to run by hand, export it)`);
}

function readSecretFile(what, file) {
    let text;
    try {
        text = fs.readFileSync(file, "utf8").trim();
    } catch (error) {
        throw new RefreshError(`cannot read ${what} from ${file}: ${error.code || error.message}`);
    }
    if (!text) throw new RefreshError(`${what} in ${file} is empty`);
    secrets.add(text);
    return text;
}

/** One HTTP exchange: the status and the body's text. Plain http is refused except on loopback. */
function request(url, { method = "GET", headers = {}, body, ca, timeoutMs }) {
    const target = new URL(url);
    const loopback = target.hostname === "127.0.0.1" || target.hostname === "localhost" || target.hostname === "[::1]";
    if (target.protocol !== "https:" && !(target.protocol === "http:" && loopback)) {
        return Promise.reject(new RefreshError(`refusing to send credentials to ${target.origin}: only https is used (plain http only on loopback, for tests)`));
    }
    const transport = target.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
        const req = transport.request(target, { method, headers, ...(ca ? { ca } : {}), timeout: timeoutMs }, (response) => {
            let text = "";
            response.setEncoding("utf8");
            response.on("data", (chunk) => (text += chunk));
            response.on("end", () => resolve({ status: response.statusCode || 0, text }));
            response.on("error", reject);
        });
        req.on("timeout", () => req.destroy(new RefreshError(`${method} ${target.origin}${target.pathname}: no answer within ${timeoutMs / 1000}s`)));
        req.on("error", (error) => reject(error instanceof RefreshError ? error : new RefreshError(`${method} ${target.origin}${target.pathname} failed: ${error.code || error.message}`)));
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
    const exchanged = await request(config.stsUrl, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": Buffer.byteLength(form) },
        body: form,
        timeoutMs: config.timeoutMs,
    });
    if (exchanged.status !== 200) {
        throw new RefreshError(`Google STS refused the token exchange for audience ${config.stsAudience} (${googleError(exchanged)})`);
    }
    const federated = parseJson(exchanged.text);
    if (!federated || typeof federated.access_token !== "string" || !federated.access_token) {
        throw new RefreshError("Google STS answered without an access token");
    }
    secrets.add(federated.access_token);
    if (!config.impersonate) {
        const seconds = Number(federated.expires_in) > 0 ? Number(federated.expires_in) : 3600;
        return { token: federated.access_token, expiresAt: new Date(Date.now() + seconds * 1000) };
    }
    const body = JSON.stringify({ scope: [cloudPlatformScope], lifetime: "3600s" });
    const url = `${config.iamCredentialsUrl}/projects/-/serviceAccounts/${encodeURIComponent(config.impersonate)}:generateAccessToken`;
    const generated = await request(url, {
        method: "POST",
        headers: { Authorization: `Bearer ${federated.access_token}`, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) },
        body,
        timeoutMs: config.timeoutMs,
    });
    if (generated.status !== 200) {
        throw new RefreshError(`impersonating ${config.impersonate} was refused (${googleError(generated)}); the principal needs roles/iam.workloadIdentityUser on it`);
    }
    const impersonated = parseJson(generated.text);
    if (!impersonated || typeof impersonated.accessToken !== "string" || !impersonated.accessToken) {
        throw new RefreshError(`impersonating ${config.impersonate} answered without an access token`);
    }
    secrets.add(impersonated.accessToken);
    const expiresAt = new Date(impersonated.expireTime);
    return { token: impersonated.accessToken, expiresAt: Number.isNaN(expiresAt.getTime()) ? new Date(Date.now() + 3600_000) : expiresAt };
}

function dockerConfigJson(registries, token) {
    const auth = Buffer.from(`${username}:${token}`).toString("base64");
    secrets.add(auth);
    const auths = {};
    for (const host of registries) auths[host] = { username, password: token, auth };
    return JSON.stringify({ auths });
}

function kubeMessage(response) {
    const body = parseJson(response.text);
    return `HTTP ${response.status}${body && body.message ? `: ${body.message}` : ""}`;
}

/** Writes the token into one Secret, after checking that it is a keyless pull Secret of the stack. */
async function writeSecret(config, target, content, expiresAt) {
    const [namespace, name] = target.split("/");
    const url = `${config.kubeApiUrl}/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`;
    const headers = { Authorization: `Bearer ${config.kubeToken}`, Accept: "application/json" };
    for (let attempt = 1; ; attempt++) {
        const status = await writeSecretOnce(config, target, url, headers, content, expiresAt);
        if (status === "written") return;
        // 409: the stack changed the Secret between our read and write; read it again (it may have switched to a key).
        if (attempt >= 3) throw new RefreshError(`writing Secret ${target} failed: it kept changing between read and write`);
    }
}

async function writeSecretOnce(config, target, url, headers, content, expiresAt) {
    const current = await request(url, { headers, ca: config.kubeCa, timeoutMs: config.timeoutMs });
    if (current.status !== 200) throw new RefreshError(`reading Secret ${target} failed (${kubeMessage(current)})`);
    const secret = parseJson(current.text) || {};
    const source = ((secret.metadata || {}).annotations || {})[keySourceAnnotation];
    if (secret.type !== "kubernetes.io/dockerconfigjson" || source !== keylessKeySource) {
        // The stack switched this Secret to a key (or it is not ours): its content is not ours to write.
        throw new RefreshError(`Secret ${target} is not a keyless pull Secret (type ${secret.type}, ${keySourceAnnotation}: ${source || "none"}); left unchanged`);
    }
    const patch = JSON.stringify({
        metadata: {
            resourceVersion: secret.metadata.resourceVersion,
            annotations: { [expiresAnnotation]: expiresAt.toISOString(), [refreshedAnnotation]: new Date().toISOString() },
        },
        data: { ".dockerconfigjson": Buffer.from(content).toString("base64") },
    });
    const patched = await request(url, {
        method: "PATCH",
        headers: { ...headers, "Content-Type": "application/merge-patch+json", "Content-Length": Buffer.byteLength(patch) },
        body: patch,
        ca: config.kubeCa,
        timeoutMs: config.timeoutMs,
    });
    if (patched.status === 409) return "conflict";
    if (patched.status !== 200) throw new RefreshError(`writing Secret ${target} failed (${kubeMessage(patched)})`);
    return "written";
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
        if (!/^[a-z0-9-]+\/[a-z0-9.-]+$/.test(target)) throw new RefreshError(`PULL_SECRETS entry "${target}" is not namespace/name`);
    }
    const caFile = setting("KUBE_CA_FILE", "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt");
    let kubeCa;
    try {
        kubeCa = fs.readFileSync(caFile);
    } catch (error) {
        throw new RefreshError(`cannot read the cluster CA from ${caFile}: ${error.code || error.message}`);
    }
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
        timeoutMs: Number(setting("REQUEST_TIMEOUT_SECONDS", "15")) * 1000,
    };
}

async function main() {
    const config = readConfig();
    const { token, expiresAt } = await googleAccessToken(config);
    const content = dockerConfigJson(config.registries, token);
    const failures = [];
    for (const target of config.pullSecrets) {
        try {
            await writeSecret(config, target, content, expiresAt);
            log(`refreshed ${target}: token expires at ${expiresAt.toISOString()}`);
        } catch (error) {
            failures.push(target);
            log(`FAILED ${target}: ${error instanceof RefreshError ? error.message : error && error.message}`);
        }
    }
    if (failures.length > 0) {
        throw new RefreshError(`${failures.length} of ${config.pullSecrets.length} Secrets were not refreshed: ${failures.join(", ")}`);
    }
    log(`all ${config.pullSecrets.length} Secrets refreshed`);
}

main().catch((error) => {
    const message = error instanceof RefreshError ? error.message : `unexpected failure: ${error && error.message}`;
    process.stderr.write(`${scrub(`gcr-pull-secrets refresher: ${message}`)}\n`);
    process.exitCode = 1;
});
