#!/usr/bin/env bash
# Builds every file of a GitHub release of this repository into OUT_DIR; the release workflow
# (.github/workflows/release.yml) and the e2e test (test/e2e/release.test.ts) both run this.
#   bash scripts/release/buildArtifacts.sh OUT_DIR
# OUT_DIR then holds, for the version in package.json (the one place a version is written):
#   gcr-pull-secrets-pulumi-<version>.tgz       the npm package @gcr-pull-secrets/pulumi (npm publish takes it)
#   pulumi-resource-gcr-pull-secrets-v<version>-<os>-<arch>.tar.gz   the provider plugin, named as
#       `pulumi plugin install` asks the schema's pluginDownloadURL for it, for linux and darwin on
#       amd64 and arm64: the launcher at the top, node_modules beside it (no native code, so the
#       archives are one archive under four names)
#   schema.json        the package schema (for `pulumi package gen-sdk` / `package add ./schema.json`)
#   release-notes.md   the CHANGELOG.md section of the version (the GitHub release's text)
#   SHA256SUMS
# Fails, naming the fix, when the schema is stale or CHANGELOG.md has no section for the version.
# Needs Node and npm; the plugin's dependencies come from the npm registry (or npm's cache).
set -euo pipefail
[ $# -eq 1 ] || {
  echo "usage: $0 OUT_DIR" >&2
  exit 2
}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
mkdir -p "$1"
out="$(cd "$1" && pwd)"
version="$(node -p 'require(process.argv[1]).version' "$root/package.json")"
platforms=(linux-amd64 linux-arm64 darwin-amd64 darwin-arm64)

notes="$(awk -v v="$version" '
  index($0, "## [" v "]") == 1 { on = 1; next }
  on && /^## \[/ { exit }
  on { print }
' "$root/CHANGELOG.md")"
if [ -z "$(printf '%s' "$notes" | tr -d '[:space:]')" ]; then
  echo "CHANGELOG.md has no section '## [$version] - <date>' (or it is empty): move the Unreleased entries under it before tagging v$version" >&2
  exit 1
fi
printf '%s\n' "$notes" >"$out/release-notes.md"

# The npm package (sdk/nodejs/build.sh checks that the schema carries this version).
bash "$root/sdk/nodejs/build.sh" --pack "$out"
package_tarball="$out/gcr-pull-secrets-pulumi-$version.tgz"
[ -f "$package_tarball" ] || {
  echo "npm pack wrote no $package_tarball" >&2
  exit 1
}
cp "$root/provider/schema.json" "$out/schema.json"

# The plugin: the npm package and its dependencies installed into a folder, with the Pulumi SDKs it
# builds the component with (the package's peers) at the versions the repository tests.
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
bundle="$stage/plugin"
mkdir -p "$bundle"
# shellcheck disable=SC2016 # JavaScript template literals, not shell expansions
node -e '
  const fs = require("fs");
  const [bundleDir, rootManifest, tarball, version] = process.argv.slice(1);
  const pins = JSON.parse(fs.readFileSync(rootManifest, "utf8")).dependencies;
  const peers = Object.fromEntries(["@pulumi/pulumi", "@pulumi/kubernetes", "@pulumi/gcp"].map((name) => [name, pins[name]]));
  const manifest = (packageSource) => ({
    name: "pulumi-resource-gcr-pull-secrets",
    version,
    private: true,
    description: "The gcr-pull-secrets provider plugin: run pulumi-resource-gcr-pull-secrets (needs Node.js on PATH).",
    dependencies: { "@gcr-pull-secrets/pulumi": packageSource, ...peers },
  });
  fs.writeFileSync(`${bundleDir}/package.json`, JSON.stringify(manifest(`file:${tarball}`), null, 2) + "\n");
  // What the archive keeps: the released version instead of the path on this machine.
  fs.writeFileSync(`${bundleDir}/package.json.released`, JSON.stringify(manifest(version), null, 2) + "\n");
' "$bundle" "$root/package.json" "$package_tarball" "$version"
(cd "$bundle" && npm install --omit=dev --prefer-offline --no-audit --no-fund --loglevel=error)
mv "$bundle/package.json.released" "$bundle/package.json"
# Both lock files record the tarball's path on this machine; the versions are in node_modules.
rm -f "$bundle/package-lock.json" "$bundle/node_modules/.package-lock.json"
native="$(find "$bundle/node_modules" -name '*.node' -type f | head -n 1)"
if [ -n "$native" ]; then
  echo "native code in the plugin's dependencies ($native): one archive can no longer serve every os/arch" >&2
  exit 1
fi
cp "$here/pulumi-resource-gcr-pull-secrets" "$bundle/"
chmod 0755 "$bundle/pulumi-resource-gcr-pull-secrets"

# Same bytes for the same inputs: sorted entries, fixed owner and time (the commit's), gzip without a name.
mtime="${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)}"
archive="$stage/plugin.tar.gz"
tar -C "$bundle" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" -cf - . | gzip -n -6 >"$archive"
for platform in "${platforms[@]}"; do
  cp "$archive" "$out/pulumi-resource-gcr-pull-secrets-v$version-$platform.tar.gz"
done

(cd "$out" && sha256sum -- *.tgz *.tar.gz schema.json >SHA256SUMS)
echo "release v$version artifacts in $out:"
ls -l "$out"
