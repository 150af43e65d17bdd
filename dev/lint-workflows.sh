#!/usr/bin/env bash
# Lints .github/workflows/*.yml with actionlint (syntax, expressions, action inputs, runner labels,
# and with shellcheck on PATH also every `run:` script). Builds the pinned actionlint first if
# needed (dev/toolchain/steps/actionlint.sh, under a minute, once). Exit status: 0 clean, 1 otherwise.
#
# The shellcheck binary comes from Debian when missing and this runs as root with apt-get (2.6 MB,
# a few seconds): without it actionlint silently skips the shell checks. Set
# LINT_WORKFLOWS_NO_APT=1 to never touch the system; the lint then runs without shell checks and
# says so.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# lib.sh also loads the pins of dev/toolchain/versions.sh.
# shellcheck source-path=SCRIPTDIR source=toolchain/lib.sh
. "$repo_root/dev/toolchain/lib.sh"

fail() {
  printf '[lint-workflows] FAILED: %s\n' "$*" >&2
  exit 1
}
note() {
  printf '[lint-workflows] %s\n' "$*" >&2
}

bash "$repo_root/dev/toolchain/steps/actionlint.sh" || fail "could not build actionlint (dev/toolchain/steps/actionlint.sh)"
if tc_on_path actionlint; then
  actionlint_bin="$(command -v actionlint)"
else
  actionlint_bin="$(tc_cache_dir actionlint "$ACTIONLINT_VERSION")/bin/actionlint"
fi
[ -x "$actionlint_bin" ] || fail "actionlint not found at $actionlint_bin after the build step"

if ! command -v shellcheck >/dev/null 2>&1 && [ "${LINT_WORKFLOWS_NO_APT:-}" != 1 ] \
  && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  note "installing shellcheck from Debian so that run: scripts are checked too ..."
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends shellcheck >/dev/null 2>&1; then
    # No package lists yet (a fresh container): fetch them once and retry.
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends shellcheck >/dev/null 2>&1 \
      || note "apt-get install shellcheck failed; continuing without shell checks"
  fi
fi
if command -v shellcheck >/dev/null 2>&1; then
  shell_checks="with $(shellcheck --version | sed -n 's/^version: /shellcheck /p') on run: scripts"
else
  shell_checks="WITHOUT shell checks of run: scripts (shellcheck not on PATH: apt-get install shellcheck)"
fi

shopt -s nullglob
workflows=("$repo_root"/.github/workflows/*.yml "$repo_root"/.github/workflows/*.yaml)
[ "${#workflows[@]}" -gt 0 ] || fail "no workflow files in $repo_root/.github/workflows"

note "$("$actionlint_bin" -version | head -n 1) on ${#workflows[@]} workflow(s), $shell_checks"
cd "$repo_root"
if ! "$actionlint_bin" "${workflows[@]#"$repo_root"/}"; then
  fail "actionlint found problems in .github/workflows (listed above)"
fi
note "ok: ${workflows[*]#"$repo_root"/}"
