/**
 * No key material in what the engine logs (issue 23). Each mode's stack runs preview, up, refresh
 * and destroy at `-v=9 --logflow`, once with `--logtostderr` and once without (then glog writes its
 * files into TMPDIR, the CLI's and each plugin's), with a TMPDIR of its own. Everything the CLI
 * printed and every file left in that TMPDIR is scanned for the service account key and for the
 * kubeconfig's client key, in every encoding (secretForms.ts).
 *
 * Key mode gives the cluster as the `kubeconfig` setting (a secret), so it crosses the engine as our
 * provider's configuration; without created namespaces no Kubernetes provider is needed, so nothing
 * leaves a `kubeconfig<random>` copy in TMPDIR. Keyless mode needs the Kubernetes provider for the
 * refresher's objects, and that provider (4.25) logs a kubeconfig it is given, unmasked, at `-v=9
 * --logflow` (its CheckConfig arguments) and copies it into TMPDIR: so keyless takes the cluster from
 * KUBECONFIG, as docs/security.md advises, and must leave neither.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { makeThrowawayKey } from "../../dev/keys/throwawayKey";
import { createNamespace, createTestStack, keepForDebugging, pullSecretNames, uniqueNamespace } from "./harness";
import { findSecretForms, keyFileForms, kubeconfigForms, SecretForms } from "./secretForms";

/** The CLI's verbose logging: the engine's and, through --logflow, every plugin's. */
const verbose = ["-v=9", "--logflow"];
const commands = [["preview"], ["up", "--yes", "--skip-preview"], ["refresh", "--yes", "--skip-preview"], ["destroy", "--yes", "--skip-preview"]];

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return filesUnder(full);
        return entry.isFile() ? [full] : [];
    });
}

/** The Kubernetes provider's kubeconfig copies (pkg/provider/util.go writeKubeconfigToFile: os.CreateTemp("", "kubeconfig")). */
const isProviderKubeconfig = (file: string) => /^kubeconfig\d+$/.test(path.basename(file));

interface ModeRun {
    /** The run's TMPDIR; removed unless something was found. */
    tmpdir: string;
    /** Where each secret was found: "<where>: <label>: <form>". */
    findings: string[];
    /** The Kubernetes provider's kubeconfig files left in TMPDIR. */
    kubeconfigFiles: string[];
    /** Files glog wrote (to check the scan did read log files). */
    logFiles: string[];
    seconds: number;
}

/**
 * Deploys and destroys one stack twice over (with and without --logtostderr), scanning as it goes.
 * `settings` are the stack's non-secret settings; `keyText`, when given, is set as the secret jsonKey.
 */
async function runMode(
    name: string,
    settings: Record<string, unknown>,
    options: { keyText?: string; kubeconfigSetting: boolean; secrets: SecretForms[]; expected?: (finding: string) => boolean },
): Promise<ModeRun> {
    const { keyText, secrets, expected = () => false } = options;
    const started = Date.now();
    const tmpdir = fs.mkdtempSync(path.join(os.tmpdir(), `gcr-pull-secrets-logs-${name}-`));
    const t = await createTestStack({ env: { TMPDIR: tmpdir } });
    const findings: string[] = [];
    let keep = false;
    try {
        t.setSettings(settings);
        if (keyText !== undefined) await t.setJsonKey(keyText);
        if (options.kubeconfigSetting) {
            await t.stack.setConfig("gcr-pull-secrets:kubeconfig", { value: fs.readFileSync(process.env.KUBECONFIG!, "utf8"), secret: true });
        }
        for (const logging of [[...verbose, "--logtostderr"], verbose]) {
            for (const command of commands) {
                const args = [...command, ...logging];
                const child = t.spawnCli(args);
                let stdout = "";
                let stderr = "";
                child.stdout!.on("data", (chunk: Buffer) => (stdout += String(chunk)));
                child.stderr!.on("data", (chunk: Buffer) => (stderr += String(chunk)));
                const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
                const where = `pulumi ${args.join(" ")}`;
                if (code !== 0) {
                    throw new Error(`${where} failed (exit ${code}); its output is in ${keepForDebugging(`${name}-failed.log`, stdout + stderr)}`);
                }
                findings.push(...findSecretForms(stdout, secrets).map((found) => `${where}, stdout: ${found}`));
                findings.push(...findSecretForms(stderr, secrets).map((found) => `${where}, stderr: ${found}`));
            }
        }
        const files = filesUnder(tmpdir);
        const kubeconfigFiles = files.filter(isProviderKubeconfig);
        for (const file of files) {
            const text = fs.readFileSync(file, "latin1");
            findings.push(...findSecretForms(text, secrets).map((found) => `TMPDIR/${path.relative(tmpdir, file)}: ${found}`));
        }
        // Kept when something was found, to see which line said it (the material is a throwaway key and a test cluster's).
        keep = findings.some((finding) => !expected(finding));
        return {
            tmpdir,
            findings,
            kubeconfigFiles: kubeconfigFiles.map((file) => path.basename(file)),
            logFiles: files.filter((file) => /\.log\./.test(path.basename(file))).map((file) => path.basename(file)),
            seconds: Math.round((Date.now() - started) / 1000),
        };
    } finally {
        await t.dispose({ destroy: false });
        if (!keep) fs.rmSync(tmpdir, { recursive: true, force: true });
    }
}

describe("end to end: no key material in the engine's logs (-v=9, --logflow, with and without --logtostderr)", function () {
    const hosts = ["asia.gcr.io", "europe-west1-docker.pkg.dev"];
    let kubeSecret: SecretForms;

    before(function () {
        kubeSecret = kubeconfigForms(fs.readFileSync(process.env.KUBECONFIG!, "utf8"));
    });

    for (const username of ["_json_key", "_json_key_base64"] as const) {
        it(`key mode, ${username}: neither key shows in stdout, stderr or any file left in TMPDIR, and no kubeconfig copy is left`, async () => {
            const ns = uniqueNamespace(`logs-${username === "_json_key" ? "json" : "b64"}`);
            await createNamespace(ns);
            const keyText = makeThrowawayKey(`logs-${username.replace(/_/g, "")}`);
            const run = await runMode(
                username.replace(/_/g, ""),
                { registries: hosts, namespaces: [ns], username },
                { keyText, kubeconfigSetting: true, secrets: [keyFileForms(keyText), kubeSecret] },
            );
            console.log(`      (${run.seconds} s; glog files scanned: ${run.logFiles.length})`);
            assert.ok(run.logFiles.length > 0, "glog wrote no file into TMPDIR: the scan would prove nothing");
            assert.deepStrictEqual(run.findings, [], `files kept in ${run.tmpdir}`);
            assert.deepStrictEqual(run.kubeconfigFiles, [], "key mode needs no Kubernetes provider, so nothing writes a kubeconfig copy");
            assert.deepStrictEqual(await pullSecretNames(ns), [], "destroy removed our entry");
        });
    }

    /** A keyless stack; the refresher's namespace is unique to the run. */
    const keylessSettings = (ns: string) => ({
        registries: hosts,
        namespaces: [ns],
        keyless: {
            workloadIdentityProvider: "projects/123456789012/locations/global/workloadIdentityPools/e2e-pool/providers/local-cluster",
            namespace: uniqueNamespace("logs-refresher"),
            waitForFirstRun: false,
        },
    });

    it("keyless, the cluster from KUBECONFIG: the client key shows nowhere and no kubeconfig copy is left", async () => {
        const ns = uniqueNamespace("logs-keyless");
        await createNamespace(ns);
        const run = await runMode("keyless", keylessSettings(ns), { kubeconfigSetting: false, secrets: [kubeSecret] });
        console.log(`      (${run.seconds} s; glog files scanned: ${run.logFiles.length})`);
        assert.ok(
            run.logFiles.some((file) => file.startsWith("pulumi-resource-kubernetes.")),
            "the Kubernetes provider wrote no log: the scan would prove nothing",
        );
        assert.deepStrictEqual(run.findings, [], `files kept in ${run.tmpdir}`);
        assert.deepStrictEqual(run.kubeconfigFiles, []);
    });
});
