/**
 * Reading a Google service account JSON key without ever repeating it.
 *
 * Every message here describes what is wrong with the key's shape; none quotes the key, and
 * `JSON.parse` errors are never passed on because Node includes a slice of the input in them.
 */

/** The non-secret facts of a service account key that the program reports as outputs. */
export interface JsonKeyFacts {
    /** The service account the key belongs to (`client_email`). */
    clientEmail: string;
    /** The key's id (`private_key_id`); public, it names the key in IAM and audit logs. */
    privateKeyId: string;
}

/** The outcome of reading a key: its JSON text and facts, or the problems found. */
export type JsonKeyReading = { ok: true; json: string; facts: JsonKeyFacts } | { ok: false; problems: string[] };

const setFromFile = "set it from the key file: `pulumi config set --secret gcr-pull-secrets:jsonKey < key.json`";

/** The JSON value of `text`, or undefined when it is not JSON. Never passes on a parse error (it quotes the input). */
function parseJson(text: string): { value: unknown } | undefined {
    try {
        return { value: JSON.parse(text) };
    } catch {
        return undefined;
    }
}

function jsonShape(value: unknown): string {
    if (Array.isArray(value)) return "a JSON array";
    if (value === null) return "JSON null";
    return `a JSON ${typeof value}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Reads a key given as the JSON file's text or as that text base64-encoded (the form
 * `gcp.serviceaccount.Key.privateKey` has). Problems are phrased to follow "<path> ".
 */
export function readJsonKey(input: string): JsonKeyReading {
    const trimmed = input.trim();
    if (trimmed === "") {
        return { ok: false, problems: [`is empty; ${setFromFile}`] };
    }
    let json = trimmed;
    let parsed = parseJson(trimmed);
    let encoding = "JSON";
    if (!parsed && /^[A-Za-z0-9+/=\s_-]+$/.test(trimmed)) {
        const decoded = Buffer.from(trimmed, "base64").toString("utf8").trim();
        parsed = parseJson(decoded);
        if (parsed) {
            json = decoded;
            encoding = "base64-encoded JSON";
        }
    }
    if (!parsed) {
        return {
            ok: false,
            problems: [`is not a Google service account JSON key: it parses neither as JSON nor as base64-encoded JSON; ${setFromFile}`],
        };
    }
    if (!isObject(parsed.value)) {
        return {
            ok: false,
            problems: [
                `is ${encoding}, but ${jsonShape(parsed.value)}, not a service account key (a key file is one JSON object, ` +
                    `{"type": "service_account", "client_email": ..., "private_key": ...}); ${setFromFile}`,
            ],
        };
    }
    const key = parsed.value;
    const problems: string[] = [];
    if (key.type !== "service_account") {
        problems.push(
            `is JSON but not a service account key: its "type" must be "service_account" (a user or other credential cannot pull); download a service account key`,
        );
    }
    const field = (name: string): string | undefined =>
        typeof key[name] === "string" && (key[name] as string).trim() !== "" ? (key[name] as string) : undefined;
    for (const name of ["client_email", "private_key_id", "private_key"]) {
        if (!field(name)) {
            problems.push(`lacks the "${name}" field; download a complete key file (gcloud iam service-accounts keys create)`);
        }
    }
    const privateKey = field("private_key");
    if (privateKey && !/-----BEGIN (RSA )?PRIVATE KEY-----/.test(privateKey)) {
        problems.push(`has a "private_key" field that is not a PEM private key; download a new key file (gcloud iam service-accounts keys create)`);
    }
    const clientEmail = field("client_email");
    if (clientEmail && !/^[^@\s]+@[a-z0-9.-]+$/.test(clientEmail)) {
        problems.push(`has a "client_email" field that is not an email address; download a new key file (gcloud iam service-accounts keys create)`);
    }
    if (problems.length > 0) {
        return { ok: false, problems };
    }
    return {
        ok: true,
        json,
        facts: { clientEmail: clientEmail!, privateKeyId: field("private_key_id")! },
    };
}
