# Every pinned tool version lives here, and only here. Sourced by dev/toolchain/build.sh and the
# scripts that need to know where a tool is cached.
# Sections are owned by the step that builds them; keep one `NAME=value` per line.

# --- Node.js (steps/node.sh): official builds from npm's node-linux-<arch> packages ---
# The pinned LTS: scripts and tests run on it. 24 is the newest LTS line npm serves (26.x is still
# "Current" in its CHANGELOG); 24.21.0 is its newest release there.
NODE_VERSION=24.21.0
# The oldest supported line (package.json engines): the unit suite runs on it too. 22 is in
# maintenance until April 2027; @pulumi/pulumi 3.249+ needs Node 22, so 20 is no longer possible.
NODE_OLDEST_VERSION=22.23.3

# --- Pulumi CLI, language host, launchers (steps/pulumi.sh) ---
PULUMI_VERSION=3.274.1
# Release commit of the pulumi/pulumi tag, if known (go list -m -json github.com/pulumi/pulumi/pkg/v3@vX
# -> Origin.Hash; the proxy gives none for v3.274.1). Only used to ask for the language host's own module.
PULUMI_COMMIT=
# pulumi-language-nodejs lives in its own untagged module; the Go proxy here answers 403 for it
# (any version, also the pseudo-version of PULUMI_COMMIT). Fallback: the newest tagged
# github.com/pulumi/pulumi/sdk/v3 that still carried the host as a package (v3.69.0 moved it out).
PULUMI_LANGUAGE_NODEJS_FALLBACK_SDK_VERSION=3.68.0

# --- Pulumi YAML language host (steps/pulumi-yaml.sh); for the YAML consumer test ---
# The only pulumi-yaml tags the Go proxy serves are v1.11.1 and v1.25.0. Built against
# the pulumi SDK its own go.mod pins (3.206.0); the gRPC protocol to the 3.274 engine is compatible.
PULUMI_YAML_VERSION=1.25.0

# --- Kubernetes provider plugin (steps/pulumi-kubernetes.sh); matches npm @pulumi/kubernetes ---
PULUMI_KUBERNETES_VERSION=4.25.0
PULUMI_KUBERNETES_MODULE_VERSION=v4.0.0-20260115033456-f47bc2d6f199

# --- kube-apiserver, kube-controller-manager (steps/kubernetes.sh) ---
# Newest v1.34 patch the Go proxy serves; its go.mod (go 1.24) builds with Go 1.26 and pins etcd client 3.6.
KUBERNETES_VERSION=1.34.4

# --- etcd (steps/etcd.sh) ---
# 3.6 line, as k8s.io/kubernetes v1.34 requires go.etcd.io/etcd/client/v3 v3.6.x.
ETCD_VERSION=3.6.16

# --- actionlint (steps/actionlint.sh) ---
# Newest release (2026-03-30); builds with Go 1.25/1.26 and knows the current runner labels and actions.
ACTIONLINT_VERSION=1.7.12
