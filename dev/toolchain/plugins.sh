#!/usr/bin/env bash
# Puts the provider plugin the toolchain built (pulumi-resource-kubernetes) into a Pulumi home's
# plugin cache, as `pulumi plugin install` would, but as a link to the cached binary (no 170 MB copy
# per test run):
#   bash dev/toolchain/plugins.sh [PULUMI_HOME]     default: $PULUMI_HOME, else ~/.pulumi
# Why not PATH: the CLI takes a provider found on PATH for an "ambient" plugin and prints
# `warning: using pulumi-resource-kubernetes from $PATH at ...` at every lookup of it, twice a run
# (sdk/go/common/workspace/plugins.go, GetPluginPath). From the plugin cache it is found silently.
# A pulumi-resource-kubernetes you have on PATH is used as is (the CLI prefers PATH anyway): then
# nothing is linked. An installed plugin of that version (a real directory) is left alone.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

home="${1:-${PULUMI_HOME:-$HOME/.pulumi}}"
binary=pulumi-resource-kubernetes
cached="$(tc_cache_dir pulumi-kubernetes "$PULUMI_KUBERNETES_VERSION")/bin/$binary"
plugin_dir="$home/plugins/resource-kubernetes-v$PULUMI_KUBERNETES_VERSION"

tc_on_path "$binary" && exit 0
[ -x "$cached" ] || tc_die "pulumi-kubernetes $PULUMI_KUBERNETES_VERSION is not built: bash dev/toolchain/build.sh pulumi-kubernetes"
if [ -e "$plugin_dir/$binary" ] && [ ! -L "$plugin_dir/$binary" ]; then
  exit 0
fi
mkdir -p "$plugin_dir"
# By rename: a running `pulumi` may be starting the plugin through the old link right now.
ln -sfn "$cached" "$plugin_dir/$binary.link.$$"
mv -f "$plugin_dir/$binary.link.$$" "$plugin_dir/$binary"
