// Command benchthrottle measures how close an apply of N resources comes to the floor that
// Intune's write limit imposes (N writes at 100 per 20 s per app): it starts the Graph
// emulator with the documented limits, applies N assignment resources with a plain
// terraform and the built provider, and prints wall time, floor, their ratio and the 429s
// the emulator served. `make bench-throttle` runs it.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

func main() {
	n := flag.Int("n", 300, "resources (policies) to apply")
	tf := flag.String("terraform", "terraform", "terraform binary")
	providerDir := flag.String("provider-dir", ".bin", "directory holding terraform-provider-intune")
	parallelism := flag.Int("parallelism", 10, "terraform -parallelism")
	flag.Parse()
	if err := run(*n, *tf, *providerDir, *parallelism); err != nil {
		log.Fatal(err)
	}
}

func run(n int, tf, providerDir string, parallelism int) error {
	providerDir, _ = filepath.Abs(providerDir)
	srv, err := emulator.Start(emulator.Config{}) // documented limits: 100 writes / 20 s per app
	if err != nil {
		return err
	}
	defer srv.Close()
	srv.SetRecordRequests(false)

	dir, err := os.MkdirTemp("", "bench-throttle-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := srv.CA().WriteCertFile(filepath.Join(dir, "ca.pem")); err != nil {
		return err
	}
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides { \"intunetf/intune\" = %q }\n  direct {}\n}\n", providerDir)
	if err := os.WriteFile(filepath.Join(dir, "terraformrc"), []byte(rc), 0o600); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("terraform {\n  required_providers {\n    intune = { source = \"intunetf/intune\" }\n  }\n}\nprovider \"intune\" {}\n")
	for i := 0; i < n; i++ {
		id := srv.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: fmt.Sprintf("bench %d", i)})
		fmt.Fprintf(&b, "resource \"intune_device_configuration_assignments\" \"p%d\" {\n  device_configuration_id = %q\n  assignments = [{ target = \"group\", group_id = \"%08x-0000-4000-8000-000000000001\" }]\n}\n", i, id, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(b.String()), 0o600); err != nil {
		return err
	}

	env := append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+filepath.Join(dir, "terraformrc"), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"SSL_CERT_FILE="+filepath.Join(dir, "ca.pem"),
		"ARM_TENANT_ID="+srv.TenantID(), "ARM_CLIENT_ID="+emulator.DefaultClientID, "ARM_CLIENT_SECRET="+emulator.DefaultClientSecret,
		"INTUNE_GRAPH_ENDPOINT="+srv.URL(), "INTUNE_AUTHORITY_HOST="+srv.URL()+"/")
	terraform := func(args ...string) error {
		cmd := exec.Command(tf, args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("terraform %s: %v\n%s", args[0], err, out)
		}
		return nil
	}

	srv.ResetStats()
	start := time.Now()
	if err := terraform("apply", "-input=false", "-auto-approve", "-no-color", fmt.Sprintf("-parallelism=%d", parallelism)); err != nil {
		return err
	}
	wall := time.Since(start)
	st := srv.Stats()

	const writesPerWindow, window = 100, 20 * time.Second
	floor := time.Duration(float64(n) / writesPerWindow * float64(window))
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "resources\twrites\t429s\t429 share\twall\tfloor\twall/floor\t")
	fmt.Fprintf(w, "%d\t%d\t%d\t%.1f%%\t%s\t%s\t%.2f\t\n", n, st.Writes, st.Throttled,
		100*float64(st.Throttled)/float64(max(st.Writes, 1)), wall.Round(100*time.Millisecond), floor, wall.Seconds()/floor.Seconds())
	_ = w.Flush()
	fmt.Println("floor: the resources' writes at Intune's documented limit of 100 writes per 20 s per app")
	return nil
}
