import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const root = path.resolve(__dirname, "../..");

/** What the npm package and the plugin ship, and what a Pulumi program of this repository runs. */
const shipped = ["index.ts", "components", "provider", "policy", "sdk"];
/** The workshop: nothing shipped may need it at run time, or a user's install would break. */
const notShipped = ["dev", "scripts", "test"];
/** Written by builds and installs, not sources. */
const skippedDirs = new Set(["node_modules", "dist", "bin"]);

/** Every .ts and .js file under `entry` (a file or a folder of the repository). */
function sourceFiles(entry: string): string[] {
    const full = path.join(root, entry);
    if (fs.statSync(full).isFile()) return [entry];
    return fs.readdirSync(full, { withFileTypes: true }).flatMap((child) => {
        const relative = path.join(entry, child.name);
        if (child.isDirectory()) return skippedDirs.has(child.name) ? [] : sourceFiles(relative);
        return /\.(ts|js)$/.test(child.name) && !child.name.endsWith(".d.ts") ? [relative] : [];
    });
}

/**
 * The repository folders (of `notShipped`) that `text`, the content of the repository file `file`,
 * imports from: imports, re-exports, `require()` and `import()`, as TypeScript reads them.
 */
function workshopImports(file: string, text: string): string[] {
    return ts
        .preProcessFile(text, true, true)
        .importedFiles.map((imported) => imported.fileName)
        .filter((specifier) => specifier.startsWith("."))
        .map((specifier) => path.relative(root, path.resolve(root, path.dirname(file), specifier)))
        .filter((target) => notShipped.some((folder) => target === folder || target.startsWith(folder + path.sep)));
}

describe("the layout: the product apart from the workshop", () => {
    it("finds an import of the workshop in every form a source file can write it", () => {
        const text = [
            'import { makeThrowawayKey } from "../../dev/keys/throwawayKey";',
            'export * from "../../test/e2e/harness";',
            'const config = require("../../scripts/stackFileConfig");',
            'const later = import("../../dev/cluster/controlPlane");',
            'import { Plan } from "./plan";',
            'import * as pulumi from "@pulumi/pulumi";',
        ].join("\n");
        assert.deepStrictEqual(workshopImports("components/specs/example.ts", text), [
            "dev/keys/throwawayKey",
            "test/e2e/harness",
            "scripts/stackFileConfig",
            "dev/cluster/controlPlane",
        ]);
    });

    it("ships no file that imports dev/, scripts/ or test/", () => {
        const files = shipped.flatMap(sourceFiles);
        assert.ok(files.length > 50, `only ${files.length} shipped source files found: is the list of shipped folders current?`);
        const offenders = files.flatMap((file) =>
            workshopImports(file, fs.readFileSync(path.join(root, file), "utf8")).map((target) => `${file} imports ${target}`),
        );
        assert.deepStrictEqual(offenders, []);
    });
});
