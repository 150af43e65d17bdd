import * as pulumi from "@pulumi/pulumi";
import { childPath, closest } from "./validation/checker";
import { ConfigError, ConfigProblem } from "./configError";
import { duplicateJsonKeys } from "./duplicateJsonKeys";
import { GcrPullSecretsArgs } from "./gcrPullSecretsArgs";
import { Plan } from "./plan";
import { ValidatedArgs } from "./validatedArgs";
import { checkArgs } from "./validation/checkArgs";

/** The stack config namespace: the project name in Pulumi.yaml. */
export const configNamespace = "gcr-pull-secrets";

type SettingKind = "string" | "boolean" | "integer" | "object" | "list" | "secret";

/** Every setting the program reads, and how its stored text is read (`upgradeFrom01` is the program's, not a setting). */
export const settings: Readonly<Record<Exclude<keyof GcrPullSecretsArgs, "upgradeFrom01">, SettingKind>> = {
    serviceAccount: "object",
    existingServiceAccountEmail: "string",
    jsonKey: "secret",
    keyless: "object",
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
    namespaceSelector: "object",
    excludeNamespaces: "list",
    allowSystemNamespaces: "boolean",
    serviceAccountWaitSeconds: "integer",
    kubeconfig: "secret",
    kubeContext: "string",
    clusterIdentifier: "string",
    verifyPullAccess: "boolean",
    verifyRepositories: "list",
    clusters: "list",
};

/**
 * What the stack gave, as the Pulumi CLI hands it to the program: full key -> text. A top-level
 * value is its text; a structured one (set with `--path`) is JSON text; a secret is decrypted, and
 * its key listed in `secretKeys`.
 */
export interface StackConfigInput {
    /** All config values, keyed `namespace:key` (for example `gcr-pull-secrets:namespaces`). */
    values: Record<string, string>;
    /** Full keys whose values are stored encrypted (a whole structured value counts, if any part is). */
    secretKeys: ReadonlySet<string>;
    /**
     * Offline validation only: full keys set in the stack file whose encrypted values could not be
     * decrypted here. They count as set and are not checked (the CLI decrypts and checks them at
     * `pulumi preview`); their `values` entries are ignored.
     */
    unreadableSecretKeys?: ReadonlySet<string>;
    /** The clock for scheduled rotation. Default: now. */
    now?: Date;
}

/** The outcome of {@link checkStackConfig}. */
export interface StackConfigCheck {
    /** The arguments read from the config (valid only when there is no problem). */
    args: GcrPullSecretsArgs;
    /** The plan, when there is no problem. */
    plan?: Plan;
    /** The supplied key's JSON text as read, when there is no problem. Secret: never logged or shown. */
    keyJson?: string;
    problems: ConfigProblem[];
}

/** The known setting closest to a misspelt one, if any is close. */
export function suggestSetting(key: string): string | undefined {
    return closest(key, Object.keys(settings));
}

// Namespaces that belong to providers and the engine; a key there is never a misspelling of ours.
const otherNamespaces = new Set(["gcp", "google", "google-beta", "kubernetes", "pulumi", "random", "tls"]);

/**
 * Turns stack config into component arguments, checking everything at once: unknown keys (typos),
 * types, a secret stored in plaintext, and every rule of the plan. The returned `jsonKey` and
 * `kubeconfig`, if any, are plain strings: wrap them in `pulumi.secret` before use.
 * Throws one {@link ConfigError} naming each config path and its fix; it never quotes a secret.
 */
export function argsFromStackConfig(input: StackConfigInput): GcrPullSecretsArgs {
    return checkedStackConfig(input).args;
}

/**
 * {@link argsFromStackConfig} without throwing: the one validation of stack config, used by the
 * program and by the offline validator (scripts/validateStack.ts) alike.
 */
export function checkStackConfig(input: StackConfigInput): StackConfigCheck {
    const prefix = `${configNamespace}:`;
    const problems: ConfigProblem[] = [];
    const raw: Record<string, unknown> = {};
    const secretSettings = new Set<keyof GcrPullSecretsArgs>();
    const unavailableSettings = new Set<keyof GcrPullSecretsArgs>();
    const unreadable = input.unreadableSecretKeys ?? new Set<string>();

    const fullKeys = new Set([...Object.keys(input.values), ...unreadable]);
    for (const fullKey of fullKeys) {
        const colon = fullKey.indexOf(":");
        if (colon < 0) continue; // the CLI hands every key over as namespace:name
        const namespace = fullKey.slice(0, colon);
        const key = fullKey.slice(colon + 1);
        if (namespace !== configNamespace) {
            // Other namespaces belong to their providers; one that is nearly ours is a typo that
            // would otherwise be silently ignored.
            if (!otherNamespaces.has(namespace) && closest(namespace, [configNamespace])) {
                const known = suggestSetting(key);
                problems.push({
                    path: fullKey,
                    message:
                        `is in the namespace "${namespace}", which nothing reads; did you mean ${prefix}${known ?? key}? ` +
                        `Set it there and remove this one (\`pulumi config rm '${fullKey}'\`)`,
                });
            }
            continue;
        }
        const kind = (settings as Record<string, SettingKind>)[key];
        if (!kind) {
            const suggestion = suggestSetting(key);
            problems.push({
                path: fullKey,
                message:
                    `is not a known setting${suggestion ? `; did you mean ${prefix}${suggestion}?` : "."} ` +
                    `Remove it with \`pulumi config rm '${fullKey}'\`${suggestion ? "" : ` (known settings: ${Object.keys(settings).join(", ")})`}`,
            });
            continue;
        }
        const setting = key as keyof GcrPullSecretsArgs;
        const secret = input.secretKeys.has(fullKey) || unreadable.has(fullKey);
        if (secret) secretSettings.add(setting);
        if (kind === "secret" && !secret) {
            // The value is never repeated: it sits in plaintext in the stack file already.
            problems.push({
                path: fullKey,
                message:
                    `is stored in plaintext in the stack file; set it again encrypted with ` +
                    `\`pulumi config set --secret ${fullKey} < ${key === "jsonKey" ? "key.json" : "kubeconfig.yaml"}\` and remove the plaintext from your history`,
            });
        }
        if (unreadable.has(fullKey)) {
            unavailableSettings.add(setting);
            continue;
        }
        const read = readSetting(input.values[fullKey], kind);
        raw[key] = read.value;
        for (const duplicate of read.duplicateKeys) {
            problems.push(
                secret
                    ? { path: fullKey, message: "has a field set twice (its name is part of the secret value, so it is not shown); keep one" }
                    : { path: duplicate.reduce<string>((path, part) => childPath(path, part), fullKey), message: "is set twice in this JSON text; keep one" },
            );
        }
    }

    const settingPaths: Partial<Record<keyof GcrPullSecretsArgs, string>> = {};
    const providerProject = "gcp:project";
    if (raw.project === undefined && !unavailableSettings.has("project") && fullKeys.has(providerProject)) {
        // The Google provider's project is the default; a problem with it names where it came from.
        settingPaths.project = providerProject;
        if (input.secretKeys.has(providerProject) || unreadable.has(providerProject)) secretSettings.add("project");
        if (unreadable.has(providerProject)) unavailableSettings.add("project");
        else raw.project = input.values[providerProject];
    }

    const args = raw as unknown as GcrPullSecretsArgs;
    const checked = checkArgs(args, {
        pathPrefix: prefix,
        now: input.now,
        secretSettings,
        settingPaths,
        unavailableSettings,
    });
    problems.push(...checked.problems);
    if (problems.length > 0 || !checked.plan) return { args, problems };
    return { args, plan: checked.plan, ...(checked.keyJson !== undefined ? { keyJson: checked.keyJson } : {}), problems };
}

/**
 * A setting's text as the value the plan checks. Text that does not read as the setting's kind is
 * passed on as text, so that the plan reports it with the same words as any other wrong value.
 */
function readSetting(text: string, kind: SettingKind): { value: unknown; duplicateKeys: (string | number)[][] } {
    switch (kind) {
        case "boolean":
            return { value: text === "true" ? true : text === "false" ? false : text, duplicateKeys: [] };
        case "integer":
            return { value: /^\s*-?\d+\s*$/.test(text) ? Number(text) : text, duplicateKeys: [] };
        case "object":
        case "list": {
            let value: unknown;
            try {
                value = JSON.parse(text);
            } catch {
                // Never passed on: JSON.parse errors quote the input, which may be a secret.
                return { value: text, duplicateKeys: [] };
            }
            return { value, duplicateKeys: duplicateJsonKeys(text) };
        }
        default:
            return { value: text, duplicateKeys: [] };
    }
}

/**
 * What a program built on this stack config may give besides it: `upgradeFrom01`, and the cluster's
 * `kubeconfig` when it comes from elsewhere (another stack's output, through a StackReference:
 * docs/fleets.md). A kubeconfig given here is the cluster; the stack must not set one too.
 */
export type ProgramArgs = Pick<GcrPullSecretsArgs, "upgradeFrom01" | "kubeconfig">;

/**
 * Checks stack config once and returns what the component takes, without checking it again:
 * {@link argsFromStackConfig}'s checks and errors, with `jsonKey` and `kubeconfig` kept secret.
 * `programArgs` are the program's own arguments, which are not stack settings.
 */
export function validateStackConfig(input: StackConfigInput, programArgs: ProgramArgs = {}): ValidatedArgs {
    const kubeconfigKey = `${configNamespace}:kubeconfig`;
    const stackKubeconfig = kubeconfigKey in input.values || input.unreadableSecretKeys?.has(kubeconfigKey);
    if (programArgs.kubeconfig !== undefined && stackKubeconfig) {
        // Two sources for one cluster: either could be the stale one, so neither wins.
        throw new ConfigError(
            [
                {
                    path: kubeconfigKey,
                    message:
                        "is set in the stack, and the program gives the kubeconfig too (from another stack's output): one cluster needs one source; " +
                        `remove the stack's (\`pulumi config rm ${kubeconfigKey}\`), or stop passing kubeconfig to readStackConfig`,
                },
            ],
            `${configNamespace} stack configuration`,
        );
    }
    const check = checkedStackConfig(input);
    // `{ kubeconfig: undefined }` leaves the stack's own kubeconfig in place.
    const given = Object.fromEntries(Object.entries(programArgs).filter(([, value]) => value !== undefined));
    return new ValidatedArgs(check, { ...check.args, ...given });
}

/** {@link checkStackConfig}, throwing its problems as one {@link ConfigError}. */
function checkedStackConfig(input: StackConfigInput): StackConfigCheck {
    const check = checkStackConfig(input);
    if (check.problems.length > 0) {
        throw new ConfigError(check.problems, `${configNamespace} stack configuration`);
    }
    return check;
}

/** Reads this stack's config from the Pulumi runtime and checks it; see {@link validateStackConfig}. */
export function readStackConfig(programArgs: ProgramArgs = {}): ValidatedArgs {
    const values = pulumi.runtime.allConfig();
    // isConfigSecret is exported by the SDK at run time but marked internal in its typings; it is
    // the only way to tell a value stored encrypted from one stored in plaintext.
    const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret: (key: string) => boolean }).isConfigSecret;
    const secretKeys = new Set(Object.keys(values).filter((key) => isConfigSecret(key)));
    return validateStackConfig({ values, secretKeys }, programArgs);
}
