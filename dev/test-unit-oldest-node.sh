#!/usr/bin/env bash
# The unit suite on the oldest supported Node line (NODE_OLDEST_VERSION in
# dev/toolchain/versions.sh; package.json engines): the node on PATH when it is of that major, else
# the one dev/toolchain/steps/node.sh caches. Extra arguments go to mocha.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=dev/toolchain/lib.sh
. dev/toolchain/lib.sh
bash dev/toolchain/build.sh node
node_bin="$(tc_oldest_node)" || tc_die "no node $NODE_OLDEST_VERSION: bash dev/toolchain/build.sh node"
echo "[test:unit:oldest-node] node $("$node_bin" --version) at $node_bin"
PATH="$(dirname "$node_bin"):$PATH" exec "$node_bin" node_modules/mocha/bin/mocha.js --config test/unit/.mocharc.json "$@"
