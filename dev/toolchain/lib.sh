# Shared helpers for dev/toolchain/steps/*.sh. Source it; it defines functions, TC_ROOT /
# TC_REPO_ROOT, exports every pin from versions.sh, and never changes the caller's shell options.
#
# Cache layout agreed between all steps:   <cache>/<name>-<version>/bin/<binaries>
#   <cache> = ${GCR_PULL_SECRETS_CACHE:-$HOME/.cache/gcr-pull-secrets}
#
#   tc_cache_dir NAME VERSION   print <cache>/NAME-VERSION (does not create it)
#   tc_log MSG...               print "[toolchain] MSG" to stderr
#   tc_die MSG...               print "[toolchain] ERROR: MSG" to stderr and exit 1
#   tc_on_path BIN              true if BIN is on PATH and is NOT inside <cache> (a user's own tool)
#   tc_have_cached DIR BIN...   true if every DIR/bin/BIN exists and is executable
#   tc_tmp_dir NAME             print a fresh temp dir (mktemp); remove it yourself (trap)
#   tc_wrapper_module DIR MODPATH GOVERSION
#                               write DIR/go.mod "module MODPATH / go GOVERSION" for a throwaway
#                               wrapper module; add requires/replaces with `go mod edit -C DIR`
#   tc_copy_replaces GOMOD DIR  copy every NON-local replace line (target not ./ or ../) of GOMOD
#                               into DIR/go.mod via go mod edit
#   tc_mod_dir MODULE@VERSION   download the module (go mod download) and print its dir in the
#                               module cache (read-only; copy out what you need to change)
#   tc_timed LABEL CMD...       run CMD, then log "LABEL done in Ns"; returns CMD's status
#   tc_elapsed_since EPOCH      print whole seconds since EPOCH (date +%s)
#   tc_version_major VERSION    print the major of VERSION (24.21.0 or v24.21.0 -> 24)
#   tc_node_major [NODE]        print the major of `NODE --version` (NODE defaults to node on PATH);
#                               nothing when there is no such node
#   tc_oldest_node              print the node binary of the oldest supported line: the node on PATH
#                               when it is the user's and of NODE_OLDEST_VERSION's major, else the
#                               cached one (steps/node.sh); fails when neither exists
#
# The skeleton of a step that builds binaries into <cache>/NAME-VERSION/bin (etcd, kubernetes,
# pulumi-kubernetes, actionlint):
#   tc_require_pins LABEL VAR...  die unless every pin VAR is set in versions.sh
#   tc_step_begin LABEL NAME VERSION BIN...
#                               set TC_STEP_DIR=<cache>/NAME-VERSION; end the step (exit 0) when every
#                               BIN is the user's own on PATH (used as is) or already cached; else
#                               make TC_WORK_DIR, a temp dir removed when the step exits
#   tc_step_install             move TC_WORK_DIR/bin to TC_STEP_DIR/bin in one rename, so that a
#                               half-finished build never looks cached

TC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TC_REPO_ROOT="$(cd "$TC_ROOT/../.." && pwd)"

tc_cache_root() {
  printf '%s\n' "${GCR_PULL_SECRETS_CACHE:-$HOME/.cache/gcr-pull-secrets}"
}

tc_cache_dir() {
  printf '%s/%s-%s\n' "$(tc_cache_root)" "$1" "$2"
}

tc_log() {
  printf '[toolchain] %s\n' "$*" >&2
}

tc_die() {
  printf '[toolchain] ERROR: %s\n' "$*" >&2
  exit 1
}

tc_on_path() {
  local found root
  found="$(command -v -- "$1" 2>/dev/null)" || return 1
  [ -n "$found" ] || return 1
  root="$(tc_cache_root)"
  case "$found" in
    "$root"/*) return 1 ;;
  esac
  return 0
}

tc_have_cached() {
  local dir="$1" bin
  shift
  for bin in "$@"; do
    [ -x "$dir/bin/$bin" ] || return 1
  done
  return 0
}

tc_tmp_dir() {
  mktemp -d "${TMPDIR:-/tmp}/gcr-pull-secrets-$1.XXXXXX"
}

tc_wrapper_module() {
  printf 'module %s\n\ngo %s\n' "$2" "$3" > "$1/go.mod"
}

tc_copy_replaces() {
  local gomod="$1" dir="$2" line
  # `go mod edit -json` gives Replace[].{Old,New}; local targets have no New.Version.
  while IFS= read -r line; do
    [ -n "$line" ] && go mod edit -C "$dir" -replace="$line"
  done < <(go mod edit -json "$gomod" | node -e '
    const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
    for (const r of m.Replace || []) {
      if (!r.New.Version) continue; // local path replace: the wrapper requires a tagged version instead
      const old = r.Old.Version ? `${r.Old.Path}@${r.Old.Version}` : r.Old.Path;
      console.log(`${old}=${r.New.Path}@${r.New.Version}`);
    }')
}

tc_mod_dir() {
  local dir
  dir="$(cd "${TMPDIR:-/tmp}" && GOFLAGS=-mod=mod go mod download -json "$1" | node -e '
    const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
    if (m.Error) { console.error(m.Error); process.exit(1); }
    console.log(m.Dir);')" || return 1
  printf '%s\n' "$dir"
}

tc_elapsed_since() {
  printf '%s\n' "$(( $(date +%s) - $1 ))"
}

tc_timed() {
  local label="$1" start status
  shift
  start="$(date +%s)"
  "$@"
  status=$?
  if [ "$status" -eq 0 ]; then
    tc_log "$label done in $(tc_elapsed_since "$start")s"
  else
    tc_log "$label FAILED (exit $status) after $(tc_elapsed_since "$start")s"
  fi
  return "$status"
}

tc_version_major() {
  local version="${1#v}"
  printf '%s\n' "${version%%.*}"
}

tc_node_major() {
  local node="${1:-}" version
  if [ -z "$node" ]; then
    node="$(command -v node 2>/dev/null)" || return 0
  fi
  [ -x "$node" ] || return 0
  version="$("$node" --version 2>/dev/null)" || return 0
  tc_version_major "$version"
}

tc_oldest_node() {
  local cached
  if tc_on_path node && [ "$(tc_node_major)" = "$(tc_version_major "$NODE_OLDEST_VERSION")" ]; then
    command -v node
    return 0
  fi
  cached="$(tc_cache_dir node "$NODE_OLDEST_VERSION")/bin/node"
  [ -x "$cached" ] || return 1
  printf '%s\n' "$cached"
}

tc_require_pins() {
  local label="$1" var
  shift
  for var in "$@"; do
    [ -n "${!var:-}" ] || tc_die "$label: $var is not set in dev/toolchain/versions.sh"
  done
}

tc_step_begin() {
  local label="$1" name="$2" version="$3" bin on_path=1
  shift 3
  TC_STEP_DIR="$(tc_cache_dir "$name" "$version")"
  for bin in "$@"; do
    tc_on_path "$bin" || on_path=0
  done
  if [ "$on_path" = 1 ]; then
    tc_log "$label: using $(command -v "$1") from PATH; not building it"
    exit 0
  fi
  if tc_have_cached "$TC_STEP_DIR" "$@"; then
    tc_log "$label: cached in $TC_STEP_DIR/bin"
    exit 0
  fi
  TC_WORK_DIR="$(tc_tmp_dir "$name")"
  # shellcheck disable=SC2064 # expanded now: the trap outlives this function's locals
  trap "rm -rf '$TC_WORK_DIR'" EXIT
  mkdir -p "$TC_WORK_DIR/bin"
}

tc_step_install() {
  local staging_dir
  mkdir -p "$(dirname "$TC_STEP_DIR")"
  staging_dir="$(mktemp -d "$TC_STEP_DIR.partial.XXXXXX")"
  chmod 755 "$staging_dir"
  mv "$TC_WORK_DIR/bin" "$staging_dir/bin"
  rm -rf "$TC_STEP_DIR"
  mv "$staging_dir" "$TC_STEP_DIR"
}

# Every step needs the pins; sourcing lib.sh loads them (exported, so child processes see them).
set -a
# shellcheck source=versions.sh
. "$TC_ROOT/versions.sh"
set +a
