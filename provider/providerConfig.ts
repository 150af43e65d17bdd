/**
 * The provider's configuration: where the cluster is (`kubeconfig`, `context`) and what every pull
 * Secret's docker config is built from (`jsonKey` or `privateKey`, `registries`, `username`; see
 * components/providerKey.ts for why the key, not the docker config, is what crosses the engine).
 * The component sets them from one place, the same kubeconfig it gives the Kubernetes provider for
 * Namespaces. `dockerConfigJson`, the whole docker config, is what 0.2 stacks hold: still read, so
 * their provider works until the next update rewrites its configuration.
 */
import { dockerConfigOfKey, ProviderKey } from "../components/providerKey";
import { clusterServer, ClusterSettings } from "./kubeApi";
import { containsUnknown, revealed, stringProperty } from "./propertyValues";
import { CheckFailure, DiffOutcome } from "./resourceHandler";

/** The configuration once the engine has sent it. */
export interface ProviderSettings {
    cluster: ClusterSettings;
    /** False while the kubeconfig or context is not known yet (preview of a cluster made in the same update). */
    clusterKnown: boolean;
    /** Undefined while not known yet (preview of a key made in the same update). */
    dockerConfigJson?: string;
}

const keys = ["kubeconfig", "context", "clusterIdentifier", "dockerConfigJson", "jsonKey", "privateKey", "registries", "username", "keyless"] as const;

/** The settings the docker config is built from. */
const keyKeys = ["jsonKey", "privateKey", "registries", "username"] as const;

/** True when the configuration holds a key (or, from 0.2, a docker config). */
function hasKey(props: Record<string, unknown>): boolean {
    return "jsonKey" in props || "privateKey" in props || "dockerConfigJson" in props;
}

/** The key settings as text; undefined when none is set or one is not known yet. */
function providerKey(args: Record<string, unknown>): ProviderKey | undefined {
    if (!("jsonKey" in args || "privateKey" in args) || keyKeys.some((key) => containsUnknown(args[key]))) return undefined;
    return {
        ...("jsonKey" in args ? { jsonKey: stringProperty(args, "jsonKey") ?? "" } : {}),
        ...("privateKey" in args ? { privateKey: stringProperty(args, "privateKey") ?? "" } : {}),
        registries: stringProperty(args, "registries") ?? "",
        username: stringProperty(args, "username") ?? "",
    };
}

/** The docker config built from the key settings, or 0.2's docker config; undefined while unknown. */
function dockerConfigOf(args: Record<string, unknown>): string | undefined {
    const key = providerKey(args);
    if (key) {
        const built = dockerConfigOfKey(key);
        return built.ok ? built.dockerConfigJson : undefined;
    }
    return containsUnknown(args.dockerConfigJson) ? undefined : stringProperty(args, "dockerConfigJson");
}

/** Reads the configuration from the provider resource's inputs (Configure's args). */
export function readProviderSettings(args: Record<string, unknown>): ProviderSettings {
    const kubeconfig = stringProperty(args, "kubeconfig");
    const context = stringProperty(args, "context");
    const dockerConfigJson = dockerConfigOf(args);
    return {
        cluster: { ...(kubeconfig ? { kubeconfig } : {}), ...(context ? { context } : {}) },
        clusterKnown: !containsUnknown(args.kubeconfig) && !containsUnknown(args.context),
        ...(dockerConfigJson !== undefined ? { dockerConfigJson } : {}),
    };
}

/** Problems with the configuration; none of them quotes a value. */
export function checkProviderSettings(news: Record<string, unknown>): CheckFailure[] {
    const failures: CheckFailure[] = [];
    const docker = revealed(news.dockerConfigJson);
    const keylessMode = revealed(news.keyless);
    const key = providerKey(news);
    if (keylessMode !== undefined && keylessMode !== "true" && keylessMode !== true) {
        failures.push({ property: "keyless", reason: 'keyless must be "true" when set' });
    } else if (keylessMode !== undefined && ("jsonKey" in news || "privateKey" in news)) {
        failures.push({
            property: "jsonKey" in news ? "jsonKey" : "privateKey",
            reason: "a key must not be set with keyless: the in-cluster refresher writes the Secrets' content",
        });
    } else if (key) {
        const built = dockerConfigOfKey(key);
        if (!built.ok) {
            failures.push(...built.problems);
        }
    } else if (keylessMode !== undefined && docker !== undefined) {
        failures.push({
            property: "dockerConfigJson",
            reason: "dockerConfigJson must not be set with keyless: the in-cluster refresher writes the Secrets' content",
        });
        // Absent in a provider that only reads the cluster (the component's namespace lookups).
    } else if (keylessMode === undefined && docker !== undefined && !containsUnknown(docker) && (typeof docker !== "string" || docker === "")) {
        failures.push({ property: "dockerConfigJson", reason: "dockerConfigJson must be the docker config JSON text the pull Secrets carry" });
    }
    for (const key of ["kubeconfig", "context", "clusterIdentifier"] as const) {
        const value = revealed(news[key]);
        if (value !== undefined && !containsUnknown(value) && typeof value !== "string") {
            failures.push({ property: key, reason: `${key} must be a string` });
        }
    }
    return failures;
}

/**
 * Compares two configurations. A different cluster replaces the provider, and so every resource:
 * they are created in the new cluster before they are deleted from the old one. A new key,
 * refreshed credentials, or another way of naming the same server only update it: replacing in
 * place would delete the Secret just written.
 *
 * Which cluster it is, is told as pulumi-kubernetes tells it (provider/pkg/provider/provider.go
 * DiffConfig), so that both providers of a component decide alike:
 * - `clusterIdentifier` set before and now: it alone decides (changed: replace; same: never replace,
 *   whatever the kubeconfig says: the way to move to another URL of the same cluster);
 * - otherwise (also while it is added or removed, to make taking it on safe) the API server URL:
 *   replace when it differs, and report a possible replacement while the kubeconfig or context is
 *   not known yet (preview of a cluster made in the same update), since `up` may find it changed.
 *
 * The engine also asks this when state of an earlier version moves to this provider through an
 * alias (a Secret of the Kubernetes provider, or the dynamic resources' provider itself); a
 * configuration that is not ours is then never a reason to replace, and is rewritten as ours.
 */
export function diffProviderSettings(olds: Record<string, unknown>, news: Record<string, unknown>): DiffOutcome {
    // A cluster-only reader (neither key) is ours too.
    if (!hasKey(olds) && !("keyless" in olds) && (hasKey(news) || "keyless" in news)) {
        return { changes: true, replaces: [], diffs: keys.filter((key) => key in news) };
    }
    const diffs = keys.filter((key) => containsUnknown(news[key]) || revealed(olds[key]) !== revealed(news[key]));
    const changes = diffs.length > 0;
    const identifierBefore = stringProperty(olds, "clusterIdentifier");
    if (identifierBefore !== undefined && containsUnknown(news.clusterIdentifier)) {
        return { changes, replaces: ["clusterIdentifier"], diffs };
    }
    const identifierAfter = stringProperty(news, "clusterIdentifier");
    if (identifierBefore !== undefined && identifierAfter !== undefined) {
        return { changes, replaces: identifierBefore !== identifierAfter ? ["clusterIdentifier"] : [], diffs };
    }
    if (!diffs.includes("kubeconfig") && !diffs.includes("context")) {
        return { changes, replaces: [], diffs };
    }
    const unknownKeys = (["kubeconfig", "context"] as const).filter((key) => containsUnknown(news[key]));
    if (unknownKeys.length > 0) {
        return { changes, replaces: unknownKeys, diffs };
    }
    const beforeServer = clusterServer(readProviderSettings(olds).cluster);
    const afterServer = clusterServer(readProviderSettings(news).cluster);
    const serverChanged = beforeServer !== undefined && afterServer !== undefined && beforeServer !== afterServer;
    return { changes, replaces: serverChanged ? (["kubeconfig", "context"] as const).filter((key) => diffs.includes(key)) : [], diffs };
}
