import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const repoRoot = path.resolve(__dirname, "../..");

/**
 * examples/typescript copied into `program` with the npm package installed from `tarball`, as a user
 * installs a downloaded release, and type-checked against the package's declarations.
 */
export function installTypescriptExample(program: string, tarball: string): void {
    fs.cpSync(path.join(repoRoot, "examples/typescript"), program, { recursive: true });
    const manifestFile = path.join(program, "package.json");
    const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
    manifest.dependencies["@gcr-pull-secrets/pulumi"] = `file:${tarball}`;
    fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
    // The registry's packages come from npm's cache when this machine installed them before.
    execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: program, stdio: "inherit" });
    execFileSync(path.join(program, "node_modules/.bin/tsc"), ["--noEmit", "-p", program], { cwd: program, stdio: "inherit" });
}
