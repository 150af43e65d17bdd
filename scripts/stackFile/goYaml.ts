/**
 * YAML read as the Pulumi CLI reads it (gopkg.in/yaml.v3): which plain scalars are numbers, booleans,
 * nulls or timestamps, and how Go prints them. Part of reading a stack file (../stackFileConfig.ts).
 */
import * as yaml from "js-yaml";
import { ConfigProblem } from "../../components/configError";

// A resolved plain scalar. Numbers keep their exact digits (Go has 64-bit integers; JS numbers do not).
export type Scalar =
    | { kind: "null" }
    | { kind: "bool"; value: boolean }
    | { kind: "int"; value: bigint }
    | { kind: "float"; value: number }
    | { kind: "timestamp"; text: string };

/** A plain scalar that is not text, as it sits in the tree js-yaml builds. */
export class GoScalar {
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

export const int64Min = -(2n ** 63n);
export const int64Max = 2n ** 63n - 1n;
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
export function goFloat(value: number, format: "json" | "%v" = "json"): string {
    if (Object.is(value, -0)) return "-0";
    if (format === "%v") {
        // %v is %g with the shortest digits: exponent form from 1e21 and below 1e-4.
        const abs = Math.abs(value);
        if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) return value.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
    }
    // JavaScript's shortest round-trip form is the one encoding/json writes (ES6 rules, by design).
    return String(value);
}

/** Loads YAML the way the CLI does, or returns a problem naming the file, line and reason (never the text). */
export function loadYaml(text: string, file: string): { doc?: unknown; problem?: ConfigProblem } {
    try {
        return { doc: yaml.load(text, { schema: goYamlSchema }) };
    } catch (error) {
        // js-yaml's message includes a snippet of the file; only the reason and position are kept.
        const e = error as { reason?: string; mark?: { line: number; column: number } };
        const where = e.mark ? ` (line ${e.mark.line + 1}, column ${e.mark.column + 1})` : "";
        return { problem: { path: file, message: `is not valid YAML${where}: ${e.reason ?? "unreadable"}; the Pulumi CLI refuses it too` } };
    }
}
