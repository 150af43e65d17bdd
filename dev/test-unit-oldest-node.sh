#!/usr/bin/env bash
# The unit suite on the oldest supported Node line (NODE_OLDEST_VERSION in
# tools/toolchain/versions.sh; package.json engines): the node on PATH when it is of that major, else
# the one tools/toolchain/steps/node.sh caches. Extra arguments go to mocha.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tools/toolchain/lib.sh
. tools/toolchain/lib.sh
bash tools/toolchain/build.sh node
node_bin="$(tc_oldest_node)" || tc_die "no node $NODE_OLDEST_VERSION: bash tools/toolchain/build.sh node"
echo "[test:unit:oldest-node] node $("$node_bin" --version) at $node_bin"
PATH="$(dirname "$node_bin"):$PATH" exec "$node_bin" node_modules/mocha/bin/mocha.js --config test/unit/.mocharc.json "$@"
