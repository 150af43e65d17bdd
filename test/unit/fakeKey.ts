import { createHash } from "crypto";

/** Fake Google key for a service account: a complete JSON key whose id depends on the key's inputs. */
export function fakeKeyJson(email: string, seed: string): string {
    const id = createHash("sha256").update(seed).digest("hex").slice(0, 40);
    return JSON.stringify({
        type: "service_account",
        project_id: email.split("@")[1]?.split(".")[0] ?? "p",
        private_key_id: id,
        private_key: `-----BEGIN PRIVATE KEY-----\nMOCK${id}\n-----END PRIVATE KEY-----\n`,
        client_email: email,
        client_id: "1234567890",
    });
}
