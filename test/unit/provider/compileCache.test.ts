import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.resolve(__dirname, "../../..");

/** Loads `file` in a fresh Node process through the plugin's compile cache: what it exports, and whether TypeScript was loaded. */
function loadFresh(file: string, cacheDir: string): { value: unknown; typescriptLoaded: boolean; stack: string } {
    const script = `
        require(${JSON.stringify(path.join(root, "provider/compileCache.js"))}).register({ root: ${JSON.stringify(root)}, cacheDir: ${JSON.stringify(cacheDir)} });
        const loaded = require(${JSON.stringify(file)});
        let stack = "";
        try { loaded.fail(); } catch (error) { stack = error.stack; }
        const typescriptLoaded = Object.keys(require.cache).some((f) => f.endsWith(${JSON.stringify(path.join("typescript", "lib", "typescript.js"))}));
        process.stdout.write(JSON.stringify({ value: loaded.value, typescriptLoaded, stack }));`;
    return JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }));
}

describe("the plugin's compile cache (provider/compileCache.js)", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "gcr-pull-secrets-compile-cache-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("compiles a file once; later processes run the cached JavaScript without loading TypeScript; an edit compiles again", () => {
        const file = path.join(dir, "sample.ts");
        const cacheDir = path.join(dir, "cache");
        const write = (value: number) =>
            fs.writeFileSync(
                file,
                `interface Shape { n: number }\nexport const value: Shape = { n: ${value} };\nexport function fail(): never {\n    throw new Error("from line 4");\n}\n`,
            );
        write(1);
        const first = loadFresh(file, cacheDir);
        assert.deepStrictEqual([first.value, first.typescriptLoaded], [{ n: 1 }, true]);
        assert.strictEqual(fs.readdirSync(cacheDir).length, 1);
        const second = loadFresh(file, cacheDir);
        assert.deepStrictEqual([second.value, second.typescriptLoaded], [{ n: 1 }, false]);
        assert.match(second.stack, /sample\.ts:4:\d+/, "stack traces point into the .ts file");
        write(2);
        const edited = loadFresh(file, cacheDir);
        assert.deepStrictEqual([edited.value, edited.typescriptLoaded], [{ n: 2 }, true], "an edited file is never served stale");
    });

    it("still runs, without caching, when the cache folder cannot be written", () => {
        const file = path.join(dir, "sample.ts");
        fs.writeFileSync(file, "export const value: number = 7;\nexport function fail(): void {}\n");
        const blocked = path.join(dir, "not-a-folder");
        fs.writeFileSync(blocked, "");
        assert.deepStrictEqual(loadFresh(file, path.join(blocked, "cache")).value, 7);
    });
});
