import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** A program the local control plane runs. */
export type ControlPlaneBinary = "etcd" | "kube-apiserver" | "kube-controller-manager";

/** Env variable that names an exact binary, skipping every other lookup. */
export const binaryEnvOverride: Record<ControlPlaneBinary, string> = {
    etcd: "ETCD_BIN",
    "kube-apiserver": "KUBE_APISERVER_BIN",
    "kube-controller-manager": "KUBE_CONTROLLER_MANAGER_BIN",
};

/** Cache folder name and version pin of the dev/toolchain step that builds each binary. */
const toolchainPin: Record<ControlPlaneBinary, { cacheName: string; versionVariable: string }> = {
    etcd: { cacheName: "etcd", versionVariable: "ETCD_VERSION" },
    "kube-apiserver": { cacheName: "kubernetes", versionVariable: "KUBERNETES_VERSION" },
    "kube-controller-manager": { cacheName: "kubernetes", versionVariable: "KUBERNETES_VERSION" },
};

const versionsFile = path.resolve(__dirname, "../toolchain/versions.sh");

/** `NAME=value` pins from dev/toolchain/versions.sh, the only place tool versions live. */
export function readToolchainVersions(file: string = versionsFile): Record<string, string> {
    const versions: Record<string, string> = {};
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        const match = /^([A-Z0-9_]+)=["']?([^"'\s#]*)["']?\s*(#.*)?$/.exec(line.trim());
        if (match) versions[match[1]] = match[2];
    }
    return versions;
}

/** Where dev/toolchain/build.sh puts a binary: <cache>/<name>-<version>/bin/<binary>. */
export function cachedBinaryPath(binary: ControlPlaneBinary, env: NodeJS.ProcessEnv = process.env): string {
    const { cacheName, versionVariable } = toolchainPin[binary];
    const version = readToolchainVersions()[versionVariable];
    if (!version) throw new Error(`${versionVariable} is not set in ${versionsFile}`);
    const cacheRoot = env.GCR_PULL_SECRETS_CACHE || path.join(os.homedir(), ".cache", "gcr-pull-secrets");
    return path.join(cacheRoot, `${cacheName}-${version}`, "bin", binary);
}

function isExecutableFile(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
}

function findOnPath(binary: string, env: NodeJS.ProcessEnv): string | undefined {
    for (const dir of (env.PATH ?? "").split(path.delimiter)) {
        if (!dir) continue;
        const candidate = path.join(dir, binary);
        if (isExecutableFile(candidate)) return candidate;
    }
    return undefined;
}

/**
 * Path of a control plane binary, the way envtest finds its assets: the env override
 * (ETCD_BIN, KUBE_APISERVER_BIN, KUBE_CONTROLLER_MANAGER_BIN), else PATH, else the pinned cache.
 */
export function binaryPath(binary: ControlPlaneBinary, env: NodeJS.ProcessEnv = process.env): string {
    const overrideVariable = binaryEnvOverride[binary];
    const override = env[overrideVariable];
    if (override) {
        if (!isExecutableFile(override)) {
            throw new Error(`${overrideVariable}=${override} is not an executable file`);
        }
        return override;
    }
    const onPath = findOnPath(binary, env);
    if (onPath) return onPath;
    const cached = cachedBinaryPath(binary, env);
    if (isExecutableFile(cached)) return cached;
    throw new Error(
        `${binary} not found: set ${overrideVariable}, put ${binary} on PATH, ` +
            `or build the pinned one with \`bash dev/toolchain/build.sh\` (expected at ${cached})`,
    );
}
