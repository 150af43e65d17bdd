import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { makeThrowawayKey } from "../../tools/throwawayKey";
import { appendPullSecret, changes, createNamespace, createTestStack, pullSecretNames, readPullSecret, uniqueNamespace, withStack } from "./harness";

const repoRoot = path.resolve(__dirname, "../..");

/**
 * A copy of test/fixtures/consumer-ts with the npm package installed from its tarball (npm pack),
 * as a user installs it, and the program type-checked against the package's declarations.
 */
function consumerProgram(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gcr-pull-secrets-consumer-"));
    const packed = path.join(dir, "packed");
    execFileSync("bash", [path.join(repoRoot, "sdk/nodejs/build.sh"), "--pack", packed], { stdio: "inherit" });
    const [tarball] = fs.readdirSync(packed).filter((file) => file.endsWith(".tgz"));
    const program = path.join(dir, "program");
    fs.cpSync(path.join(repoRoot, "test/fixtures/consumer-ts"), program, { recursive: true });
    const manifest = path.join(program, "package.json");
    fs.writeFileSync(manifest, fs.readFileSync(manifest, "utf8").replace("PACKAGE_TARBALL", path.join(packed, tarball)));
    // The registry's packages come from npm's cache when this machine installed them before.
    execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: program, stdio: "inherit" });
    execFileSync(path.join(program, "node_modules/.bin/tsc"), ["--noEmit", "-p", program], { cwd: program, stdio: "inherit" });
    return program;
}

/** What a namespace got: the Secret's type, labels, annotations but the owning stack, content, and the entries. */
async function coverage(namespace: string) {
    const secret = await readPullSecret(namespace);
    return { type: secret.type, labels: secret.labels, config: secret.config, entries: await pullSecretNames(namespace) };
}

describe("end to end: the npm package in a program of its own", function () {
    it("a TypeScript program that installs the packed package gives its namespaces what this repository's stack gives", async () => {
        const program = consumerProgram();
        const keyJson = makeThrowawayKey("consumer");
        const registries = ["asia.gcr.io", "europe-west1-docker.pkg.dev"];
        const [ours, theirs] = [uniqueNamespace("repo-stack"), uniqueNamespace("consumer")];
        for (const ns of [ours, theirs]) {
            await createNamespace(ns);
            await appendPullSecret(ns, "someone-elses");
        }

        await withStack(async (repoStack) => {
            repoStack.setSettings({ registries, namespaces: [ours] });
            await repoStack.setJsonKey(keyJson);
            assert.strictEqual((await repoStack.stack.up({ ...repoStack.io })).summary.result, "succeeded");

            const consumer = await createTestStack({ workDir: program });
            try {
                consumer.setSettings({ "pull-access:registries": registries, "pull-access:namespaces": [theirs] });
                await consumer.stack.setConfig("pull-access:jsonKey", { value: keyJson, secret: true });
                const result = await consumer.stack.up({ ...consumer.io });
                assert.strictEqual(result.summary.result, "succeeded");
                assert.deepStrictEqual(result.outputs.secretNames.value, { [theirs]: "regcred" });
                assert.deepStrictEqual(await coverage(theirs), await coverage(ours));
                assert.deepStrictEqual(await pullSecretNames(theirs), ["someone-elses", "regcred"]);

                const state = JSON.parse(consumer.exportState());
                const types = state.deployment.resources.map((r: { type: string }) => r.type);
                assert.ok(types.includes("gcr-pull-secrets:index:PullSecret"), "the package's provider wrote the Secret");
                assert.deepStrictEqual(changes((await consumer.stack.preview({ ...consumer.io })).changeSummary), {}, "a second preview changes nothing");

                await consumer.stack.destroy({ ...consumer.io });
                assert.deepStrictEqual(await pullSecretNames(theirs), ["someone-elses"], "destroy removed only ours");
            } finally {
                await consumer.dispose();
            }
        });
    });
});
