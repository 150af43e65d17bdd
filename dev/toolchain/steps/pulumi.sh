#!/usr/bin/env bash
# Pulumi CLI, Node.js language host and the dynamic-provider launcher, built from Go modules into
# <cache>/pulumi-$PULUMI_VERSION/bin. Each binary is skipped when the user already has one on PATH
# (theirs is used as is) or when our cache already holds it; the language-host shim (the Go module
# dev/toolchain/langhost-shim) is rebuilt alone when its sources changed.
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

pulumi_dir="$(tc_cache_dir pulumi "$PULUMI_VERSION")"
pulumi_bin="$pulumi_dir/bin"
mkdir -p "$pulumi_bin"

work_dir="$(tc_tmp_dir pulumi)"
trap 'rm -rf "$work_dir"' EXIT

# Release builds are static; cgo would also need a C toolchain at run time for nothing.
export CGO_ENABLED=0
# The wrapper modules have no go.sum: let `go build` resolve and record it.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod"
go_version="$(go env GOVERSION | sed 's/^go//')"

skip_reason() { # BIN -> prints why BIN need not be built, or nothing
  if tc_on_path "$1"; then
    echo "using $(command -v "$1") from PATH"
  elif tc_have_cached "$pulumi_dir" "$1"; then
    echo "cached in $pulumi_bin"
  fi
}

build_cli() {
  local module_dir="$work_dir/cli" pkg_dir
  mkdir -p "$module_dir"
  pkg_dir="$(tc_mod_dir "github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION")"
  tc_wrapper_module "$module_dir" example.invalid/gcr-pull-secrets/pulumi-cli "$go_version"
  # pkg vX requires the previous sdk release and replaces it with ../sdk: pin the matching tag.
  go mod edit -C "$module_dir" \
    -require="github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION" \
    -require="github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION"
  tc_copy_replaces "$pkg_dir/go.mod" "$module_dir"
  (cd "$module_dir" && go build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
    -o "$work_dir/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  mv "$work_dir/pulumi" "$pulumi_bin/pulumi"
}

# The host's own module (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) is
# untagged; ask for the release commit first, so that a proxy that serves it gets used.
language_host_module="github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3"

build_language_host_from_release_commit() {
  local module_dir="$work_dir/langhost" pseudo host_dir
  pseudo="$(cd "$work_dir" && go list -m -f '{{.Version}}' "$language_host_module@${PULUMI_COMMIT:0:12}" 2>/dev/null)" \
    || return 1
  host_dir="$(tc_mod_dir "$language_host_module@$pseudo")" || return 1
  mkdir -p "$module_dir"
  tc_wrapper_module "$module_dir" example.invalid/gcr-pull-secrets/pulumi-language-nodejs "$go_version"
  # Its go.mod replaces pkg and sdk with ../../..-relative paths: pin the tagged release instead.
  go mod edit -C "$module_dir" \
    -require="$language_host_module@$pseudo" \
    -require="github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION" \
    -require="github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION"
  tc_copy_replaces "$host_dir/go.mod" "$module_dir"
  (cd "$module_dir" && go build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
    -o "$work_dir/pulumi-language-nodejs" "$language_host_module")
  mv "$work_dir/pulumi-language-nodejs" "$pulumi_bin/pulumi-language-nodejs"
}

# Fallback: the host from the newest sdk/v3 tag that still contained it, installed as
# pulumi-language-nodejs-real behind our shim (the Go module in dev/toolchain/langhost-shim), which
# runs programs and policy packs itself — see its main.go and README.md.
# The shim is moved into place last, so its presence means the pair is complete.
build_language_host_from_fallback_sdk() {
  local version="$PULUMI_LANGUAGE_NODEJS_FALLBACK_SDK_VERSION" module_dir="$work_dir/langhost-fallback" sdk_dir
  mkdir -p "$module_dir"
  sdk_dir="$(tc_mod_dir "github.com/pulumi/pulumi/sdk/v3@v$version")"
  tc_wrapper_module "$module_dir" example.invalid/gcr-pull-secrets/pulumi-language-nodejs "$go_version"
  go mod edit -C "$module_dir" -require="github.com/pulumi/pulumi/sdk/v3@v$version"
  tc_copy_replaces "$sdk_dir/go.mod" "$module_dir"
  (cd "$module_dir" && go build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
    -o "$work_dir/pulumi-language-nodejs-real" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs)
  mv "$work_dir/pulumi-language-nodejs-real" "$pulumi_bin/pulumi-language-nodejs-real"
  build_shim
}

# The shim is built as committed (its go.mod and go.sum pin what it is compiled against) and stamped
# with a digest of its sources, so that a changed shim is rebuilt (seconds) without the rest.
shim_dir="$TC_ROOT/langhost-shim"
shim_stamp="$pulumi_bin/.langhost-shim.sha256"
shim_digest() {
  (cd "$shim_dir" && find . -maxdepth 1 -type f \( -name '*.go' ! -name '*_test.go' -o -name go.mod -o -name go.sum \) \
    -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
}
build_shim() {
  # -mod=readonly: never "fix up" the committed go.mod/go.sum (this step exports -mod=mod for the wrappers).
  (cd "$shim_dir" && GOFLAGS=-mod=readonly go build -trimpath -ldflags "-s -w" -o "$work_dir/pulumi-language-nodejs" .) \
    || return 1
  shim_digest > "$work_dir/shim.sha256"
  # By rename, as the launcher below: a running `pulumi` may be starting the old one right now.
  mv "$work_dir/pulumi-language-nodejs" "$pulumi_bin/pulumi-language-nodejs"
  mv "$work_dir/shim.sha256" "$shim_stamp"
}

build_language_host() {
  if [ -n "${PULUMI_COMMIT:-}" ] && build_language_host_from_release_commit; then
    return 0
  fi
  tc_log "pulumi $PULUMI_VERSION: the Go proxy does not serve $language_host_module${PULUMI_COMMIT:+@${PULUMI_COMMIT:0:12}}" \
    "(here it answers 403 for every version); falling back to the host inside" \
    "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_LANGUAGE_NODEJS_FALLBACK_SDK_VERSION behind our shim (see dev/toolchain/README.md)"
  build_language_host_from_fallback_sdk
}

# Same behaviour as the launcher in the official CLI archive (sdk/nodejs/dist/): the engine starts
# it with the program directory as working directory, so node resolves @pulumi/pulumi from the
# project's node_modules — the dynamic provider must be the SDK version that serialized it.
write_dynamic_provider_launcher() {
  local launcher="$pulumi_bin/pulumi-resource-pulumi-nodejs"
  cat > "$work_dir/launcher" <<'LAUNCHER'
#!/bin/sh
# Written by the gcr-pull-secrets toolchain (steps/pulumi.sh): starts the Pulumi Node.js dynamic provider.
script="$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))")" || exit 1
exec node "$script" "$@"
LAUNCHER
  chmod +x "$work_dir/launcher"
  # Replaced only when it changed, and by rename: a running `pulumi` may be starting it right now.
  if cmp -s "$work_dir/launcher" "$launcher"; then
    return 1
  fi
  mv "$work_dir/launcher" "$launcher"
}

label="pulumi $PULUMI_VERSION"

reason="$(skip_reason pulumi)"
if [ -n "$reason" ]; then
  tc_log "$label: CLI: $reason"
else
  tc_log "$label: building CLI (takes ~7 min cold on 2 busy cores)..."
  tc_timed "$label: CLI" build_cli || tc_die "$label: CLI build failed"
fi

reason="$(skip_reason pulumi-language-nodejs)"
if [ -n "$reason" ] && [ -x "$pulumi_bin/pulumi-language-nodejs-real" ] && ! tc_on_path pulumi-language-nodejs \
  && [ "$(cat "$shim_stamp" 2>/dev/null)" != "$(shim_digest)" ]; then
  tc_log "$label: language host shim: dev/toolchain/langhost-shim changed; rebuilding it..."
  tc_timed "$label: language host shim" build_shim || tc_die "$label: language host shim build failed"
elif [ -n "$reason" ]; then
  tc_log "$label: language host: $reason"
else
  tc_log "$label: building pulumi-language-nodejs (takes ~1 min cold)..."
  tc_timed "$label: language host" build_language_host || tc_die "$label: language host build failed"
fi

if tc_on_path pulumi-resource-pulumi-nodejs; then
  tc_log "$label: dynamic provider launcher: using $(command -v pulumi-resource-pulumi-nodejs) from PATH"
else
  if write_dynamic_provider_launcher; then
    tc_log "$label: dynamic provider launcher written"
  else
    tc_log "$label: dynamic provider launcher: cached in $pulumi_bin"
  fi
fi
