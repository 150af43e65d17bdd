import { execFile } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** PEM files of the throwaway PKI for one control plane run. */
export interface Certificates {
    /** CA that signs every certificate below; the apiserver's --client-ca-file. */
    caCert: string;
    caKey: string;
    /** kube-apiserver serving certificate for 127.0.0.1, localhost and the in-cluster service names. */
    servingCert: string;
    servingKey: string;
    /** Admin client identity, group system:masters. */
    adminCert: string;
    adminKey: string;
    /** kube-controller-manager's identity, bound by the bootstrap RBAC policy. */
    controllerManagerCert: string;
    controllerManagerKey: string;
    /** Key pair that signs and verifies ServiceAccount tokens (separate from the CA, as in envtest). */
    serviceAccountKey: string;
    serviceAccountPublicKey: string;
}

// P-256 keys: generated instantly, accepted for TLS and for ServiceAccount tokens (ES256).
const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

async function openssl(args: string[]): Promise<void> {
    try {
        await execFileAsync("openssl", args);
    } catch (error) {
        const err = error as NodeJS.ErrnoException & { stderr?: string };
        if (err.code === "ENOENT") {
            throw new Error("openssl not found on PATH (Debian: `apt-get install -y openssl`); it creates the test CA");
        }
        throw new Error(`openssl ${args.slice(0, 2).join(" ")} failed: ${err.stderr?.trim() || err.message}`);
    }
}

/**
 * Creates a tiny CA (openssl CLI) and the certificates a loopback control plane needs, in `dir`.
 * Keys are written 0600.
 */
export async function createCertificates(dir: string, serviceClusterIp: string): Promise<Certificates> {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = (name: string) => path.join(dir, name);
    const certs: Certificates = {
        caCert: file("ca.crt"),
        caKey: file("ca.key"),
        servingCert: file("kube-apiserver.crt"),
        servingKey: file("kube-apiserver.key"),
        adminCert: file("admin.crt"),
        adminKey: file("admin.key"),
        controllerManagerCert: file("kube-controller-manager.crt"),
        controllerManagerKey: file("kube-controller-manager.key"),
        serviceAccountKey: file("service-account.key"),
        serviceAccountPublicKey: file("service-account.pub"),
    };

    await openssl([
        "req",
        "-x509",
        ...ecKey,
        "-keyout",
        certs.caKey,
        "-out",
        certs.caCert,
        "-days",
        "3650",
        "-subj",
        "/CN=gcr-pull-secrets-local-ca",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);

    const signed = (cert: string, key: string, subject: string, extensions: string[]) =>
        openssl([
            "req",
            "-x509",
            "-CA",
            certs.caCert,
            "-CAkey",
            certs.caKey,
            ...ecKey,
            "-keyout",
            key,
            "-out",
            cert,
            "-days",
            "365",
            "-subj",
            subject,
            "-addext",
            "basicConstraints=critical,CA:FALSE",
            "-addext",
            "keyUsage=critical,digitalSignature",
            ...extensions.flatMap((extension) => ["-addext", extension]),
        ]);

    const serviceAccountKeys = crypto.generateKeyPairSync("ec", {
        namedCurve: "P-256",
        publicKeyEncoding: { type: "spki", format: "pem" },
        privateKeyEncoding: { type: "pkcs8", format: "pem" },
    });
    fs.writeFileSync(certs.serviceAccountKey, serviceAccountKeys.privateKey, { mode: 0o600 });
    fs.writeFileSync(certs.serviceAccountPublicKey, serviceAccountKeys.publicKey);

    await Promise.all([
        signed(certs.servingCert, certs.servingKey, "/CN=kube-apiserver", [
            "subjectAltName=IP:127.0.0.1,DNS:localhost,IP:" +
                serviceClusterIp +
                ",DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local",
            "extendedKeyUsage=serverAuth",
        ]),
        signed(certs.adminCert, certs.adminKey, "/O=system:masters/CN=gcr-pull-secrets-admin", ["extendedKeyUsage=clientAuth"]),
        signed(certs.controllerManagerCert, certs.controllerManagerKey, "/CN=system:kube-controller-manager", ["extendedKeyUsage=clientAuth"]),
    ]);
    for (const key of [certs.caKey, certs.servingKey, certs.adminKey, certs.controllerManagerKey]) {
        fs.chmodSync(key, 0o600);
    }
    return certs;
}
