// The two commands a team runs most on a large stack, for two versions of the program side by side:
// the no-op `pulumi preview` and the `pulumi up` that adds one namespace. One control plane, one
// stack per version on namespaces of its own, the measurements alternating between the two (so a
// machine that speeds up or slows down during the run touches both alike); medians. Complements
// `npm run bench`, whose rows come from separate runs when comparing versions (`--at`). Prints
// figures; asserts nothing.
//
//   npm run bench:ab -- <commit> [N] [rounds]     N = 1000, rounds = 3 by default
import * as os from "os";
import { startControlPlane } from "../cluster/controlPlane";
import { makeThrowawayKey } from "../keys/throwawayKey";
import { createNamespace, createTestStack } from "../../test/e2e/stackHarness";
import { host, pool, timed } from "./kubectlBaselines";
import { programAt } from "./programAt";

type TestStack = Awaited<ReturnType<typeof createTestStack>>;

interface Side {
    label: string;
    stack: TestStack;
    namespaces: string[];
    preview: number[];
    addOne: number[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
    const [commit, nArg, roundsArg] = process.argv.slice(2);
    if (!commit) throw new Error("usage: npm run bench:ab -- <commit> [N] [rounds]");
    const n = Number(nArg ?? 1000);
    const rounds = Number(roundsArg ?? 3);
    const controlPlane = await startControlPlane();
    process.env.KUBECONFIG = controlPlane.kubeconfigPath;
    const sides: Side[] = [];
    try {
        const keyJson = makeThrowawayKey("bench-ab");
        for (const [index, label, workDir] of [
            [0, `at ${commit}`, programAt(commit)],
            [1, "this checkout", undefined],
        ] as const) {
            // Each side its own namespaces: two stacks never claim one Secret.
            const namespaces = Array.from({ length: n + rounds }, (_, i) => `ab${index}-${i}`);
            console.error(`[bench:ab] ${label}: ${namespaces.length} namespaces, pulumi up of ${n}`);
            await pool(namespaces, 16, (namespace) => createNamespace(namespace));
            const stack = await createTestStack({ workDir });
            await stack.setJsonKey(keyJson);
            stack.setSettings({ registries: [host], namespaces: namespaces.slice(0, n) });
            await stack.stack.up();
            sides.push({ label, stack, namespaces, preview: [], addOne: [] });
        }
        for (let round = 0; round < rounds; round++) {
            console.error(`[bench:ab] round ${round + 1} of ${rounds}`);
            // Alternate which side goes first, too.
            const order = round % 2 === 0 ? sides : [...sides].reverse();
            for (const side of order) side.preview.push(await timed(() => side.stack.stack.preview()));
            for (const side of order) {
                side.stack.setSettings({ registries: [host], namespaces: side.namespaces.slice(0, n + round + 1) });
                side.addOne.push(await timed(() => side.stack.stack.up()));
            }
        }
    } finally {
        // The control plane goes with its namespaces; the stacks' state dirs are temporary.
        for (const side of sides) await side.stack.dispose({ destroy: false });
        await controlPlane.stop();
    }
    const s = (x: number) => `${x.toFixed(1)} s`;
    console.log(`gcr-pull-secrets A/B; ${os.cpus().length} cores; one local control plane; file backend; N = ${n}; ${rounds} rounds, medians`);
    console.log("| program | no-op preview | up, one namespace added | each preview | each add-one |");
    console.log("| --- | ---: | ---: | --- | --- |");
    for (const side of sides) {
        console.log(
            `| ${side.label} | ${s(median(side.preview))} | ${s(median(side.addOne))} | ${side.preview.map(s).join(", ")} | ${side.addOne.map(s).join(", ")} |`,
        );
    }
    const [a, b] = sides;
    console.log(
        `this checkout / ${commit}: preview ${(median(b.preview) / median(a.preview)).toFixed(2)}x, add one ${(median(b.addOne) / median(a.addOne)).toFixed(2)}x`,
    );
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
