/**
 * The forms a secret takes in logs, and finding any of them in text: what the engine-log test scans
 * stdout, stderr and every file of a run's TMPDIR with. Findings name the secret and the form, never
 * the material.
 */
import { findKeyMaterial } from "../../dev/keys/keyMaterial";

/** One secret and the texts that give it away, by form. */
export interface SecretForms {
    /** What the secret is ("the service account key"); findings start with it. */
    label: string;
    /** Form name → a text that only that secret contains in that form. */
    forms: Record<string, string>;
    /** A further search (decoding base64 found in the text); a description of where, or undefined. */
    deepSearch?: (text: string) => string | undefined;
}

/** The body lines of a PEM private key long enough to be unique (the armour lines are not secret). */
function pemBodyLines(pem: string): string[] {
    return pem.split("\n").filter((line) => line.length >= 40 && !line.startsWith("-----"));
}

/** The text JSON-escaped `times` times, without the quotes (what a JSON log of a string holding it shows). */
function jsonEscaped(text: string, times: number): string {
    let escaped = text;
    for (let i = 0; i < times; i++) escaped = JSON.stringify(escaped).slice(1, -1);
    return escaped;
}

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/**
 * A service account key file as the stack holds it (`keyText`): raw, JSON-escaped (once and
 * twice), base64 of the key, base64 of `username:password` (the docker config's `auth`) in both
 * username modes, URL-encoded, and any PEM line inside base64 found in the text (the Secret's data).
 */
export function keyFileForms(keyText: string): SecretForms {
    const keyJson = keyText.trim().startsWith("{") ? keyText.trim() : Buffer.from(keyText, "base64").toString("utf8").trim();
    const lines = pemBodyLines(JSON.parse(keyJson).private_key);
    const line = lines[Math.floor(lines.length / 2)];
    return {
        label: "the service account key",
        forms: {
            "a private key line, raw (also inside any JSON escaping)": line,
            "the key file, raw": keyJson,
            "the key file, JSON-escaped once": jsonEscaped(keyJson, 1),
            "the key file, JSON-escaped twice": jsonEscaped(keyJson, 2),
            "base64 of the key file": base64(keyJson),
            "base64 of _json_key:<key> (auth)": base64(`_json_key:${keyJson}`),
            "base64 of _json_key_base64:<base64 key> (auth)": base64(`_json_key_base64:${base64(keyJson)}`),
            "the key file, URL-encoded": encodeURIComponent(keyJson),
            "a private key line, URL-encoded": encodeURIComponent(line),
        },
        deepSearch: (text) => findKeyMaterial(text, keyJson),
    };
}

/**
 * A kubeconfig's client key (`client-key-data`, base64 of a PEM key): as it is, the decoded PEM's
 * lines raw and URL-encoded, the whole kubeconfig JSON-escaped once and twice.
 */
export function kubeconfigForms(kubeconfigText: string): SecretForms {
    const keyData = /"?client-key-data"?\s*:\s*"?([A-Za-z0-9+/=]+)"?/.exec(kubeconfigText)?.[1];
    if (!keyData) throw new Error("the kubeconfig has no client-key-data");
    const lines = pemBodyLines(Buffer.from(keyData, "base64").toString("utf8"));
    const line = lines[Math.floor(lines.length / 2)];
    return {
        label: "the kubeconfig's client key",
        forms: {
            "client-key-data as in the kubeconfig": keyData.slice(0, 200),
            "client-key-data, URL-encoded": encodeURIComponent(keyData.slice(0, 200)),
            "a private key line of client-key-data, raw": line,
            "a private key line of client-key-data, URL-encoded": encodeURIComponent(line),
            "the kubeconfig, JSON-escaped once": jsonEscaped(kubeconfigText, 1),
            "the kubeconfig, JSON-escaped twice": jsonEscaped(kubeconfigText, 2),
        },
    };
}

/** Every form of every secret found in `text`, as "<label>: <form>". */
export function findSecretForms(text: string, secrets: readonly SecretForms[]): string[] {
    const found: string[] = [];
    for (const secret of secrets) {
        // A form that encodes to the same text as an earlier one (URL-encoding text with nothing to escape) is reported once.
        const seen = new Set<string>();
        for (const [form, needle] of Object.entries(secret.forms)) {
            if (!seen.has(needle) && text.includes(needle)) found.push(`${secret.label}: ${form}`);
            seen.add(needle);
        }
        const deep = secret.deepSearch?.(text);
        if (deep) found.push(`${secret.label}: ${deep}`);
    }
    return found;
}
