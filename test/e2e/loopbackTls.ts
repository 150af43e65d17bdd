/**
 * A throwaway self-signed certificate for 127.0.0.1, for HTTPS servers a test runs on loopback (an
 * admission webhook the API server calls, a registry token endpoint): the certificate is its own
 * CA, so the same file is the webhook's caBundle and the CA file a client trusts.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface LoopbackTls {
    key: string;
    cert: string;
    /** The certificate's file, to trust it. */
    certFile: string;
    remove(): void;
}

export function loopbackTls(): LoopbackTls {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loopback-tls-"));
    const keyFile = path.join(dir, "key.pem");
    const certFile = path.join(dir, "cert.pem");
    execFileSync(
        "openssl",
        [
            ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"],
            ...["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", keyFile, "-out", certFile],
        ],
        { stdio: "ignore" },
    );
    return {
        key: fs.readFileSync(keyFile, "utf8"),
        cert: fs.readFileSync(certFile, "utf8"),
        certFile,
        remove: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
}
