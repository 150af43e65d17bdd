# Source me from bash:  . dev/toolchain/env.sh [--node-only]
# Puts the tools built by dev/toolchain/build.sh on PATH, and the Kubernetes provider plugin into the
# Pulumi home's plugin cache (plugins.sh). A tool the user already has on PATH is used as is: its
# cache dir is then appended (it only fills gaps) instead of prepended.
# Node is the exception: the pinned LTS (NODE_VERSION) goes first on PATH unless the node already
# there is of that major or newer. With --node-only, only Node is set up (before the other tools are
# built, e.g. in .ci/run, to run npm ci on it).
# Layout (shared with lib.sh): ${GCR_PULL_SECRETS_CACHE:-$HOME/.cache/gcr-pull-secrets}/<name>-<version>/bin

__gcr_pull_secrets_toolchain_env() {
  local node_only="$1" toolchain_dir cache_root entry name version_var primary version bin_dir found found_version
  toolchain_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  cache_root="${GCR_PULL_SECRETS_CACHE:-$HOME/.cache/gcr-pull-secrets}"

  version="$(. "$toolchain_dir/versions.sh" && printf '%s' "${NODE_VERSION:-}")"
  bin_dir="$cache_root/node-$version/bin"
  found="$(command -v node 2>/dev/null || true)"
  found_version="$({ [ -n "$found" ] && "$found" --version 2>/dev/null; } || true)"
  found_version="${found_version#v}"
  case ":$PATH:" in
    *":$bin_dir:"*) ;;
    *)
      if [ -n "$found_version" ] && [ "${found_version%%.*}" -ge "${version%%.*}" ]; then
        : # the user's node (or ours, already first) is new enough
      elif [ -d "$bin_dir" ]; then
        PATH="$bin_dir:$PATH"
      else
        printf '[toolchain] node %s is not built (node on PATH: %s): bash dev/toolchain/build.sh node\n' \
          "$version" "${found_version:-none}" >&2
      fi
      ;;
  esac
  if [ "$node_only" = --node-only ]; then
    export PATH
    return 0
  fi
  # <cache name>:<version variable in versions.sh>:<binary that decides whether the user has the tool>
  for entry in \
    pulumi:PULUMI_VERSION:pulumi \
    pulumi-yaml:PULUMI_YAML_VERSION:pulumi-language-yaml \
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
      [ -n "$found" ] || printf '[toolchain] %s %s is not built: bash dev/toolchain/build.sh %s\n' \
        "$name" "$version" "$name" >&2
      continue
    fi
    case "$found" in
      "" | "$cache_root"/*) PATH="$bin_dir:$PATH" ;;
      *) PATH="$PATH:$bin_dir" ;;
    esac
  done
  export PATH
  # The Kubernetes provider plugin goes into the Pulumi home's plugin cache instead of PATH, where
  # the CLI would warn about it at every lookup (plugins.sh says more); yours on PATH is used as is.
  bash "$toolchain_dir/plugins.sh" || true
}
# ${1:-}: without arguments, `.` passes on the caller's own positional parameters.
__gcr_pull_secrets_toolchain_env "$( [ "${1:-}" = --node-only ] && echo --node-only )"
unset -f __gcr_pull_secrets_toolchain_env

# No update nag, and never download a plugin behind our back: every plugin comes from the cache.
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
