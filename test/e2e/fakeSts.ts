/**
 * A stand-in for Google STS (`POST /v1/token`, RFC 8693 token exchange) on loopback, strict in the
 * way the real one is about the subject token: it verifies the JWT's signature against the cluster's
 * real JWKS (`/openid/v1/jwks` of the API server, which is what keyless mode inlines into the pool
 * provider), and its issuer, audience, subject and lifetime, before it answers with an access token.
 * Anything else gets Google's error shape: `{"error": "invalid_grant", "error_description": ...}`.
 * It also stands in for IAM Credentials' `generateAccessToken` (impersonation): only with a token it
 * issued, and only for the one account the principal may act as.
 */
import { createPublicKey, JsonWebKey, randomBytes, verify } from "crypto";
import * as http from "http";
import { AddressInfo } from "net";

export interface FakeStsOptions {
    /** The issuer the tokens must name (the cluster's ServiceAccount issuer). */
    issuer: string;
    /** The cluster's JSON Web Key Set. */
    jwks: { keys: (JsonWebKey & { kid?: string })[] };
    /** The audience the subject token must be issued for. */
    tokenAudience: string;
    /** The `audience` parameter the request must carry (the provider's `//iam.googleapis.com/...` name). */
    stsAudience: string;
    /** The only `sub` accepted, as the provider's attribute condition says. */
    subject: string;
    /** The one service account the principal may impersonate (roles/iam.workloadIdentityUser). */
    impersonable: string;
}

/** A running fake STS. */
export interface FakeSts {
    url: string;
    /** Base URL of the fake IAM Credentials API (`IAM_CREDENTIALS_URL`). */
    iamCredentialsUrl: string;
    /** Access tokens it handed out, newest last. */
    issued: string[];
    /** Why it refused each refused request. */
    refusals: string[];
    /** Make it refuse everything from now on, as STS does when the provider is disabled. */
    refuseAll(reason: string): void;
    /**
     * Make the next `count` token exchanges (or `generateAccessToken` calls, with "iamCredentials") fail
     * as Google's transient outages do: HTTP `status`, with `Retry-After` if given.
     */
    failNext(count: number, status: number, retryAfterSeconds?: number, service?: "sts" | "iamCredentials"): void;
    /** Ends the outage: exchanges no longer fail on purpose. */
    recover(): void;
    /** When each token exchange arrived (ms since the epoch), answered or not. */
    exchangeTimes: number[];
    close(): Promise<void>;
}

function base64url(text: string): Buffer {
    return Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}

/** Why the subject token is not acceptable, or undefined when it is. */
function tokenProblem(jwt: string, options: FakeStsOptions): string | undefined {
    const parts = jwt.split(".");
    if (parts.length !== 3) return "the subject token is not a JWT";
    let header: { alg?: string; kid?: string };
    let claims: { iss?: string; aud?: string | string[]; sub?: string; exp?: number; nbf?: number };
    try {
        header = JSON.parse(base64url(parts[0]).toString("utf8"));
        claims = JSON.parse(base64url(parts[1]).toString("utf8"));
    } catch {
        return "the subject token's header or claims are not JSON";
    }
    const jwk = options.jwks.keys.find((key) => key.kid === header.kid);
    if (!jwk) return `no key ${header.kid} in the provider's JWKS`;
    const algorithms: Record<string, { hash: string; ec: boolean }> = { ES256: { hash: "sha256", ec: true }, RS256: { hash: "sha256", ec: false } };
    const algorithm = header.alg ? algorithms[header.alg] : undefined;
    if (!algorithm) return `unsupported signing algorithm ${header.alg}`;
    const key = createPublicKey({ key: jwk, format: "jwk" });
    const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
    const valid = verify(algorithm.hash, signed, algorithm.ec ? { key, dsaEncoding: "ieee-p1363" } : key, base64url(parts[2]));
    if (!valid) return "the subject token's signature does not verify against the provider's JWKS";
    if (claims.iss !== options.issuer) return `the subject token's issuer ${claims.iss} is not the provider's issuer`;
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(options.tokenAudience))
        return `The audience in the subject token (${audiences.join(", ")}) does not match the expected audience ${options.tokenAudience}.`;
    if (claims.sub !== options.subject) return `the subject ${claims.sub} does not satisfy the provider's attribute condition`;
    const now = Date.now() / 1000;
    if (typeof claims.exp !== "number" || claims.exp < now) return "the subject token has expired";
    if (typeof claims.nbf === "number" && claims.nbf > now + 30) return "the subject token is not valid yet";
    return undefined;
}

/** Starts the fake STS on a free loopback port. */
export async function startFakeSts(options: FakeStsOptions): Promise<FakeSts> {
    const issued: string[] = [];
    const refusals: string[] = [];
    let refuseEverything: string | undefined;
    const outages: { status: number; retryAfterSeconds?: number }[] = [];
    const iamOutages: { status: number; retryAfterSeconds?: number }[] = [];
    const exchangeTimes: number[] = [];
    const server = http.createServer((request, response) => {
        let body = "";
        request.setEncoding("utf8");
        request.on("data", (chunk: string) => (body += chunk));
        request.on("end", () => {
            const refuse = (status: number, error: string, description: string) => {
                refusals.push(description);
                response.writeHead(status, { "Content-Type": "application/json" });
                response.end(JSON.stringify({ error, error_description: description }));
            };
            const impersonation = /^\/v1\/projects\/-\/serviceAccounts\/([^/:]+):generateAccessToken$/.exec(request.url ?? "");
            if (request.method === "POST" && impersonation) {
                const bearer = (request.headers.authorization ?? "").replace(/^Bearer /, "");
                const email = decodeURIComponent(impersonation[1]);
                const denied = (message: string) => {
                    refusals.push(message);
                    response.writeHead(403, { "Content-Type": "application/json" });
                    response.end(JSON.stringify({ error: { code: 403, message, status: "PERMISSION_DENIED" } }));
                };
                const outage = iamOutages.shift();
                if (outage) {
                    refusals.push(`IAM Credentials outage: HTTP ${outage.status}`);
                    response.writeHead(outage.status, { "Content-Type": "application/json" });
                    return response.end(
                        JSON.stringify({ error: { code: outage.status, message: "The service is currently unavailable.", status: "UNAVAILABLE" } }),
                    );
                }
                if (!issued.includes(bearer)) return denied("The caller does not have permission");
                if (email !== options.impersonable) return denied(`Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).`);
                const token = `ya29.impersonated-${randomBytes(24).toString("base64url")}`;
                issued.push(token);
                response.writeHead(200, { "Content-Type": "application/json" });
                return response.end(JSON.stringify({ accessToken: token, expireTime: new Date(Date.now() + 3600_000).toISOString() }));
            }
            if (request.method !== "POST" || request.url !== "/v1/token") return refuse(404, "not_found", `no ${request.method} ${request.url}`);
            if (!/^application\/x-www-form-urlencoded/.test(request.headers["content-type"] ?? "")) return refuse(400, "invalid_request", "expected a form");
            exchangeTimes.push(Date.now());
            const outage = outages.shift();
            if (outage) {
                refusals.push(`outage: HTTP ${outage.status}`);
                const retryAfter = outage.retryAfterSeconds === undefined ? {} : { "Retry-After": String(outage.retryAfterSeconds) };
                response.writeHead(outage.status, { "Content-Type": "application/json", ...retryAfter });
                return response.end(JSON.stringify({ error: "temporarily_unavailable", error_description: "The service is currently unavailable." }));
            }
            if (refuseEverything) return refuse(400, "invalid_grant", refuseEverything);
            const form = new URLSearchParams(body);
            const expected: Record<string, string> = {
                grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
                requested_token_type: "urn:ietf:params:oauth:token-type:access_token",
                subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
                audience: options.stsAudience,
            };
            for (const [name, value] of Object.entries(expected)) {
                if (form.get(name) !== value) return refuse(400, "invalid_request", `${name} must be ${value}`);
            }
            const problem = tokenProblem(form.get("subject_token") ?? "", options);
            if (problem) return refuse(400, "invalid_grant", problem);
            const token = `ya29.fake-${randomBytes(24).toString("base64url")}`;
            issued.push(token);
            response.writeHead(200, { "Content-Type": "application/json" });
            response.end(
                JSON.stringify({
                    access_token: token,
                    issued_token_type: "urn:ietf:params:oauth:token-type:access_token",
                    token_type: "Bearer",
                    expires_in: 3599,
                }),
            );
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}/v1/token`,
        iamCredentialsUrl: `http://127.0.0.1:${port}/v1`,
        issued,
        refusals,
        refuseAll(reason) {
            refuseEverything = reason;
        },
        failNext(count, status, retryAfterSeconds, service = "sts") {
            for (let i = 0; i < count; i++) (service === "sts" ? outages : iamOutages).push({ status, retryAfterSeconds });
        },
        recover() {
            outages.length = 0;
            iamOutages.length = 0;
        },
        exchangeTimes,
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}
