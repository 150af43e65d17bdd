/**
 * Reading untrusted input field by field, collecting every problem, without ever quoting a secret.
 *
 * Every value under check is a {@link Field}: its path as the user wrote it, the value, and whether
 * it arrived as a secret (or was derived from one). Messages show a value only through
 * {@link quote} and {@link describe}, which give a secret's shape and never its text, so no check can
 * leak one by building its message from the value.
 */
import { ConfigProblem } from "../configError";
import { closest } from "./closest";
import { childPath, describe, Field, isEventual, quote } from "./field";

export { childPath, closest, describe, isEventual, quote };
export type { Field };

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value) && !isEventual(value);
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

    /**
     * A checker for the same input that reads some settings elsewhere (a fleet cluster's own
     * values): `paths` gives their full paths. Its problems are its own; see {@link adopt}.
     */
    withSettingPaths(paths: Readonly<Record<string, string>>, secretSettings: Iterable<string> = []): Checker {
        return new Checker({
            ...this.options,
            settingPaths: { ...this.options.settingPaths, ...paths },
            secretSettings: new Set([...this.options.secretSettings, ...secretSettings]),
        });
    }

    /** Takes another checker's problems over, each once (a default checked for every cluster is reported once). */
    adopt(other: Checker): void {
        for (const problem of other.problems) {
            if (!this.problems.some((known) => known.path === problem.path && known.message === problem.message)) this.problems.push(problem);
        }
    }

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
