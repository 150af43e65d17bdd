/**
 * A release as users install it: scripts/release/buildArtifacts.sh builds the artifacts as the
 * release workflow does, a local HTTP server stands in for the GitHub release (the CLI's own
 * PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES sends the schema's github:// pluginDownloadURL to it), and the
 * examples deploy from fresh copies: TypeScript with the npm tarball installed and no plugin path,
 * Pulumi YAML through `pulumi package add <name>@<version> --server <pluginDownloadURL>`.
 */
import * as assert from "assert";
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { types } from "../../components/contract";
import { findKeyMaterial } from "../../dev/keys/keyMaterial";
import { makeThrowawayKey } from "../../dev/keys/throwawayKey";
import { appendPullSecret, createNamespace, createTestStack, pullSecretNames, readPullSecret, runPulumi, uniqueNamespace } from "./harness";
import { installTypescriptExample } from "./typescriptConsumer";

const repoRoot = path.resolve(__dirname, "../..");
const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, "provider/schema.json"), "utf8"));
const version: string = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).version;
/** The asset the CLI asks for on this machine (Go's names for the OS and architecture). */
const pluginAsset = `pulumi-resource-gcr-pull-secrets-v${version}-linux-${{ x64: "amd64", arm64: "arm64" }[os.arch() as "x64" | "arm64"]}.tar.gz`;

/**
 * Serves `dir` on a free loopback port, as the GitHub release would, and records each path asked
 * for. A process of its own: the harness runs `pulumi package add` with spawnSync, which would
 * block a server in this process while the CLI waits for it.
 */
async function releaseHost(dir: string): Promise<{ url: string; requested(): string[]; close(): void }> {
    const log = path.join(tempDir("gcr-pull-secrets-release-host-"), "requests.log");
    fs.writeFileSync(log, "");
    const serve = `
        const [fs, http, path] = ["fs", "http", "path"].map(require);
        const [dir, log] = process.argv.slice(1);
        const server = http.createServer((request, response) => {
            const name = decodeURIComponent(new URL(request.url, "http://host").pathname.slice(1));
            fs.appendFileSync(log, name + "\\n");
            const file = path.join(dir, path.basename(name));
            if (!name || name.includes("/") || !fs.existsSync(file)) return void response.writeHead(404).end();
            response.writeHead(200, { "content-length": fs.statSync(file).size });
            fs.createReadStream(file).pipe(response);
        });
        server.listen(0, "127.0.0.1", () => console.log(server.address().port));`;
    const child = spawn(process.execPath, ["-e", serve, dir, log], { stdio: ["ignore", "pipe", "inherit"] });
    const port = await new Promise<string>((resolve, reject) => {
        child.stdout.once("data", (chunk: Buffer) => resolve(String(chunk).trim()));
        child.once("exit", (code) => reject(new Error(`the release host exited (${code})`)));
    });
    return {
        url: `http://127.0.0.1:${port}`,
        requested: () => fs.readFileSync(log, "utf8").split("\n").filter(Boolean),
        close: () => void child.kill(),
    };
}

/** Temp folders of this file, removed after it: a release is ~100 MB, a TypeScript copy with node_modules ~300 MB. */
const madeHere: string[] = [];
function tempDir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    madeHere.push(dir);
    return dir;
}

/** A fresh copy of examples/<name>. */
function exampleCopy(name: string): string {
    const program = tempDir(`gcr-pull-secrets-example-${name}-`);
    fs.cpSync(path.join(repoRoot, "examples", name), program, { recursive: true });
    return program;
}

describe("end to end: a release, installed as users install it", function () {
    const registries = ["asia.gcr.io", "europe-west1-docker.pkg.dev"];
    const keyJson = makeThrowawayKey("release");
    let artifacts = "";
    let host: Awaited<ReturnType<typeof releaseHost>> | undefined;
    /** How many requests the release host had answered before the test. */
    let requestedBefore = 0;
    const requestedInTest = () => host!.requested().slice(requestedBefore);
    const overridesBefore = process.env.PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES;

    before(async function () {
        artifacts = tempDir("gcr-pull-secrets-release-");
        execFileSync("bash", [path.join(repoRoot, "scripts/release/buildArtifacts.sh"), artifacts], { stdio: "inherit" });
        host = await releaseHost(artifacts);
        // Every CLI process the harness starts inherits this: the schema's URL, exactly, goes to the stand-in host.
        const escaped = schema.pluginDownloadURL.replace(/[.]/g, "\\.");
        process.env.PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES = `^${escaped}$=${host.url}`;
    });

    after(async function () {
        if (overridesBefore === undefined) delete process.env.PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES;
        else process.env.PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES = overridesBefore;
        host?.close();
        for (const dir of madeHere.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    });

    beforeEach(function () {
        // Each consumer must fetch the plugin itself, not find the one the other installed in the run's Pulumi home.
        runPulumi(["plugin", "rm", "resource", "gcr-pull-secrets", "--all", "--yes"], os.tmpdir());
        requestedBefore = host!.requested().length;
    });

    it("builds what the workflow publishes: the npm package with its plugin declared, one archive per platform, notes and checksums", () => {
        const files = fs.readdirSync(artifacts).sort();
        const archives = ["darwin-amd64", "darwin-arm64", "linux-amd64", "linux-arm64"].map((p) => `pulumi-resource-gcr-pull-secrets-v${version}-${p}.tar.gz`);
        assert.deepStrictEqual(files, ["SHA256SUMS", `gcr-pull-secrets-pulumi-${version}.tgz`, ...archives, "release-notes.md", "schema.json"].sort());
        const manifest = JSON.parse(
            execFileSync("tar", ["-xOzf", path.join(artifacts, `gcr-pull-secrets-pulumi-${version}.tgz`), "package/package.json"], { encoding: "utf8" }),
        );
        assert.strictEqual(manifest.version, version);
        assert.deepStrictEqual(manifest.pulumi, { resource: true, name: "gcr-pull-secrets", version, server: schema.pluginDownloadURL });
        const listing = execFileSync("tar", ["-tzvf", path.join(artifacts, archives[2])], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
        assert.match(listing, /^-rwxr-xr-x \S+ +\d+ \S+ \S+ \.\/pulumi-resource-gcr-pull-secrets$/m, "the launcher at the top, executable");
        assert.match(listing, /\.\/node_modules\/@gcr-pull-secrets\/pulumi\/dist\/provider\/main\.js$/m);
        assert.doesNotMatch(listing, /package-lock\.json/, "no lock file with this machine's paths");
        const sums = execFileSync("sha256sum", ["-c", "SHA256SUMS"], { cwd: artifacts, encoding: "utf8" });
        assert.strictEqual(sums.trim().split("\n").length, 6);
        assert.match(fs.readFileSync(path.join(artifacts, "release-notes.md"), "utf8"), /\S/);
    });

    it("a TypeScript program with the npm package installed gets the plugin from the release host and deploys", async () => {
        const program = path.join(tempDir("gcr-pull-secrets-example-typescript-"), "program");
        installTypescriptExample(program, path.join(artifacts, `gcr-pull-secrets-pulumi-${version}.tgz`));

        const theirs = uniqueNamespace("release-ts");
        await createNamespace(theirs);
        await appendPullSecret(theirs, "someone-elses");
        // As on a user's machine, the engine installs the plugins a program's packages declare.
        const consumer = await createTestStack({ workDir: program, env: { PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "false" } });
        try {
            consumer.setSettings({ "pull-access:registries": registries, "pull-access:namespaces": [theirs] });
            await deploysAndCleansUp(consumer, theirs, "pull-access", keyJson);
        } finally {
            await consumer.dispose();
        }
        assert.ok(requestedInTest().includes(pluginAsset), `the engine fetched ${pluginAsset} (asked for: ${requestedInTest().join(", ")})`);
    });

    it("a Pulumi YAML program adds the package by name, version and download URL, and deploys", async () => {
        const program = exampleCopy("yaml");
        const added = runPulumi(["package", "add", `gcr-pull-secrets@${version}`, "--server", schema.pluginDownloadURL], program);
        assert.match(added, /Added package (gcr-pull-secrets|GCR pull secrets)/);
        assert.deepStrictEqual(requestedInTest(), [pluginAsset], "package add fetched the plugin from the release host");
        const projectFile = path.join(program, "Pulumi.yaml");
        const recorded = fs.readFileSync(projectFile, "utf8");
        const downloadLine = new RegExp(`^ +pluginDownloadURL: ${schema.pluginDownloadURL}\n`, "m");
        assert.match(recorded, downloadLine, "package add recorded where the plugin comes from");
        // The toolchain's YAML language host (pulumi-yaml 1.25.0, the newest the Go proxy serves, built
        // on the pulumi SDK 3.206) checks Pulumi.yaml against that SDK's project schema, which has no
        // packages.*.pluginDownloadURL yet ("additionalProperties 'pluginDownloadURL' not allowed"); the
        // host that ships with a current CLI reads it. The plugin is installed already, so the line
        // only matters on a machine without it.
        fs.writeFileSync(projectFile, recorded.replace(downloadLine, ""));

        const theirs = uniqueNamespace("release-yaml");
        await createNamespace(theirs);
        await appendPullSecret(theirs, "someone-elses");
        const consumer = await createTestStack({ workDir: program });
        try {
            consumer.setSettings({ "pull-access-yaml:registries": registries, "pull-access-yaml:namespace": theirs });
            await deploysAndCleansUp(consumer, theirs, "pull-access-yaml", Buffer.from(keyJson).toString("base64"));
        } finally {
            await consumer.dispose();
        }
    });

    /** Up: the namespace gets its pull Secret and entry from the released plugin, no key in state; destroy removes only ours. */
    async function deploysAndCleansUp(consumer: Awaited<ReturnType<typeof createTestStack>>, theirs: string, project: string, keyValue: string) {
        await consumer.stack.setConfig(`${project}:jsonKey`, { value: keyValue, secret: true });
        const result = await consumer.stack.up({ ...consumer.io });
        assert.strictEqual(result.summary.result, "succeeded");
        assert.deepStrictEqual(result.outputs.secretNames.value, { [theirs]: "regcred" });
        assert.strictEqual((await readPullSecret(theirs)).type, "kubernetes.io/dockerconfigjson");
        assert.deepStrictEqual(await pullSecretNames(theirs), ["someone-elses", "regcred"]);
        const exported = consumer.exportState();
        assert.strictEqual(findKeyMaterial(exported, keyJson), undefined, "key material in the consumer's state");
        const resources: { type: string }[] = JSON.parse(exported).deployment.resources;
        assert.ok(
            resources.some((r) => r.type === "pulumi:providers:gcr-pull-secrets"),
            "the package's provider is in the state",
        );
        assert.ok(
            resources.some((r) => r.type === types.pullSecret),
            "the released plugin wrote the Secret",
        );
        await consumer.stack.destroy({ ...consumer.io });
        assert.deepStrictEqual(await pullSecretNames(theirs), ["someone-elses"], "destroy removed only ours");
    }
});
