// The two ways people give namespaces a pull Secret by hand, as the benchmarks time them, against
// the cluster of one kubeconfig: the recipe loop and the bulk apply, plus the untimed reset that puts
// each method's starting point back. Shared by scale.ts (one cluster) and fleet.ts (three).
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { performance } from "perf_hooks";
import { promisify } from "util";
import { kube } from "../../test/e2e/stackHarness";

const execFileAsync = promisify(execFile);

/** The registry every benchmark writes its docker config for. */
export const host = "asia.gcr.io";

/** Runs `kubectl <args>` against the cluster of `kubeconfigPath` (default: the ambient KUBECONFIG). */
export function kubectl(args: string[], kubeconfigPath?: string) {
    const env = kubeconfigPath ? { ...process.env, KUBECONFIG: kubeconfigPath } : process.env;
    return execFileAsync("kubectl", args, { env, maxBuffer: 64 * 1024 * 1024 });
}

/** Seconds `fn` takes. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
    const start = performance.now();
    await fn();
    return (performance.now() - start) / 1000;
}

/** Runs `work` over `items` with at most `limit` at a time. */
export async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
    let next = 0;
    await Promise.all(
        Array.from({ length: Math.min(limit, items.length) }, async () => {
            while (next < items.length) await work(items[next++]);
        }),
    );
}

/** Takes the pull Secret and every imagePullSecrets entry away again (not timed). */
export async function reset(namespaces: string[], kubeconfigPath?: string): Promise<void> {
    const { core } = kube(kubeconfigPath);
    await pool(namespaces, 16, async (namespace) => {
        await core.deleteNamespacedSecret({ name: "regcred", namespace }).catch(() => undefined);
        await core.replaceNamespacedServiceAccount({
            name: "default",
            namespace,
            body: { metadata: { name: "default", namespace }, imagePullSecrets: [] },
        });
    });
}

/** The manual recipe, one namespace after the other: kubectl create secret docker-registry + kubectl patch serviceaccount. */
export async function manualRecipe(namespaces: string[], keyJson: string, kubeconfigPath?: string): Promise<void> {
    for (const namespace of namespaces) {
        await kubectl(
            [
                "create",
                "secret",
                "docker-registry",
                "regcred",
                "-n",
                namespace,
                `--docker-server=${host}`,
                "--docker-username=_json_key",
                `--docker-password=${keyJson}`,
            ],
            kubeconfigPath,
        );
        await kubectl(["patch", "serviceaccount", "default", "-n", namespace, "-p", '{"imagePullSecrets":[{"name":"regcred"}]}'], kubeconfigPath);
    }
}

/** One `kubectl apply --server-side` of every Secret (a List written into `dir`), then one JSON patch per ServiceAccount, 8 at a time. */
export async function bulkApply(namespaces: string[], keyJson: string, dir: string, kubeconfigPath?: string): Promise<void> {
    const auth = Buffer.from(`_json_key:${keyJson}`).toString("base64");
    const data = Buffer.from(JSON.stringify({ auths: { [host]: { username: "_json_key", password: keyJson, auth } } })).toString("base64");
    const items = namespaces.map((namespace) => ({
        apiVersion: "v1",
        kind: "Secret",
        type: "kubernetes.io/dockerconfigjson",
        metadata: { name: "regcred", namespace },
        data: { ".dockerconfigjson": data },
    }));
    const file = path.join(dir, "secrets.json");
    fs.writeFileSync(file, JSON.stringify({ apiVersion: "v1", kind: "List", items }));
    await kubectl(["apply", "--server-side", "-f", file], kubeconfigPath);
    await pool(namespaces, 8, (namespace) =>
        kubectl(
            [
                "patch",
                "serviceaccount",
                "default",
                "-n",
                namespace,
                "--type=json",
                "-p",
                '[{"op":"add","path":"/imagePullSecrets","value":[{"name":"regcred"}]}]',
            ],
            kubeconfigPath,
        ),
    );
}
