import * as pulumi from "@pulumi/pulumi";
import { GcrPullSecretsArgs } from "./gcrPullSecretsArgs";
import { ConfigError, ConfigProblem, planFromArgs } from "./plan";

/** The stack config namespace: the project name in Pulumi.yaml. */
export const configNamespace = "gcr-pull-secrets";

type SettingKind = "string" | "boolean" | "integer" | "object" | "list" | "secret";

/** Every setting the program reads, and how its stored text is read. */
export const settings: Readonly<Record<keyof GcrPullSecretsArgs, SettingKind>> = {
    serviceAccount: "object",
    existingServiceAccountEmail: "string",
    jsonKey: "secret",
    project: "string",
    registries: "list",
    artifactRegistryRepositories: "list",
    gcrBuckets: "list",
    projectWideRead: "boolean",
    rotationDays: "integer",
    rotationTrigger: "string",
    username: "string",
    secretName: "string",
    namespaces: "list",
    allowSystemNamespaces: "boolean",
    serviceAccountWaitSeconds: "integer",
    kubeconfig: "secret",
    kubeContext: "string",
};

/** What the stack gave, as Pulumi hands it to the program: full key -> stored text. */
export interface StackConfigInput {
    /** All config values, keyed `namespace:key` (for example `gcr-pull-secrets:namespaces`). */
    values: Record<string, string>;
    /** Full keys whose values are stored encrypted. */
    secretKeys: ReadonlySet<string>;
    /** The clock for scheduled rotation. Default: now. */
    now?: Date;
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

/** The known setting closest to a misspelt one, if any is close. */
export function suggestSetting(key: string): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const known of Object.keys(settings)) {
        const distance = editDistance(key, known);
        if (distance < bestDistance) {
            best = known;
            bestDistance = distance;
        }
    }
    return bestDistance <= Math.max(3, Math.floor(key.length / 3)) ? best : undefined;
}

const setExample: Record<SettingKind, (key: string) => string> = {
    string: (key) => `pulumi config set ${key} <value>`,
    boolean: (key) => `pulumi config set --path ${key} true`,
    integer: (key) => `pulumi config set --path ${key} 30`,
    object: (key) => `pulumi config set --path '${key}.<field>' <value>`,
    list: (key) => `pulumi config set --path '${key}[0]' <value>`,
    secret: (key) => `pulumi config set --secret ${key} < key.json`,
};

/**
 * Turns stack config into component arguments, checking everything at once: unknown keys (typos),
 * types, a JSON key stored in plaintext, and every rule of {@link planFromArgs}. The returned
 * `jsonKey`, if any, is a plain string: wrap it in `pulumi.secret` before use.
 * Throws one {@link ConfigError} naming each config path and its fix; it never quotes a secret.
 */
export function argsFromStackConfig(input: StackConfigInput): GcrPullSecretsArgs {
    const prefix = `${configNamespace}:`;
    const problems: ConfigProblem[] = [];
    const unreadable = new Set<string>();
    const raw: Record<string, unknown> = {};

    for (const [fullKey, text] of Object.entries(input.values)) {
        if (!fullKey.startsWith(prefix)) {
            continue; // other namespaces (gcp:, kubernetes:) belong to their providers.
        }
        const key = fullKey.slice(prefix.length);
        const kind = (settings as Record<string, SettingKind>)[key];
        if (!kind) {
            const suggestion = suggestSetting(key);
            problems.push({
                path: fullKey,
                message: `is not a known setting${suggestion ? `; did you mean ${prefix}${suggestion}?` : ""} ` +
                    `Remove it with \`pulumi config rm ${key}\`${suggestion ? "" : ` (known settings: ${Object.keys(settings).join(", ")})`}`,
            });
            continue;
        }
        const fail = (message: string) => {
            unreadable.add(key);
            problems.push({ path: fullKey, message });
        };
        switch (kind) {
            case "secret":
                if (!input.secretKeys.has(fullKey)) {
                    // The value is never repeated: it sits in plaintext in the stack file already.
                    fail(`is stored in plaintext in the stack file; set it again encrypted with \`${setExample.secret(key)}\` and remove the plaintext from your history`);
                }
                // Kept either way, so the credential-source rules see that a key was given.
                raw[key] = text;
                break;
            case "string":
                raw[key] = text;
                break;
            case "boolean":
                if (text === "true" || text === "false") raw[key] = text === "true";
                else fail(`is "${text}"; it must be true or false (\`${setExample.boolean(key)}\`)`);
                break;
            case "integer":
                if (/^-?\d+$/.test(text.trim())) raw[key] = Number(text.trim());
                else fail(`is "${text}"; it must be a whole number (\`${setExample.integer(key)}\`)`);
                break;
            case "object":
            case "list": {
                let value: unknown;
                try {
                    value = JSON.parse(text);
                } catch {
                    value = undefined;
                }
                const ok = kind === "list" ? Array.isArray(value) : value !== null && typeof value === "object" && !Array.isArray(value);
                if (ok) raw[key] = value;
                else fail(`must be ${kind === "list" ? "a list" : "an object"}, set with \`${setExample[kind](key)}\``);
                break;
            }
        }
    }
    if (raw.project === undefined && input.values["gcp:project"]) {
        raw.project = input.values["gcp:project"];
    }

    const args = raw as unknown as GcrPullSecretsArgs;
    try {
        planFromArgs(args, { pathPrefix: prefix, now: input.now });
    } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        // A setting that could not be read is reported once, not again as "missing".
        problems.push(...error.problems.filter((p) => ![...unreadable].some((key) => p.path.startsWith(`${prefix}${key}`))));
    }
    if (problems.length > 0) {
        throw new ConfigError(problems, `${configNamespace} stack configuration`);
    }
    return args;
}

/** Reads this stack's config from the Pulumi runtime and checks it; see {@link argsFromStackConfig}. */
export function readStackConfig(): GcrPullSecretsArgs {
    const values = pulumi.runtime.allConfig();
    // isConfigSecret is exported by the SDK at run time but marked internal in its typings; it is
    // the only way to tell a value stored encrypted from one stored in plaintext.
    const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret: (key: string) => boolean }).isConfigSecret;
    const secretKeys = new Set(Object.keys(values).filter((key) => isConfigSecret(key)));
    const args = argsFromStackConfig({ values, secretKeys });
    return {
        ...args,
        ...(args.jsonKey === undefined ? {} : { jsonKey: pulumi.secret(args.jsonKey) }),
        ...(args.kubeconfig === undefined ? {} : { kubeconfig: pulumi.secret(args.kubeconfig) }),
    };
}
