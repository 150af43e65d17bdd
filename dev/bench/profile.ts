// Where the time of one `pulumi up` goes at N namespaces: runs it with the CLI's --profiling (a Go
// CPU profile of the engine) and prints the top of it, plus the program's and the plugin's share
// of CPU time. Diagnosis only; prints figures, asserts nothing.
//
//   node -r ts-node/register/transpile-only dev/bench/profile.ts [--at <commit>] 300 [outDir]
//   (after `. dev/toolchain/env.sh`; --at profiles the program as it was at that commit)
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { startControlPlane } from "../cluster/controlPlane";
import { makeThrowawayKey } from "../keys/throwawayKey";
import { createNamespace, createTestStack } from "../../test/e2e/stackHarness";
import { programAt } from "./programAt";

async function main(): Promise<void> {
    const args = process.argv.slice(2);
    const at = args[0] === "--at" ? args.splice(0, 2)[1] : undefined;
    const n = Number(args[0] ?? 300);
    const outDir = args[1] ?? fs.mkdtempSync(path.join(os.tmpdir(), "gcr-pull-secrets-profile-"));
    const workDir = at ? programAt(at) : undefined;
    const controlPlane = await startControlPlane();
    process.env.KUBECONFIG = controlPlane.kubeconfigPath;
    try {
        const namespaces = Array.from({ length: n }, (_, i) => `prof-${i}`);
        for (let i = 0; i < namespaces.length; i += 16) await Promise.all(namespaces.slice(i, i + 16).map((ns) => createNamespace(ns)));
        const t = await createTestStack({ workDir });
        try {
            t.setSettings({ registries: ["asia.gcr.io"], namespaces });
            await t.setJsonKey(makeThrowawayKey("profile"));
            for (const op of ["up", "preview", "destroy"]) {
                const start = performance.now();
                const args =
                    op === "preview" ? [op, "--profiling", path.join(outDir, op)] : [op, "--yes", "--skip-preview", "--profiling", path.join(outDir, op)];
                // The program and the plugin are Node processes: a V8 CPU profile of each, for the preview.
                if (op === "preview") process.env.NODE_OPTIONS = `--cpu-prof --cpu-prof-dir=${path.join(outDir, "node")}`;
                const { code, output } = await t.runCli(args);
                delete process.env.NODE_OPTIONS;
                if (code !== 0) throw new Error(`pulumi ${op} failed:\n${output.slice(-3000)}`);
                console.log(`${op}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
                if (op === "up") console.log(`state: ${(Buffer.byteLength(t.exportState()) / n / 1024).toFixed(2)} KB/ns (pretty export)`);
            }
        } finally {
            await t.dispose({ destroy: false });
        }
    } finally {
        await controlPlane.stop();
    }
    for (const file of fs.readdirSync(outDir).filter((f) => f.endsWith(".cpu"))) {
        console.log(`--- ${file}`);
        console.log(execFileSync("go", ["tool", "pprof", "-top", "-cum", "-nodecount=40", path.join(outDir, file)], { encoding: "utf8", maxBuffer: 64 << 20 }));
    }
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
