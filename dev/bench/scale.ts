// How this program scales with the number of namespaces, next to the two ways people do it by hand,
// in one run against one local control plane (so the ratios mean something on a noisy machine).
// Prints figures; asserts nothing.
//
//   npm run bench                          N = 10 100 300
//   npm run bench -- 10 50                 other counts
//   npm run bench -- --at 429bec2 10 100   the program as it was at that commit (for before/after)
//   npm run bench -- --no-checkpoints 300  also time `pulumi up` with PULUMI_SKIP_CHECKPOINTS=true
//                                          (diagnosis only: shows what the state writes cost)
//   npm run bench -- --selector 1000       what namespaceSelector adds to a no-op preview when the
//                                          cluster has 1000 namespaces (see measureSelector)
//
// For each N, N namespaces exist beforehand (each with its default ServiceAccount), and each method
// starts from namespaces without the pull Secret:
//   recipe  the manual recipe, per namespace: kubectl create secret docker-registry + kubectl patch serviceaccount
//   bulk    one `kubectl apply --server-side` of all Secrets + one JSON patch per ServiceAccount, 8 at a time
//   up / preview / destroy   this program: `pulumi up`, a no-op `pulumi preview`, `pulumi destroy`
//   state   `pulumi stack export` bytes per namespace after `up`
//   memory  peak resident memory of the CLI and everything it starts (engine, language host, program,
//           provider plugins) during `up`, summed over the process tree (see peakMemory.ts)
//   add one `pulumi up` after one more namespace joins the N just deployed (destroy then removes N + 1)
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { startControlPlane } from "../cluster/controlPlane";
import { withPeakMemory } from "./peakMemory";
import { makeThrowawayKey } from "../keys/throwawayKey";
import { createNamespace, createTestStack } from "../../test/e2e/stackHarness";
import { programAt } from "./programAt";
import { bulkApply, host, manualRecipe, pool, reset, timed } from "./kubectlBaselines";

const run = promisify(execFile);

interface Row {
    n: number;
    recipe: number;
    bulk: number;
    up: number;
    preview: number;
    destroy: number;
    stateBytesPerNamespace: number;
    peakMiB: number;
    addOne: number;
    upWithoutCheckpoints?: number;
}

type TestStack = Awaited<ReturnType<typeof createTestStack>>;

async function measure(n: number, options: { workDir?: string; noCheckpoints: boolean }): Promise<Row> {
    const namespaces = Array.from({ length: n }, (_, i) => `bench-${n}-${i}`);
    console.error(`[bench] N=${n}: creating ${n} namespaces`);
    await pool(namespaces, 16, (namespace) => createNamespace(namespace));
    const keyJson = makeThrowawayKey("bench");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gcr-pull-secrets-bench-"));

    console.error(`[bench] N=${n}: manual recipe loop`);
    const recipe = await timed(() => manualRecipe(namespaces, keyJson));
    await reset(namespaces);
    console.error(`[bench] N=${n}: bulk kubectl apply`);
    const bulk = await timed(() => bulkApply(namespaces, keyJson, dir));
    await reset(namespaces);

    const row: Row = { n, recipe, bulk, up: 0, preview: 0, destroy: 0, stateBytesPerNamespace: 0, peakMiB: 0, addOne: 0 };
    const withProgram = async (env: Record<string, string>, steps: (t: TestStack) => Promise<void>) => {
        const t = await createTestStack({ workDir: options.workDir, env });
        try {
            t.setSettings({ registries: [host], namespaces });
            await t.setJsonKey(keyJson);
            await steps(t);
        } finally {
            await t.dispose({ destroy: false });
        }
    };
    console.error(`[bench] N=${n}: pulumi up, preview, destroy`);
    await withProgram({}, async (t) => {
        const up = await withPeakMemory(() => timed(() => t.stack.up()));
        row.up = up.result;
        row.peakMiB = up.peakMiB;
        row.preview = await timed(() => t.stack.preview());
        row.stateBytesPerNamespace = Math.round(Buffer.byteLength(t.exportState()) / n);
        // What a team adding one namespace to a stack of N waits for.
        const extra = `bench-${n}-${n}`;
        await createNamespace(extra);
        t.setSettings({ registries: [host], namespaces: [...namespaces, extra] });
        row.addOne = await timed(() => t.stack.up());
        row.destroy = await timed(() => t.stack.destroy());
    });
    if (options.noCheckpoints) {
        await reset(namespaces);
        console.error(`[bench] N=${n}: pulumi up with PULUMI_SKIP_CHECKPOINTS=true`);
        await withProgram({ PULUMI_SKIP_CHECKPOINTS: "true" }, async (t) => {
            row.upWithoutCheckpoints = await timed(() => t.stack.up());
            await t.stack.destroy();
        });
    }
    return row;
}

/** The median of three timings of `fn`. */
async function median3(fn: () => Promise<unknown>): Promise<number> {
    const times = [await timed(fn), await timed(fn), await timed(fn)];
    return times.sort((a, b) => a - b)[1];
}

/**
 * `total` namespaces exist, `covered` of them carry a label. One stack covers those `covered`, first
 * listed by name, then chosen by the label (same resources, so both previews are no-ops), then also
 * with allServiceAccounts (one more list call, of every ServiceAccount). Each preview is timed three
 * times (median), next to `kubectl get namespaces -l` on the same cluster.
 */
async function measureSelector(total: number, covered = 10): Promise<string> {
    const label = "bench-pulls";
    const namespaces = Array.from({ length: total }, (_, i) => `sel-${total}-${i}`);
    const chosen = namespaces.slice(0, covered);
    console.error(`[bench] selector: creating ${total} namespaces, ${covered} labelled ${label}=yes`);
    await pool(namespaces, 16, (namespace) => createNamespace(namespace));
    await pool(chosen, 8, (namespace) => run("kubectl", ["label", "namespace", namespace, `${label}=yes`]));
    const kubectl = await median3(() => run("kubectl", ["get", "namespaces", "-l", `${label}=yes`, "-o", "name"]));
    const t = await createTestStack({});
    const figures: Record<string, number> = {};
    try {
        await t.setJsonKey(makeThrowawayKey("bench-selector"));
        t.setSettings({ registries: [host], namespaces: chosen });
        await t.stack.up();
        console.error(`[bench] selector: previews, listed by name`);
        figures.listed = await median3(() => t.stack.preview());
        t.setSettings({ registries: [host], namespaceSelector: { matchLabels: { [label]: "yes" } } });
        console.error(`[bench] selector: previews, chosen by label`);
        figures.selector = await median3(async () => {
            const preview = await t.stack.preview();
            if ((preview.changeSummary.same ?? 0) < covered || Object.keys(preview.changeSummary).some((op) => op !== "same" && op !== "create")) {
                throw new Error(`the selector preview is not a no-op: ${JSON.stringify(preview.changeSummary)}`);
            }
        });
        t.setSettings({ registries: [host], namespaceSelector: { matchLabels: { [label]: "yes" }, allServiceAccounts: true } });
        figures.allServiceAccounts = await median3(() => t.stack.preview());
    } finally {
        await t.dispose();
    }
    const s = (x: number) => `${x.toFixed(2)} s`;
    return [
        `| namespaces in the cluster | covered | kubectl get ns -l | preview, listed | preview, namespaceSelector | added by the selector | preview, + allServiceAccounts | added |`,
        `| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
        `| ${total} | ${covered} | ${s(kubectl)} | ${s(figures.listed)} | ${s(figures.selector)} | ${s(figures.selector - figures.listed)} | ` +
            `${s(figures.allServiceAccounts)} | ${s(figures.allServiceAccounts - figures.listed)} |`,
    ].join("\n");
}

function table(rows: Row[]): string {
    const s = (x: number) => `${x.toFixed(1)} s`;
    const r = (x: number, base: number) => `${(x / base).toFixed(2)}x`;
    const extra = rows.some((row) => row.upWithoutCheckpoints !== undefined);
    const lines = [
        "| N | recipe loop | bulk apply | `pulumi up` | up / recipe | up / bulk | no-op preview | destroy | destroy / recipe | destroy / bulk | " +
            "state / namespace | peak memory (up) | up, one namespace added |" +
            (extra ? " up, no checkpoints |" : ""),
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" + (extra ? " ---: |" : ""),
    ];
    for (const row of rows) {
        lines.push(
            `| ${row.n} | ${s(row.recipe)} | ${s(row.bulk)} | ${s(row.up)} | ${r(row.up, row.recipe)} | ${r(row.up, row.bulk)} | ${s(row.preview)} | ` +
                `${s(row.destroy)} | ${r(row.destroy, row.recipe)} | ${r(row.destroy, row.bulk)} | ${(row.stateBytesPerNamespace / 1024).toFixed(1)} KB | ` +
                `${Number.isNaN(row.peakMiB) ? "n/a" : `${row.peakMiB.toFixed(0)} MiB`} | ${s(row.addOne)} |` +
                (extra ? ` ${row.upWithoutCheckpoints === undefined ? "" : s(row.upWithoutCheckpoints)} |` : ""),
        );
    }
    for (let i = 1; i < rows.length; i++) {
        const grew = (x: (row: Row) => number) => (x(rows[i]) / x(rows[i - 1])).toFixed(2);
        lines.push(
            `from N=${rows[i - 1].n} to N=${rows[i].n} (${(rows[i].n / rows[i - 1].n).toFixed(1)}x): up ${grew((row) => row.up)}x, ` +
                `recipe ${grew((row) => row.recipe)}x, bulk ${grew((row) => row.bulk)}x, preview ${grew((row) => row.preview)}x, destroy ${grew((row) => row.destroy)}x`,
        );
    }
    return lines.join("\n");
}

async function main(): Promise<void> {
    const args = process.argv.slice(2);
    const at = args.indexOf("--at");
    const commit = at >= 0 ? args[at + 1] : undefined;
    const noCheckpoints = args.includes("--no-checkpoints");
    const selector = args.includes("--selector");
    const counts = args.filter((a, i) => /^\d+$/.test(a) && args[i - 1] !== "--at").map(Number);
    await run("kubectl", ["version", "--client"]).catch(() => {
        throw new Error("the benchmark needs kubectl for its baselines: apt-get install kubectl");
    });
    const workDir = commit ? programAt(commit) : undefined;
    const controlPlane = await startControlPlane();
    process.env.KUBECONFIG = controlPlane.kubeconfigPath;
    const rows: Row[] = [];
    try {
        if (selector) {
            const figures = await measureSelector(counts[0] ?? 1000);
            console.log(`gcr-pull-secrets (this checkout); ${os.cpus().length} cores; one local control plane; file backend; median of 3`);
            console.log(figures);
            return;
        }
        for (const n of counts.length ? counts : [10, 100, 300]) {
            rows.push(await measure(n, { workDir, noCheckpoints }));
            console.error(table(rows));
        }
    } finally {
        await controlPlane.stop();
    }
    console.log(
        `gcr-pull-secrets ${commit ? `at ${commit}` : "(this checkout)"}; ${os.cpus().length} cores, ` +
            `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; one local control plane; file backend`,
    );
    console.log(table(rows));
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
