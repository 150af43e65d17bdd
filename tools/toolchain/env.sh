# Source me from bash:  . tools/toolchain/env.sh
# Puts the tools built by tools/toolchain/build.sh on PATH. A tool the user already has on PATH is
# used as is: its cache dir is then appended (it only fills gaps) instead of prepended.
# Layout (shared with lib.sh): ${GCR_PULL_SECRETS_CACHE:-$HOME/.cache/gcr-pull-secrets}/<name>-<version>/bin

__gcr_pull_secrets_toolchain_env() {
  local toolchain_dir cache_root entry name version_var primary version bin_dir found
  toolchain_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  cache_root="${GCR_PULL_SECRETS_CACHE:-$HOME/.cache/gcr-pull-secrets}"
  # <cache name>:<version variable in versions.sh>:<binary that decides whether the user has the tool>
  for entry in \
    pulumi:PULUMI_VERSION:pulumi \
    pulumi-kubernetes:PULUMI_KUBERNETES_VERSION:pulumi-resource-kubernetes \
    etcd:ETCD_VERSION:etcd \
    kubernetes:KUBERNETES_VERSION:kube-apiserver \
    actionlint:ACTIONLINT_VERSION:actionlint; do
    IFS=: read -r name version_var primary <<<"$entry"
    # A subshell, so that sourcing env.sh does not leak every pin into the caller's shell.
    version="$(. "$toolchain_dir/versions.sh" && eval "printf '%s' \"\${$version_var:-}\"")"
    [ -n "$version" ] || continue
    bin_dir="$cache_root/$name-$version/bin"
    found="$(command -v "$primary" 2>/dev/null || true)"
    case ":$PATH:" in
      *":$bin_dir:"*) continue ;;
    esac
    if [ ! -d "$bin_dir" ]; then
      [ -n "$found" ] || printf '[toolchain] %s %s is not built: bash tools/toolchain/build.sh %s\n' \
        "$name" "$version" "$name" >&2
      continue
    fi
    case "$found" in
      "" | "$cache_root"/*) PATH="$bin_dir:$PATH" ;;
      *) PATH="$PATH:$bin_dir" ;;
    esac
  done
  export PATH
}
__gcr_pull_secrets_toolchain_env
unset -f __gcr_pull_secrets_toolchain_env

# No update nag, and never download a plugin behind our back: every plugin comes from the cache.
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
