/**
 * `verifyRepositories`: asks a registry's token endpoint for pull access to one repository with the
 * credential a namespace's Secret holds (Docker registry token authentication, as gcr.io and
 * Artifact Registry serve it: `GET https://HOST/v2/token?scope=repository:PATH:pull&service=HOST`
 * with HTTP Basic auth). No image is pulled.
 *
 * The credential goes to `https://HOST` only, HOST being a registry the Secret covers (checked by
 * the plan), without following redirects or a `realm` elsewhere. The one exception is for tests:
 * {@link testEndpointsVariable} maps a host to a loopback HTTPS URL, and nothing else.
 */
import * as fs from "fs";
import * as https from "https";
import { RepositoryPullAccess } from "../components/pullAccess";

/**
 * TEST ONLY: a JSON object `{ "<host>": { "url": "https://127.0.0.1:<port>", "caFile": "<path>" } }`
 * that sends the token requests for `<host>` to a local stand-in. Only loopback HTTPS URLs are
 * accepted, so that the credential never leaves the machine through it.
 */
export const testEndpointsVariable = "GCR_PULL_SECRETS_TEST_REGISTRY_ENDPOINTS";

/** Where a host's token requests go. */
export interface TokenEndpoint {
    /** Base URL, no trailing slash. */
    url: string;
    /** CA certificate (PEM) to trust, for the test stand-in; default: the system's. */
    ca?: string;
}

// Addresses, not names: a name could be made to resolve elsewhere.
const loopback = new Set(["127.0.0.1", "[::1]"]);

/** The endpoint for `host`: `https://host`, unless the test variable maps it (to loopback HTTPS only; else it throws). */
export function tokenEndpoint(host: string, env: NodeJS.ProcessEnv = process.env): TokenEndpoint {
    const text = env[testEndpointsVariable];
    if (!text) return { url: `https://${host}` };
    let mapped: unknown;
    try {
        mapped = (JSON.parse(text) as Record<string, unknown>)[host];
    } catch {
        throw new Error(`${testEndpointsVariable} is not JSON; it is for tests only: unset it`);
    }
    if (mapped === undefined) return { url: `https://${host}` };
    const { url, caFile } = (mapped ?? {}) as { url?: unknown; caFile?: unknown };
    let parsed: URL | undefined;
    try {
        parsed = typeof url === "string" ? new URL(url) : undefined;
    } catch {
        parsed = undefined;
    }
    if (!parsed || parsed.protocol !== "https:" || !loopback.has(parsed.hostname) || parsed.pathname !== "/") {
        throw new Error(`${testEndpointsVariable} maps ${host} to something other than an https://127.0.0.1:<port> URL; it is for tests only: unset it`);
    }
    return { url: parsed.origin, ...(typeof caFile === "string" ? { ca: fs.readFileSync(caFile, "utf8") } : {}) };
}

/** The token request's path and query. */
export function tokenPath(host: string, repositoryPath: string): string {
    return `/v2/token?scope=${encodeURIComponent(`repository:${repositoryPath}:pull`)}&service=${encodeURIComponent(host)}`;
}

/** The `user:password` for `host` from a `.dockerconfigjson`, or undefined when it has none. Secret. */
export function basicCredential(dockerConfigJson: string, host: string): string | undefined {
    let config: { auths?: Record<string, { auth?: unknown; username?: unknown; password?: unknown }> };
    try {
        config = JSON.parse(dockerConfigJson);
    } catch {
        return undefined;
    }
    const entry = config.auths?.[host] ?? config.auths?.[`https://${host}`];
    if (!entry) return undefined;
    if (typeof entry.auth === "string" && entry.auth !== "") return Buffer.from(entry.auth, "base64").toString("utf8");
    if (typeof entry.username === "string" && typeof entry.password === "string") return `${entry.username}:${entry.password}`;
    return undefined;
}

/**
 * What a token endpoint's answer means. 200 with a token: allowed. 401 (the credential is not
 * accepted) and 403 (it is, but may not read the repository: Google's `DENIED`): denied, with the
 * registry's own message (Docker's `{"errors":[{"code","message"}]}` shape). Anything else: unknown.
 * The token itself is never part of the result.
 */
export function readTokenResponse(status: number, body: string): RepositoryPullAccess {
    let parsed: { token?: unknown; access_token?: unknown; errors?: { code?: unknown; message?: unknown }[] } | undefined;
    try {
        parsed = JSON.parse(body);
    } catch {
        parsed = undefined;
    }
    const errors = Array.isArray(parsed?.errors) ? parsed.errors : [];
    const said = errors
        .map((error) => [error?.code, error?.message].filter((part) => typeof part === "string" && part !== "").join(": "))
        .filter((text) => text !== "")
        .join("; ")
        .slice(0, 500);
    if (status === 200) {
        const token = parsed?.token ?? parsed?.access_token;
        return typeof token === "string" && token !== "" ? { access: "allowed" } : { access: "unknown", detail: "HTTP 200 without a token" };
    }
    if (status === 401 || status === 403) {
        return { access: "denied", detail: `HTTP ${status}${said ? `: ${said}` : status === 401 ? ": the registry does not accept the credential" : ""}` };
    }
    return { access: "unknown", detail: `HTTP ${status}${said ? `: ${said}` : ""}` };
}

/** Asks `host`'s token endpoint for pull on `repositoryPath` with `credential` (`user:password`). Never throws. */
export async function probeRepository(host: string, repositoryPath: string, credential: string, timeoutMs = 15_000): Promise<RepositoryPullAccess> {
    let endpoint: TokenEndpoint;
    try {
        endpoint = tokenEndpoint(host);
    } catch (error) {
        return { access: "unknown", detail: (error as Error).message };
    }
    const url = new URL(tokenPath(host, repositoryPath), endpoint.url);
    return new Promise((resolve) => {
        const request = https.get(
            url,
            {
                headers: { Authorization: `Basic ${Buffer.from(credential, "utf8").toString("base64")}`, Accept: "application/json" },
                ...(endpoint.ca ? { ca: endpoint.ca } : {}),
                timeout: timeoutMs,
            },
            (response) => {
                let body = "";
                response.setEncoding("utf8");
                response.on("data", (chunk: string) => {
                    // A token answer is small; more is not read (and never shown).
                    if (body.length < 64 * 1024) body += chunk;
                });
                response.on("end", () => resolve(readTokenResponse(response.statusCode ?? 0, body)));
                response.on("error", (error) => resolve({ access: "unknown", detail: `reading the answer of ${url.origin} failed: ${error.message}` }));
            },
        );
        request.on("timeout", () => request.destroy(new Error(`no answer for ${timeoutMs / 1000}s`)));
        request.on("error", (error) => resolve({ access: "unknown", detail: `asking ${url.origin} failed: ${error.message}` }));
    });
}
