/**
 * The refresher's container image: the default, pinned by digest, and the check of an image
 * reference given instead (`keyless.image`).
 */

/**
 * The default image, `node:22-alpine` pinned by digest so that every run executes the same bytes and
 * a re-pushed tag cannot change what holds the cluster's pull credentials. The digest is the one
 * that tag resolved to in early 2026 as pinned in public Dockerfiles (for example
 * html2rss/html2rss-web's): no registry is reachable from this repository's tests, so it was not
 * resolved here. docs/keyless.md says how to update it (`docker buildx imagetools inspect node:22-alpine`).
 */
export const defaultRefresherImage = "node:22-alpine@sha256:8094c002d08262dba12645a3b4a15cd6cd627d30bc782f53229a2ec13ee22a00";

// The reference grammar of distribution/reference (what the kubelet and every registry client parse):
// [host[:port]/]path[:tag][@algorithm:hex].
const hostComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const host = `(?:${hostComponent}(?:\\.${hostComponent})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const pathComponent = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const tag = "[\\w][\\w.-]{0,127}";
const digest = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
const referencePattern = new RegExp(`^(?:(${host})/)?(${pathComponent}(?:/${pathComponent})*)(?::(${tag}))?(?:@(${digest}))?$`);
const anyNamePattern = new RegExp(`^(?:${host}/)?${pathComponent}(?:/${pathComponent})*$`);

/** Why `reference` is not an image reference a kubelet can pull, or undefined when it is one. */
export function imageReferenceProblem(reference: string): string | undefined {
    if (/\s/.test(reference)) return "it contains a space";
    const match = referencePattern.exec(reference);
    if (!match) {
        const name = reference.split("@")[0].replace(/:[^/:]*$/, "");
        if (name !== name.toLowerCase() && anyNamePattern.test(name.toLowerCase())) return "its repository has capital letters (only the host may)";
        if (reference.includes("@")) {
            const after = reference.slice(reference.indexOf("@") + 1);
            if (!new RegExp(`^${digest}$`).test(after)) return "what follows @ is not a digest (sha256: and 64 hexadecimal digits)";
        }
        return "it is not NAME[:TAG][@sha256:DIGEST]";
    }
    const [, , path, , digestPart] = match;
    if (path.length + (match[1]?.length ?? 0) > 255) return "its name is longer than 255 characters";
    if (digestPart?.startsWith("sha256:") && digestPart.length !== "sha256:".length + 64) return "a sha256 digest has exactly 64 hexadecimal digits";
    return undefined;
}
