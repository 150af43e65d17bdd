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
import { StackConfigInput } from "../components/config";
import { ConfigProblem } from "../components/configError";

import { declaredSettings, defaultText, hasDeclaredType, typeName } from "./stackFile/declaredSettings";
import { isSecureValue, Reading, toProgramText, UnsupportedValue } from "./stackFile/goJson";
import { GoScalar, loadYaml } from "./stackFile/goYaml";

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
    /** The Pulumi ESC environments the file imports (`environment:`), whose values are not read here. */
    environments: string[];
}

/**
 * The environments a stack file's `environment:` imports: a list of names, or `imports:` holding
 * one (ESC's own spelling). A name may carry a version or tag (`prod@stable`) or be an object with
 * options ({name: {merge: false}}); the name is what the reader needs.
 */
function importedEnvironments(environment: unknown): string[] {
    if (environment === undefined || environment === null) return [];
    const list = Array.isArray(environment) ? environment : (environment as { imports?: unknown }).imports;
    if (!Array.isArray(list)) return ["(an environment: key this reader does not understand)"];
    return list.map((entry) => (typeof entry === "object" && entry !== null ? Object.keys(entry)[0] : String(entry)));
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
    const environments = importedEnvironments(stack.environment);
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
    return { input: { values, secretKeys, unreadableSecretKeys }, cliProblems, notes, environments };
}
