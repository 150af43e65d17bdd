#!/usr/bin/env bash
# Captures the example previews of docs/previews.md into docs/previews/ with the real CLI and the
# policy pack, against a local control plane this script starts and stops itself:
#   no-op.txt          `pulumi preview --diff --expect-no-changes` right after `pulumi up`
#   add-namespace.txt  `pulumi preview --diff` after adding namespace team-b (create: true)
#   rotate-key.txt     `pulumi preview --diff` after supplying a new jsonKey
#   to-keyless.txt     `pulumi preview --diff` after switching the stack to keyless (an existing pool provider)
# Each capture is checked (dev/previews/checkPreviewCapture.ts) before it is written: the no-op has no
# change, adding a namespace creates only that namespace's resources, a new key updates each Secret
# in place and nothing else, every secret value is masked, no key material anywhere. A failed check
# fails the script. Captures are cleaned for the docs: no colours, no machine paths, no random ids.
# Next to each <name>.txt goes <name>.steps.json, the `pulumi preview --json` steps it was checked
# against (operation, URN, changed field names; no values), which test/unit/dev/previews/checkPreviewCapture.test.ts
# checks the committed text against again.
#
#   bash dev/previews/capture-previews.sh [OUT_DIR]     # default OUT_DIR: docs/previews (the committed captures)
#
# Everything runs in a temp dir (a copy of the project, a file backend, PULUMI_HOME, the cluster),
# removed afterwards (kept, and named, when something fails). Never touches .pulumi-local/ or the
# repository's Pulumi.*.yaml. The stack uses throwaway keys (dev/keys/throwawayKey.ts), not real ones.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"
say() { printf '[capture-previews] %s\n' "$*" >&2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
started="$(now)"

bash dev/toolchain/build.sh node pulumi pulumi-kubernetes etcd kubernetes
# shellcheck source=dev/toolchain/env.sh
. dev/toolchain/env.sh

tmp="${TMPDIR:-/tmp}"
out="${1:-$root/docs/previews}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d "$tmp/gcr-pull-secrets-capture-XXXXXX")"
cluster_dir="$work/cluster"
cluster_started=0
node_ts() { node -r ts-node/register/transpile-only "$@"; }

finish() {
  local rc=$?
  if [ "$cluster_started" = 1 ] && ! node_ts "$root/dev/cluster/cli.ts" stop --dir "$cluster_dir" 2>"$work/cluster-stop.log"; then
    cat "$work/cluster-stop.log" >&2
    rc=1
  fi
  if [ "$rc" = 0 ]; then
    rm -rf "$work"
    say "captures written to $out: no-op, add-namespace, rotate-key, to-keyless (.txt and .steps.json)"
    say "total $(since "$started") (toolchain check, cluster start and stop included)"
  else
    say "failed; kept $work (raw captures, pulumi logs, cluster logs in cluster/)"
  fi
  exit "$rc"
}
trap finish EXIT

step_started="$(now)"
if ! node_ts dev/cluster/cli.ts start --dir "$cluster_dir" >/dev/null 2>"$work/cluster-start.log"; then
  cat "$work/cluster-start.log" >&2
  exit 1
fi
cluster_started=1
export KUBECONFIG="$cluster_dir/kubeconfig"
say "control plane up in $(since "$step_started")"

# The project, copied as test/e2e/harness.ts does: the CLI writes into the stack file.
project="$work/project"
mkdir -p "$project" "$work/state" "$work/home"
cp Pulumi.yaml package.json tsconfig.json program.js index.ts "$project/"
ln -s "$root/components" "$project/components"
ln -s "$root/provider" "$project/provider"
ln -s "$root/node_modules" "$project/node_modules"
export PULUMI_BACKEND_URL="file://$work/state"
export PULUMI_HOME="$work/home"
bash "$root/dev/toolchain/plugins.sh" "$PULUMI_HOME"
export PULUMI_CONFIG_PASSPHRASE="capture-previews-not-secret"
export PULUMI_NODEJS_TRANSPILE_ONLY=true
policy=(--policy-pack "$root/policy" --policy-pack-config "$root/policy/config.json")

cd "$project"
stack=example
pulumi stack init "$stack" --non-interactive >"$work/init.log" 2>&1 || { cat "$work/init.log" >&2; exit 1; }
cat >"Pulumi.$stack.yaml" <<'EOF'
config:
  gcr-pull-secrets:registries:
    - asia.gcr.io
    - europe-west1-docker.pkg.dev
  gcr-pull-secrets:namespaces:
    - default
    - name: team-a
      create: true
EOF
node_ts "$root/dev/keys/throwawayKey.ts" "$work/key-1.json" 2>/dev/null
node_ts "$root/dev/keys/throwawayKey.ts" "$work/key-2.json" 2>/dev/null
pulumi config set --secret gcr-pull-secrets:jsonKey <"$work/key-1.json"

step_started="$(now)"
pulumi up --yes --skip-preview --non-interactive "${policy[@]}" >"$work/up.log" 2>&1 || { cat "$work/up.log" >&2; exit 1; }
say "initial pulumi up in $(since "$step_started")"

# capture <name> <kind> [pulumi preview flags] -- [checkPreviewCapture options]
capture() {
  local name="$1" kind="$2" flags=() checks=()
  shift 2
  while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do flags+=("$1"); shift; done
  [ "$#" -gt 0 ] && shift
  checks=("$@")
  local step_started
  step_started="$(now)"
  if ! pulumi preview --diff --color never --non-interactive "${policy[@]}" "${flags[@]}" >"$work/$name.raw.txt" 2>&1; then
    say "$name: pulumi preview failed (output in $work/$name.raw.txt)"
    exit 1
  fi
  pulumi preview --json --non-interactive >"$work/$name.json" 2>"$work/$name.json.err" || { say "$name: pulumi preview --json failed"; exit 1; }
  node_ts "$root/dev/previews/checkPreviewCapture.ts" "$kind" "$work/$name.raw.txt" "$work/$name.json" "$out/$name.txt" \
    --key "$work/key-1.json" --key "$work/key-2.json" --path "$root=<repo>" --path "$work=<tmp>" "${checks[@]}"
  say "$name captured and checked in $(since "$step_started")"
}

# (c) No change since the update: the CLI itself fails the preview if it finds one.
capture no-op no-op --expect-no-changes

# (a) One more namespace, set the way a user would.
cp "Pulumi.$stack.yaml" "$work/stack-before-team-b.yaml"
pulumi config set --path 'gcr-pull-secrets:namespaces[2].name' team-b
pulumi config set --path 'gcr-pull-secrets:namespaces[2].create' true
capture add-namespace add-namespace -- --namespace team-b
cp "$work/stack-before-team-b.yaml" "Pulumi.$stack.yaml"

# (b) The local form of rotation: a new supplied key. (A managed key's replacement needs the
# Google provider plugin and a Google account; see docs/previews.md.)
pulumi config set --secret gcr-pull-secrets:jsonKey <"$work/key-2.json"
capture rotate-key rotate-key -- --namespace default --namespace team-a

# (d) Keyless: the stack's key replaced by short-lived tokens through a pool provider made
# elsewhere (a pool of the stack's own would need the Google provider plugin and Google).
pulumi config rm gcr-pull-secrets:jsonKey
pulumi config set --path 'gcr-pull-secrets:keyless.workloadIdentityProvider' \
  projects/123456789012/locations/global/workloadIdentityPools/gcr-pull-secrets/providers/example-cluster
capture to-keyless to-keyless -- --namespace default --namespace team-a
