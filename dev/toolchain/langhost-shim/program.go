package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// nodeJSExitedAfterLoggingUserActionableMessage is the exit code @pulumi/pulumi/cmd/run uses after it
// has already shown the user the error; the engine is then told to bail without more output.
const nodeJSExitedAfterLoggingUserActionableMessage = 32

// command is a node invocation: its arguments (after the node binary) and what it adds to the environment.
type command struct {
	args []string
	env  []string
}

// programCommand is how the real v3.274 host starts a program: node [nodeargs] <cmd/run> --monitor ...
// <entry point> [program args], with the stack config and the runtime options in the environment.
// runScript is @pulumi/pulumi/cmd/run as resolved from the program directory.
func programCommand(req *pulumirpc.RunRequest, engineAddress, runScript string) (command, error) {
	info := req.GetInfo()
	options := info.GetOptions().AsMap()
	var args []string
	if nodeargs, ok := options["nodeargs"].(string); ok && nodeargs != "" {
		args = append(args, strings.Fields(nodeargs)...)
	}
	args = append(args, runScript)
	appendFlag := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	appendFlag("monitor", req.GetMonitorAddress())
	appendFlag("engine", engineAddress)
	appendFlag("organization", req.GetOrganization())
	appendFlag("project", req.GetProject())
	appendFlag("root-directory", info.GetRootDirectory())
	appendFlag("stack", req.GetStack())
	appendFlag("pwd", programDirectory(info.GetProgramDirectory(), req.GetPwd()))
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
		return command{}, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return command{}, err
	}
	env := []string{"PULUMI_CONFIG=" + string(config), "PULUMI_CONFIG_SECRET_KEYS=" + string(secretKeysJSON)}
	env = append(env, typescriptEnv(options)...)
	return command{args: args, env: env}, nil
}

// programDirectory is where the program (or pack) lives: the project's main directory when the CLI
// says, else the working directory.
func programDirectory(programDir, pwd string) string {
	if programDir != "" {
		return programDir
	}
	return pwd
}

// typescriptEnv turns the Pulumi.yaml runtime options into what @pulumi/pulumi reads: TypeScript is
// on unless `typescript: false`, and `tsconfig` names the config file.
func typescriptEnv(options map[string]any) []string {
	var env []string
	if typescript, ok := options["typescript"].(bool); !ok || typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if tsconfig, ok := options["tsconfig"].(string); ok && tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+tsconfig)
	}
	return env
}

// resolveFrom asks node, running in dir, where a module is: the project's own @pulumi/pulumi, not ours.
func resolveFrom(node, dir, module string) (string, error) {
	resolve := exec.Command(node, "-e", "console.log(require.resolve(process.argv[1]))", module)
	resolve.Dir = dir
	resolve.Stderr = os.Stderr
	out, err := resolve.Output()
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// runResponse maps how node ended to what the engine expects.
func runResponse(err error) *pulumirpc.RunResponse {
	if err == nil {
		return &pulumirpc.RunResponse{}
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("problem executing program (could not run language executor): %v", err),
		}
	}
	if exitErr.ExitCode() == nodeJSExitedAfterLoggingUserActionableMessage {
		return &pulumirpc.RunResponse{Bail: true}
	}
	return &pulumirpc.RunResponse{
		Error: fmt.Sprintf("program exited with non-zero exit code: %d", exitErr.ExitCode()),
	}
}

func (p *proxy) runProgram(req *pulumirpc.RunRequest) *pulumirpc.RunResponse {
	failed := func(err error) *pulumirpc.RunResponse { return &pulumirpc.RunResponse{Error: err.Error()} }
	programDir := programDirectory(req.GetInfo().GetProgramDirectory(), req.GetPwd())
	node, err := exec.LookPath("node")
	if err != nil {
		return failed(fmt.Errorf("could not find node on the $PATH: %w", err))
	}
	runScript, err := resolveFrom(node, programDir, "@pulumi/pulumi/cmd/run")
	if err != nil {
		return failed(fmt.Errorf("it looks like the Pulumi SDK has not been installed in %s; have you run npm install?",
			programDir))
	}
	program, err := programCommand(req, p.engineAddress, runScript)
	if err != nil {
		return failed(err)
	}
	cmd := exec.Command(node, program.args...)
	cmd.Dir = req.GetPwd()
	cmd.Env = append(os.Environ(), program.env...)
	// Wrapped so that exec copies through its own goroutines: node may set our shared stdout
	// non-blocking otherwise (golang/go#58408).
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = struct{ io.Writer }{os.Stderr}
	return runResponse(cmd.Run())
}
