#!/usr/bin/env bash
# Pulumi CLI, Node.js language host and the dynamic-provider launcher, built from Go modules into
# <cache>/pulumi-$PULUMI_VERSION/bin. Each binary is skipped when the user already has one on PATH
# (theirs is used as is) or when our cache already holds it.
set -euo pipefail
# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

pulumi_dir="$(tc_cache_dir pulumi "$PULUMI_VERSION")"
pulumi_bin="$pulumi_dir/bin"
mkdir -p "$pulumi_bin"

work_dir="$(tc_tmp_dir pulumi)"
trap 'rm -rf "$work_dir"' EXIT

# Release builds are static; cgo would also need a C toolchain at run time for nothing.
export CGO_ENABLED=0
# The wrapper modules have no go.sum: let `go build` resolve and record it.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod"
go_version="$(go env GOVERSION | sed 's/^go//')"

skip_reason() { # BIN -> prints why BIN need not be built, or nothing
  if tc_on_path "$1"; then
    echo "using $(command -v "$1") from PATH"
  elif tc_have_cached "$pulumi_dir" "$1"; then
    echo "cached in $pulumi_bin"
  fi
}

build_cli() {
  local module_dir="$work_dir/cli" pkg_dir
  mkdir -p "$module_dir"
  pkg_dir="$(tc_mod_dir "github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION")"
  tc_wrapper_module "$module_dir" example.invalid/gcr-pull-secrets/pulumi-cli "$go_version"
  # pkg vX requires the previous sdk release and replaces it with ../sdk: pin the matching tag.
  go mod edit -C "$module_dir" \
    -require="github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION" \
    -require="github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION"
  tc_copy_replaces "$pkg_dir/go.mod" "$module_dir"
  (cd "$module_dir" && go build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
    -o "$work_dir/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  mv "$work_dir/pulumi" "$pulumi_bin/pulumi"
}

# The host's own module (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) is
# untagged; ask for the release commit first, so that a proxy that serves it gets used.
language_host_module="github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3"

build_language_host_from_release_commit() {
  local module_dir="$work_dir/langhost" pseudo host_dir
  pseudo="$(cd "$work_dir" && go list -m -f '{{.Version}}' "$language_host_module@${PULUMI_COMMIT:0:12}" 2>/dev/null)" \
    || return 1
  host_dir="$(tc_mod_dir "$language_host_module@$pseudo")" || return 1
  mkdir -p "$module_dir"
  tc_wrapper_module "$module_dir" example.invalid/gcr-pull-secrets/pulumi-language-nodejs "$go_version"
  # Its go.mod replaces pkg and sdk with ../../..-relative paths: pin the tagged release instead.
  go mod edit -C "$module_dir" \
    -require="$language_host_module@$pseudo" \
    -require="github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION" \
    -require="github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION"
  tc_copy_replaces "$host_dir/go.mod" "$module_dir"
  (cd "$module_dir" && go build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
    -o "$work_dir/pulumi-language-nodejs" "$language_host_module")
  mv "$work_dir/pulumi-language-nodejs" "$pulumi_bin/pulumi-language-nodejs"
}

# Fallback: the host from the newest sdk/v3 tag that still contained it, installed as
# pulumi-language-nodejs-real behind a small shim of ours (Go source below, built against the pinned
# sdk) that runs programs and policy packs itself — see its header comment and README.md.
# The shim is moved into place last, so its presence means the pair is complete.
build_language_host_from_fallback_sdk() {
  local version="$PULUMI_LANGUAGE_NODEJS_FALLBACK_SDK_VERSION" module_dir="$work_dir/langhost-fallback"
  local shim_dir="$work_dir/langhost-shim" sdk_dir
  mkdir -p "$module_dir" "$shim_dir"
  sdk_dir="$(tc_mod_dir "github.com/pulumi/pulumi/sdk/v3@v$version")"
  tc_wrapper_module "$module_dir" example.invalid/gcr-pull-secrets/pulumi-language-nodejs "$go_version"
  go mod edit -C "$module_dir" -require="github.com/pulumi/pulumi/sdk/v3@v$version"
  tc_copy_replaces "$sdk_dir/go.mod" "$module_dir"
  (cd "$module_dir" && go build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
    -o "$work_dir/pulumi-language-nodejs-real" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs)

  tc_wrapper_module "$shim_dir" example.invalid/gcr-pull-secrets/pulumi-language-nodejs-shim "$go_version"
  go mod edit -C "$shim_dir" -require="github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION"
  write_language_host_shim_source > "$shim_dir/main.go"
  (cd "$shim_dir" && go build -trimpath -ldflags "-s -w" -o "$work_dir/pulumi-language-nodejs" .)

  mv "$work_dir/pulumi-language-nodejs-real" "$pulumi_bin/pulumi-language-nodejs-real"
  mv "$work_dir/pulumi-language-nodejs" "$pulumi_bin/pulumi-language-nodejs"
}

write_language_host_shim_source() {
  cat <<'GO'
// pulumi-language-nodejs shim, generated by gcr-pull-secrets tools/toolchain/steps/pulumi.sh.
//
// The host we can build here (sdk/v3 v3.68.0) predates policy packs running through the language
// host: CLI >= 3.221 sends them as RunPlugin(kind=analyzer), which v3.68.0 answers "not supported",
// and the CLI no longer falls back to pulumi-analyzer-policy when a language host exists. This shim
// starts the real host next to it and forwards every call to it unchanged, except two it serves itself:
//   - RunPlugin(kind=analyzer): starts @pulumi/pulumi/cmd/run-policy-pack the way the old
//     pulumi-analyzer-policy launcher did (working dir = policy pack dir; engine address, pack dir).
//   - Run: starts @pulumi/pulumi/cmd/run with the engine's resource monitor address. The v3.68.0 host
//     would put its own typed monitor proxy in between, which answers Unimplemented for every
//     monitor call added since (stack transforms, resource hooks, RegisterPackage, ...), and it
//     ignores the runtime options (typescript, tsconfig, nodeargs) that the CLI now sends in the request.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
)

const maxMessageSize = 400 * 1024 * 1024 // what the Pulumi engine allows

// frame carries a gRPC message as raw bytes, so that calls are forwarded without knowing their types.
type frame struct{ payload []byte }

type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return v.(*frame).payload, nil }
func (rawCodec) Unmarshal(data []byte, v any) error {
	v.(*frame).payload = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

type proxy struct {
	backend       *grpc.ClientConn
	engineAddress string
}

func main() {
	self, err := os.Executable()
	if err != nil {
		fail(err)
	}
	realHost := filepath.Join(filepath.Dir(self), "pulumi-language-nodejs-real")
	host := exec.Command(realHost, os.Args[1:]...)
	host.Stderr = os.Stderr
	// The engine kills the shim; the real host must not outlive it.
	host.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	hostStdout, err := host.StdoutPipe()
	if err != nil {
		fail(err)
	}
	if err := host.Start(); err != nil {
		fail(fmt.Errorf("starting %s: %w", realHost, err))
	}
	hostOutput := bufio.NewReader(hostStdout)
	portLine, err := hostOutput.ReadString('\n')
	if err != nil {
		fail(fmt.Errorf("reading the port of %s: %w", realHost, err))
	}
	backend, err := grpc.NewClient("127.0.0.1:"+strings.TrimSpace(portLine),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{}),
			grpc.MaxCallRecvMsgSize(maxMessageSize), grpc.MaxCallSendMsgSize(maxMessageSize)))
	if err != nil {
		fail(err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	// The engine passes its address as the last argument (after any flags).
	p := &proxy{backend: backend, engineAddress: os.Args[len(os.Args)-1]}
	server := grpc.NewServer(grpc.UnknownServiceHandler(p.handle), grpc.ForceServerCodec(rawCodec{}),
		grpc.MaxRecvMsgSize(maxMessageSize), grpc.MaxSendMsgSize(maxMessageSize))
	// The engine reads the port from the first line of stdout, exactly as from the real host.
	fmt.Printf("%d\n", listener.Addr().(*net.TCPAddr).Port)
	go func() { _, _ = io.Copy(os.Stdout, hostOutput) }()
	go func() {
		err := host.Wait()
		server.Stop()
		if err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}()
	if err := server.Serve(listener); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "pulumi-language-nodejs (shim): %v\n", err)
	os.Exit(1)
}

func (p *proxy) handle(_ any, stream grpc.ServerStream) error {
	method, _ := grpc.MethodFromServerStream(stream)
	if method == "/pulumirpc.LanguageRuntime/Run" {
		var request frame
		if err := stream.RecvMsg(&request); err != nil {
			return err
		}
		var req pulumirpc.RunRequest
		if err := proto.Unmarshal(request.payload, &req); err != nil {
			return err
		}
		response, err := proto.Marshal(p.runProgram(&req))
		if err != nil {
			return err
		}
		return stream.SendMsg(&frame{payload: response})
	}
	if method != "/pulumirpc.LanguageRuntime/RunPlugin" {
		return p.forward(method, stream, nil)
	}
	var first frame
	if err := stream.RecvMsg(&first); err != nil {
		return err
	}
	var req pulumirpc.RunPluginRequest
	if err := proto.Unmarshal(first.payload, &req); err != nil {
		return err
	}
	if req.GetKind() == "analyzer" {
		return runPolicyPack(&req, stream)
	}
	return p.forward(method, stream, &first)
}

func (p *proxy) forward(method string, stream grpc.ServerStream, first *frame) error {
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	if incoming, ok := metadata.FromIncomingContext(ctx); ok {
		outgoing := metadata.MD{}
		for key, values := range incoming {
			if strings.HasPrefix(key, ":") || key == "content-type" || key == "user-agent" || key == "te" ||
				strings.HasPrefix(key, "grpc-") {
				continue
			}
			outgoing[key] = values
		}
		ctx = metadata.NewOutgoingContext(ctx, outgoing)
	}
	backendStream, err := p.backend.NewStream(ctx,
		&grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, method)
	if err != nil {
		return err
	}
	go func() {
		if first != nil {
			if err := backendStream.SendMsg(first); err != nil {
				return
			}
		}
		for {
			var request frame
			if err := stream.RecvMsg(&request); err != nil {
				_ = backendStream.CloseSend()
				return
			}
			if err := backendStream.SendMsg(&request); err != nil {
				return
			}
		}
	}()
	if header, err := backendStream.Header(); err == nil {
		_ = stream.SendHeader(header)
	}
	for {
		var response frame
		if err := backendStream.RecvMsg(&response); err != nil {
			stream.SetTrailer(backendStream.Trailer())
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if err := stream.SendMsg(&response); err != nil {
			return err
		}
	}
}

type responseWriter struct {
	mu     *sync.Mutex
	stream grpc.ServerStream
	stderr bool
}

func (w responseWriter) Write(data []byte) (int, error) {
	response := &pulumirpc.RunPluginResponse{}
	chunk := append([]byte(nil), data...)
	if w.stderr {
		response.Output = &pulumirpc.RunPluginResponse_Stderr{Stderr: chunk}
	} else {
		response.Output = &pulumirpc.RunPluginResponse_Stdout{Stdout: chunk}
	}
	if err := w.send(response); err != nil {
		return 0, err
	}
	return len(data), nil
}

func (w responseWriter) send(response *pulumirpc.RunPluginResponse) error {
	payload, err := proto.Marshal(response)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stream.SendMsg(&frame{payload: payload})
}

func runPolicyPack(req *pulumirpc.RunPluginRequest, stream grpc.ServerStream) error {
	packDir := req.GetInfo().GetProgramDirectory()
	if packDir == "" {
		packDir = req.GetPwd()
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return err
	}
	resolve := exec.Command(node, "-e", "console.log(require.resolve('@pulumi/pulumi/cmd/run-policy-pack'))")
	resolve.Dir = packDir
	resolve.Stderr = os.Stderr
	runPolicyPackScript, err := resolve.Output()
	if err != nil {
		return fmt.Errorf("cannot resolve @pulumi/pulumi/cmd/run-policy-pack from %s (npm install there?): %w",
			packDir, err)
	}
	args := append([]string{strings.TrimSpace(string(runPolicyPackScript))}, req.GetArgs()...)
	args = append(args, packDir)
	env := req.GetEnv()
	if len(env) == 0 {
		env = os.Environ()
	}
	if typescript, ok := req.GetInfo().GetOptions().AsMap()["typescript"].(bool); !ok || typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if tsconfig, ok := req.GetInfo().GetOptions().AsMap()["tsconfig"].(string); ok && tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+tsconfig)
	}
	mu := &sync.Mutex{}
	cmd := exec.CommandContext(stream.Context(), node, args...)
	cmd.Dir = packDir
	cmd.Env = env
	cmd.Stdout = responseWriter{mu: mu, stream: stream}
	cmd.Stderr = responseWriter{mu: mu, stream: stream, stderr: true}
	exitCode := int32(0)
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return err
		}
		exitCode = int32(exitErr.ExitCode())
	}
	return responseWriter{mu: mu, stream: stream}.send(&pulumirpc.RunPluginResponse{
		Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: exitCode},
	})
}

// nodeJSExitedAfterLoggingUserActionableMessage is the exit code @pulumi/pulumi/cmd/run uses after it
// has already shown the user the error; the engine is then told to bail without more output.
const nodeJSExitedAfterLoggingUserActionableMessage = 32

func (p *proxy) runProgram(req *pulumirpc.RunRequest) *pulumirpc.RunResponse {
	failed := func(err error) *pulumirpc.RunResponse { return &pulumirpc.RunResponse{Error: err.Error()} }
	info := req.GetInfo()
	programDir := info.GetProgramDirectory()
	if programDir == "" {
		programDir = req.GetPwd()
	}
	options := info.GetOptions().AsMap()
	node, err := exec.LookPath("node")
	if err != nil {
		return failed(fmt.Errorf("could not find node on the $PATH: %w", err))
	}
	resolve := exec.Command(node, "-e", "console.log(require.resolve('@pulumi/pulumi/cmd/run'))")
	resolve.Dir = programDir
	resolve.Stderr = os.Stderr
	runScript, err := resolve.Output()
	if err != nil {
		return failed(fmt.Errorf("it looks like the Pulumi SDK has not been installed in %s; have you run npm install?",
			programDir))
	}

	var args []string
	if nodeargs, ok := options["nodeargs"].(string); ok && nodeargs != "" {
		args = append(args, strings.Fields(nodeargs)...)
	}
	args = append(args, strings.TrimSpace(string(runScript)))
	appendFlag := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	appendFlag("monitor", req.GetMonitorAddress())
	appendFlag("engine", p.engineAddress)
	appendFlag("organization", req.GetOrganization())
	appendFlag("project", req.GetProject())
	appendFlag("root-directory", info.GetRootDirectory())
	appendFlag("stack", req.GetStack())
	appendFlag("pwd", programDir)
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	appendFlag("parallel", strconv.Itoa(int(req.GetParallel())))
	entryPoint := info.GetEntryPoint()
	if entryPoint == "" {
		entryPoint = "."
	}
	args = append(args, entryPoint)
	args = append(args, req.GetArgs()...)

	config, err := json.Marshal(req.GetConfig())
	if err != nil {
		return failed(err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return failed(err)
	}
	env := append(os.Environ(), "PULUMI_CONFIG="+string(config), "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON))
	if typescript, ok := options["typescript"].(bool); !ok || typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if tsconfig, ok := options["tsconfig"].(string); ok && tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+tsconfig)
	}

	cmd := exec.Command(node, args...)
	cmd.Dir = req.GetPwd()
	cmd.Env = env
	// Wrapped so that exec copies through its own goroutines: node may set our shared stdout
	// non-blocking otherwise (golang/go#58408).
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = struct{ io.Writer }{os.Stderr}
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return failed(fmt.Errorf("problem executing program (could not run language executor): %w", err))
		}
		if exitErr.ExitCode() == nodeJSExitedAfterLoggingUserActionableMessage {
			return &pulumirpc.RunResponse{Bail: true}
		}
		return failed(fmt.Errorf("program exited with non-zero exit code: %d", exitErr.ExitCode()))
	}
	return &pulumirpc.RunResponse{}
}
GO
}

build_language_host() {
  if build_language_host_from_release_commit; then
    return 0
  fi
  tc_log "pulumi $PULUMI_VERSION: the Go proxy does not serve $language_host_module@${PULUMI_COMMIT:0:12};" \
    "falling back to the host inside github.com/pulumi/pulumi/sdk/v3@v$PULUMI_LANGUAGE_NODEJS_FALLBACK_SDK_VERSION" \
    "behind our shim (see tools/toolchain/README.md)"
  build_language_host_from_fallback_sdk
}

# Same behaviour as the launcher in the official CLI archive (sdk/nodejs/dist/): the engine starts
# it with the program directory as working directory, so node resolves @pulumi/pulumi from the
# project's node_modules — the dynamic provider must be the SDK version that serialized it.
write_dynamic_provider_launcher() {
  local launcher="$pulumi_bin/pulumi-resource-pulumi-nodejs"
  cat > "$work_dir/launcher" <<'LAUNCHER'
#!/bin/sh
# Written by gcr-pull-secrets tools/toolchain/steps/pulumi.sh: starts the Pulumi Node.js dynamic provider.
script="$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))")" || exit 1
exec node "$script" "$@"
LAUNCHER
  chmod +x "$work_dir/launcher"
  # Replaced only when it changed, and by rename: a running `pulumi` may be starting it right now.
  if cmp -s "$work_dir/launcher" "$launcher"; then
    return 1
  fi
  mv "$work_dir/launcher" "$launcher"
}

label="pulumi $PULUMI_VERSION"

reason="$(skip_reason pulumi)"
if [ -n "$reason" ]; then
  tc_log "$label: CLI: $reason"
else
  tc_log "$label: building CLI (takes ~7 min cold on 2 busy cores)..."
  tc_timed "$label: CLI" build_cli || tc_die "$label: CLI build failed"
fi

reason="$(skip_reason pulumi-language-nodejs)"
if [ -n "$reason" ]; then
  tc_log "$label: language host: $reason"
else
  tc_log "$label: building pulumi-language-nodejs (takes ~1 min cold)..."
  tc_timed "$label: language host" build_language_host || tc_die "$label: language host build failed"
fi

if tc_on_path pulumi-resource-pulumi-nodejs; then
  tc_log "$label: dynamic provider launcher: using $(command -v pulumi-resource-pulumi-nodejs) from PATH"
else
  if write_dynamic_provider_launcher; then
    tc_log "$label: dynamic provider launcher written"
  else
    tc_log "$label: dynamic provider launcher: cached in $pulumi_bin"
  fi
fi
