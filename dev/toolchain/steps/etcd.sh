#!/usr/bin/env bash
# Builds etcd from the pinned go.etcd.io/etcd/server/v3 Go module into
#   <cache>/etcd-$ETCD_VERSION/bin/etcd
# Skips when etcd is already on PATH (a user's own install) or already cached. Debian's etcd 3.4 is
# older than what kube-apiserver v1.34 is tested with (3.6), so put a newer one on PATH or let this build.
# Cold cost measured on 2 cores while kube-apiserver compiled: 92 s (26 MB binary).
set -euo pipefail

STEP=etcd
TOOLCHAIN_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../lib.sh
source "$TOOLCHAIN_DIR/lib.sh"

die() { tc_die "steps/$STEP.sh: $*"; }

[ -n "${ETCD_VERSION:-}" ] || die "ETCD_VERSION is not set in dev/toolchain/versions.sh"
command -v go >/dev/null || die "go is not on PATH"

version="v$ETCD_VERSION"
cache_dir="$(tc_cache_dir etcd "$ETCD_VERSION")"

if tc_on_path etcd; then
  tc_log "etcd: using $(command -v etcd) from PATH ($(etcd --version 2>/dev/null | head -n 1)); not building $version"
  exit 0
fi
if tc_have_cached "$cache_dir" etcd; then
  tc_log "etcd $version: cached in $cache_dir/bin"
  exit 0
fi

work_dir="$(tc_tmp_dir etcd)"
trap 'rm -rf "$work_dir"' EXIT

start="$(date +%s)"
tc_log "etcd $version: building go.etcd.io/etcd/server/v3 (~1.5 min cold on 2 cores)..."
# server/v3 is package main at its module root. Its go.mod replaces its siblings (api, client/pkg,
# client/v3, pkg) with ../ paths, which are ignored for a dependency; the siblings are tagged at the
# same version, so a plain require resolves them.
upstream_gomod="$(cd "$work_dir" && GOFLAGS=-mod=mod go mod download -json "go.etcd.io/etcd/server/v3@$version" | node -e '
  const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
  if (m.Error) { console.error(m.Error); process.exit(1); }
  console.log(m.GoMod);')" \
  || die "go mod download go.etcd.io/etcd/server/v3@$version failed (is the Go module proxy reachable?)"
tc_wrapper_module "$work_dir" gcr-pull-secrets.local/toolchain/etcd "$(awk '$1=="go" {print $2; exit}' "$upstream_gomod")"
go mod edit -C "$work_dir" -require="go.etcd.io/etcd/server/v3@$version"
tc_copy_replaces "$upstream_gomod" "$work_dir"
(cd "$work_dir" && GOFLAGS=-mod=mod go get "go.etcd.io/etcd/server/v3@$version") >"$work_dir/go-get.log" 2>&1 \
  || { tail -n 30 "$work_dir/go-get.log" >&2; die "resolving dependencies of go.etcd.io/etcd/server/v3@$version failed"; }

mkdir -p "$work_dir/bin"
(cd "$work_dir" && CGO_ENABLED=0 go build -mod=mod -trimpath -ldflags "-s -w" \
  -o "$work_dir/bin/etcd" go.etcd.io/etcd/server/v3) \
  || die "go build of etcd $version failed (see the compiler output above)"

"$work_dir/bin/etcd" --version | grep -q "^etcd Version: $ETCD_VERSION\$" \
  || die "built etcd reports '$("$work_dir/bin/etcd" --version | head -n 1)', expected 'etcd Version: $ETCD_VERSION'"

# Install atomically: a half-finished build never looks cached.
mkdir -p "$(dirname "$cache_dir")"
staging_dir="$(mktemp -d "$cache_dir.partial.XXXXXX")"
chmod 755 "$staging_dir"
mv "$work_dir/bin" "$staging_dir/bin"
rm -rf "$cache_dir"
mv "$staging_dir" "$cache_dir"
tc_log "etcd $version: installed $(du -sh "$cache_dir/bin" | cut -f1) in $cache_dir/bin in $(tc_elapsed_since "$start")s"
