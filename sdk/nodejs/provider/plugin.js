// Entry of the provider plugin when the Node.js language host runs this folder (PulumiPlugin.yaml):
// the built plugin of this package. The host passes the engine's address in process.argv[2].
"use strict";
require("../dist/provider/main.js");
