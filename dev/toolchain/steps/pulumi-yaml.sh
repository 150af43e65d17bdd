#!/usr/bin/env bash
# Pulumi YAML language host (pulumi-language-yaml), built from the github.com/pulumi/pulumi-yaml
# module into <cache>/pulumi-yaml-$PULUMI_YAML_VERSION/bin. Only the YAML consumer test needs it;
# skipped when the user has one on PATH or our cache holds it.
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

yaml_dir="$(tc_cache_dir pulumi-yaml "$PULUMI_YAML_VERSION")"
yaml_bin="$yaml_dir/bin"
label="pulumi-yaml $PULUMI_YAML_VERSION"

if tc_on_path pulumi-language-yaml; then
  tc_log "$label: using $(command -v pulumi-language-yaml) from PATH"
  exit 0
fi
# Stamped with a digest of the file we add, so that a changed one is rebuilt.
stamp="$yaml_bin/.link-overlay.sha256"
overlay_digest() { sha256sum "$TC_ROOT/pulumi-yaml/link.go" | cut -d' ' -f1; }
if tc_have_cached "$yaml_dir" pulumi-language-yaml && [ "$(cat "$stamp" 2>/dev/null)" = "$(overlay_digest)" ]; then
  tc_log "$label: cached in $yaml_bin"
  exit 0
fi

work_dir="$(tc_tmp_dir pulumi-yaml)"
trap 'rm -rf "$work_dir"' EXIT
export CGO_ENABLED=0
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod"
go_version="$(go env GOVERSION | sed 's/^go//')"

build_yaml_language_host() {
  local module_dir="$work_dir/yaml" yaml_src
  mkdir -p "$module_dir" "$yaml_bin"
  yaml_src="$(tc_mod_dir "github.com/pulumi/pulumi-yaml@v$PULUMI_YAML_VERSION")" || return 1
  tc_wrapper_module "$module_dir" example.invalid/gcr-pull-secrets/pulumi-language-yaml "$go_version"
  # Built against the pulumi pkg/sdk its go.mod asks for: lifting them to the CLI's release does not
  # compile (pkg's plugin API changed). The host talks to the engine over gRPC, whose protocol is
  # kept compatible, so an older SDK inside the host is what a released host does too.
  go mod edit -C "$module_dir" -require="github.com/pulumi/pulumi-yaml@v$PULUMI_YAML_VERSION"
  tc_copy_replaces "$yaml_src/go.mod" "$module_dir"
  # One file of ours goes into its server package (see pulumi-yaml/link.go): the Link call. The
  # module cache is read-only and go build's -overlay refuses files in it, so build from a copy.
  cp -R "$yaml_src" "$work_dir/pulumi-yaml-src" && chmod -R u+w "$work_dir/pulumi-yaml-src" || return 1
  cp "$TC_ROOT/pulumi-yaml/link.go" "$work_dir/pulumi-yaml-src/pkg/server/gcr_pull_secrets_link.go" || return 1
  go mod edit -C "$module_dir" -replace="github.com/pulumi/pulumi-yaml=$work_dir/pulumi-yaml-src"
  (cd "$module_dir" && go build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=v$PULUMI_YAML_VERSION" \
    -o "$work_dir/pulumi-language-yaml" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml) || return 1
  # Called under `||`, where set -e does not stop a function: every step checks for itself.
  mv "$work_dir/pulumi-language-yaml" "$yaml_bin/pulumi-language-yaml" || return 1
  overlay_digest > "$stamp"
}

tc_log "$label: building pulumi-language-yaml (a few minutes cold)..."
tc_timed "$label: language host" build_yaml_language_host || tc_die "$label: build failed"
