#!/usr/bin/env bash
# Builds kube-apiserver and kube-controller-manager from the pinned k8s.io/kubernetes Go module into
#   <cache>/kubernetes-$KUBERNETES_VERSION/bin/{kube-apiserver,kube-controller-manager}
# Skips when both are already on PATH (a user's own install) or already cached.
# Cold cost measured on 2 cores (sharing them with the Pulumi build): 16 s download, 448 s compile
# (7 min 44 s total, 1.9 GB peak RSS); binaries 187 MB stripped;
# the k8s.io modules take 245 MB of the Go module cache.
set -euo pipefail

STEP=kubernetes
TOOLCHAIN_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../lib.sh
source "$TOOLCHAIN_DIR/lib.sh"

die() { tc_die "steps/$STEP.sh: $*"; }

[ -n "${KUBERNETES_VERSION:-}" ] || die "KUBERNETES_VERSION is not set in dev/toolchain/versions.sh"
command -v go >/dev/null || die "go is not on PATH (Go >= 1.24 needed to build k8s.io/kubernetes)"

version="v$KUBERNETES_VERSION"
IFS=. read -r major minor patch <<<"$KUBERNETES_VERSION"
binaries=(kube-apiserver kube-controller-manager)
cache_dir="$(tc_cache_dir kubernetes "$KUBERNETES_VERSION")"

if tc_on_path kube-apiserver && tc_on_path kube-controller-manager; then
  tc_log "kubernetes: using kube-apiserver and kube-controller-manager from PATH ($(command -v kube-apiserver)); not building $version"
  exit 0
fi
if tc_have_cached "$cache_dir" "${binaries[@]}"; then
  tc_log "kubernetes $version: cached in $cache_dir/bin"
  exit 0
fi

work_dir="$(tc_tmp_dir kubernetes)"
trap 'rm -rf "$work_dir"' EXIT

start="$(date +%s)"
tc_log "kubernetes $version: downloading k8s.io/kubernetes@$version (~20 s cold)..."
# -json gives the module's go.mod path and the release commit (Origin.Hash) for the version ldflags.
mod_json="$(cd "$work_dir" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$version")" \
  || die "go mod download k8s.io/kubernetes@$version failed (is the Go module proxy reachable?)"
mod_fields="$(node -e '
  const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
  if (m.Error) { console.error(m.Error); process.exit(1); }
  console.log(m.GoMod, (m.Origin && m.Origin.Hash) || "");' <<<"$mod_json")" \
  || die "cannot read go mod download output for k8s.io/kubernetes@$version"
read -r upstream_gomod git_commit <<<"$mod_fields"

# k8s.io/kubernetes requires its staging repos (k8s.io/api, client-go, ...) at v0.0.0 and replaces
# them with ./staging paths, which a dependency's go.mod cannot do for us. Each staging repo is
# published as k8s.io/<x> v0.<minor>.<patch>.
mapfile -t staging_modules < <(awk '$1~/^k8s.io\// && $2=="v0.0.0" {print $1}' "$upstream_gomod" | sort -u)
[ "${#staging_modules[@]}" -gt 0 ] || die "no k8s.io/* v0.0.0 requirements found in $upstream_gomod"
upstream_go="$(awk '$1=="go" {print $2; exit}' "$upstream_gomod")"
upstream_godebug="$(awk '$1=="godebug" {print $2; exit}' "$upstream_gomod")"

tc_wrapper_module "$work_dir" gcr-pull-secrets.local/toolchain/kubernetes "$upstream_go"
# Same GODEBUG defaults as an upstream build (the main module decides them).
[ -z "$upstream_godebug" ] || go mod edit -C "$work_dir" -godebug="$upstream_godebug"
go mod edit -C "$work_dir" -require="k8s.io/kubernetes@$version"
staging_version="v0.$minor.$patch"
for module in "${staging_modules[@]}"; do
  go mod edit -C "$work_dir" -replace="$module@v0.0.0=$module@$staging_version"
done
tc_copy_replaces "$upstream_gomod" "$work_dir"

packages=(k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager)
(cd "$work_dir" && GOFLAGS=-mod=mod go get "${packages[@]/%/@$version}") >"$work_dir/go-get.log" 2>&1 \
  || { tail -n 30 "$work_dir/go-get.log" >&2; die "resolving dependencies of k8s.io/kubernetes@$version failed (${#staging_modules[@]} staging repos replaced with $staging_version)"; }
tc_log "kubernetes $version: sources ready after $(tc_elapsed_since "$start")s"

# Same version stamping as hack/lib/version.sh, so /version reports a real release (the Pulumi
# Kubernetes provider's awaiters branch on it).
build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
  [ -z "$git_commit" ] || ldflags+=" -X $pkg.gitCommit=$git_commit"
done

tc_log "kubernetes $version: building kube-apiserver and kube-controller-manager (~8 min cold on 2 cores, ~2 GB RAM)..."
build_start="$(date +%s)"
mkdir -p "$work_dir/bin"
# One `go build` for both commands so the shared packages compile once.
(cd "$work_dir" && CGO_ENABLED=0 go build -mod=mod -tags selinux,notest -trimpath -ldflags "$ldflags" \
  -o "$work_dir/bin/" "${packages[@]}") \
  || die "go build of kube-apiserver/kube-controller-manager $version failed (see the compiler output above)"
tc_log "kubernetes $version: compiled in $(tc_elapsed_since "$build_start")s"

"$work_dir/bin/kube-apiserver" --version | grep -qx "Kubernetes $version" \
  || die "built kube-apiserver reports '$("$work_dir/bin/kube-apiserver" --version)', expected 'Kubernetes $version'"

# Install atomically: a half-finished build never looks cached.
mkdir -p "$(dirname "$cache_dir")"
staging_dir="$(mktemp -d "$cache_dir.partial.XXXXXX")"
chmod 755 "$staging_dir"
mv "$work_dir/bin" "$staging_dir/bin"
rm -rf "$cache_dir"
mv "$staging_dir" "$cache_dir"
tc_log "kubernetes $version: installed $(du -sh "$cache_dir/bin" | cut -f1) in $cache_dir/bin (total $(tc_elapsed_since "$start")s)"
