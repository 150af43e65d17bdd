import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { makeThrowawayKey } from "../../dev/keys/throwawayKey";
import * as yaml from "js-yaml";
import { stackIdentityAnnotation, types } from "../../components/contract";
import { findKeyMaterial } from "../../dev/keys/keyMaterial";
import { appendPullSecret, changes, createNamespace, createTestStack, kube, pullSecretNames, readPullSecret, runPulumi, uniqueNamespace } from "./harness";
import { installTypescriptExample } from "./typescriptConsumer";

const repoRoot = path.resolve(__dirname, "../..");

/**
 * examples/typescript with the npm package installed from its tarball (npm pack), and the package's
 * plugin folder named in Pulumi.yaml: a program of its own using a local tarball, not a release.
 */
function consumerProgram(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gcr-pull-secrets-consumer-"));
    const packed = path.join(dir, "packed");
    execFileSync("bash", [path.join(repoRoot, "sdk/nodejs/build.sh"), "--pack", packed], { stdio: "inherit" });
    const [tarball] = fs.readdirSync(packed).filter((file) => file.endsWith(".tgz"));
    const program = path.join(dir, "program");
    installTypescriptExample(program, path.join(packed, tarball));
    // As the README says for a local tarball: the engine runs the plugin from node_modules.
    fs.appendFileSync(
        path.join(program, "Pulumi.yaml"),
        "plugins:\n  providers:\n    - name: gcr-pull-secrets\n      path: ./node_modules/@gcr-pull-secrets/pulumi/provider\n",
    );
    return program;
}

/** What a namespace got: the Secret's type, labels, annotations but the owning stack, content, and the entries. */
async function coverage(namespace: string) {
    const secret = await readPullSecret(namespace);
    return { type: secret.type, labels: secret.labels, config: secret.config, entries: await pullSecretNames(namespace) };
}

/** A copy of test/fixtures/consumer-yaml, with the package added as a user adds it: `pulumi package add <pluginFolder>`. */
function yamlProgram(pluginFolder: string): { program: string; added: string } {
    const program = fs.mkdtempSync(path.join(os.tmpdir(), "gcr-pull-secrets-consumer-yaml-"));
    fs.cpSync(path.join(repoRoot, "test/fixtures/consumer-yaml"), program, { recursive: true });
    const added = runPulumi(["package", "add", pluginFolder], program);
    return { program, added };
}

/** What `pulumi package add` must have done: said so, and recorded the folder in Pulumi.yaml. */
function assertAdded({ program, added }: { program: string; added: string }, pluginFolder: string): void {
    assert.match(added, /Added package (gcr-pull-secrets|GCR pull secrets)/);
    const project = yaml.load(fs.readFileSync(path.join(program, "Pulumi.yaml"), "utf8")) as { packages?: Record<string, unknown> };
    assert.deepStrictEqual(project.packages, { "gcr-pull-secrets": pluginFolder }, "package add recorded the package");
}

describe("end to end: the package in programs of their own", function () {
    const registries = ["asia.gcr.io", "europe-west1-docker.pkg.dev"];
    const keyJson = makeThrowawayKey("consumer");
    let repoStack: Awaited<ReturnType<typeof createTestStack>> | undefined;
    /** A namespace this repository's stack covers: what every consumer must match. */
    let ours = "";
    /** The TypeScript consumer, with the packed npm package installed (its plugin folder is also added to YAML below). */
    let tsProgram = "";

    before(async function () {
        tsProgram = consumerProgram();
        ours = uniqueNamespace("repo-stack");
        await createNamespace(ours);
        await appendPullSecret(ours, "someone-elses");
        repoStack = await createTestStack();
        repoStack.setSettings({ registries, namespaces: [ours] });
        await repoStack.setJsonKey(keyJson);
        assert.strictEqual((await repoStack.stack.up({ ...repoStack.io })).summary.result, "succeeded");
    });

    after(async function () {
        await repoStack?.dispose();
    });

    /**
     * Deploys a consumer stack for one fresh namespace and checks it got what `ours` got; destroy
     * removes only ours. `keyValue` is how the consumer's config holds the key (its text by default).
     */
    async function deploysLikeTheRepoStack(
        consumer: Awaited<ReturnType<typeof createTestStack>>,
        theirs: string,
        project: string,
        keyValue = keyJson,
        pullAccessOutput = false,
    ): Promise<void> {
        await consumer.stack.setConfig(`${project}:jsonKey`, { value: keyValue, secret: true });
        const result = await consumer.stack.up({ ...consumer.io });
        assert.strictEqual(result.summary.result, "succeeded");
        assert.deepStrictEqual(result.outputs.secretNames.value, { [theirs]: "regcred" });
        if (pullAccessOutput)
            assert.deepStrictEqual(result.outputs.pullAccess.value, { [theirs]: { status: "verified", serviceAccounts: { default: { status: "verified" } } } });
        assert.deepStrictEqual(await coverage(theirs), await coverage(ours));
        assert.deepStrictEqual(await pullSecretNames(theirs), ["someone-elses", "regcred"]);

        const exported = consumer.exportState();
        assert.strictEqual(findKeyMaterial(exported, keyJson), undefined, "key material in the consumer's state");
        const resources: { type: string; parent?: string; urn: string; id?: string; inputs?: Record<string, unknown> }[] =
            JSON.parse(exported).deployment.resources;
        const component = resources.find((r) => r.type === types.component);
        assert.ok(component, "the component is in the state");
        const pullSecret = resources.find((r) => r.type === types.pullSecret);
        assert.ok(pullSecret, "the package's provider wrote the Secret");
        assert.strictEqual(pullSecret.parent, component.urn, "the PullSecret is the component's child");
        // The stack's identity: one, outside the component, and the one the Secret carries.
        const identities = resources.filter((r) => r.type === types.stackIdentity);
        assert.strictEqual(identities.length, 1, "one stack identity");
        assert.notStrictEqual(identities[0].parent, component.urn, "the stack identity is not the component's child");
        assert.strictEqual(pullSecret.inputs?.stackIdentity, identities[0].id);
        const secret = await kube().core.readNamespacedSecret({ name: "regcred", namespace: theirs });
        assert.strictEqual(secret.metadata?.annotations?.[stackIdentityAnnotation], identities[0].id, "the Secret carries the stack's identity");
        assert.deepStrictEqual(changes((await consumer.stack.preview({ ...consumer.io })).changeSummary), {}, "a second preview changes nothing");

        await consumer.stack.destroy({ ...consumer.io });
        assert.deepStrictEqual(await pullSecretNames(theirs), ["someone-elses"], "destroy removed only ours");
        assert.deepStrictEqual(await pullSecretNames(ours), ["someone-elses", "regcred"], "the repository's stack kept its entry");
    }

    it("a TypeScript program that installs the packed package gives its namespaces what this repository's stack gives", async () => {
        const theirs = uniqueNamespace("consumer");
        await createNamespace(theirs);
        await appendPullSecret(theirs, "someone-elses");
        const consumer = await createTestStack({ workDir: tsProgram });
        try {
            consumer.setSettings({ "pull-access:registries": registries, "pull-access:namespaces": [theirs] });
            await deploysLikeTheRepoStack(consumer, theirs, "pull-access");
        } finally {
            await consumer.dispose();
        }
    });

    it("a Pulumi YAML program that adds the package with `pulumi package add` gets the same, built by the plugin (construct)", async () => {
        // The npm package's plugin folder is a source-based plugin too: it starts and serves the schema.
        // `pulumi package add` cuts its argument at "@" (a version), so the scoped folder goes through a
        // link without one, as docs/configuration.md tells users.
        const fromNpm = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gcr-pull-secrets-plugin-link-")), "gcr-pull-secrets-plugin");
        fs.symlinkSync(path.join(tsProgram, "node_modules/@gcr-pull-secrets/pulumi/provider"), fromNpm);
        assertAdded(yamlProgram(fromNpm), fromNpm);

        // A clone of this repository: the folder the README gives YAML users. This one deploys.
        const fromClone = path.join(repoRoot, "provider");
        const clone = yamlProgram(fromClone);
        assertAdded(clone, fromClone);
        const { program } = clone;

        const theirs = uniqueNamespace("consumer-yaml");
        await createNamespace(theirs);
        await appendPullSecret(theirs, "someone-elses");
        const consumer = await createTestStack({ workDir: program });
        try {
            // Bad input is refused with the component's own message, naming the field, before anything is written.
            consumer.setSettings({ "pull-access-yaml:registries": registries, "pull-access-yaml:namespace": "Not_A_Namespace" });
            await consumer.stack.setConfig("pull-access-yaml:jsonKey", { value: keyJson, secret: true });
            const refused = await consumer.runCli(["preview"]);
            assert.notStrictEqual(refused.code, 0);
            assert.match(refused.output, /namespaces\[0\]\.name/);
            assert.doesNotMatch(refused.output, /exited prematurely|bug in the provider/, `a refusal, not a crash:\n${refused.output}`);
            assert.strictEqual(findKeyMaterial(refused.output, keyJson), undefined, "key material in the error");

            consumer.setSettings({ "pull-access-yaml:registries": registries, "pull-access-yaml:namespace": theirs });
            // Base64, as the README tells YAML users: Pulumi YAML reads config text that is JSON as an object.
            // With the pull access check the component (built by construct) ran after the Secret was written.
            await deploysLikeTheRepoStack(consumer, theirs, "pull-access-yaml", Buffer.from(keyJson).toString("base64"), true);
        } finally {
            await consumer.dispose();
        }
    });
});
