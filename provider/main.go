// pulumi-resource-dsas: the Pulumi provider that puts one service's files on a
// host over SSH. It has a single resource, dsas:host:ServiceConfig: on create,
// update and delete it opens (or reuses) one SSH connection to the host and
// runs a bootstrap with a bundle of the tools and files on stdin, so a secret
// never appears in a command line. Preview, refresh and a no-change run open
// no connection.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
)

// Set by the build (-ldflags -X main.version=...).
var version = "0.0.0-dev"

func main() {
	if len(os.Args) == 3 && os.Args[1] == "bundle" {
		os.Exit(bundleCommand(os.Args[2], os.Stdin, os.Stdout, os.Stderr))
	}
	if len(os.Args) == 2 && os.Args[1] == "exec" {
		os.Exit(execCommand(os.Stdin, os.Stdout, os.Stderr))
	}
	err := provider.Main("dsas", func(host *provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return &dsasProvider{
			host:  host,
			ssh:   newPool(),
			tools: hostTools(),
			// DSAS_PROVIDER_SKIP_SSH=bench is for the benchmarks only: create,
			// update and delete then connect to nothing and report that nothing
			// was applied, so the engine's own cost can be measured on generated
			// stacks whose hosts do not exist. Check and Diff are unchanged.
			bench: os.Getenv("DSAS_PROVIDER_SKIP_SSH") == "bench",
		}, nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type dsasProvider struct {
	pulumirpc.UnimplementedResourceProviderServer
	host  *provider.HostClient
	ssh   *pool
	bench bool
	// What the bootstrap installs on every host: tools.go's, or a test's.
	tools map[string]tool
}

func (p *dsasProvider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (p *dsasProvider) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true}, nil
}

func (p *dsasProvider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

// DiffConfig: the provider has no configuration, so a new provider version
// (0.1.0 to 0.2.0) replaces no resource.
func (p *dsasProvider) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (p *dsasProvider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	p.ssh.closeAll()
	return &emptypb.Empty{}, nil
}
