/**
 * Config values turned into the text the CLI hands to the program: top-level values as text,
 * structured ones as Go's encoding/json writes them, secrets decrypted in place. Part of reading a
 * stack file (../stackFileConfig.ts).
 */
import { goFloat, GoScalar, int64Max, int64Min } from "./goYaml";

/** A value that cannot cross into the program: the CLI refuses the whole file. */
export class UnsupportedValue extends Error {}

// Go's encoding/json escapes these inside strings (HTML safety, and JavaScript line separators).
function goJsonString(text: string): string {
    return JSON.stringify(text).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export interface Reading {
    /** Some part was `{secure: ...}`. */
    secret: boolean;
    /** Some secret part could not be decrypted. */
    unreadable: boolean;
}

export function isSecureValue(node: unknown): node is { secure: string } {
    return (
        node !== null &&
        typeof node === "object" &&
        !Array.isArray(node) &&
        !(node instanceof GoScalar) &&
        Object.keys(node).length === 1 &&
        typeof (node as { secure?: unknown }).secure === "string"
    );
}

/** A node inside a structured value, as Go's encoding/json writes it (secrets decrypted in place). */
export function toGoJson(node: unknown, reading: Reading, decrypt: (ciphertext: string) => string | undefined): string {
    if (node === null || node === undefined) return "null";
    if (typeof node === "string") return goJsonString(node);
    if (node instanceof GoScalar) {
        const s = node.scalar;
        if (s.kind === "null") return "null";
        if (s.kind === "bool") return String(s.value);
        // Inside a structured value the CLI re-reads numbers as int64, else float64 (json.Number).
        if (s.kind === "int") return s.value >= int64Min && s.value <= int64Max ? s.value.toString() : goFloat(Number(s.value));
        if (s.kind === "timestamp") return goJsonString(s.text);
        if (!Number.isFinite(s.value)) throw new UnsupportedValue();
        return goFloat(s.value);
    }
    if (isSecureValue(node)) {
        reading.secret = true;
        const plaintext = decrypt(node.secure);
        if (plaintext === undefined) {
            reading.unreadable = true;
            return '""';
        }
        return goJsonString(plaintext);
    }
    if (Array.isArray(node)) return `[${node.map((item) => toGoJson(item, reading, decrypt)).join(",")}]`;
    const entries = Object.keys(node as object)
        .sort()
        .map((key) => `${goJsonString(key)}:${toGoJson((node as Record<string, unknown>)[key], reading, decrypt)}`);
    return `{${entries.join(",")}}`;
}

/** A top-level config value as the text the program gets. */
export function toProgramText(node: unknown, reading: Reading, decrypt: (ciphertext: string) => string | undefined): string {
    if (node === null || node === undefined) return "";
    if (typeof node === "string") return node;
    if (node instanceof GoScalar) {
        const s = node.scalar;
        if (s.kind === "null") return "";
        if (s.kind === "timestamp") return s.text;
        if (s.kind === "int") return s.value.toString();
        return toGoJson(node, reading, decrypt);
    }
    if (isSecureValue(node)) {
        reading.secret = true;
        const plaintext = decrypt(node.secure);
        if (plaintext === undefined) reading.unreadable = true;
        return plaintext ?? "";
    }
    return toGoJson(node, reading, decrypt);
}
