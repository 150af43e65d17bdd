// Command pulumi-language-nodejs is gcr-pull-secrets' shim in front of an older Node.js language host.
//
// Why it exists: the Pulumi CLI is built here from the Go module proxy, but the proxy refuses the
// module of the current Node.js language host (github.com/pulumi/pulumi/sdk/nodejs/cmd/
// pulumi-language-nodejs/v3 is untagged, and every version of it is answered 403). The newest host we
// can build is the one that was still inside the tagged sdk/v3 module, v3.68.0. Two things it does
// not do, or no longer do, with the current CLI and SDK:
//   - Policy packs: CLI >= 3.221 runs them as RunPlugin(kind=analyzer) on the language host, which
//     v3.68.0 answers "not supported"; the CLI no longer falls back to pulumi-analyzer-policy once a
//     language host exists.
//   - Programs (Run): v3.68.0 puts its own typed resource-monitor proxy between the program and the
//     engine, which answers Unimplemented for every monitor call added since (stack transforms,
//     resource hooks, RegisterPackage, ...); it ignores the runtime options (typescript, tsconfig,
//     nodeargs) that the CLI sends in the request; and it resolves @pulumi/pulumi from its own
//     working directory instead of the program's.
//   - Source-based provider plugins (a folder with PulumiPlugin.yaml, runtime nodejs, as
//     `pulumi package add <folder>` uses): RunPlugin(kind=resource) is answered "not supported".
//
// So the shim starts the real host (pulumi-language-nodejs-real, next to this binary), forwards
// every gRPC call to it unchanged, and serves these two itself: Run starts @pulumi/pulumi/cmd/run
// with the engine's monitor address, RunPlugin(kind=analyzer) starts
// @pulumi/pulumi/cmd/run-policy-pack as the old pulumi-analyzer-policy launcher did, and
// RunPlugin(kind=resource) starts @pulumi/pulumi/cmd/run-plugin as the current host does.
//
// It is built by dev/toolchain/steps/pulumi.sh (see dev/toolchain/README.md).
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// realHostName is the file name of the real host, installed next to the shim.
const realHostName = "pulumi-language-nodejs-real"

func main() {
	self, err := os.Executable()
	if err != nil {
		fail(err)
	}
	realHost := filepath.Join(filepath.Dir(self), realHostName)
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
	server := newServer(&proxy{backend: backend, engineAddress: os.Args[len(os.Args)-1]})
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
