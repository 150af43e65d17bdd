package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
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

func runPolicyPack(req *pulumirpc.RunPluginRequest, stream grpc.ServerStream) error {
	node, err := exec.LookPath("node")
	if err != nil {
		return err
	}
	packDir := programDirectory(req.GetInfo().GetProgramDirectory(), req.GetPwd())
	runPolicyPackScript, err := resolveFrom(node, packDir, "@pulumi/pulumi/cmd/run-policy-pack")
	if err != nil {
		return fmt.Errorf("cannot resolve @pulumi/pulumi/cmd/run-policy-pack from %s (npm install there?): %w",
			packDir, err)
	}
	pack, dir := policyPackCommand(req, runPolicyPackScript, os.Environ())
	mu := &sync.Mutex{}
	cmd := exec.CommandContext(stream.Context(), node, pack.args...)
	cmd.Dir = dir
	cmd.Env = pack.env
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
