#!/usr/bin/env bash
# The Go module of the toolchain (tools/toolchain/langhost-shim): gofmt must list no file, then
# go vet and go test. Needs Go only (its modules come from the Go module proxy, as for the toolchain).
set -euo pipefail
cd "$(dirname "$0")/toolchain/langhost-shim"
unformatted="$(gofmt -l .)"
if [ -n "$unformatted" ]; then
  printf '[test:go] not gofmt-formatted (run gofmt -w tools/toolchain/langhost-shim):\n%s\n' "$unformatted" >&2
  exit 1
fi
GOFLAGS=-mod=readonly go vet ./...
GOFLAGS=-mod=readonly go test -count=1 ./...
