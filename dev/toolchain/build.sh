#!/usr/bin/env bash
# Builds the pinned external tools from Go modules into the cache (see README.md).
#   bash dev/toolchain/build.sh [tool ...]     no tool = all, always run in the order below
# Afterwards: source dev/toolchain/env.sh
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Fixed order: Node first (npm ci and everything after run on it), then the Pulumi pieces (the
# tests need them most), the long kube build after.
all_tools=(node pulumi pulumi-yaml pulumi-kubernetes etcd kubernetes actionlint)

is_known_tool() {
  local tool
  for tool in "${all_tools[@]}"; do
    [ "$tool" = "$1" ] && return 0
  done
  return 1
}

requested=("$@")
[ "${#requested[@]}" -gt 0 ] || requested=("${all_tools[@]}")
for tool in "${requested[@]}"; do
  is_known_tool "$tool" || tc_die "unknown tool '$tool' (known: ${all_tools[*]})"
  # Checked up front so that a missing step fails before a 20-minute build, not after it.
  [ -f "$TC_ROOT/steps/$tool.sh" ] || tc_die "step '$tool': dev/toolchain/steps/$tool.sh is missing"
done

tc_log "cache: $(tc_cache_root)"
build_start="$(date +%s)"
for tool in "${all_tools[@]}"; do
  case " ${requested[*]} " in
    *" $tool "*) ;;
    *) continue ;;
  esac
  step_start="$(date +%s)"
  tc_log "step '$tool': starting"
  status=0
  bash "$TC_ROOT/steps/$tool.sh" || status=$?
  [ "$status" -eq 0 ] \
    || tc_die "step '$tool' failed (exit $status) after $(tc_elapsed_since "$step_start")s; rerun: bash dev/toolchain/build.sh $tool"
  tc_log "step '$tool': done in $(tc_elapsed_since "$step_start")s"
done
tc_log "all requested steps done in $(tc_elapsed_since "$build_start")s; now: source dev/toolchain/env.sh"
