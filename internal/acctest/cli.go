package acctest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// ProviderHost is the registry host in the provider addresses the tests use:
// TF_ACC_PROVIDER_HOST when set, as in terraform-plugin-testing, else registry.terraform.io.
// OpenTofu resolves a source without a host to registry.opentofu.org (`make test-matrix`
// sets it for OpenTofu).
func ProviderHost() string {
	if host := os.Getenv("TF_ACC_PROVIDER_HOST"); host != "" {
		return host
	}
	return "registry.terraform.io"
}

// providerAddress is the provider's registry address in configurations and reattach.
func providerAddress() string { return ProviderHost() + "/intunetf/intune" }

// CLI runs the real terraform binary in a working directory of its own, against the
// provider served in this process (TF_REATTACH_PROVIDERS), for flows that
// terraform-plugin-testing does not drive, such as `terraform query
// -generate-config-out`. The binary is TF_ACC_TERRAFORM_PATH, else terraform on PATH.
type CLI struct {
	t   *testing.T
	Dir string
	bin string
	env []string
}

// CLI starts the provider for the test and returns a CLI in a fresh directory.
func (e *Env) CLI(t *testing.T) *CLI {
	t.Helper()
	bin := TestCLI(t).Path
	factory := e.Factories()["intune"]
	server, err := factory()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	reattach := make(chan *plugin.ReattachConfig, 1)
	closed := make(chan struct{})
	go func() {
		_ = tf6server.Serve(providerAddress(), func() tfprotov6.ProviderServer { return server },
			tf6server.WithDebug(ctx, reattach, closed), tf6server.WithLoggingSink(t))
	}()
	var rc *plugin.ReattachConfig
	select {
	case rc = <-reattach:
	case <-closed:
		cancel()
		t.Fatal("the provider server stopped before it was ready")
	}
	t.Cleanup(func() {
		cancel()
		<-closed
	})
	raw, err := json.Marshal(map[string]any{providerAddress(): map[string]any{
		"Protocol": string(rc.Protocol), "ProtocolVersion": rc.ProtocolVersion, "Pid": rc.Pid, "Test": true,
		"Addr": map[string]string{"Network": rc.Addr.Network(), "String": rc.Addr.String()},
	}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rcFile := filepath.Join(dir, ".terraformrc")
	if err := os.WriteFile(rcFile, []byte("# empty: no credentials or overrides\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "TF_REATTACH_PROVIDERS="+string(raw), "TF_CLI_CONFIG_FILE="+rcFile,
		"CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	return &CLI{t: t, Dir: dir, bin: bin, env: env}
}

// Write puts a file in the working directory.
func (c *CLI) Write(name, content string) {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.Dir, name), []byte(content), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// Read returns a file of the working directory.
func (c *CLI) Read(name string) string {
	c.t.Helper()
	b, err := os.ReadFile(filepath.Join(c.Dir, name))
	if err != nil {
		c.t.Fatal(err)
	}
	return string(b)
}

// Run runs terraform with the arguments and returns its combined output and exit code;
// it fails the test only when terraform could not be started.
func (c *CLI) Run(args ...string) (string, int) {
	c.t.Helper()
	cmd := exec.Command(c.bin, append(args, "-no-color")...)
	cmd.Dir, cmd.Env = c.Dir, c.env
	out, err := cmd.CombinedOutput()
	code := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			c.t.Fatalf("terraform %s: %v", strings.Join(args, " "), err)
		}
		code = ee.ExitCode()
	}
	return string(out), code
}

// MustRun is Run that fails the test on a non-zero exit code.
func (c *CLI) MustRun(args ...string) string {
	c.t.Helper()
	out, code := c.Run(args...)
	if code != 0 {
		c.t.Fatalf("terraform %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

// RequiredProviders is the terraform block naming this provider.
func RequiredProviders() string {
	return fmt.Sprintf("terraform {\n  required_providers {\n    intune = { source = %q }\n  }\n}\n", providerAddress())
}
