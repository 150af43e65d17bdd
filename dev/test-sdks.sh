#!/usr/bin/env bash
# `npm run test:sdks`: the Go and Python SDKs generated from provider/schema.json compile. The code
# generators are the pinned Pulumi CLI's own (pkg/codegen, through dev/sdkgen): `pulumi package
# gen-sdk` would ask the pulumi-language-go and -python plugins for the same code, and neither can be
# built here. Go: `go build` and `go vet` of the generated module against github.com/pulumi/pulumi/sdk/v3
# at the CLI's version (from the Go module proxy). Python: byte-compiled only (python3 -m compileall):
# importing it needs the `pulumi` Python SDK, which comes from PyPI, unreachable here, and Debian
# does not package it. TypeScript and YAML are not generated: the npm package is the TypeScript SDK,
# and YAML reads the schema; test/e2e/release.test.ts deploys both.
# Seconds with warm Go caches; the first run compiles pkg/codegen (~2.5 min here).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=toolchain/versions.sh
. "$root/dev/toolchain/versions.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() {
  printf '[test:sdks] FAILED: %s\n' "$*" >&2
  exit 1
}

unformatted="$(gofmt -l "$root/dev/sdkgen")"
[ -z "$unformatted" ] || fail "not gofmt-formatted (run gofmt -w on them): $unformatted"
(cd "$root/dev/sdkgen" && GOFLAGS=-mod=readonly go vet ./... && GOFLAGS=-mod=readonly go build -trimpath -o "$work/sdkgen" .) \
  || fail "dev/sdkgen does not build"

"$work/sdkgen" "$root/provider/schema.json" go "$work/go" || fail "generating the Go SDK"
printf 'module github.com/gcr-pull-secrets/gcr-pull-secrets/sdk/go\n\ngo 1.24\n' >"$work/go/go.mod"
(cd "$work/go" && go mod edit -require="github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION" \
  && GOFLAGS=-mod=mod go build ./... && GOFLAGS=-mod=mod go vet ./...) || fail "the generated Go SDK does not compile (see above)"
echo "[test:sdks] Go SDK (github.com/gcr-pull-secrets/gcr-pull-secrets/sdk/go/gcrpullsecrets): go build and go vet passed"

"$work/sdkgen" "$root/provider/schema.json" python "$work/python" || fail "generating the Python SDK"
python3 -m compileall -q "$work/python" || fail "the generated Python SDK does not byte-compile (see above)"
files="$(find "$work/python" -name '*.py' | wc -l)"
echo "[test:sdks] Python SDK (gcr_pull_secrets): $files files byte-compiled with $(python3 --version); not imported (the pulumi Python SDK is not installable here)"
