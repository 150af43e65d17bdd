#!/usr/bin/env bash
# The end-to-end suite: builds (or finds) the pinned toolchain, then runs test/e2e with mocha. The
# suite starts its own control plane (dev/cluster) and stops it afterwards.
# Extra arguments go to mocha, e.g. `npm run test:e2e -- --grep adoption`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash dev/toolchain/build.sh node pulumi pulumi-yaml pulumi-kubernetes etcd kubernetes
# shellcheck source=dev/toolchain/env.sh
. dev/toolchain/env.sh
echo "[e2e] pulumi $(pulumi version) at $(command -v pulumi)"
exec npx mocha --config test/e2e/.mocharc.json "$@"
