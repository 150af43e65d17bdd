// Entry of the provider plugin when the Node.js language host runs this folder (PulumiPlugin.yaml):
// the same as the pulumi-resource-gcr-pull-secrets launcher, TypeScript through ts-node without type
// checking (npm run typecheck checks it). The host passes the engine's address in process.argv[2].
"use strict";
const path = require("path");
const root = path.dirname(__dirname);
// @pulumi/pulumi/cmd/run-plugin has already registered ts-node, with options of its own (module
// nodenext, type checking, the tsconfig of the caller's folder) that do not fit these sources; a
// second registration would only run after it. Drop its hooks, then compile with this repository's tsconfig.
for (const extension of [".ts", ".tsx", ".mts", ".cts"]) delete require.extensions[extension];
// Options in the call, not TS_NODE_* variables: ts-node, already loaded, read those at its own load.
require(require.resolve("ts-node", { paths: [root] })).register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
require("./main.ts");
