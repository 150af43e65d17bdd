#!/usr/bin/env bash
# Builds etcd from the pinned go.etcd.io/etcd/server/v3 Go module into
#   <cache>/etcd-$ETCD_VERSION/bin/etcd
# Skips when etcd is already on PATH (a user's own install) or already cached. Debian's etcd 3.4 is
# older than what kube-apiserver v1.34 is tested with (3.6), so put a newer one on PATH or let this build.
# Cold cost measured on 2 cores while kube-apiserver compiled: 92 s (26 MB binary).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

tc_require_pins "step 'etcd'" ETCD_VERSION
version="v$ETCD_VERSION"
label="etcd $version"
tc_step_begin "$label" etcd "$ETCD_VERSION" etcd
command -v go >/dev/null || tc_die "$label: go is not on PATH"
work_dir="$TC_WORK_DIR"

start="$(date +%s)"
tc_log "$label: building go.etcd.io/etcd/server/v3 (~1.5 min cold on 2 cores)..."
# server/v3 is package main at its module root. Its go.mod replaces its siblings (api, client/pkg,
# client/v3, pkg) with ../ paths, which are ignored for a dependency; the siblings are tagged at the
# same version, so a plain require resolves them.
upstream_gomod="$(cd "$work_dir" && GOFLAGS=-mod=mod go mod download -json "go.etcd.io/etcd/server/v3@$version" | node -e '
  const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
  if (m.Error) { console.error(m.Error); process.exit(1); }
  console.log(m.GoMod);')" \
  || tc_die "$label: go mod download go.etcd.io/etcd/server/v3@$version failed (is the Go module proxy reachable?)"
tc_wrapper_module "$work_dir" gcr-pull-secrets.local/toolchain/etcd "$(awk '$1=="go" {print $2; exit}' "$upstream_gomod")"
go mod edit -C "$work_dir" -require="go.etcd.io/etcd/server/v3@$version"
tc_copy_replaces "$upstream_gomod" "$work_dir"
(cd "$work_dir" && GOFLAGS=-mod=mod go get "go.etcd.io/etcd/server/v3@$version") >"$work_dir/go-get.log" 2>&1 \
  || { tail -n 30 "$work_dir/go-get.log" >&2; tc_die "$label: resolving dependencies of go.etcd.io/etcd/server/v3@$version failed"; }

(cd "$work_dir" && CGO_ENABLED=0 go build -mod=mod -trimpath -ldflags "-s -w" \
  -o "$work_dir/bin/etcd" go.etcd.io/etcd/server/v3) \
  || tc_die "$label: go build of etcd $version failed (see the compiler output above)"

"$work_dir/bin/etcd" --version | grep -q "^etcd Version: $ETCD_VERSION\$" \
  || tc_die "$label: built etcd reports '$("$work_dir/bin/etcd" --version | head -n 1)', expected 'etcd Version: $ETCD_VERSION'"

tc_step_install
tc_log "$label: installed $(du -sh "$TC_STEP_DIR/bin" | cut -f1) in $TC_STEP_DIR/bin in $(tc_elapsed_since "$start")s"
