#!/usr/bin/env bash
# Builds kube-apiserver and kube-controller-manager from the pinned k8s.io/kubernetes Go module into
#   <cache>/kubernetes-$KUBERNETES_VERSION/bin/{kube-apiserver,kube-controller-manager}
# Skips when both are already on PATH (a user's own install) or already cached.
# Cold cost measured on 2 cores (sharing them with the Pulumi build): 16 s download, 448 s compile
# (7 min 44 s total, 1.9 GB peak RSS); binaries 187 MB stripped;
# the k8s.io modules take 245 MB of the Go module cache.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

tc_require_pins "step 'kubernetes'" KUBERNETES_VERSION
version="v$KUBERNETES_VERSION"
label="kubernetes $version"
IFS=. read -r major minor patch <<<"$KUBERNETES_VERSION"
tc_step_begin "$label" kubernetes "$KUBERNETES_VERSION" kube-apiserver kube-controller-manager
command -v go >/dev/null || tc_die "$label: go is not on PATH (Go >= 1.24 needed to build k8s.io/kubernetes)"
work_dir="$TC_WORK_DIR"

start="$(date +%s)"
tc_log "$label: downloading k8s.io/kubernetes@$version (~20 s cold)..."
# -json gives the module's go.mod path and the release commit (Origin.Hash) for the version ldflags.
mod_json="$(cd "$work_dir" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$version")" \
  || tc_die "$label: go mod download k8s.io/kubernetes@$version failed (is the Go module proxy reachable?)"
mod_fields="$(node -e '
  const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
  if (m.Error) { console.error(m.Error); process.exit(1); }
  console.log(m.GoMod, (m.Origin && m.Origin.Hash) || "");' <<<"$mod_json")" \
  || tc_die "$label: cannot read go mod download output for k8s.io/kubernetes@$version"
read -r upstream_gomod git_commit <<<"$mod_fields"

# k8s.io/kubernetes requires its staging repos (k8s.io/api, client-go, ...) at v0.0.0 and replaces
# them with ./staging paths, which a dependency's go.mod cannot do for us. Each staging repo is
# published as k8s.io/<x> v0.<minor>.<patch>.
mapfile -t staging_modules < <(awk '$1~/^k8s.io\// && $2=="v0.0.0" {print $1}' "$upstream_gomod" | sort -u)
[ "${#staging_modules[@]}" -gt 0 ] || tc_die "$label: no k8s.io/* v0.0.0 requirements found in $upstream_gomod"
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
  || { tail -n 30 "$work_dir/go-get.log" >&2; tc_die "$label: resolving dependencies of k8s.io/kubernetes@$version failed (${#staging_modules[@]} staging repos replaced with $staging_version)"; }
tc_log "$label: sources ready after $(tc_elapsed_since "$start")s"

# Same version stamping as hack/lib/version.sh, so /version reports a real release (the Pulumi
# Kubernetes provider's awaiters branch on it).
build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
  [ -z "$git_commit" ] || ldflags+=" -X $pkg.gitCommit=$git_commit"
done

tc_log "$label: building kube-apiserver and kube-controller-manager (~8 min cold on 2 cores, ~2 GB RAM)..."
build_start="$(date +%s)"
# One `go build` for both commands so the shared packages compile once.
(cd "$work_dir" && CGO_ENABLED=0 go build -mod=mod -tags selinux,notest -trimpath -ldflags "$ldflags" \
  -o "$work_dir/bin/" "${packages[@]}") \
  || tc_die "$label: go build of kube-apiserver/kube-controller-manager $version failed (see the compiler output above)"
tc_log "$label: compiled in $(tc_elapsed_since "$build_start")s"

"$work_dir/bin/kube-apiserver" --version | grep -qx "Kubernetes $version" \
  || tc_die "$label: built kube-apiserver reports '$("$work_dir/bin/kube-apiserver" --version)', expected 'Kubernetes $version'"

tc_step_install
tc_log "$label: installed $(du -sh "$TC_STEP_DIR/bin" | cut -f1) in $TC_STEP_DIR/bin (total $(tc_elapsed_since "$start")s)"
