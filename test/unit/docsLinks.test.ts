/*
 * The README and the pages behind it link to each other and to files of the repository. Every
 * relative link must reach a file that exists, and every #anchor a heading of the page it names, so a
 * page moved or a heading renamed fails here instead of leaving a reader at a dead link.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

const root = path.resolve(__dirname, "../..");

/**
 * Pages other branches write, linked from the README's docs map before they exist on this branch.
 * Empty this list once those branches are merged (the last test fails until then, as a reminder).
 */
const pagesWrittenOnOtherBranches: string[] = [];

/** The pages checked: the README, the changelog and every page under docs/. */
function pages(): string[] {
    const docs = fs
        .readdirSync(path.join(root, "docs"))
        .filter((name) => name.endsWith(".md"))
        .map((name) => `docs/${name}`);
    return ["README.md", "CHANGELOG.md", ...docs.sort()];
}

/** The text a reader sees as prose: fenced code blocks and inline code spans removed (their brackets are not links). */
function prose(markdown: string): string {
    let inFence = false;
    return markdown
        .split("\n")
        .map((line) => {
            if (/^\s*```/.test(line)) {
                inFence = !inFence;
                return "";
            }
            return inFence ? "" : line.replace(/`[^`\n]*`/g, "");
        })
        .join("\n");
}

/** Every link target: inline `[text](target)` and reference definitions `[label]: target`. */
function linkTargets(markdown: string): string[] {
    const text = prose(markdown);
    const inline = [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]);
    const references = [...text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]);
    return [...inline, ...references];
}

/** GitHub's id for a heading: its text lowercased, punctuation dropped, spaces as hyphens. */
export function headingId(heading: string): string {
    const text = heading
        .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1") // a link shows its text
        .replace(/`/g, "")
        .trim()
        .toLowerCase();
    return text.replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

/** The ids of every heading of a page, a repeated heading numbered as GitHub numbers it (-1, -2, ...). */
function headingIds(markdown: string): Set<string> {
    const ids = new Set<string>();
    const seen = new Map<string, number>();
    let inFence = false;
    for (const line of markdown.split("\n")) {
        if (/^\s*```/.test(line)) inFence = !inFence;
        const heading = inFence ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
        if (!heading) continue;
        const id = headingId(heading[1]);
        const count = seen.get(id) ?? 0;
        seen.set(id, count + 1);
        ids.add(count === 0 ? id : `${id}-${count}`);
    }
    return ids;
}

interface Link {
    page: string;
    target: string;
    /** The file it names, relative to the repository root. */
    file: string;
    anchor: string | undefined;
}

function relativeLinks(): Link[] {
    return pages().flatMap((page) =>
        linkTargets(fs.readFileSync(path.join(root, page), "utf8"))
            .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target)) // https:, mailto:
            .map((target) => {
                const [filePart, anchor] = target.split("#", 2);
                const file = filePart === "" ? page : path.relative(root, path.resolve(root, path.dirname(page), decodeURIComponent(filePart)));
                return { page, target, file, anchor };
            }),
    );
}

describe("links in README.md, CHANGELOG.md and docs/", () => {
    it("GitHub heading ids are computed as GitHub does", () => {
        const cases: [string, string][] = [
            ["Keyless mode (no key anywhere)", "keyless-mode-no-key-anywhere"],
            ["Keyless, a managed key, or a supplied key?", "keyless-a-managed-key-or-a-supplied-key"],
            ["[0.2.0] - 2026-11-26", "020---2026-11-26"],
            ["TypeScript and JavaScript: the npm package `@gcr-pull-secrets/pulumi`", "typescript-and-javascript-the-npm-package-gcr-pull-secretspulumi"],
        ];
        for (const [heading, id] of cases) assert.strictEqual(headingId(heading), id, heading);
    });

    it("every relative link names a file or folder of the repository", () => {
        const links = relativeLinks();
        assert.ok(links.length > 20, `found only ${links.length} relative links: is the link pattern still right?`);
        const dead = links
            .filter((link) => !fs.existsSync(path.join(root, link.file)) && !pagesWrittenOnOtherBranches.includes(link.file))
            .map((link) => `${link.page}: ${link.target} (no ${link.file})`);
        assert.deepStrictEqual(dead, []);
    });

    it("every #anchor names a heading of the page it links to", () => {
        const dead = relativeLinks()
            .filter((link) => link.anchor !== undefined && link.file.endsWith(".md") && fs.existsSync(path.join(root, link.file)))
            .filter((link) => !headingIds(fs.readFileSync(path.join(root, link.file), "utf8")).has(link.anchor!))
            .map((link) => `${link.page}: ${link.target} (no heading #${link.anchor} in ${link.file})`);
        assert.deepStrictEqual(dead, []);
    });

    it("the pages allowed to be missing are still missing here (empty the list once they are merged)", () => {
        const present = pagesWrittenOnOtherBranches.filter((page) => fs.existsSync(path.join(root, page)));
        assert.deepStrictEqual(present, [], "these pages exist now: remove them from pagesWrittenOnOtherBranches");
    });
});
