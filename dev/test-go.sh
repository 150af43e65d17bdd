#!/usr/bin/env bash
# The Go code of the toolchain: the module dev/toolchain/langhost-shim (gofmt must list no file,
# then go vet and go test) and the file added to pulumi-yaml (dev/toolchain/pulumi-yaml, gofmt;
# steps/pulumi-yaml.sh compiles it). Needs Go only (its modules come from the Go module proxy, as for the toolchain).
set -euo pipefail
cd "$(dirname "$0")/toolchain"
unformatted="$(gofmt -l langhost-shim pulumi-yaml)"
if [ -n "$unformatted" ]; then
  printf '[test:go] not gofmt-formatted (run gofmt -w on them):\n%s\n' "$unformatted" >&2
  exit 1
fi
cd langhost-shim
GOFLAGS=-mod=readonly go vet ./...
GOFLAGS=-mod=readonly go test -count=1 ./...
