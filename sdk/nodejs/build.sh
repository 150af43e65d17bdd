#!/usr/bin/env bash
# Builds the npm package @gcr-pull-secrets/pulumi into sdk/nodejs/dist (JS and type declarations of
# components/ and provider/), and with `--pack DIR` also writes its tarball (npm pack) into DIR.
#   bash sdk/nodejs/build.sh                 # or: npm run build:package
#   bash sdk/nodejs/build.sh --pack /tmp/out
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rm -rf "$here/dist"
"$root/node_modules/.bin/tsc" -p "$here/tsconfig.json"
# The refresher script is read by specs/refresherSpecs.ts (from ../refreshPullSecrets.js), and put into a ConfigMap as is.
cp "$root/components/refreshPullSecrets.js" "$here/dist/components/"
# The package schema the plugin serves (GetSchema), read next to main.js.
cp "$root/provider/schema.json" "$here/dist/provider/"
if [ "${1:-}" = "--pack" ]; then
  mkdir -p "$2"
  (cd "$here" && npm pack --silent --pack-destination "$2")
fi
