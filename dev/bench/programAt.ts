import { execFileSync } from "child_process";
import * as path from "path";
import { projectAtCommit } from "../../test/e2e/stackHarness";

/** The program as it was at `commit`, with its provider plugin's sources when it had them (0.2 on). */
export function programAt(commit: string): string {
    const root = path.resolve(__dirname, "../..");
    let hasProvider = true;
    try {
        execFileSync("git", ["-C", root, "cat-file", "-e", `${commit}:provider`], { stdio: "ignore" });
    } catch {
        hasProvider = false;
    }
    return projectAtCommit(commit, hasProvider ? ["provider"] : []);
}
