/**
 * The verification section: `verifyPullAccess` (after `pulumi up`, would a pod be admitted with our
 * Secret?) and `verifyRepositories` (can the namespace's credential read these repositories?).
 * Neither decides which resources exist; both only decide what `pulumi up` checks afterwards.
 */
import { GcrPullSecretsArgs } from "../gcrPullSecretsArgs";
import { Checker } from "./checker";

/** What `pulumi up` checks once the Secrets and entries are in place. */
export interface VerificationPlan {
    /** A server-side dry-run Pod per namespace and covered ServiceAccount. Default: true. */
    verifyPullAccess: boolean;
    /** `host/path` repositories to ask each registry's token endpoint about, sorted, each once. Default: none. */
    verifyRepositories: string[];
}

// A repository path as registries accept it (distribution spec): lowercase components joined by '/'.
const repositoryPath = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/** Checks the verification settings; a repository must be on one of the registry hosts the Secret covers. */
export function planVerification(args: GcrPullSecretsArgs, checker: Checker, registryHosts: readonly string[]): VerificationPlan {
    const verifyPullAccess = checker.boolean(checker.setting("verifyPullAccess", args.verifyPullAccess), true);
    const listField = checker.setting("verifyRepositories", args.verifyRepositories);
    const example = `${registryHosts[0] ?? "europe-west1-docker.pkg.dev"}/my-project/my-repo`;
    const repositories = new Set<string>();
    for (const item of checker.list(listField, { what: "repositories (host/project/repository)", example }) ?? []) {
        const text = checker.text(item, { what: "a repository as host/path", example, required: true });
        if (text === undefined) continue;
        const slash = text.indexOf("/");
        const host = slash < 0 ? text : text.slice(0, slash);
        const path = slash < 0 ? "" : text.slice(slash + 1);
        if (path === "" || !repositoryPath.test(path)) {
            checker.fail(
                item,
                `is not a repository as host/path (lowercase letters, digits, '.', '_', '-', '/'); for example ${checker.howToSet(item, example)}`,
            );
        } else if (registryHosts.length > 0 && !registryHosts.includes(host)) {
            // The credential is only ever sent to a host the Secret covers.
            checker.fail(
                item,
                `is on ${host}, which is not one of registries (${registryHosts.join(", ")}); add ${host} to registries, or name a repository on one of them`,
            );
        } else if (repositories.has(text)) {
            checker.fail(item, `is listed twice; keep one`);
        } else {
            repositories.add(text);
        }
    }
    return { verifyPullAccess, verifyRepositories: [...repositories].sort() };
}
