#!/usr/bin/env bash
# actionlint (GitHub Actions workflow linter), built from its Go module into
# <cache>/actionlint-$ACTIONLINT_VERSION/bin. Under a minute cold (a dozen small modules; 10 s here
# on 2 busy cores); a no-op when an actionlint is already on PATH or cached. Used by dev/lint-workflows.sh.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

step="step 'actionlint'"
[ -n "${ACTIONLINT_VERSION:-}" ] || tc_die "$step: ACTIONLINT_VERSION is not set in dev/toolchain/versions.sh"

label="actionlint $ACTIONLINT_VERSION"
install_dir="$(tc_cache_dir actionlint "$ACTIONLINT_VERSION")"

if tc_on_path actionlint; then
  tc_log "$label: using $(command -v actionlint) from PATH ($(actionlint -version 2>/dev/null | head -n 1))"
  exit 0
fi
if tc_have_cached "$install_dir" actionlint; then
  tc_log "$label: cached in $install_dir/bin"
  exit 0
fi
command -v go >/dev/null 2>&1 || tc_die "$step: go is not on PATH (actionlint is built with go install)"

work_dir="$(tc_tmp_dir actionlint)"
trap 'rm -rf "$work_dir"' EXIT

build_actionlint() {
  # Install into a temp GOBIN and move the finished binary into place, so an interrupted build
  # never leaves something tc_have_cached would take for a good cache entry.
  (cd "$work_dir" && CGO_ENABLED=0 GOBIN="$work_dir/bin" \
    go install -trimpath -ldflags "-s -w" "github.com/rhysd/actionlint/cmd/actionlint@v$ACTIONLINT_VERSION") || return 1
  mkdir -p "$install_dir/bin"
  mv "$work_dir/bin/actionlint" "$install_dir/bin/actionlint"
}

tc_log "$label: building github.com/rhysd/actionlint/cmd/actionlint@v$ACTIONLINT_VERSION into $install_dir/bin ..."
tc_timed "$label" build_actionlint || tc_die "$step: go install github.com/rhysd/actionlint/cmd/actionlint@v$ACTIONLINT_VERSION failed (see the go output above)"
tc_log "$label: $("$install_dir/bin/actionlint" -version | head -n 1)"
