// How the provider plugin and the program (program.js) run this repository's TypeScript: each file is transpiled (no type
// checking; `npm run typecheck` does that) once, and its JavaScript kept on disk under a digest of
// everything that decides it (the file's path and text, the tsconfig, the TypeScript version). A
// plugin whose sources have not changed since the last run never loads the TypeScript compiler: 40-80
// MiB less per plugin process, and a stack starts two or three of them (docs/performance.md). An
// edited file simply has a new digest, so nothing is ever stale and there is no build step to forget.
// Plain JavaScript, since it runs before anything can compile TypeScript.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

/**
 * Makes `require` of a `.ts` file under `root` compile it through the cache.
 * @param {{ root: string, cacheDir?: string }} options `root`: the folder with tsconfig.json and
 *   node_modules; `cacheDir`: where the JavaScript goes (default `<root>/node_modules/.cache/gcr-pull-secrets-ts`,
 *   shared by the program and the plugin, which compile the same files).
 */
function register(options) {
    const root = options.root;
    const cacheDir = options.cacheDir ?? path.join(root, "node_modules", ".cache", "gcr-pull-secrets-ts");
    const tsconfigPath = path.join(root, "tsconfig.json");
    const tsconfigText = fs.readFileSync(tsconfigPath, "utf8");
    const typescriptDir = path.dirname(require.resolve("typescript/package.json", { paths: [root] }));
    const typescriptVersion = JSON.parse(fs.readFileSync(path.join(typescriptDir, "package.json"), "utf8")).version;
    let compile; // made on the first miss: loading TypeScript is what the cache saves
    const compiler = () => (compile ??= makeCompiler(require(typescriptDir), tsconfigPath, tsconfigText));
    // Stack traces of the plugin's errors point into the .ts files, as they did under ts-node.
    process.setSourceMapsEnabled(true);
    require.extensions[".ts"] = (module, filename) => {
        const source = fs.readFileSync(filename, "utf8");
        const digest = crypto
            .createHash("sha256")
            .update(JSON.stringify([typescriptVersion, tsconfigText, filename, source]))
            .digest("hex");
        const cached = path.join(cacheDir, `${digest}.js`);
        let javascript = readIfThere(cached);
        if (javascript === undefined) {
            javascript = compiler()(source, filename);
            writeQuietly(cacheDir, cached, javascript);
        }
        module._compile(javascript, filename);
    };
}

function makeCompiler(ts, tsconfigPath, tsconfigText) {
    const parsed = ts.parseJsonConfigFileContent(ts.parseConfigFileTextToJson(tsconfigPath, tsconfigText).config, ts.sys, path.dirname(tsconfigPath));
    const compilerOptions = { ...parsed.options, sourceMap: false, inlineSourceMap: true, inlineSources: false, declaration: false, noEmit: false };
    return (source, fileName) => ts.transpileModule(source, { compilerOptions, fileName }).outputText;
}

function readIfThere(file) {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return undefined;
    }
}

/** Writes atomically (another plugin process may read it at once); a folder that cannot be written only means no cache. */
function writeQuietly(dir, file, text) {
    const partial = `${file}.${process.pid}.partial`;
    try {
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(partial, text);
        fs.renameSync(partial, file);
    } catch {
        try {
            fs.rmSync(partial, { force: true });
        } catch {
            // Nothing to clean up, or nothing we may.
        }
    }
}

module.exports = { register };
