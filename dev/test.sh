#!/usr/bin/env bash
# `npm test`, which CI runs (.ci/run): every check, in this order, on the pinned Node LTS
# (dev/toolchain/steps/node.sh fetches it when the node on PATH is older):
#   lint, typecheck, test:go (the language-host shim), test:sdks (the Go and Python SDKs compile),
#   test:unit, test:unit:oldest-node, test:e2e.
# Stops at the first failure and says which.
set -euo pipefail
cd "$(dirname "$0")/.."
bash dev/toolchain/build.sh node
# shellcheck source=dev/toolchain/env.sh
. dev/toolchain/env.sh --node-only
echo "[test] node $(node --version) at $(command -v node), npm $(npm --version)"
for script in lint typecheck test:go test:sdks test:unit test:unit:oldest-node test:e2e; do
  started="$(date +%s)"
  npm run "$script" || { echo "[test] FAILED: npm run $script (exit $?)" >&2; exit 1; }
  echo "[test] npm run $script: passed in $(( $(date +%s) - started ))s"
done
