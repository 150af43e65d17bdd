// How `pulumi up`, a no-op `pulumi preview` and `pulumi destroy` scale with the number of namespaces,
// with the real CLI against a local control plane. Prints figures; asserts nothing.
//   npm run bench -- 1 10 50        (namespace counts; default 1 10 30)
import { performance } from "perf_hooks";
import { startControlPlane } from "../tools/cluster/controlPlane";
import { makeThrowawayKey } from "../tools/throwawayKey";
import { createTestStack, uniqueNamespace } from "../test/e2e/harness";

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
    const start = performance.now();
    const value = await fn();
    return [value, (performance.now() - start) / 1000];
}

async function main(): Promise<void> {
    const counts = process.argv.slice(2).map(Number).filter((n) => n > 0);
    const controlPlane = await startControlPlane();
    process.env.KUBECONFIG = controlPlane.kubeconfigPath;
    const rows: string[] = [];
    try {
        for (const count of counts.length ? counts : [1, 10, 30]) {
            const t = await createTestStack();
            try {
                const namespaces = Array.from({ length: count }, (_, i) => ({ name: uniqueNamespace(`bench${i}`), create: true }));
                t.setSettings({ registries: ["asia.gcr.io"], namespaces });
                await t.setJsonKey(makeThrowawayKey("bench"));
                const [up, upSeconds] = await timed(() => t.stack.up());
                const [, previewSeconds] = await timed(() => t.stack.preview());
                const [, destroySeconds] = await timed(() => t.stack.destroy());
                const resources = Object.values(up.summary.resourceChanges ?? {}).reduce((a, b) => a + (b ?? 0), 0);
                rows.push(
                    `${String(count).padStart(10)}  ${String(resources).padStart(9)}  ${upSeconds.toFixed(1).padStart(7)}  ` +
                        `${previewSeconds.toFixed(1).padStart(14)}  ${destroySeconds.toFixed(1).padStart(10)}`,
                );
            } finally {
                await t.dispose({ destroy: false });
            }
        }
    } finally {
        await controlPlane.stop();
    }
    console.log("namespaces  resources  up (s)  no-op preview (s)  destroy (s)");
    rows.forEach((row) => console.log(row));
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
