#!/usr/bin/env bash
# Pulumi Kubernetes provider plugin (pulumi-resource-kubernetes), matching npm @pulumi/kubernetes,
# built from the Go module into <cache>/pulumi-kubernetes-$PULUMI_KUBERNETES_VERSION/bin.
# Not put on PATH: plugins.sh links it into a Pulumi home's plugin cache (env.sh, the e2e harness and
# the preview capture call it), where the CLI finds it without an "ambient plugin" warning.
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

tc_require_pins "step 'pulumi-kubernetes'" PULUMI_KUBERNETES_VERSION PULUMI_KUBERNETES_MODULE_VERSION
label="pulumi-kubernetes $PULUMI_KUBERNETES_VERSION"
binary=pulumi-resource-kubernetes
tc_step_begin "$label" pulumi-kubernetes "$PULUMI_KUBERNETES_VERSION" "$binary"
work_dir="$TC_WORK_DIR"
export CGO_ENABLED=0
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod"

build_provider() {
  local provider_module=github.com/pulumi/pulumi-kubernetes/provider/v4 provider_dir module_dir="$work_dir/wrapper"
  provider_dir="$(tc_mod_dir "$provider_module@$PULUMI_KUBERNETES_MODULE_VERSION")"
  # main.go go:embeds schema-embed.json and terraform-mapping-embed.json, which upstream generates
  # (gitignored) before building: the package cannot be built in place from the module cache.
  cp -r "$provider_dir/cmd/$binary" "$module_dir"
  chmod -R u+w "$module_dir"
  tc_wrapper_module "$module_dir" example.invalid/gcr-pull-secrets/pulumi-resource-kubernetes \
    "$(go env GOVERSION | sed 's/^go//')"
  # provider/go.mod replaces sdk/v4 with ../sdk: require the SDK tag of the same release instead.
  go mod edit -C "$module_dir" \
    -require="$provider_module@$PULUMI_KUBERNETES_MODULE_VERSION" \
    -require="github.com/pulumi/pulumi-kubernetes/sdk/v4@v$PULUMI_KUBERNETES_VERSION"
  tc_copy_replaces "$provider_dir/go.mod" "$module_dir"
  (cd "$module_dir" && VERSION="$PULUMI_KUBERNETES_VERSION" go run generate.go) \
    || { tc_log "$label: generate.go failed"; return 1; }
  (cd "$module_dir" && go build -trimpath \
    -ldflags "-s -w -X $provider_module/pkg/version.Version=$PULUMI_KUBERNETES_VERSION" \
    -o "$work_dir/bin/$binary" .) || return 1
  tc_step_install
}

tc_log "$label: building $binary (takes ~11 min cold on 2 busy cores)..."
tc_timed "$label: $binary" build_provider || tc_die "$label: $binary build failed"
