/**
 * A stand-in for a Google registry's token endpoint (gcr.io, Artifact Registry) on loopback HTTPS:
 * `GET /v2/token?scope=repository:PATH:pull&service=HOST` with HTTP Basic auth. It answers as Google
 * does: 200 `{"token","expires_in","issued_at"}` when the credential may pull the repository, 403
 * `{"errors":[{"code":"DENIED","message":...}]}` when it may not, 401 `UNAUTHORIZED` for a
 * credential it does not know.
 */
import * as https from "https";
import { AddressInfo } from "net";
import { LoopbackTls } from "./loopbackTls";

export interface FakeRegistryToken {
    url: string;
    /** Each request: its path and query, and the user of its Basic auth (never the password). */
    requests: { path: string; user?: string }[];
    close(): Promise<void>;
}

/** `readable`: the repository paths the `credential` (`user:password`) may pull. */
export async function startFakeRegistryToken(tls: LoopbackTls, host: string, credential: string, readable: string[]): Promise<FakeRegistryToken> {
    const requests: FakeRegistryToken["requests"] = [];
    const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
        const url = new URL(req.url ?? "/", "https://127.0.0.1");
        const auth = req.headers.authorization ?? "";
        const given = auth.startsWith("Basic ") ? Buffer.from(auth.slice(6), "base64").toString("utf8") : undefined;
        requests.push({ path: `${url.pathname}${url.search}`, user: given?.split(":")[0] });
        const answer = (status: number, body: object) => {
            res.writeHead(status, { "Content-Type": "application/json" });
            res.end(JSON.stringify(body));
        };
        const scope = /^repository:(.+):pull$/.exec(url.searchParams.get("scope") ?? "");
        if (url.pathname !== "/v2/token" || url.searchParams.get("service") !== host || !scope) {
            return answer(400, { errors: [{ code: "UNSUPPORTED", message: "bad token request" }] });
        }
        if (given !== credential) return answer(401, { errors: [{ code: "UNAUTHORIZED", message: "Not Authorized." }] });
        if (!readable.includes(scope[1])) {
            return answer(403, {
                errors: [{ code: "DENIED", message: `Permission "artifactregistry.repositories.downloadArtifacts" denied on resource "${scope[1]}"` }],
            });
        }
        return answer(200, { token: "fake-registry-token", expires_in: 3600, issued_at: new Date().toISOString() });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}
