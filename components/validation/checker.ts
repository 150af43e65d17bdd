/**
 * Reading untrusted input field by field, collecting every problem, without ever quoting a secret.
 *
 * Every value under check is a {@link Field}: its path as the user wrote it, the value, and whether
 * it arrived as a secret (or was derived from one). Messages show a value only through
 * {@link quote} and {@link describe}, which give a secret's shape and never its text, so no check can
 * leak one by building its message from the value.
 */
import { ConfigProblem } from "../configError";

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

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let diagonal = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const above = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
            diagonal = above;
        }
    }
    return row[b.length];
}

/** The candidate closest to a misspelt word, if one is close enough to be what was meant. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of candidates) {
        const distance = editDistance(word, candidate);
        if (distance < bestDistance) {
            best = candidate;
            bestDistance = distance;
        }
    }
    return bestDistance <= Math.min(Math.max(3, Math.floor(word.length / 3)), word.length - 1) ? best : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value) && !isEventual(value);
}

/** `parent.key`, or `parent["odd key"]` for keys that are not plain names (Pulumi's `--path` syntax). */
export function childPath(parent: string, key: string | number): string {
    if (typeof key === "number") return `${parent}[${key}]`;
    return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/** How to write a text value, for a message: what it is and an example. */
export interface TextRule {
    /** What the value is, for "set <what>": "the namespace name". */
    what: string;
    /** A valid value, for the example command. */
    example: string;
    /** Must be present (list items and required fields). Default: false. */
    required?: boolean;
    /** Empty text is a valid value (free-form settings). Default: false. */
    allowEmpty?: boolean;
    /** The fix for empty text, when it differs from "set <what>". */
    emptyFix?: string;
}

export interface CheckerOptions {
    /** Prefix for every path: `gcr-pull-secrets:` for stack config, "" for component arguments. */
    pathPrefix: string;
    /** Settings whose values arrived as secrets. */
    secretSettings: ReadonlySet<string>;
    /** Settings shown under another path (`project` read from `gcp:project`): full paths. */
    settingPaths: Readonly<Record<string, string | undefined>>;
    /** Settings present but not readable here (see {@link Field.unavailable}). */
    unavailableSettings: ReadonlySet<string>;
}

/** Collects problems while reading fields; see the file comment. */
export class Checker {
    readonly problems: ConfigProblem[] = [];

    constructor(private readonly options: CheckerOptions) {}

    /** True when reading stack config (fixes are `pulumi config` commands), false for component arguments. */
    get forStackConfig(): boolean {
        return this.options.pathPrefix !== "";
    }

    /** A top-level setting. */
    setting(name: string, value: unknown): Field {
        return {
            path: this.options.settingPaths[name] ?? `${this.options.pathPrefix}${name}`,
            value,
            secret: this.options.secretSettings.has(name),
            ...(this.options.unavailableSettings.has(name) ? { unavailable: true } : {}),
        };
    }

    /** A member of an object or list field. */
    child(parent: Field, key: string | number): Field {
        const container = parent.value as Record<string | number, unknown>;
        return { path: childPath(parent.path, key), value: container[key], secret: parent.secret };
    }

    /** A value computed from fields (a host from a location): secret when any of them is. Named by the first. */
    derived(value: unknown, ...sources: Field[]): Field {
        return { path: sources[0].path, value, secret: sources.some((s) => s.secret) };
    }

    fail(field: Field, message: string): void {
        this.problems.push({ path: field.path, message });
    }

    /** The path without the stack-config prefix, for cross-references inside a message. */
    shortPath(field: Field): string {
        return field.path.startsWith(this.options.pathPrefix) ? field.path.slice(this.options.pathPrefix.length) : field.path;
    }

    /** Set at all: not undefined or null (empty text is set, and reported as empty). */
    isSet(field: Field): boolean {
        return field.unavailable === true || (field.value !== undefined && field.value !== null);
    }

    /** How to set a field to an example value: a `pulumi config set` command, or an argument. */
    howToSet(field: Field, example: string, extraFlags = ""): string {
        if (!this.forStackConfig) return `\`${field.path}: ${/^(-?\d+|true|false)$/.test(example) ? example : JSON.stringify(example)}\``;
        const nested = /[.[]/.test(field.path.slice(field.path.indexOf(":") + 1));
        return `\`pulumi config set${nested ? " --path" : ""}${extraFlags} '${field.path}' ${example}\``;
    }

    /** How to remove a field. */
    howToRemove(field: Field): string {
        if (!this.forStackConfig) return "remove it";
        const nested = /[.[]/.test(field.path.slice(field.path.indexOf(":") + 1));
        return `remove it (\`pulumi config rm${nested ? " --path" : ""} '${field.path}'\`)`;
    }

    /** Text, or undefined when absent or unusable (then a problem is recorded, except for an optional absent value). */
    text(field: Field, rule: TextRule): string | undefined {
        const value = field.value;
        if (field.unavailable) return undefined;
        if (value === undefined || value === null) {
            if (rule.required) {
                const state = value === null ? "is empty (null)" : "is missing";
                this.fail(field, `${state}; set ${rule.what}, for example ${this.howToSet(field, rule.example)}`);
            }
            return undefined;
        }
        if (typeof value === "string") {
            if (value === "" && !rule.allowEmpty) {
                this.fail(field, `is empty; ${rule.emptyFix ?? `set ${rule.what}, for example ${this.howToSet(field, rule.example)}`}`);
                return undefined;
            }
            return value;
        }
        if (typeof value === "number" || typeof value === "boolean") {
            // `pulumi config set --path` stores 123 and true as a number and a boolean.
            const shown = field.secret ? "<value>" : String(value);
            const fix = this.forStackConfig
                ? `write it quoted in the stack file (${field.secret ? "the value in quotes" : JSON.stringify(String(value))}), ` +
                  `or set it with ${this.howToSet(field, shown, " --type string")}`
                : `pass it as a string`;
            this.fail(field, `is ${describe(field)}, not text; ${rule.what} is text: ${fix}`);
            return undefined;
        }
        this.fail(field, `must be ${rule.what} (text), not ${describe(field)}`);
        return undefined;
    }

    /** A boolean (or the text "true"/"false", which is how the CLI hands top-level settings over). */
    boolean(field: Field, fallback: boolean): boolean {
        const value = field.value;
        if (field.unavailable || value === undefined || value === null) return fallback;
        if (typeof value === "boolean") return value;
        if (value === "true" || value === "false") return value === "true";
        const state = value === "" ? "is empty" : `is ${quote(field)}`;
        this.fail(field, `${state}; it must be true or false (default ${fallback}), for example ${this.howToSet(field, String(!fallback))}`);
        return fallback;
    }

    /** A whole number in [min, max] (or its text). */
    integer(field: Field, range: { fallback: number; min: number; max: number; unit: string }): number {
        const value = field.value;
        const { fallback, min, max, unit } = range;
        if (field.unavailable || value === undefined || value === null) return fallback;
        const number = typeof value === "string" && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
        if (typeof number === "number" && Number.isInteger(number) && number >= min && number <= max) return number;
        const state = value === "" ? "is empty" : `is ${quote(field)}`;
        this.fail(
            field,
            `${state}; it must be a whole number of ${unit} from ${min} to ${max} (default ${fallback}), for example ${this.howToSet(field, String(fallback))}`,
        );
        return fallback;
    }

    /** The items of a list, or undefined when absent or not a list (then a problem is recorded). */
    list(field: Field, rule: { what: string; example: string }): Field[] | undefined {
        const value = field.value;
        if (field.unavailable || value === undefined || value === null) return undefined;
        if (!Array.isArray(value)) {
            const first = { ...field, path: childPath(field.path, 0) };
            const fix = this.forStackConfig
                ? `set each item with ${this.howToSet(first, rule.example)}, then [1], [2], ...`
                : `pass a list, for example [${JSON.stringify(rule.example)}]`;
            this.fail(field, `${value === "" ? "is empty" : `must be a list of ${rule.what}, not ${describe(field)}`}; ${fix}`);
            return undefined;
        }
        return value.map((_, index) => this.child(field, index));
    }

    /**
     * The known members of an object, or undefined when it is not an object (a problem is then
     * recorded). Unknown members are refused, with the nearest known name when one is close.
     */
    object(field: Field, rule: { what: string; known: readonly string[]; example: [string, string] }): Record<string, Field> | undefined {
        const value = field.value;
        if (field.unavailable || value === undefined || value === null) return undefined;
        if (!isPlainObject(value)) {
            const [exampleKey, exampleValue] = rule.example;
            const fix = this.forStackConfig
                ? `set each field with ${this.howToSet({ ...field, path: childPath(field.path, exampleKey) }, exampleValue)}`
                : `pass an object, for example {${exampleKey}: ${JSON.stringify(exampleValue)}}`;
            this.fail(field, `must be ${rule.what}, not ${describe(field)}; ${fix}`);
            return undefined;
        }
        const members: Record<string, Field> = {};
        for (const key of Object.keys(value)) {
            if (rule.known.includes(key)) {
                members[key] = this.child(field, key);
            } else if (field.secret) {
                // The names of a secret object's fields are part of the secret.
                this.fail(
                    field,
                    `has a field that is not one of ${rule.known.join(", ")} (its name is part of the secret value, so it is not shown); remove or rename it`,
                );
            } else {
                const unknown = this.child(field, key);
                const suggestion = closest(key, rule.known);
                this.fail(
                    unknown,
                    `is not a known field${suggestion ? `; did you mean ${suggestion}?` : "."} The known fields are ` +
                        `${rule.known.join(", ")}: correct its name, or ${this.howToRemove(unknown)}`,
                );
            }
        }
        return members;
    }
}

/** Refuses the second and later occurrences of a key in a list. */
export class Uniques {
    private readonly seen = new Map<string, { field: Field; label: Field }>();

    constructor(
        private readonly checker: Checker,
        /** What one entry is, for "list each <what> once". */
        private readonly what: string,
    ) {}

    /**
     * True when `key` is new; otherwise records that `field` repeats an earlier entry. `label` is
     * what the message quotes (default: the field itself).
     */
    add(key: string, field: Field, label: Field = field): boolean {
        const first = this.seen.get(key);
        if (!first) {
            this.seen.set(key, { field, label });
            return true;
        }
        const at = this.checker.shortPath(first.field);
        const shown = label.secret || first.label.secret ? `the entry at ${at}` : `${quote(label)} (also ${at})`;
        this.checker.fail(field, `repeats ${shown}; list each ${this.what} once`);
        return false;
    }
}
