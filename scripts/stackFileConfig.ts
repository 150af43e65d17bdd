/**
 * A stack file's config as the Pulumi CLI hands it to the program, read without the CLI: so that
 * `npm run validate-config` runs the program's own validation on exactly the text `pulumi up`
 * would give it, instead of re-reading YAML values with rules of its own.
 *
 * Mirrors pulumi 3.248 (sdk/go/common/resource/config and workspace, YAML through gopkg.in/yaml.v3):
 * - a plain scalar is resolved as yaml.v3 resolves it (`030` is the number 24, `yes` is text,
 *   `2024-06-01` a timestamp), then a top-level value is handed over as text (`24`,
 *   `2024-06-01 00:00:00 +0000 UTC`); a null one as "";
 * - a map or list (what `pulumi config set --path` writes) is handed over as JSON text, keys sorted,
 *   `<`, `>`, `&` escaped as Go's encoding/json does;
 * - `{secure: <ciphertext>}` is a secret; a structured value holding one anywhere is a secret as a
 *   whole, handed over with each secret decrypted in place;
 * - settings declared in Pulumi.yaml get their default when the stack does not set them, and are
 *   refused when their value does not have the declared type (the CLI then never starts the program).
 * The table of scalars in test/unit/scripts/stackFileConfig.test.ts was captured from the real CLI.
 */
import * as yaml from "js-yaml";
import { StackConfigInput } from "../components/config";
import { ConfigProblem } from "../components/configError";

/** How to read a stack file. */
export interface StackFileOptions {
    /** The stack's name, as the CLI's messages name it. */
    stack: string;
    /** The text of Pulumi.yaml, for declared settings (defaults and types). */
    projectYaml: string;
    /** Decrypts one `secure:` ciphertext; undefined when it cannot. Default: nothing can be decrypted. */
    decrypt?: (ciphertext: string) => string | undefined;
}

/** A stack file read as the CLI reads it. */
export interface StackFileConfig {
    /** What the program would be given. */
    input: StackConfigInput;
    /** What the CLI itself refuses before the program runs. */
    cliProblems: ConfigProblem[];
    /** Things the reader should know: encrypted settings left unchecked, empty values. Never a value. */
    notes: string[];
}

// A resolved plain scalar. Numbers keep their exact digits (Go has 64-bit integers; JS numbers do not).
type Scalar =
    | { kind: "null" }
    | { kind: "bool"; value: boolean }
    | { kind: "int"; value: bigint }
    | { kind: "float"; value: number }
    | { kind: "timestamp"; text: string };

/** A plain scalar that is not text, as it sits in the tree js-yaml builds. */
class GoScalar {
    constructor(readonly scalar: Scalar) {}
    // js-yaml turns an object key into "[object Object]" unless its class tag says otherwise.
    get [Symbol.toStringTag](): string {
        return "GoScalar";
    }
    /** Go's fmt `%v`, which is how the CLI names a map key that is not text. */
    toString(): string {
        const s = this.scalar;
        switch (s.kind) {
            case "null":
                return "<nil>";
            case "bool":
                return String(s.value);
            case "int":
                return s.value.toString();
            case "float":
                return goFloat(s.value, "%v");
            case "timestamp":
                return s.text;
        }
    }
}

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;
const uint64Max = 2n ** 64n - 1n;
const yamlStyleFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** strconv.ParseInt/ParseUint with base 0, on text without underscores: the value, or undefined. */
function parseGoInteger(text: string): bigint | undefined {
    const match = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
    if (!match) return undefined;
    const [, sign, digits] = match;
    let magnitude: bigint;
    if (/^0[oO]/.test(digits)) magnitude = BigInt(`0o${digits.slice(2)}`);
    else if (/^0[0-7]+$/.test(digits)) magnitude = BigInt(`0o${digits.slice(1)}`);
    else magnitude = BigInt(digits); // BigInt reads 0x and 0b itself
    const value = sign === "-" ? -magnitude : magnitude;
    if (value >= int64Min && value <= int64Max) return value;
    // ParseUint takes no sign.
    if (sign === "" && value <= uint64Max) return value;
    return undefined;
}

/** Go's time.Time.String() for the timestamp forms yaml.v3 accepts, or undefined when `text` is not one. */
function goTimestamp(text: string): string | undefined {
    const match =
        /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,](\d+))?(Z|[+-]\d{2}:\d{2}))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,](\d+))?))?$/.exec(
            text,
        );
    if (!match) return undefined;
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const [hour, minute, second] = [match[4] ?? match[9] ?? "0", match[5] ?? match[10] ?? "0", match[6] ?? match[11] ?? "0"].map(Number);
    const fraction = (match[7] ?? match[12] ?? "").slice(0, 9).replace(/0+$/, "");
    const zone = match[8];
    const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return undefined;
    if (zone && zone !== "Z" && (Number(zone.slice(1, 3)) > 23 || Number(zone.slice(4)) > 59)) return undefined;
    const two = (n: number) => String(n).padStart(2, "0");
    const offset = !zone || zone === "Z" ? "+0000 UTC" : `${zone.replace(":", "")} ${zone.replace(":", "")}`;
    return `${year}-${two(month)}-${two(day)} ${two(hour)}:${two(minute)}:${two(second)}${fraction ? `.${fraction}` : ""} ${offset}`;
}

/** yaml.v3's resolve() for an untagged plain scalar; undefined means text. */
export function resolvePlainScalar(text: string): Scalar | undefined {
    switch (text) {
        case "":
        case "~":
        case "null":
        case "Null":
        case "NULL":
            return { kind: "null" };
        case "true":
        case "True":
        case "TRUE":
            return { kind: "bool", value: true };
        case "false":
        case "False":
        case "FALSE":
            return { kind: "bool", value: false };
        case ".nan":
        case ".NaN":
        case ".NAN":
            return { kind: "float", value: NaN };
        case ".inf":
        case ".Inf":
        case ".INF":
        case "+.inf":
        case "+.Inf":
        case "+.INF":
            return { kind: "float", value: Infinity };
        case "-.inf":
        case "-.Inf":
        case "-.INF":
            return { kind: "float", value: -Infinity };
    }
    const first = text[0];
    if (first === ".") {
        return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(text) ? { kind: "float", value: Number(text) } : undefined;
    }
    if (!/[0-9+-]/.test(first)) return undefined;
    const timestamp = goTimestamp(text);
    if (timestamp) return { kind: "timestamp", text: timestamp };
    const plain = text.replace(/_/g, "");
    const integer = parseGoInteger(plain);
    if (integer !== undefined) return { kind: "int", value: integer };
    if (yamlStyleFloat.test(plain)) {
        const value = Number(plain);
        // strconv.ParseFloat fails on overflow, and the text stays text.
        if (Number.isFinite(value)) return { kind: "float", value };
    }
    return undefined;
}

const plainScalar = new yaml.Type("!go-plain-scalar", {
    kind: "scalar",
    resolve: (data: string) => resolvePlainScalar(data) !== undefined,
    construct: (data: string) => new GoScalar(resolvePlainScalar(data)!),
});
// `!!binary` is decoded to its bytes, which the CLI then treats as text.
const binary = new yaml.Type("tag:yaml.org,2002:binary", {
    kind: "scalar",
    resolve: (data: string) => /^[A-Za-z0-9+/=\s]*$/.test(data),
    construct: (data: string) => Buffer.from(data.replace(/\s/g, ""), "base64").toString("utf8"),
});
const explicitScalar = (tag: string, kinds: Scalar["kind"][]) =>
    new yaml.Type(`tag:yaml.org,2002:${tag}`, {
        kind: "scalar",
        resolve: (data: string) => kinds.includes(resolvePlainScalar(data)?.kind ?? ("str" as Scalar["kind"])),
        construct: (data: string) => new GoScalar(resolvePlainScalar(data)!),
    });

// js-yaml exports its built-in types, but its typings do not declare them.
const mergeKeys = (yaml as unknown as { types: { merge: yaml.Type } }).types.merge;

/** The YAML schema of yaml.v3 as the CLI uses it (merge keys included; timestamps as Go prints them). */
export const goYamlSchema = yaml.FAILSAFE_SCHEMA.extend({
    implicit: [plainScalar, mergeKeys],
    explicit: [
        binary,
        explicitScalar("int", ["int"]),
        explicitScalar("float", ["float", "int"]),
        explicitScalar("bool", ["bool"]),
        explicitScalar("null", ["null"]),
    ],
});

/** encoding/json's float formatting (or fmt's `%v`, for map keys). */
function goFloat(value: number, format: "json" | "%v" = "json"): string {
    if (Object.is(value, -0)) return "-0";
    if (format === "%v") {
        // %v is %g with the shortest digits: exponent form from 1e21 and below 1e-4.
        const abs = Math.abs(value);
        if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) return value.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
    }
    // JavaScript's shortest round-trip form is the one encoding/json writes (ES6 rules, by design).
    return String(value);
}

/** A value that cannot cross into the program: the CLI refuses the whole file. */
class UnsupportedValue extends Error {}

// Go's encoding/json escapes these inside strings (HTML safety, and JavaScript line separators).
function goJsonString(text: string): string {
    return JSON.stringify(text).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

interface Reading {
    /** Some part was `{secure: ...}`. */
    secret: boolean;
    /** Some secret part could not be decrypted. */
    unreadable: boolean;
}

function isSecureValue(node: unknown): node is { secure: string } {
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
function toGoJson(node: unknown, reading: Reading, decrypt: (ciphertext: string) => string | undefined): string {
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
function toProgramText(node: unknown, reading: Reading, decrypt: (ciphertext: string) => string | undefined): string {
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

/** Loads YAML the way the CLI does, or returns a problem naming the file, line and reason (never the text). */
function loadYaml(text: string, file: string): { doc?: unknown; problem?: ConfigProblem } {
    try {
        return { doc: yaml.load(text, { schema: goYamlSchema }) };
    } catch (error) {
        // js-yaml's message includes a snippet of the file; only the reason and position are kept.
        const e = error as { reason?: string; mark?: { line: number; column: number } };
        const where = e.mark ? ` (line ${e.mark.line + 1}, column ${e.mark.column + 1})` : "";
        return { problem: { path: file, message: `is not valid YAML${where}: ${e.reason ?? "unreadable"}; the Pulumi CLI refuses it too` } };
    }
}

interface Declared {
    type?: string;
    items?: { type: string; items?: Declared["items"] };
    default?: unknown;
    /** A value for every stack that does not set one (the default wins when both are given). */
    value?: unknown;
    secret?: boolean;
}

function declaredSettings(projectYaml: string, projectName: string): { name: string; settings: Map<string, Declared>; problem?: ConfigProblem } {
    const { doc, problem } = loadYaml(projectYaml, "Pulumi.yaml");
    if (problem) return { name: projectName, settings: new Map(), problem };
    const project = (doc ?? {}) as { name?: unknown; config?: Record<string, unknown> };
    const name = typeof project.name === "string" ? project.name : projectName;
    const settings = new Map<string, Declared>();
    for (const [key, value] of Object.entries(project.config ?? {})) {
        const fullKey = key.includes(":") ? key : `${name}:${key}`;
        const isSpec = value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof GoScalar);
        // A bare value in Pulumi.yaml is shorthand for a default.
        settings.set(fullKey, isSpec ? (value as Declared) : { default: value });
    }
    return { name, settings };
}

/** The program's view of a value, for checking it against a declared type (as workspace.ValidateConfigValue does). */
function hasDeclaredType(content: unknown, type: string, items?: Declared["items"]): boolean {
    switch (type) {
        case "string":
            return typeof content === "string";
        case "integer":
            if (typeof content === "number") return Number.isInteger(content);
            // strconv.Atoi: optional sign, decimal digits, within 64 bits.
            return (
                typeof content === "string" &&
                /^[+-]?[0-9]+$/.test(content) &&
                BigInt(content.replace(/^\+/, "")) >= int64Min &&
                BigInt(content.replace(/^\+/, "")) <= int64Max
            );
        case "boolean":
            return typeof content === "boolean" || content === "true" || content === "false";
        case "object":
            return content !== null && typeof content === "object" && !Array.isArray(content);
        case "array":
            return Array.isArray(content) && items !== undefined && content.every((item) => hasDeclaredType(item, items.type, items.items));
        default:
            return false;
    }
}

function typeName(type: string, items?: Declared["items"]): string {
    return type === "array" && items ? `array<${typeName(items.type, items.items)}>` : type;
}

/** Defaults are handed over as Go's `%v` of the value, or JSON for lists and maps. */
function defaultText(value: unknown): string {
    if (typeof value === "string") return value;
    if (value instanceof GoScalar) return value.toString();
    return toGoJson(value, { secret: false, unreadable: false }, () => undefined);
}

/** Reads a stack file's config as the Pulumi CLI would hand it to the program; see the file comment. */
export function stackConfigFromYaml(stackYaml: string, options: StackFileOptions): StackFileConfig {
    const file = `Pulumi.${options.stack}.yaml`;
    const decrypt = options.decrypt ?? (() => undefined);
    const cliProblems: ConfigProblem[] = [];
    const notes: string[] = [];
    const values: Record<string, string> = {};
    const secretKeys = new Set<string>();
    const unreadableSecretKeys = new Set<string>();
    const structured = new Set<string>();

    const project = declaredSettings(options.projectYaml, "gcr-pull-secrets");
    if (project.problem) cliProblems.push(project.problem);
    const { doc, problem } = loadYaml(stackYaml, file);
    if (problem) cliProblems.push(problem);
    const stack = (doc ?? {}) as { config?: unknown; environment?: unknown };
    if (stack.environment !== undefined) {
        notes.push("imports Pulumi ESC environments, whose values are not read offline; settings from them are checked at `pulumi preview`");
    }
    const config = stack.config !== null && typeof stack.config === "object" && !Array.isArray(stack.config) ? (stack.config as Record<string, unknown>) : {};
    const nullKeys: string[] = [];
    for (const [rawKey, node] of Object.entries(config)) {
        const parts = rawKey.split(":");
        // `<namespace>:config:<name>` is an old spelling of `<namespace>:<name>`.
        const fullKey = parts.length === 2 ? rawKey : parts.length === 3 && parts[1] === "config" ? `${parts[0]}:${parts[2]}` : undefined;
        if (!fullKey) {
            cliProblems.push({
                path: rawKey,
                message:
                    "is not a configuration key: keys have the form <namespace>:<name>, for example gcr-pull-secrets:namespaces; the Pulumi CLI refuses the file",
            });
            continue;
        }
        const reading: Reading = { secret: false, unreadable: false };
        try {
            values[fullKey] = toProgramText(node, reading, decrypt);
        } catch (error) {
            if (!(error instanceof UnsupportedValue)) throw error;
            cliProblems.push({
                path: fullKey,
                message: "holds .inf or .nan, which the Pulumi CLI cannot hand to a program (json: unsupported value); quote it, or use a number",
            });
            continue;
        }
        if (node === null || (node instanceof GoScalar && node.scalar.kind === "null")) nullKeys.push(fullKey);
        if (node !== null && typeof node === "object" && !(node instanceof GoScalar) && !isSecureValue(node)) structured.add(fullKey);
        if (reading.secret) secretKeys.add(fullKey);
        if (reading.unreadable) {
            unreadableSecretKeys.add(fullKey);
            delete values[fullKey];
        }
    }
    if (nullKeys.length > 0) {
        // The CLI's own warning, in its words.
        notes.push(`no value for ${nullKeys.join(", ")}: the CLI hands it over as an empty string ""`);
    }
    if (unreadableSecretKeys.size > 0) {
        notes.push(`${[...unreadableSecretKeys].join(", ")}: encrypted, not decrypted here; counted as set, their content is checked at \`pulumi preview\``);
    }

    for (const [fullKey, declared] of project.settings) {
        const set = fullKey in values || unreadableSecretKeys.has(fullKey);
        const fallback = declared.default !== undefined ? declared.default : declared.value;
        if (!set && fallback !== undefined) {
            values[fullKey] = defaultText(fallback);
            if (fallback !== null && typeof fallback === "object" && !(fallback instanceof GoScalar)) structured.add(fullKey);
            continue;
        }
        if (!set && fullKey.startsWith(`${project.name}:`)) {
            cliProblems.push({
                path: fullKey,
                message: `is declared in Pulumi.yaml without a default, so every stack must set it; the Pulumi CLI refuses stack ${options.stack} until it does`,
            });
            continue;
        }
        if (!set) continue;
        if (declared.secret && !secretKeys.has(fullKey)) {
            cliProblems.push({
                path: fullKey,
                message: `must be encrypted (Pulumi.yaml declares it secret); set it with \`pulumi config set --secret ${fullKey} ...\``,
            });
        }
        if (!declared.type || unreadableSecretKeys.has(fullKey)) continue;
        const text = values[fullKey];
        let content: unknown = text;
        if (structured.has(fullKey)) content = JSON.parse(text);
        if (!hasDeclaredType(content, declared.type, declared.items)) {
            const type = typeName(declared.type, declared.items);
            cliProblems.push({
                path: fullKey,
                message:
                    `must be of type '${type}' (declared in Pulumi.yaml); the Pulumi CLI refuses the stack before the program runs ` +
                    `("Stack '${options.stack}' with configuration key '${fullKey}' must be of type '${type}'")`,
            });
        }
    }
    return { input: { values, secretKeys, unreadableSecretKeys }, cliProblems, notes };
}
