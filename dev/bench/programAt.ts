import { hasPath, projectAtCommit } from "../../test/e2e/projectAtCommit";

/** The program as it was at `commit`, with its provider plugin's sources when it had them (0.2 on). */
export function programAt(commit: string): string {
    return projectAtCommit(commit, hasPath(commit, "provider") ? ["provider"] : []);
}
