/**
 * A value under check ({@link Field}), and the only ways a message may show one: {@link quote} and
 * {@link describe} give a secret's shape and never its text.
 */

/** A value under check. */
export interface Field {
    /** Where it is, as messages name it: `gcr-pull-secrets:namespaces[2].name`, or `namespaces[2].name` for arguments. */
    readonly path: string;
    readonly value: unknown;
    /** Arrived as a secret, or was derived from one: never quoted, in any form. */
    readonly secret: boolean;
    /**
     * Present, but its content is not available here (an encrypted value read offline, without the
     * key): it counts as set and is not checked.
     */
    readonly unavailable?: boolean;
}

/** An Output or a Promise: its value is known only later, so it is never read or quoted here. */
export function isEventual(value: unknown): boolean {
    return value !== null && typeof value === "object" && ("apply" in value || "then" in value);
}

/** What kind of value this is, in words, without its content. */
export function shapeOf(value: unknown): string {
    if (value === undefined) return "nothing";
    if (value === null) return "null";
    if (typeof value === "string") return value === "" ? "empty text" : "text";
    if (typeof value === "number" || typeof value === "bigint") return "a number";
    if (typeof value === "boolean") return "a boolean";
    if (Array.isArray(value)) return "a list";
    if (isEventual(value)) return "a pulumi Output or Promise";
    if (typeof value === "object") return "an object";
    return `a ${typeof value}`;
}

const shownTextLength = 100;

function quoteText(text: string): string {
    if (text.length <= shownTextLength) return JSON.stringify(text);
    return `${JSON.stringify(text.slice(0, shownTextLength)).slice(0, -1)}…" (${text.length} characters)`;
}

/** The value as a message may show it after "is": `"apps"`, `5`, `true`, or "the secret value". */
export function quote(field: Field): string {
    if (field.secret) return "the secret value";
    const value = field.value;
    if (typeof value === "string") return quoteText(value);
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    return shapeOf(value);
}

/** The value as a message may show it after "not": `the text "apps"`, `the number 5`, or `a number (the secret value)`. */
export function describe(field: Field): string {
    const value = field.value;
    if (field.secret) return `${shapeOf(value)} (the secret value)`;
    if (typeof value === "string") return value === "" ? "empty text" : `the text ${quoteText(value)}`;
    if (typeof value === "number") return `the number ${value}`;
    if (typeof value === "boolean") return `the boolean ${value}`;
    return shapeOf(value);
}

/** `parent.key`, or `parent["odd key"]` for keys that are not plain names (Pulumi's `--path` syntax). */
export function childPath(parent: string, key: string | number): string {
    if (typeof key === "number") return `${parent}[${key}]`;
    return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}
