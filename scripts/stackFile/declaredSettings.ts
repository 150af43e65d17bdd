/**
 * Settings declared in Pulumi.yaml (`config:`): their defaults, and the types the CLI checks stack
 * values against before the program runs. Part of reading a stack file (../stackFileConfig.ts).
 */
import { ConfigProblem } from "../../components/configError";
import { toGoJson } from "./goJson";
import { GoScalar, int64Max, int64Min, loadYaml } from "./goYaml";

export interface Declared {
    type?: string;
    items?: { type: string; items?: Declared["items"] };
    default?: unknown;
    /** A value for every stack that does not set one (the default wins when both are given). */
    value?: unknown;
    secret?: boolean;
}

export function declaredSettings(projectYaml: string, projectName: string): { name: string; settings: Map<string, Declared>; problem?: ConfigProblem } {
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
export function hasDeclaredType(content: unknown, type: string, items?: Declared["items"]): boolean {
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

export function typeName(type: string, items?: Declared["items"]): string {
    return type === "array" && items ? `array<${typeName(items.type, items.items)}>` : type;
}

/** Defaults are handed over as Go's `%v` of the value, or JSON for lists and maps. */
export function defaultText(value: unknown): string {
    if (typeof value === "string") return value;
    if (value instanceof GoScalar) return value.toString();
    return toGoJson(value, { secret: false, unreadable: false }, () => undefined);
}
