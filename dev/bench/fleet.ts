// A fleet of three clusters, two ways, next to the kubectl baselines, in one run against three local
// control planes (so the ratios mean something on a noisy machine). Prints figures; asserts nothing.
//
//   npm run bench:fleet            N = 300 namespaces in each cluster
//   npm run bench:fleet -- 50      another N
//
// N namespaces exist beforehand in each cluster (each with its default ServiceAccount), and each
// method starts from namespaces without the pull Secret:
//   recipe  the manual recipe loop over all 3 x N namespaces, cluster after cluster
//   bulk    scale.ts's bulk apply, once per cluster, cluster after cluster (the sum)
//   A       ONE stack with `clusters` (three clusters, each by its kubeconfig, set as a secret):
//           `pulumi up` (and its peak memory), a no-op `pulumi preview`, `pulumi destroy`
//   B       THREE single-cluster stacks of N namespaces, their `pulumi up`s run at once: the wall
//           time and the sum of the three; then their destroys, at once
// The issue's target: A's up within 1.2x of B's sum (one engine doing three clusters' work should
// not cost more than three engines doing a third each).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ControlPlane, startControlPlane } from "../cluster/controlPlane";
import { makeThrowawayKey } from "../keys/throwawayKey";
import { createNamespace, createTestStack } from "../../test/e2e/stackHarness";
import { bulkApply, host, kubectl, manualRecipe, pool, reset, timed } from "./kubectlBaselines";
import { fleetHeader, FleetRow, fleetTable } from "./fleetTable";
import { withPeakMemory } from "./peakMemory";

const clusterNames = ["one", "two", "three"];

type Stack = Awaited<ReturnType<typeof createTestStack>>;

/** Says on stderr what an up changed, so a run that measured the wrong thing shows it. */
function report(what: string, changes: Record<string, number> | undefined): void {
    console.error(`[bench:fleet] ${what}: ${JSON.stringify(changes ?? {})}`);
}

/** Resets every cluster's namespaces (not timed). */
async function resetAll(kubeconfigs: string[], namespaces: string[]): Promise<void> {
    for (const kubeconfig of kubeconfigs) await reset(namespaces, kubeconfig);
}

/** A: one stack reaching every cluster through `clusters`, each cluster's kubeconfig stored encrypted. */
async function oneStack(row: FleetRow, kubeconfigs: string[], namespaces: string[], keyJson: string): Promise<void> {
    const t = await createTestStack();
    try {
        await t.setJsonKey(keyJson);
        t.setSettings({ registries: [host], namespaces, clusters: clusterNames.map((name) => ({ name })) });
        for (const [index, kubeconfig] of kubeconfigs.entries()) {
            await t.stack.setConfig(`gcr-pull-secrets:clusters[${index}].kubeconfig`, { value: fs.readFileSync(kubeconfig, "utf8"), secret: true }, true);
        }
        console.error(`[bench:fleet] A: one stack, ${kubeconfigs.length} clusters: up, preview, destroy`);
        const up = await withPeakMemory(() => timed(async () => report("A up", (await t.stack.up()).summary.resourceChanges)));
        row.aUp = up.result;
        row.aPeakMiB = up.peakMiB;
        row.aPreview = await timed(() => t.stack.preview());
        row.aDestroy = await timed(() => t.stack.destroy());
    } finally {
        await t.dispose({ destroy: false });
    }
}

/** B: a stack per cluster, their ups at once, then their destroys at once. */
async function stackPerCluster(row: FleetRow, kubeconfigs: string[], namespaces: string[], keyJson: string): Promise<void> {
    const stacks: Stack[] = [];
    try {
        for (const kubeconfig of kubeconfigs) {
            const t = await createTestStack({ env: { KUBECONFIG: kubeconfig } });
            stacks.push(t);
            await t.setJsonKey(keyJson);
            t.setSettings({ registries: [host], namespaces });
        }
        console.error(`[bench:fleet] B: ${stacks.length} single-cluster stacks, ups at once, then destroys at once`);
        const ups: number[] = [];
        row.bUpWall = await timed(() =>
            Promise.all(
                stacks.map(async (t, i) => (ups[i] = await timed(async () => report(`B up ${clusterNames[i]}`, (await t.stack.up()).summary.resourceChanges)))),
            ),
        );
        row.bUps = ups;
        row.bDestroyWall = await timed(() => Promise.all(stacks.map((t) => t.stack.destroy())));
    } finally {
        await Promise.all(stacks.map((t) => t.dispose({ destroy: false })));
    }
}

async function measure(n: number, kubeconfigs: string[]): Promise<FleetRow> {
    const namespaces = Array.from({ length: n }, (_, i) => `fleet-${n}-${i}`);
    console.error(`[bench:fleet] N=${n}: creating ${n} namespaces in each of ${kubeconfigs.length} clusters`);
    await Promise.all(kubeconfigs.map((kubeconfig) => pool(namespaces, 16, (namespace) => createNamespace(namespace, kubeconfig))));
    const keyJson = makeThrowawayKey("bench-fleet");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gcr-pull-secrets-bench-fleet-"));
    const row: FleetRow = {
        n,
        clusters: kubeconfigs.length,
        recipe: 0,
        bulk: 0,
        aUp: 0,
        aPreview: 0,
        aDestroy: 0,
        aPeakMiB: NaN,
        bUps: [],
        bUpWall: 0,
        bDestroyWall: 0,
    };

    console.error(`[bench:fleet] N=${n}: manual recipe loop over ${kubeconfigs.length} x ${n} namespaces`);
    for (const kubeconfig of kubeconfigs) row.recipe += await timed(() => manualRecipe(namespaces, keyJson, kubeconfig));
    await resetAll(kubeconfigs, namespaces);
    const bulks: number[] = [];
    for (const kubeconfig of kubeconfigs) bulks.push(await timed(() => bulkApply(namespaces, keyJson, dir, kubeconfig)));
    row.bulk = bulks.reduce((sum, x) => sum + x, 0);
    console.error(`[bench:fleet] N=${n}: recipe loop ${row.recipe.toFixed(1)} s; bulk apply per cluster ${bulks.map((x) => `${x.toFixed(1)} s`).join(", ")}`);
    await resetAll(kubeconfigs, namespaces);

    await oneStack(row, kubeconfigs, namespaces, keyJson);
    // Destroy took back only what A wrote; the reset makes B's start the same as A's whatever it left.
    await resetAll(kubeconfigs, namespaces);
    await stackPerCluster(row, kubeconfigs, namespaces, keyJson);
    fs.rmSync(dir, { recursive: true, force: true });
    return row;
}

async function main(): Promise<void> {
    const counts = process.argv
        .slice(2)
        .filter((a) => /^\d+$/.test(a))
        .map(Number);
    const n = counts[0] ?? 300;
    await kubectl(["version", "--client"]).catch(() => {
        throw new Error("the benchmark needs kubectl for its baselines: apt-get install kubectl");
    });
    console.error(`[bench:fleet] starting ${clusterNames.length} control planes`);
    const started = await Promise.allSettled(clusterNames.map(() => startControlPlane()));
    const planes = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : [])) as ControlPlane[];
    let row: FleetRow;
    try {
        const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
        if (failed) throw failed.reason;
        const kubeconfigs = planes.map((plane) => plane.kubeconfigPath);
        // The harness hands KUBECONFIG to every stack it creates: A's (which reaches its clusters
        // through their own kubeconfigs) gets the first cluster's; B's each get their own.
        process.env.KUBECONFIG = kubeconfigs[0];
        row = await measure(n, kubeconfigs);
    } finally {
        await Promise.all(planes.map((plane) => plane.stop()));
    }
    console.log(fleetHeader({ cores: os.cpus().length, memoryBytes: os.totalmem() }, clusterNames.length));
    console.log(fleetTable([row]));
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
