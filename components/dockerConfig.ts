import { createHash } from "crypto";

/**
 * Building the `.dockerconfigjson` of a `kubernetes.io/dockerconfigjson` Secret for Google
 * registries, the same content `kubectl create secret docker-registry --docker-username=_json_key
 * --docker-password="$(cat key.json)"` writes, for several hosts at once.
 */

/**
 * How the key is presented to the registry. `_json_key`: the key file's JSON as the password;
 * `_json_key_base64`: the key file base64-encoded as the password. Both are accepted by gcr.io
 * and Artifact Registry.
 */
export type UsernameMode = "_json_key" | "_json_key_base64";

/** The username modes, for validation messages. */
export const usernameModes: readonly UsernameMode[] = ["_json_key", "_json_key_base64"];

/** One registry's credentials in a docker config. */
export interface DockerAuthEntry {
    username: string;
    password: string;
    /** base64(`username:password`); the kubelet reads this one first, so it must match the two above. */
    auth: string;
}

/** The parsed shape of `.dockerconfigjson`. */
export interface DockerConfig {
    auths: Record<string, DockerAuthEntry>;
}

/**
 * The docker config JSON text covering every host, with the same credentials for each.
 * `keyJson` is the key file's JSON text (not base64). Hosts are written in sorted order so the
 * text, and so the Secret, does not change when the user reorders them.
 */
export function buildDockerConfigJson(hosts: readonly string[], keyJson: string, username: UsernameMode): string {
    if (hosts.length === 0) {
        throw new Error("buildDockerConfigJson needs at least one registry host");
    }
    const password = username === "_json_key_base64" ? Buffer.from(keyJson, "utf8").toString("base64") : keyJson;
    const entry: DockerAuthEntry = {
        username,
        password,
        auth: Buffer.from(`${username}:${password}`, "utf8").toString("base64"),
    };
    const auths: Record<string, DockerAuthEntry> = {};
    for (const host of [...new Set(hosts)].sort()) {
        auths[host] = { ...entry };
    }
    return JSON.stringify({ auths } satisfies DockerConfig);
}

/** The Secret's `data[".dockerconfigjson"]` value: the docker config JSON text, base64-encoded. */
export function dockerConfigSecretData(dockerConfigJson: string): string {
    return Buffer.from(dockerConfigJson, "utf8").toString("base64");
}

/**
 * A fingerprint of the docker config text: what the stack keeps per namespace instead of the
 * content itself (the content lives once, in the provider's configuration). SHA-256 of the text.
 */
export function dockerConfigDigest(dockerConfigJson: string): string {
    return `sha256:${createHash("sha256").update(dockerConfigJson, "utf8").digest("hex")}`;
}
