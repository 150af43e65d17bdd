import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const repoRoot = path.resolve(__dirname, "../..");

/**
 * A copy of this project as it was at `commit` (index.ts, Pulumi.yaml, package.json, tsconfig.json,
 * components/, and the `more` paths, such as provider/ from 0.2 on), with today's node_modules
 * linked: the program an existing stack was deployed with. Needs the git history of the checkout.
 */
export function projectAtCommit(commit: string, more: readonly string[] = []): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `gcr-pull-secrets-at-${commit.slice(0, 7)}-`));
    let archive: Buffer;
    // The entry Pulumi.yaml names since program.js exists (after 0.3.0); older programs ran index.ts directly.
    const entry = hasPath(commit, "program.js") ? ["program.js"] : [];
    try {
        archive = execFileSync(
            "git",
            ["-C", repoRoot, "archive", "--format=tar", commit, ...entry, "index.ts", "Pulumi.yaml", "package.json", "tsconfig.json", "components", ...more],
            {
                maxBuffer: 64 * 1024 * 1024,
                stdio: ["ignore", "pipe", "pipe"],
            },
        );
    } catch (error) {
        throw new Error(
            `the program as of commit ${commit} is needed from git history (a shallow clone lacks it: git fetch --unshallow): ${String(error).split("\n")[0]}`,
        );
    }
    execFileSync("tar", ["-x", "-C", dir], { input: archive });
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"));
    adaptTsconfig(path.join(dir, "tsconfig.json"));
    return dir;
}

/**
 * The old program is compiled by today's TypeScript (from node_modules). TypeScript 6 refuses two
 * settings older versions of tsconfig.json had (TS5107 `moduleResolution` node10, TS5011 no `rootDir`
 * with an `outDir`); they are set as tsconfig.json has them now. The code is left as it was.
 */
function adaptTsconfig(file: string): void {
    const tsconfig = JSON.parse(fs.readFileSync(file, "utf8")) as { compilerOptions?: Record<string, unknown> };
    const options = (tsconfig.compilerOptions ??= {});
    if (options.moduleResolution === "node" || options.moduleResolution === "node10") options.moduleResolution = "bundler";
    if (options.outDir !== undefined && options.rootDir === undefined) options.rootDir = ".";
    fs.writeFileSync(file, JSON.stringify(tsconfig, null, 2));
}

/** True when `file` (a file or folder) exists at `commit` in this checkout's history. */
export function hasPath(commit: string, file: string): boolean {
    try {
        execFileSync("git", ["-C", repoRoot, "cat-file", "-e", `${commit}:${file}`], { stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}
