// The entry `pulumi up` runs (Pulumi.yaml `main`): index.ts, transpiled through the same cache as
// the provider plugin (provider/compileCache.js) instead of ts-node, so a run whose sources did not
// change never loads the TypeScript compiler. Types are checked by `npm run typecheck` (and CI), not
// at every `pulumi up`. What index.ts exports are the stack's outputs.
"use strict";
require("./provider/compileCache").register({ root: __dirname });
// Without the SDK's three debug Log calls per resource to the engine (components/sdkTraceLogs.ts).
require("./components/sdkTraceLogs.ts").dropSdkTraceLogs();
module.exports = require("./index.ts");
