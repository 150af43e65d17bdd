// Writes a throwaway Google-style service account key file for the local stack and the tests.
//   node -r ts-node/register/transpile-only dev/keys/throwawayKey.ts <file>
// It has the shape of a real JSON key (with a real RSA private key) so every code path that reads
// a key runs for real, but it belongs to no Google account and opens no registry.
import { generateKeyPairSync, randomBytes } from "crypto";
import * as fs from "fs";

/** The placeholder project every throwaway key names, so nobody mistakes one for a real key. */
export const throwawayProject = "not-a-real-google-project";

/** A new throwaway JSON key file's text. */
export function makeThrowawayKey(label = "local"): string {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    return JSON.stringify(
        {
            type: "service_account",
            project_id: throwawayProject,
            private_key_id: randomBytes(20).toString("hex"),
            private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
            client_email: `${label}-throwaway@${throwawayProject}.iam.gserviceaccount.com`,
            client_id: String(BigInt(`0x${randomBytes(8).toString("hex")}`)),
            auth_uri: "https://accounts.google.com/o/oauth2/auth",
            token_uri: "https://oauth2.googleapis.com/token",
            _comment: "THROWAWAY KEY made by gcr-pull-secrets dev/keys/throwawayKey.ts: NOT A REAL GOOGLE KEY, it opens no registry.",
        },
        null,
        2,
    );
}

if (require.main === module) {
    const file = process.argv[2];
    if (!file) {
        process.stderr.write("usage: throwawayKey.ts <file>\n");
        process.exit(2);
    }
    fs.writeFileSync(file, makeThrowawayKey(), { mode: 0o600 });
    process.stderr.write(`wrote a throwaway (not a real Google) key to ${file}\n`);
}
