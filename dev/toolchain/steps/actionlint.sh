#!/usr/bin/env bash
# actionlint (GitHub Actions workflow linter), built from its Go module into
# <cache>/actionlint-$ACTIONLINT_VERSION/bin. Under a minute cold (a dozen small modules; 10 s here
# on 2 busy cores); a no-op when an actionlint is already on PATH or cached. Used by dev/lint-workflows.sh.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

tc_require_pins "step 'actionlint'" ACTIONLINT_VERSION
label="actionlint $ACTIONLINT_VERSION"
tc_step_begin "$label" actionlint "$ACTIONLINT_VERSION" actionlint
command -v go >/dev/null 2>&1 || tc_die "$label: go is not on PATH (actionlint is built with go install)"

build_actionlint() {
  (cd "$TC_WORK_DIR" && CGO_ENABLED=0 GOBIN="$TC_WORK_DIR/bin" \
    go install -trimpath -ldflags "-s -w" "github.com/rhysd/actionlint/cmd/actionlint@v$ACTIONLINT_VERSION") || return 1
  tc_step_install
}

tc_log "$label: building github.com/rhysd/actionlint/cmd/actionlint@v$ACTIONLINT_VERSION into $TC_STEP_DIR/bin ..."
tc_timed "$label" build_actionlint || tc_die "$label: go install github.com/rhysd/actionlint/cmd/actionlint@v$ACTIONLINT_VERSION failed (see the go output above)"
tc_log "$label: $("$TC_STEP_DIR/bin/actionlint" -version | head -n 1)"
