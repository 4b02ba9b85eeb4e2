package acctest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"sync"
	"testing"
)

// CLIInfo is the Terraform or OpenTofu binary the acceptance tests run: the one
// terraform-plugin-testing and CLI use, TF_ACC_TERRAFORM_PATH, else terraform on PATH.
type CLIInfo struct {
	// Path is the binary's path.
	Path string
	// OpenTofu is true for OpenTofu (`tofu version` prints "OpenTofu v…"), false for Terraform.
	OpenTofu bool
	// Major, Minor and Patch are the version the binary reports in `version -json`
	// ("terraform_version", which OpenTofu also uses for its own version).
	Major, Minor, Patch int
}

// String is "Terraform 1.16.4" or "OpenTofu 1.12.6".
func (c CLIInfo) String() string {
	return fmt.Sprintf("%s %d.%d.%d", c.product(), c.Major, c.Minor, c.Patch)
}

func (c CLIInfo) product() string {
	if c.OpenTofu {
		return "OpenTofu"
	}
	return "Terraform"
}

// atLeast reports whether the CLI's version is at least v ("1.14.0").
func (c CLIInfo) atLeast(v string) bool {
	w, err := parseVersion(v)
	if err != nil {
		panic(err)
	}
	have := [3]int{c.Major, c.Minor, c.Patch}
	for i := range have {
		if have[i] != w[i] {
			return have[i] > w[i]
		}
	}
	return true
}

var versionRE = regexp.MustCompile(`^v?(\d+)\.(\d+)\.(\d+)`)

func parseVersion(s string) ([3]int, error) {
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return [3]int{}, fmt.Errorf("not a version: %q", s)
	}
	var v [3]int
	for i := range v {
		v[i], _ = strconv.Atoi(m[i+1])
	}
	return v, nil
}

// Feature is a CLI capability some tests need, with the first version of each CLI that has
// it ("" when that CLI has none).
type Feature struct {
	Name      string
	Terraform string
	OpenTofu  string
}

// The features the tests gate on. Sources: Terraform's CHANGELOG.md (import blocks and
// plan -generate-config-out in 1.5.0, import by identity in 1.12.0, `terraform query` and
// list resources in 1.14.0) and OpenTofu's (import blocks and -generate-config-out in 1.6.0,
// import by identity in 1.12.0, https://github.com/opentofu/opentofu/pull/3671; no release
// up to 1.12 has `query` or list resources).
var (
	ImportBlocks     = Feature{Name: "import blocks and plan -generate-config-out", Terraform: "1.5.0", OpenTofu: "1.6.0"}
	ImportByIdentity = Feature{Name: "import blocks with identity", Terraform: "1.12.0", OpenTofu: "1.12.0"}
	// RemovedBlocks: `removed` blocks with lifecycle { destroy = false }.
	RemovedBlocks = Feature{Name: "removed blocks", Terraform: "1.7.0", OpenTofu: "1.9.0"}
	// MoveAcrossTypes: a moved block whose from and to are of different resource types
	// (the provider's MoveResourceState).
	MoveAcrossTypes = Feature{Name: "moved blocks across resource types", Terraform: "1.8.0", OpenTofu: "1.12.0"}
	// LifecycleDestroy: lifecycle { destroy = false } in a resource block, so that removing
	// the block forgets the resource instead of destroying it.
	LifecycleDestroy = Feature{Name: "lifecycle { destroy = false } in resource blocks", Terraform: "1.16.0", OpenTofu: "1.12.0"}
	Query            = Feature{Name: "terraform query and list resources", Terraform: "1.14.0"}
)

// Has reports whether the CLI has the feature.
func (c CLIInfo) Has(f Feature) bool {
	first := f.Terraform
	if c.OpenTofu {
		first = f.OpenTofu
	}
	return first != "" && c.atLeast(first)
}

var (
	cliOnce sync.Once
	cliInfo CLIInfo
	cliErr  error
)

// TestCLI describes the CLI the acceptance tests run; it is read once per test binary.
func TestCLI(t testing.TB) CLIInfo {
	t.Helper()
	cliOnce.Do(func() { cliInfo, cliErr = probeCLI() })
	if cliErr != nil {
		t.Fatal(cliErr)
	}
	return cliInfo
}

func cliPath() (string, error) {
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p, nil
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		return "", fmt.Errorf("no terraform: set TF_ACC_TERRAFORM_PATH or put terraform on PATH (make test does)")
	}
	return p, nil
}

func probeCLI() (CLIInfo, error) {
	path, err := cliPath()
	if err != nil {
		return CLIInfo{}, err
	}
	env := append(os.Environ(), "CHECKPOINT_DISABLE=1", "TF_CLI_CONFIG_FILE="+os.DevNull)
	run := func(args ...string) ([]byte, error) {
		cmd := exec.Command(path, args...)
		cmd.Env = env
		return cmd.Output()
	}
	out, err := run("version", "-json")
	if err != nil {
		return CLIInfo{}, fmt.Errorf("%s version -json: %w", path, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return CLIInfo{}, fmt.Errorf("%s version -json: %w in %q", path, err, out)
	}
	ver, err := parseVersion(v.Version)
	if err != nil {
		return CLIInfo{}, fmt.Errorf("%s version -json: %w", path, err)
	}
	plain, err := run("version")
	if err != nil {
		return CLIInfo{}, fmt.Errorf("%s version: %w", path, err)
	}
	return CLIInfo{Path: path, OpenTofu: bytes.HasPrefix(bytes.TrimSpace(plain), []byte("OpenTofu")),
		Major: ver[0], Minor: ver[1], Patch: ver[2]}, nil
}

// RequireCLI skips the test, saying why in the log, when the CLI under test lacks the
// feature; every other test still runs on that CLI (`make test-matrix`).
func RequireCLI(t testing.TB, f Feature) {
	t.Helper()
	c := TestCLI(t)
	if c.Has(f) {
		return
	}
	need := "Terraform " + f.Terraform + " or later"
	if f.OpenTofu != "" {
		need += " or OpenTofu " + f.OpenTofu + " or later"
	} else {
		need += " (no OpenTofu release has it)"
	}
	t.Skipf("skipped on %s: this test needs %s, which %s (%s) lacks; it runs on %s", c, f.Name, c, c.Path, need)
}
