package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// policyPackCommand is how the old pulumi-analyzer-policy launcher started a pack:
// node <run-policy-pack> <engine args...> <pack dir>, in the pack dir, with the request's
// environment (or ours, when it sends none) and the TypeScript options.
func policyPackCommand(req *pulumirpc.RunPluginRequest, runPolicyPackScript string, ownEnv []string) (command, string) {
	packDir := programDirectory(req.GetInfo().GetProgramDirectory(), req.GetPwd())
	args := append([]string{runPolicyPackScript}, req.GetArgs()...)
	args = append(args, packDir)
	env := req.GetEnv()
	if len(env) == 0 {
		env = ownEnv
	}
	env = append(append([]string(nil), env...), typescriptEnv(req.GetInfo().GetOptions().AsMap())...)
	return command{args: args, env: env}, packDir
}

// responseWriter streams a plugin's stdout or stderr to the engine as RunPluginResponse messages.
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

// resourcePluginCommand is how the current host starts a source-based plugin (PulumiPlugin.yaml,
// runtime nodejs): node <run-plugin> <nodeargs...> <plugin dir> <engine args...>, in the engine's
// working directory, with the request's environment (or ours) and the TypeScript options. Its
// stdout carries the plugin's port to the engine.
func resourcePluginCommand(req *pulumirpc.RunPluginRequest, runPluginScript string, ownEnv []string) (command, string, error) {
	pluginDir := programDirectory(req.GetInfo().GetProgramDirectory(), req.GetPwd())
	options := req.GetInfo().GetOptions().AsMap()
	args := []string{runPluginScript}
	if nodeargs, ok := options["nodeargs"].(string); ok && nodeargs != "" {
		if strings.ContainsAny(nodeargs, `"'\`) {
			return command{}, "", fmt.Errorf("nodeargs %q: quoting is not supported by this host; pass plain space-separated arguments", nodeargs)
		}
		args = append(args, strings.Fields(nodeargs)...)
	}
	args = append(args, pluginDir)
	args = append(args, req.GetArgs()...)
	env := req.GetEnv()
	if len(env) == 0 {
		env = ownEnv
	}
	env = append(append([]string(nil), env...), typescriptEnv(options)...)
	dir := req.GetPwd()
	if dir == "" {
		dir = pluginDir
	}
	return command{args: args, env: env}, dir, nil
}

// runPolicyPack starts a policy pack (kind=analyzer) through @pulumi/pulumi/cmd/run-policy-pack.
func runPolicyPack(req *pulumirpc.RunPluginRequest, stream grpc.ServerStream) error {
	packDir := programDirectory(req.GetInfo().GetProgramDirectory(), req.GetPwd())
	return runNodePlugin(stream, packDir, "@pulumi/pulumi/cmd/run-policy-pack", func(script string) (command, string, error) {
		pack, dir := policyPackCommand(req, script, os.Environ())
		return pack, dir, nil
	})
}

// runResourcePlugin starts a source-based resource plugin through @pulumi/pulumi/cmd/run-plugin,
// which the host v3.68.0 behind this shim answers "not supported".
func runResourcePlugin(req *pulumirpc.RunPluginRequest, stream grpc.ServerStream) error {
	pluginDir := programDirectory(req.GetInfo().GetProgramDirectory(), req.GetPwd())
	return runNodePlugin(stream, pluginDir, "@pulumi/pulumi/cmd/run-plugin", func(script string) (command, string, error) {
		return resourcePluginCommand(req, script, os.Environ())
	})
}

// runNodePlugin resolves `script` from the plugin's own directory (its @pulumi/pulumi, not ours),
// runs the command `build` makes of it, streams its output to the engine and ends with its exit code.
func runNodePlugin(stream grpc.ServerStream, pluginDir, script string, build func(string) (command, string, error)) error {
	node, err := exec.LookPath("node")
	if err != nil {
		return err
	}
	resolved, err := resolveFrom(node, pluginDir, script)
	if err != nil {
		return fmt.Errorf("cannot resolve %s from %s (npm install there?): %w", script, pluginDir, err)
	}
	plugin, dir, err := build(resolved)
	if err != nil {
		return err
	}
	mu := &sync.Mutex{}
	cmd := exec.CommandContext(stream.Context(), node, plugin.args...)
	cmd.Dir = dir
	cmd.Env = plugin.env
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
