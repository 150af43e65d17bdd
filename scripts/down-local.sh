#!/usr/bin/env bash
# Stops the local control plane started by `npm run up:local` and forgets the local stack's state.
set -euo pipefail
cd "$(dirname "$0")/.."
local_dir="$(pwd)/.pulumi-local"
# The same Node as up:local (the pinned LTS when the node on PATH is older; nothing is fetched here).
# shellcheck source=dev/toolchain/env.sh
. dev/toolchain/env.sh --node-only
if [ -f "$local_dir/cluster/cluster.pid" ]; then
  node -r ts-node/register/transpile-only dev/cluster/cli.ts stop --dir "$local_dir/cluster"
fi
rm -rf "$local_dir"
echo "[down:local] stopped; removed .pulumi-local/"
