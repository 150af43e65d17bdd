// Entry of the provider plugin from this repository's sources: run by the Node.js language host
// (PulumiPlugin.yaml, for `pulumi package add`) and by the pulumi-resource-gcr-pull-secrets launcher
// next to it. TypeScript transpiled without type checking (npm run typecheck checks it), through a
// cache that spares loading the compiler (compileCache.js). The engine's address arrives in process.argv[2].
"use strict";
const path = require("path");
const root = path.dirname(__dirname);
// Under the language host, @pulumi/pulumi/cmd/run-plugin has already registered ts-node, with
// options of its own (module nodenext, type checking, the tsconfig of the caller's folder) that do
// not fit these sources; a second registration would only run after it. Drop its hooks, then
// compile with this repository's tsconfig.
for (const extension of [".ts", ".tsx", ".mts", ".cts"]) delete require.extensions[extension];
require("./compileCache").register({ root });
// The component a package user constructs here registers its children through the SDK, as the
// program does: without its per-resource debug Log calls (components/sdkTraceLogs.ts).
require("../components/sdkTraceLogs.ts").dropSdkTraceLogs();
require("./main.ts");
