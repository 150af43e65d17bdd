import * as assert from "assert";
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { AddressInfo } from "net";
import { basicCredential, probeRepository, readTokenResponse, testEndpointsVariable, tokenEndpoint, tokenPath } from "../../../provider/registryToken";

describe("the registry token endpoint (verifyRepositories)", () => {
    it("asks Google's path for pull on the repository, with the host as the service", () => {
        assert.strictEqual(
            tokenPath("europe-west1-docker.pkg.dev", "acme/apps/web"),
            "/v2/token?scope=repository%3Aacme%2Fapps%2Fweb%3Apull&service=europe-west1-docker.pkg.dev",
        );
    });

    it("reads the credential for the host from a .dockerconfigjson: its auth, else username and password", () => {
        const auth = Buffer.from('_json_key:{"k":1}').toString("base64");
        assert.strictEqual(basicCredential(JSON.stringify({ auths: { "asia.gcr.io": { auth } } }), "asia.gcr.io"), '_json_key:{"k":1}');
        assert.strictEqual(
            basicCredential(JSON.stringify({ auths: { "asia.gcr.io": { username: "oauth2accesstoken", password: "ya29" } } }), "asia.gcr.io"),
            "oauth2accesstoken:ya29",
        );
        assert.strictEqual(basicCredential('{"auths":{}}', "asia.gcr.io"), undefined);
        assert.strictEqual(basicCredential("not json", "asia.gcr.io"), undefined);
    });

    it("a token is allowed; 401 and 403 are denied with the registry's own words; the token never shows", () => {
        assert.deepStrictEqual(readTokenResponse(200, JSON.stringify({ token: "SECRET-TOKEN", expires_in: 3600 })), { access: "allowed" });
        assert.deepStrictEqual(readTokenResponse(200, JSON.stringify({ access_token: "SECRET-TOKEN" })), { access: "allowed" });
        assert.deepStrictEqual(readTokenResponse(200, "{}"), { access: "unknown", detail: "HTTP 200 without a token" });
        assert.deepStrictEqual(
            readTokenResponse(
                403,
                JSON.stringify({ errors: [{ code: "DENIED", message: 'Permission "artifactregistry.repositories.downloadArtifacts" denied on resource' }] }),
            ),
            { access: "denied", detail: 'HTTP 403: DENIED: Permission "artifactregistry.repositories.downloadArtifacts" denied on resource' },
        );
        assert.deepStrictEqual(readTokenResponse(401, ""), { access: "denied", detail: "HTTP 401: the registry does not accept the credential" });
        assert.deepStrictEqual(readTokenResponse(502, "<html>bad gateway</html>"), { access: "unknown", detail: "HTTP 502" });
    });

    it("goes to https://HOST unless the test variable maps that host, and then only to loopback HTTPS", () => {
        assert.deepStrictEqual(tokenEndpoint("asia.gcr.io", {}), { url: "https://asia.gcr.io" });
        const mapped = (url: string) => ({ [testEndpointsVariable]: JSON.stringify({ "asia.gcr.io": { url } }) });
        assert.deepStrictEqual(tokenEndpoint("asia.gcr.io", mapped("https://127.0.0.1:8443")), { url: "https://127.0.0.1:8443" });
        assert.deepStrictEqual(tokenEndpoint("gcr.io", mapped("https://127.0.0.1:8443")), { url: "https://gcr.io" });
        for (const url of ["https://attacker.example", "http://127.0.0.1:8443", "https://127.0.0.1.nip.io", "https://127.0.0.1:8443/collect", "nonsense"]) {
            assert.throws(() => tokenEndpoint("asia.gcr.io", mapped(url)), /for tests only: unset it/, url);
        }
        assert.throws(() => tokenEndpoint("asia.gcr.io", { [testEndpointsVariable]: "{" }), /is not JSON/);
    });

    describe("against a local TLS stand-in", function () {
        let server: https.Server;
        let dir: string;
        const seen: { url?: string; authorization?: string }[] = [];
        const saved = process.env[testEndpointsVariable];

        before(function () {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "token-endpoint-"));
            execFileSync(
                "openssl",
                [
                    "req",
                    "-x509",
                    "-newkey",
                    "ec",
                    "-pkeyopt",
                    "ec_paramgen_curve:prime256v1",
                    "-nodes",
                    "-days",
                    "1",
                    "-subj",
                    "/CN=127.0.0.1",
                    "-addext",
                    "subjectAltName=IP:127.0.0.1",
                    "-keyout",
                    path.join(dir, "key.pem"),
                    "-out",
                    path.join(dir, "cert.pem"),
                ],
                { stdio: "ignore" },
            );
            server = https.createServer({ key: fs.readFileSync(path.join(dir, "key.pem")), cert: fs.readFileSync(path.join(dir, "cert.pem")) }, (req, res) => {
                seen.push({ url: req.url, authorization: req.headers.authorization });
                const allowed = req.headers.authorization === `Basic ${Buffer.from("_json_key:good").toString("base64")}`;
                res.writeHead(allowed ? 200 : 403, { "Content-Type": "application/json" });
                res.end(JSON.stringify(allowed ? { token: "t", expires_in: 60 } : { errors: [{ code: "DENIED", message: "Permission denied" }] }));
            });
            return new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        });

        after(async () => {
            if (saved === undefined) delete process.env[testEndpointsVariable];
            else process.env[testEndpointsVariable] = saved;
            await new Promise((resolve) => server.close(resolve));
            fs.rmSync(dir, { recursive: true, force: true });
        });

        it("sends Basic auth and Google's query, and reads allowed and denied", async () => {
            const port = (server.address() as AddressInfo).port;
            process.env[testEndpointsVariable] = JSON.stringify({ "asia.gcr.io": { url: `https://127.0.0.1:${port}`, caFile: path.join(dir, "cert.pem") } });
            assert.deepStrictEqual(await probeRepository("asia.gcr.io", "acme/app", "_json_key:good"), { access: "allowed" });
            assert.deepStrictEqual(await probeRepository("asia.gcr.io", "acme/app", "_json_key:bad"), {
                access: "denied",
                detail: "HTTP 403: DENIED: Permission denied",
            });
            assert.strictEqual(seen[0].url, "/v2/token?scope=repository%3Aacme%2Fapp%3Apull&service=asia.gcr.io");
        });

        it("without the CA file the stand-in is not trusted, and the answer is unknown, not allowed", async () => {
            const port = (server.address() as AddressInfo).port;
            process.env[testEndpointsVariable] = JSON.stringify({ "asia.gcr.io": { url: `https://127.0.0.1:${port}` } });
            const result = await probeRepository("asia.gcr.io", "acme/app", "_json_key:good");
            assert.strictEqual(result.access, "unknown");
            assert.doesNotMatch(result.detail!, /good/);
        });
    });
});
