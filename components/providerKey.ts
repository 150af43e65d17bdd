/**
 * The key as the `gcr-pull-secrets` provider receives it, and the docker config it builds from it.
 *
 * The provider is given the key exactly as the stack holds it (the supplied `jsonKey` setting, or a
 * created key's `privateKey`), never a text derived from it. The Pulumi CLI masks a secret in its
 * logs only where the exact text of a secret setting (or that text JSON-escaped once) appears; the
 * docker config's `auth` field (base64 of `username:password`) or a key escaped twice would pass its
 * filter. So the docker config is assembled inside the provider, where no log of the engine sees it,
 * and the stack keeps only its digest.
 */
import { buildDockerConfigJson, UsernameMode, usernameModes } from "./dockerConfig";
import { readJsonKey } from "./jsonKey";

/** The key and what the docker config is made of, as the provider's configuration holds them. */
export interface ProviderKey {
    /** The supplied key file's text as the stack holds it: JSON, or that JSON base64-encoded. */
    jsonKey?: string;
    /** A created key's `privateKey` as the Google provider returns it: the key file base64-encoded. */
    privateKey?: string;
    /** The registry hosts, comma-separated (provider configuration travels as text). */
    registries: string;
    /** The username mode (see {@link UsernameMode}). */
    username: string;
}

/** What keeps a docker config from being made: the setting, and why (never quoting it). */
export interface ProviderKeyProblem {
    property: "jsonKey" | "privateKey" | "registries" | "username";
    reason: string;
}

/** Registry hosts as the provider's configuration carries them. */
export function registriesSetting(hosts: readonly string[]): string {
    return hosts.join(",");
}

/** The key file's JSON text of a created key's `privateKey`, decoded as earlier versions did (not trimmed, so the digest is unchanged). */
export function privateKeyJson(privateKey: string): string {
    return Buffer.from(privateKey, "base64").toString("utf8");
}

/**
 * The docker config text the pull Secrets carry, or the problems that keep it from being made.
 * The same text the component digests: a supplied key is read as the component reads it
 * (readJsonKey), a created one decoded as it is. No problem quotes the key.
 */
export function dockerConfigOfKey(key: ProviderKey): { ok: true; dockerConfigJson: string } | { ok: false; problems: ProviderKeyProblem[] } {
    const problems: ProviderKeyProblem[] = [];
    let keyJson: string | undefined;
    if ((key.jsonKey === undefined) === (key.privateKey === undefined)) {
        problems.push({ property: "jsonKey", reason: "exactly one of jsonKey (a supplied key) and privateKey (a created key) must be set" });
    } else if (key.jsonKey !== undefined) {
        const reading = readJsonKey(key.jsonKey);
        if (reading.ok) keyJson = reading.json;
        else problems.push(...reading.problems.map((problem) => ({ property: "jsonKey" as const, reason: `jsonKey ${problem}` })));
    } else {
        keyJson = privateKeyJson(key.privateKey!);
        if (!readJsonKey(keyJson).ok) {
            problems.push({
                property: "privateKey",
                reason: "privateKey must be a service account key file, base64-encoded, as the Google provider returns it",
            });
        }
    }
    const hosts = key.registries.split(",").filter((host) => host !== "");
    if (hosts.length === 0) problems.push({ property: "registries", reason: "registries must list the registry hosts, comma-separated" });
    if (!usernameModes.includes(key.username as UsernameMode))
        problems.push({ property: "username", reason: `username must be one of ${usernameModes.join(", ")}` });
    if (problems.length > 0 || keyJson === undefined) return { ok: false, problems };
    return { ok: true, dockerConfigJson: buildDockerConfigJson(hosts, keyJson, key.username as UsernameMode) };
}
