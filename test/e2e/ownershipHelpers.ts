/**
 * Helpers of the ownership end-to-end tests: copies of the program (renamed, or given a second
 * component), the state's PullSecret URNs, and a cluster identity that may write Secrets but not
 * ServiceAccounts. The watch and the zero-pause writer they use are in pullAccessWatch.ts and
 * zeroPauseWriter.ts, shared with the upgrade and concurrency tests.
 */
import * as k8s from "@kubernetes/client-node";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { copyProject, kube, TestStack } from "./harness";

const repoRoot = path.resolve(__dirname, "../..");

/**
 * A copy of the program with its own index.ts: today's index.ts edited by `editIndex`, components/,
 * provider/ and node_modules/ linked (the same plugin, so a stack moves between the copies freely).
 */
export function programCopy(editIndex: (source: string) => string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gcr-pull-secrets-copy-"));
    copyProject(dir, editIndex(fs.readFileSync(path.join(repoRoot, "index.ts"), "utf8")));
    return dir;
}

/** Copies the stack's settings file from one program folder to another. */
export function moveStackFile(stackName: string, from: string, to: string): void {
    fs.copyFileSync(path.join(from, `Pulumi.${stackName}.yaml`), path.join(to, `Pulumi.${stackName}.yaml`));
}

/** State resource as `pulumi stack export` prints it. */
export interface StateResource {
    urn: string;
    type: string;
    outputs?: Record<string, unknown>;
    inputs?: Record<string, unknown>;
    initErrors?: string[];
}

/** The resources of the stack's state. */
export function stateResources(t: TestStack): StateResource[] {
    return JSON.parse(t.exportState()).deployment.resources ?? [];
}

/** The state's PullSecrets, by namespace. */
export function pullSecretsInState(t: TestStack): Record<string, StateResource[]> {
    const byNamespace: Record<string, StateResource[]> = {};
    for (const resource of stateResources(t).filter((r) => r.type === "gcr-pull-secrets:index:PullSecret")) {
        const ns = String(resource.inputs?.namespace ?? resource.outputs?.namespace);
        (byNamespace[ns] ??= []).push(resource);
    }
    return byNamespace;
}

/** The URN of the one PullSecret of namespace `ns` in the state. */
export function pullSecretUrn(t: TestStack, ns: string): string {
    const found = pullSecretsInState(t)[ns] ?? [];
    if (found.length !== 1) throw new Error(`expected one PullSecret of ${ns} in the state, found ${found.length}`);
    return found[0].urn;
}

/**
 * A kubeconfig file for a ServiceAccount that may read namespaces and ServiceAccounts and write
 * Secrets in `namespaces`, but not patch ServiceAccounts: a deploy identity missing one permission.
 * With `patchServiceAccounts`, it may patch them too: everything `pulumi up` needs, but `create pods`.
 */
export async function secretsOnlyKubeconfig(namespaces: string[], name: string, options: { patchServiceAccounts?: boolean } = {}): Promise<string> {
    const { core, config } = kube();
    const rbac = config.makeApiClient(k8s.RbacAuthorizationV1Api);
    const home = namespaces[0];
    await core.createNamespacedServiceAccount({ namespace: home, body: { metadata: { name } } });
    await rbac.createClusterRole({
        body: {
            metadata: { name },
            rules: [
                { apiGroups: [""], resources: ["namespaces"], verbs: ["get", "list"] },
                { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["get", "list", ...(options.patchServiceAccounts ? ["patch"] : [])] },
            ],
        },
    });
    await rbac.createClusterRoleBinding({
        body: {
            metadata: { name },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
            subjects: [{ kind: "ServiceAccount", name, namespace: home }],
        },
    });
    for (const ns of namespaces) {
        await rbac.createNamespacedRole({
            namespace: ns,
            body: { metadata: { name }, rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "create", "patch", "update", "delete"] }] },
        });
        await rbac.createNamespacedRoleBinding({
            namespace: ns,
            body: {
                metadata: { name },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
                subjects: [{ kind: "ServiceAccount", name, namespace: home }],
            },
        });
    }
    const token = (await core.createNamespacedServiceAccountToken({ name, namespace: home, body: { spec: { audiences: [], expirationSeconds: 3600 } } })).status
        ?.token;
    if (!token) throw new Error(`no token for ServiceAccount ${home}/${name}`);
    const cluster = config.getCurrentCluster()!;
    const ca = cluster.caData ?? (cluster.caFile ? fs.readFileSync(cluster.caFile).toString("base64") : undefined);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gcr-pull-secrets-identity-")), "kubeconfig");
    const restricted = new k8s.KubeConfig();
    restricted.loadFromOptions({
        clusters: [{ name: "e2e", server: cluster.server, caData: ca, skipTLSVerify: false }],
        users: [{ name, token }],
        contexts: [{ name, cluster: "e2e", user: name }],
        currentContext: name,
    });
    fs.writeFileSync(file, restricted.exportConfig());
    return file;
}
