/**
 * The Pod that `verifyPullAccess` sends with dryRun=All (nothing is created, no image is pulled), and
 * what its answer means. Pure: the calls are in pullAccessCheck.ts.
 *
 * The Pod names no pull secrets, as most workloads do: the ServiceAccount admission plugin then
 * copies the ServiceAccount's `imagePullSecrets` into it, and every mutating webhook and policy
 * after it sees (and may change) the result, which the API server returns without storing it.
 */
import { managedLabels } from "../components/contract";
import { ServiceAccountPullAccess } from "../components/pullAccess";
import { describeApiError, statusOf } from "./kubeApi";

/** The component label of the dry-run Pods, so that an audit log or a webhook can tell them apart. */
export const dryRunPodComponent = "pull-access-check";

/** A container name (DNS-1123 label) for a registry host: `europe-west1-docker.pkg.dev` -> `europe-west1-docker-pkg-dev`. */
export function containerName(host: string, taken: ReadonlySet<string> = new Set()): string {
    const base =
        host
            .toLowerCase()
            .replace(/[^a-z0-9-]+/g, "-")
            .replace(/^-+|-+$/g, "")
            .slice(0, 60) || "registry";
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base.slice(0, 60 - String(n).length)}-${n}`;
    return name;
}

/**
 * The image of the container for `host`: the first of `repositories` on it, else a name under the
 * host that exists nowhere (nothing is pulled; an image policy that only allows known repositories
 * judges the first kind as it would a real pod's).
 */
export function imageFor(host: string, repositories: readonly string[]): string {
    const repository = repositories.find((repo) => repo.startsWith(`${host}/`));
    return `${repository ?? `${host}/gcr-pull-secrets/pull-access-check`}:dry-run`;
}

/**
 * The Pod: one container per registry host, as ServiceAccount `serviceAccount`, no pull secrets. It
 * meets the `restricted` Pod Security Standard and asks for almost nothing, so that namespace
 * policies refuse it only when they would refuse any pod.
 */
export function dryRunPod(serviceAccount: string, registries: readonly string[], repositories: readonly string[]): object {
    const taken = new Set<string>();
    const containers = registries.map((host) => {
        const name = containerName(host, taken);
        taken.add(name);
        return {
            name,
            image: imageFor(host, repositories),
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, runAsNonRoot: true },
            resources: { requests: { cpu: "1m", memory: "4Mi" }, limits: { cpu: "1m", memory: "4Mi" } },
        };
    });
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
            // generateName: a dry run never collides with a pod someone has, and creates nothing to collide with later.
            generateName: "gcr-pull-secrets-check-",
            labels: { ...managedLabels, "app.kubernetes.io/component": dryRunPodComponent },
        },
        spec: {
            serviceAccountName: serviceAccount,
            automountServiceAccountToken: false,
            restartPolicy: "Never",
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            containers,
        },
    };
}

/** The pull secrets of an admitted Pod, as the API server returned it. */
export function admittedPullSecrets(pod: unknown): string[] {
    const list = (pod as { spec?: { imagePullSecrets?: { name?: unknown }[] } } | undefined)?.spec?.imagePullSecrets;
    return Array.isArray(list) ? list.map((ref) => (typeof ref?.name === "string" ? ref.name : "")).filter((name) => name !== "") : [];
}

/** An admitted Pod: verified when it carries the Secret, else stripped (why is told by {@link strippedDetail}). */
export function classifyAdmitted(pod: unknown, secretName: string): ServiceAccountPullAccess | "stripped" {
    return admittedPullSecrets(pod).includes(secretName) ? { status: "verified" } : "stripped";
}

/**
 * Why a Pod came back without the Secret, given the ServiceAccount's list read afterwards (undefined
 * when it could not be read: `readError`).
 */
export function strippedDetail(secretName: string, got: readonly string[], accountList: readonly string[] | undefined, readError?: string): string {
    const gotText = got.length > 0 ? ` (it got ${got.join(", ")})` : "";
    if (accountList === undefined) {
        return `admitted without ${secretName}${gotText}; the ServiceAccount could not be read to tell why (${readError ?? "unknown error"})`;
    }
    if (accountList.includes(secretName)) {
        return `admitted without ${secretName}${gotText}: something in admission removed it (the ServiceAccount lists it); look for a mutating webhook or MutatingAdmissionPolicy that changes imagePullSecrets`;
    }
    return `admitted without ${secretName}${gotText}: the ServiceAccount no longer lists it (removed since this stack wrote it); \`pulumi up --refresh\` puts it back`;
}

/** A dry-run Pod the API server did not admit: no permission to ask (skipped), or refused (denied). */
export function classifyRefusal(error: unknown, namespace: string): ServiceAccountPullAccess {
    const described = describeApiError(error);
    if (statusOf(error) === 403 && /cannot create resource "pods"/.test(described)) {
        return {
            status: "skipped",
            detail: `no permission to create pods in ${namespace} (the check sends a Pod with dryRun=All, which needs \`create\` on \`pods\`; nothing is created): grant it, or set verifyPullAccess to false`,
        };
    }
    if (/error looking up service account/.test(described)) {
        // Deleted between the Secret's write and the check: nothing to check, not a refusal.
        return { status: "skipped", detail: `the ServiceAccount does not exist any more: ${described}` };
    }
    if (statusOf(error) === undefined) {
        return { status: "skipped", detail: `the API server did not answer: ${described}` };
    }
    return { status: "denied", detail: `a pod without imagePullSecrets was refused: ${described}` };
}
