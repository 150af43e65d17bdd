package main

import (
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

func options(t *testing.T, m map[string]any) *structpb.Struct {
	t.Helper()
	s, err := structpb.NewStruct(m)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestProgramCommandStartsCmdRunAsTheRealHostDoes(t *testing.T) {
	req := &pulumirpc.RunRequest{
		Project:          "gcr-pull-secrets",
		Stack:            "dev",
		Pwd:              "/work/project",
		DryRun:           true,
		Parallel:         16,
		MonitorAddress:   "127.0.0.1:4000",
		Organization:     "organization",
		Config:           map[string]string{"gcr-pull-secrets:secretName": "regcred"},
		ConfigSecretKeys: []string{"gcr-pull-secrets:jsonKey"},
		Args:             []string{"extra"},
		Info: &pulumirpc.ProgramInfo{
			RootDirectory:    "/work/project",
			ProgramDirectory: "/work/project/app",
			EntryPoint:       "index.ts",
			Options:          options(t, map[string]any{"nodeargs": "--max-old-space-size=4096 --trace-warnings", "tsconfig": "tsconfig.build.json"}),
		},
	}
	got, err := programCommand(req, "127.0.0.1:5000", "/work/project/node_modules/@pulumi/pulumi/cmd/run/index.js")
	if err != nil {
		t.Fatal(err)
	}
	wantArgs := []string{
		"--max-old-space-size=4096", "--trace-warnings",
		"/work/project/node_modules/@pulumi/pulumi/cmd/run/index.js",
		"--monitor", "127.0.0.1:4000", "--engine", "127.0.0.1:5000", "--organization", "organization",
		"--project", "gcr-pull-secrets", "--root-directory", "/work/project", "--stack", "dev",
		"--pwd", "/work/project/app", "--dry-run", "--parallel", "16", "index.ts", "extra",
	}
	if !reflect.DeepEqual(got.args, wantArgs) {
		t.Errorf("args:\n got %q\nwant %q", got.args, wantArgs)
	}
	wantEnv := []string{
		`PULUMI_CONFIG={"gcr-pull-secrets:secretName":"regcred"}`,
		`PULUMI_CONFIG_SECRET_KEYS=["gcr-pull-secrets:jsonKey"]`,
		"PULUMI_NODEJS_TYPESCRIPT=true",
		"PULUMI_NODEJS_TSCONFIG_PATH=tsconfig.build.json",
	}
	if !reflect.DeepEqual(got.env, wantEnv) {
		t.Errorf("env:\n got %q\nwant %q", got.env, wantEnv)
	}
}

func TestProgramCommandDefaults(t *testing.T) {
	req := &pulumirpc.RunRequest{Pwd: "/p", MonitorAddress: "m",
		Info: &pulumirpc.ProgramInfo{Options: options(t, map[string]any{"typescript": false})}}
	got, err := programCommand(req, "", "run.js")
	if err != nil {
		t.Fatal(err)
	}
	// No entry point means the package's main ("."); no secret keys is an empty list, not null;
	// `typescript: false` turns TypeScript off; a preview flag only when it is one.
	wantArgs := []string{"run.js", "--monitor", "m", "--pwd", "/p", "--parallel", "0", "."}
	if !reflect.DeepEqual(got.args, wantArgs) {
		t.Errorf("args:\n got %q\nwant %q", got.args, wantArgs)
	}
	wantEnv := []string{"PULUMI_CONFIG=null", "PULUMI_CONFIG_SECRET_KEYS=[]"}
	if !reflect.DeepEqual(got.env, wantEnv) {
		t.Errorf("env:\n got %q\nwant %q", got.env, wantEnv)
	}
}

func TestPolicyPackCommandRunsInThePackWithTheRequestEnvironment(t *testing.T) {
	req := &pulumirpc.RunPluginRequest{
		Pwd:  "/work/project",
		Args: []string{"127.0.0.1:6000"},
		Env:  []string{"PATH=/bin"},
		Kind: "analyzer",
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: "/work/project/policy", Options: options(t, map[string]any{})},
	}
	got, dir := policyPackCommand(req, "/x/run-policy-pack/index.js", []string{"OWN=1"})
	if dir != "/work/project/policy" {
		t.Errorf("dir = %q", dir)
	}
	if want := []string{"/x/run-policy-pack/index.js", "127.0.0.1:6000", "/work/project/policy"}; !reflect.DeepEqual(got.args, want) {
		t.Errorf("args = %q, want %q", got.args, want)
	}
	if want := []string{"PATH=/bin", "PULUMI_NODEJS_TYPESCRIPT=true"}; !reflect.DeepEqual(got.env, want) {
		t.Errorf("env = %q, want %q", got.env, want)
	}
	req.Env = nil
	got, _ = policyPackCommand(req, "run.js", []string{"OWN=1"})
	if want := []string{"OWN=1", "PULUMI_NODEJS_TYPESCRIPT=true"}; !reflect.DeepEqual(got.env, want) {
		t.Errorf("without a request environment: env = %q, want %q", got.env, want)
	}
}

func TestRunResponse(t *testing.T) {
	exit := func(code string) error { return exec.Command("sh", "-c", "exit "+code).Run() }
	if r := runResponse(nil); r.GetError() != "" || r.GetBail() {
		t.Errorf("success: %v", r)
	}
	if r := runResponse(exit("32")); !r.GetBail() || r.GetError() != "" {
		t.Errorf("exit 32 (error already shown to the user) must bail quietly: %v", r)
	}
	if r := runResponse(exit("3")); r.GetError() != "program exited with non-zero exit code: 3" {
		t.Errorf("exit 3: %v", r)
	}
	if r := runResponse(exec.ErrNotFound); !strings.Contains(r.GetError(), "could not run language executor") {
		t.Errorf("no node: %v", r)
	}
}

func TestForwardedMetadataDropsWhatGRPCSetsItself(t *testing.T) {
	got := forwardedMetadata(metadata.MD{":authority": {"x"}, "content-type": {"application/grpc"},
		"user-agent": {"grpc-go"}, "te": {"trailers"}, "grpc-timeout": {"1S"}, "x-pulumi-trace": {"abc"}})
	if want := (metadata.MD{"x-pulumi-trace": {"abc"}}); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// realHost stands in for pulumi-language-nodejs-real.
type realHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	seenMetadata metadata.MD
}

func (h *realHost) GetPluginInfo(ctx context.Context, _ *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	h.seenMetadata, _ = metadata.FromIncomingContext(ctx)
	return &pulumirpc.PluginInfo{Version: "3.68.0"}, nil
}

func (h *realHost) RunPlugin(req *pulumirpc.RunPluginRequest, stream pulumirpc.LanguageRuntime_RunPluginServer) error {
	if err := stream.Send(&pulumirpc.RunPluginResponse{
		Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: []byte("real host ran " + req.GetKind())}}); err != nil {
		return err
	}
	return stream.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: 0}})
}

// shimClient starts a real host and the shim in front of it, and returns a client of the shim.
func shimClient(t *testing.T, host *realHost) pulumirpc.LanguageRuntimeClient {
	t.Helper()
	serve := func(server *grpc.Server) string {
		listener, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go func() { _ = server.Serve(listener) }()
		t.Cleanup(server.Stop)
		return listener.Addr().String()
	}
	hostServer := grpc.NewServer()
	pulumirpc.RegisterLanguageRuntimeServer(hostServer, host)
	hostAddress := serve(hostServer)
	backend, err := grpc.NewClient(hostAddress, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = backend.Close() })
	shimAddress := serve(newServer(&proxy{backend: backend, engineAddress: "127.0.0.1:7000"}))
	conn, err := grpc.NewClient(shimAddress, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return pulumirpc.NewLanguageRuntimeClient(conn)
}

func TestOtherCallsReachTheRealHostUnchanged(t *testing.T) {
	host := &realHost{}
	client := shimClient(t, host)
	ctx := metadata.AppendToOutgoingContext(context.Background(), "x-pulumi-trace", "abc")
	info, err := client.GetPluginInfo(ctx, &emptypb.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	if info.GetVersion() != "3.68.0" {
		t.Errorf("version %q, want the real host's", info.GetVersion())
	}
	if got := host.seenMetadata.Get("x-pulumi-trace"); !reflect.DeepEqual(got, []string{"abc"}) {
		t.Errorf("metadata seen by the real host: %v", host.seenMetadata)
	}
	// RunPlugin of any other kind (a converter or tool plugin) is the real host's too.
	output := runPlugin(t, client, &pulumirpc.RunPluginRequest{Kind: "converter"})
	if output.stdout != "real host ran converter" || output.exitCode != 0 {
		t.Errorf("got %+v", output)
	}
}

type pluginOutput struct {
	stdout, stderr string
	exitCode       int32
}

func runPlugin(t *testing.T, client pulumirpc.LanguageRuntimeClient, req *pulumirpc.RunPluginRequest) pluginOutput {
	t.Helper()
	stream, err := client.RunPlugin(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	var out pluginOutput
	for {
		response, err := stream.Recv()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out.stdout += string(response.GetStdout())
		out.stderr += string(response.GetStderr())
		out.exitCode = response.GetExitcode()
	}
}

// fakeNode puts a `node` on PATH that answers require.resolve with a fixed path and otherwise
// records its arguments and working directory, one per line, into the returned file.
func fakeNode(t *testing.T, exitCode string) string {
	t.Helper()
	dir := t.TempDir()
	record := filepath.Join(dir, "record")
	script := "#!/bin/sh\n" +
		"if [ \"$1\" = -e ]; then echo \"/resolved/$3\"; exit 0; fi\n" +
		"{ pwd; printf '%s\\n' \"$@\"; echo \"config=$PULUMI_CONFIG\"; } > " + record + "\n" +
		"echo to-stdout; echo to-stderr >&2\n" +
		"exit " + exitCode + "\n"
	if err := os.WriteFile(filepath.Join(dir, "node"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return record
}

func recorded(t *testing.T, record string) []string {
	t.Helper()
	data, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

func TestPolicyPacksRunThroughCmdRunPolicyPackNotTheRealHost(t *testing.T) {
	record := fakeNode(t, "3")
	packDir := t.TempDir()
	client := shimClient(t, &realHost{})
	output := runPlugin(t, client, &pulumirpc.RunPluginRequest{
		Kind: "analyzer", Args: []string{"127.0.0.1:6000"}, Env: os.Environ(),
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: packDir, Options: options(t, map[string]any{})},
	})
	if output.stdout != "to-stdout\n" || output.stderr != "to-stderr\n" || output.exitCode != 3 {
		t.Errorf("output %+v", output)
	}
	want := []string{packDir, "/resolved/@pulumi/pulumi/cmd/run-policy-pack", "127.0.0.1:6000", packDir, "config="}
	if got := recorded(t, record); !reflect.DeepEqual(got, want) {
		t.Errorf("node ran as\n %q\nwant\n %q", got, want)
	}
}

func TestProgramsRunThroughCmdRunWithTheEnginesMonitor(t *testing.T) {
	record := fakeNode(t, "32")
	programDir := t.TempDir()
	client := shimClient(t, &realHost{})
	response, err := client.Run(context.Background(), &pulumirpc.RunRequest{
		Pwd: programDir, MonitorAddress: "127.0.0.1:4000", Stack: "dev",
		Config: map[string]string{"a:b": "c"},
		Info:   &pulumirpc.ProgramInfo{ProgramDirectory: programDir, Options: options(t, map[string]any{})},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !response.GetBail() {
		t.Errorf("exit 32 must bail: %v", response)
	}
	want := []string{programDir, "/resolved/@pulumi/pulumi/cmd/run", "--monitor", "127.0.0.1:4000",
		"--engine", "127.0.0.1:7000", "--stack", "dev", "--pwd", programDir, "--parallel", "0", ".",
		`config={"a:b":"c"}`}
	if got := recorded(t, record); !reflect.DeepEqual(got, want) {
		t.Errorf("node ran as\n %q\nwant\n %q", got, want)
	}
}

func TestResourcePluginCommandRunsThePluginDirFromTheEnginesWorkingDirectory(t *testing.T) {
	req := &pulumirpc.RunPluginRequest{
		Kind: "resource", Pwd: "/work/program", Args: []string{"127.0.0.1:6000"}, Env: []string{"PATH=/bin"},
		Info: &pulumirpc.ProgramInfo{
			ProgramDirectory: "/work/plugin",
			Options:          options(t, map[string]any{"typescript": false, "nodeargs": "--max-old-space-size=512 --no-warnings"}),
		},
	}
	got, dir, err := resourcePluginCommand(req, "/x/run-plugin/index.js", []string{"OWN=1"})
	if err != nil {
		t.Fatal(err)
	}
	if dir != "/work/program" {
		t.Errorf("dir = %q", dir)
	}
	want := []string{"/x/run-plugin/index.js", "--max-old-space-size=512", "--no-warnings", "/work/plugin", "127.0.0.1:6000"}
	if !reflect.DeepEqual(got.args, want) {
		t.Errorf("args = %q, want %q", got.args, want)
	}
	if want := []string{"PATH=/bin"}; !reflect.DeepEqual(got.env, want) {
		t.Errorf("typescript: false: env = %q, want %q", got.env, want)
	}
	req.Info.Options = options(t, map[string]any{"nodeargs": `--title "a b"`})
	if _, _, err := resourcePluginCommand(req, "run.js", nil); err == nil || !strings.Contains(err.Error(), "nodeargs") {
		t.Errorf("quoted nodeargs: err = %v, want one naming nodeargs", err)
	}
}

func TestSourceBasedResourcePluginsRunThroughCmdRunPluginNotTheRealHost(t *testing.T) {
	record := fakeNode(t, "0")
	pluginDir, pwd := t.TempDir(), t.TempDir()
	client := shimClient(t, &realHost{})
	output := runPlugin(t, client, &pulumirpc.RunPluginRequest{
		Kind: "resource", Pwd: pwd, Args: []string{"127.0.0.1:6000"}, Env: os.Environ(),
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: pluginDir, Options: options(t, map[string]any{})},
	})
	if output.stdout != "to-stdout\n" || output.stderr != "to-stderr\n" || output.exitCode != 0 {
		t.Errorf("output %+v", output)
	}
	want := []string{pwd, "/resolved/@pulumi/pulumi/cmd/run-plugin", pluginDir, "127.0.0.1:6000", "config="}
	if got := recorded(t, record); !reflect.DeepEqual(got, want) {
		t.Errorf("node ran as\n %q\nwant\n %q", got, want)
	}
}
