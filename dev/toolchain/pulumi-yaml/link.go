// Added to github.com/pulumi/pulumi-yaml v1.25.0's pkg/server when the toolchain step steps/pulumi-yaml.sh
// builds pulumi-language-yaml (go build -overlay): that release predates the Link call, which the
// CLI (3.274) makes at the end of `pulumi package add` and answers "method Link not implemented"
// without it. YAML programs need no generated SDK: they read the package schema directly, so there
// is nothing to link; later pulumi-yaml releases answer the same empty response.

package server

import (
	"context"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Link tells the engine the package is ready for this YAML program: nothing to do.
func (host *yamlLanguageHost) Link(context.Context, *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	return &pulumirpc.LinkResponse{}, nil
}
