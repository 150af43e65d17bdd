// CPU time the program spends declaring N namespaces, under the unit tests' Pulumi mocks and with
// ts-node loaded as in a real run: the program's share of a preview or an up, measured in CPU seconds
// (process.cpuUsage), which a busy machine disturbs far less than wall time. Prints, asserts nothing.
//
//   npm run bench:declare -- 1000                 this checkout
//   npm run bench:declare -- 1000 ../other-tree   another checkout (git worktree add ../other-tree <commit>)
import * as path from "path";

async function main(): Promise<void> {
    const n = Number(process.argv[2] ?? 1000);
    const root = path.resolve(process.argv[3] ?? path.join(__dirname, "../.."));
    /* eslint-disable @typescript-eslint/no-require-imports */
    const mocks: typeof import("../../test/unit/mocks") = require(path.join(root, "test/unit/mocks"));
    const { GcrPullSecrets }: typeof import("../../components/gcrPullSecrets") = require(path.join(root, "components/gcrPullSecrets"));
    const { validCreateStack }: typeof import("../../test/unit/fixtures") = require(path.join(root, "test/unit/fixtures"));
    /* eslint-enable @typescript-eslint/no-require-imports */
    const namespaces = Array.from({ length: n }, (_, i) => `ns-${i}`);
    const start = process.cpuUsage();
    const component = new GcrPullSecrets("bench", { ...validCreateStack, namespaces });
    await new Promise((resolve) => component.secretNames.apply(resolve));
    // Registrations finish asynchronously: wait until no more arrive.
    for (let seen = -1; mocks.recorded.length !== seen; await new Promise((resolve) => setTimeout(resolve, 300))) {
        seen = mocks.recorded.length;
    }
    const used = process.cpuUsage(start);
    console.log(`${root}: ${n} namespaces, ${mocks.recorded.length} resources declared in ${((used.user + used.system) / 1e6).toFixed(2)} CPU seconds`);
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
