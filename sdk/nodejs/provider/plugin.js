// Entry of the provider plugin as built into this package: run by the Node.js language host
// (PulumiPlugin.yaml, for `pulumi package add`) and by the launcher next to it. The engine's address
// arrives in process.argv[2].
"use strict";
require("../dist/provider/main.js");
