#!/usr/bin/env bash
# Builds the npm package @gcr-pull-secrets/pulumi into sdk/nodejs/dist (JS and type declarations of
# components/ and provider/), and with `--pack DIR` also writes its tarball (npm pack) into DIR.
#   bash sdk/nodejs/build.sh                 # or: npm run build:package
#   bash sdk/nodejs/build.sh --pack /tmp/out
# The version is the repository's (package.json), the one source of the plugin's and the schema's
# version too: the tarball's package.json gets it, with the `pulumi` block through which a program's
# language host asks the engine for the provider plugin of that version from the schema's
# pluginDownloadURL (the GitHub release), so no program names a plugin path.
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
  out="$(cd "$2" && pwd)"
  stage="$(mktemp -d)"
  trap 'rm -rf "$stage"' EXIT
  cp -R "$here/package.json" "$here/dist" "$here/provider" "$stage/"
  # shellcheck disable=SC2016 # JavaScript template literals, not shell expansions
  node -e '
    const fs = require("fs");
    const [manifestFile, rootManifest, schemaFile] = process.argv.slice(1);
    const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
    const { version } = JSON.parse(fs.readFileSync(rootManifest, "utf8"));
    const schema = JSON.parse(fs.readFileSync(schemaFile, "utf8"));
    if (schema.version !== version) throw new Error(`provider/schema.json says ${schema.version}, package.json ${version}: run npm run generate:schema`);
    const stamped = { name: manifest.name, version, ...manifest, pulumi: { resource: true, name: schema.name, version, server: schema.pluginDownloadURL } };
    fs.writeFileSync(manifestFile, JSON.stringify(stamped, null, 2) + "\n");
  ' "$stage/package.json" "$root/package.json" "$root/provider/schema.json"
  (cd "$stage" && npm pack --silent --pack-destination "$out")
fi
