// Command bench measures the provider as a user runs it, against the Graph emulator with
// Intune's documented throttle (1000 requests and 100 writes per 20 s per app) and 50 ms of
// latency per request, with a plain terraform and the built provider, and prints one table:
//
//   - refresh rows: N managed policies in a tenant of T, the Graph requests and 429s of a
//     `terraform plan`, its wall time next to `terraform plan -refresh=false` on the same
//     configuration in the same run, and their ratio;
//   - assignments rows: a no-op `terraform plan -refresh=false` of one policy with K
//     assignments (the cost of the set in the provider and the framework, not of Graph);
//   - the apply row: N policies applied under the write limit, wall time against the floor
//     that limit imposes (what `make bench-throttle` prints).
//
// `make bench` runs every row; `-rows` picks some. The state of the refresh and assignments
// rows is written directly (as an earlier apply would have left it), so a row costs only the
// plans it measures.
package main

import (
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/intunetf/terraform-provider-intune/internal/emulator"
	"github.com/intunetf/terraform-provider-intune/internal/provider"
)

const (
	resourceType = "intune_device_configuration_assignments"
	latency      = 50 * time.Millisecond
)

func main() {
	rows := flag.String("rows", "refresh,mixed,all,assignments,apply", "rows to run: refresh, mixed, all, assignments, apply")
	refresh := flag.String("refresh", "1/5000,100/150,1000/1500,3000/4000", "refresh rows: managed/tenant policies")
	mixed := flag.String("mixed", "1000/1500", "mixed and all rows: managed/tenant policies spread over the first five families (mixed) or every family (all)")
	sizes := flag.String("assignments", "100,400,1000", "assignments rows: assignments of one policy")
	applyN := flag.Int("apply", 300, "apply row: policies to apply")
	tf := flag.String("terraform", "terraform", "terraform binary")
	providerDir := flag.String("provider-dir", ".bin", "directory holding terraform-provider-intune")
	flag.Parse()
	dir, _ := filepath.Abs(*providerDir)
	b := bench{tf: *tf, providerDir: dir}

	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	_, err := fmt.Fprintln(w, "row\trequests\tcounted\t429s\twall\tbaseline\twall/baseline\ttarget\t")
	must(err)
	want := map[string]bool{}
	for _, r := range strings.Split(*rows, ",") {
		want[strings.TrimSpace(r)] = true
	}
	if want["refresh"] {
		for _, spec := range strings.Split(*refresh, ",") {
			var n, total int
			if _, err := fmt.Sscanf(spec, "%d/%d", &n, &total); err != nil || n > total {
				log.Fatalf("refresh row %q: want managed/tenant, managed <= tenant", spec)
			}
			must(b.refreshRow(w, "refresh", n, total, benchFamilies[:1]))
		}
	}
	if want["mixed"] {
		var n, total int
		if _, err := fmt.Sscanf(*mixed, "%d/%d", &n, &total); err != nil || n > total {
			log.Fatalf("mixed row %q: want managed/tenant, managed <= tenant", *mixed)
		}
		must(b.refreshRow(w, "mixed", n, total, benchFamilies))
	}
	if want["all"] {
		var n, total int
		if _, err := fmt.Sscanf(*mixed, "%d/%d", &n, &total); err != nil || n > total {
			log.Fatalf("all row %q: want managed/tenant, managed <= tenant", *mixed)
		}
		must(b.refreshRow(w, "all", n, total, allFamilies()))
	}
	if want["assignments"] {
		for _, s := range strings.Split(*sizes, ",") {
			k, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				log.Fatalf("assignments row %q: %v", s, err)
			}
			must(b.assignmentsRow(w, k))
		}
	}
	if want["apply"] {
		must(b.applyRow(w, *applyN))
	}
	_ = w.Flush()
	fmt.Println()
	fmt.Println("requests: HTTP requests that reached Graph (a $batch is one); counted: what Intune's throttle counts (each $batch item); 429s: throttled answers")
	fmt.Println("target: issue 9's target for the row, and whether this run met it")
	fmt.Println("refresh N/T: terraform plan of N managed policies in a tenant of T; baseline: terraform plan -refresh=false, same configuration, same run")
	fmt.Println("mixed N/T: as refresh N/T, with policies and resources spread evenly over the first five families")
	fmt.Printf("all N/T: as refresh N/T, spread evenly over every family (%d)\n", len(allFamilies()))
	fmt.Println("assignments K: terraform plan -refresh=false of one policy with K assignments (no-op); baseline: the first assignments row")
	fmt.Println("apply N: terraform apply of N policies; baseline: the floor of Intune's write limit (N writes at 100 per 20 s)")
	fmt.Printf("emulator: documented throttle, %v latency per Graph request\n", latency)
}

func met(ok bool) string {
	if ok {
		return "(met)"
	}
	return "(MISSED)"
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

type bench struct {
	tf, providerDir string
	firstAssignRow  time.Duration
}

// workspace is one row's emulator and terraform working directory.
type workspace struct {
	srv *emulator.Server
	dir string
	env []string
	tf  string
}

func (b *bench) start() (*workspace, error) {
	srv, err := emulator.Start(emulator.Config{}) // documented limits
	if err != nil {
		return nil, err
	}
	srv.SetRecordRequests(false)
	srv.SetLatency(latency)
	dir, err := os.MkdirTemp("", "intune-bench-")
	if err != nil {
		return nil, err
	}
	if err := srv.CA().WriteCertFile(filepath.Join(dir, "ca.pem")); err != nil {
		return nil, err
	}
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides { \"intunetf/intune\" = %q }\n  direct {}\n}\n", b.providerDir)
	if err := os.WriteFile(filepath.Join(dir, "terraformrc"), []byte(rc), 0o600); err != nil {
		return nil, err
	}
	env := append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+filepath.Join(dir, "terraformrc"), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"SSL_CERT_FILE="+filepath.Join(dir, "ca.pem"),
		"ARM_TENANT_ID="+srv.TenantID(), "ARM_CLIENT_ID="+emulator.DefaultClientID, "ARM_CLIENT_SECRET="+emulator.DefaultClientSecret,
		"INTUNE_GRAPH_ENDPOINT="+srv.URL(), "INTUNE_AUTHORITY_HOST="+srv.URL()+"/")
	return &workspace{srv: srv, dir: dir, env: env, tf: b.tf}, nil
}

func (ws *workspace) close() {
	ws.srv.Close()
	_ = os.RemoveAll(ws.dir)
}

// run times one terraform command and returns the Graph requests and 429s it caused.
func (ws *workspace) run(args ...string) (time.Duration, emulator.Stats, error) {
	ws.srv.ResetStats()
	cmd := exec.Command(ws.tf, append(args, "-input=false", "-no-color")...)
	cmd.Dir, cmd.Env = ws.dir, ws.env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	if err != nil {
		return 0, emulator.Stats{}, fmt.Errorf("terraform %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	if args[0] == "plan" && !strings.Contains(string(out), "No changes.") {
		return 0, emulator.Stats{}, fmt.Errorf("terraform %s planned changes; the row must be a no-op:\n%s", strings.Join(args, " "), out)
	}
	return wall, ws.srv.Stats(), nil
}

// policy is one managed policy of a row: its ID and the groups it targets.
type policy struct {
	id     string
	groups []string
	fam    *benchFamily
}

// benchFamily is one policy family as the bench writes it: its resource, its policies in
// the emulator, and whether its assignments have a target attribute.
type benchFamily struct {
	resourceType, attr string
	target             bool
	add                func(s *emulator.Server, name string) string
	set                func(s *emulator.Server, id string, as []emulator.Assignment) error
	odataType          string // the group target's type
	// elem is one assignment of the group as the state holds it; nil means the five
	// families' shape (target, group_id, collection_id, filter_id, filter_type, or
	// group_id alone without target).
	elem func(g string) map[string]any
	// fields are the values every assignment needs besides its target (an app's
	// intent), by attribute name, as HCL after a comma and as Graph holds them.
	fieldsHCL  string
	fieldsSeed func(a *emulator.Assignment)
}

// allFamilies are benchFamilies and every other family the provider offers, from their
// descriptors (provider.Families) and the emulator's generic calls, so the row follows
// the families as they are added.
func allFamilies() []*benchFamily {
	out := append([]*benchFamily(nil), benchFamilies...)
	have := map[string]bool{}
	for _, b := range benchFamilies {
		have[b.resourceType] = true
	}
	for _, f := range provider.Families() {
		typ := "intune_" + f.Stem + "_assignments"
		if have[typ] {
			continue
		}
		f := f
		target := len(f.Targets) > 1
		// A required field takes its first value (an app's intent: required); the others
		// are left out.
		required := map[string]string{}
		var fieldsHCL string
		for _, fd := range f.Fields {
			if fd.Required && len(fd.OneOf) > 0 {
				required[fd.Name] = fd.OneOf[0]
				fieldsHCL += fmt.Sprintf(", %s = %q", fd.Name, fd.OneOf[0])
			}
		}
		seed := func(a *emulator.Assignment) {
			for _, fd := range f.Fields {
				v, ok := required[fd.Name]
				switch {
				case !ok:
				case fd.Member == "intent":
					a.Intent = v
				default:
					if a.Extra == nil {
						a.Extra = map[string]any{}
					}
					a.Extra[fd.Member] = v
				}
			}
		}
		out = append(out, &benchFamily{resourceType: typ, attr: f.PolicyIDAttribute, target: target, fieldsHCL: fieldsHCL, fieldsSeed: seed,
			add: func(s *emulator.Server, n string) string {
				return s.AddPolicy(f.Graph.CollectionPath, emulator.Policy{DisplayName: n})
			},
			set: func(s *emulator.Server, id string, as []emulator.Assignment) error {
				return s.SetPolicyAssignments(f.Graph.CollectionPath, id, as)
			},
			odataType: f.Targets[0].ODataType,
			elem: func(g string) map[string]any {
				// Every family's set element has all five attributes (assignments.Family).
				e := map[string]any{"target": nil, "group_id": g, "collection_id": nil, "filter_id": nil, "filter_type": nil}
				if target {
					e["target"] = "group"
				}
				for _, fd := range f.Fields {
					e[fd.Name] = nil
					if v, ok := required[fd.Name]; ok {
						e[fd.Name] = v
					}
				}
				return e
			}})
	}
	return out
}

var benchFamilies = []*benchFamily{
	{"intune_device_configuration_assignments", "device_configuration_id", true,
		func(s *emulator.Server, n string) string {
			return s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: n})
		},
		(*emulator.Server).SetDeviceConfigurationAssignments, "#microsoft.graph.groupAssignmentTarget", nil, "", nil},
	{"intune_office_client_configuration_assignments", "office_client_configuration_id", false,
		func(s *emulator.Server, n string) string {
			return s.AddOfficeClientConfiguration(emulator.OfficeClientConfiguration{DisplayName: n})
		},
		(*emulator.Server).SetOfficeClientConfigurationAssignments, "#microsoft.graph.officeConfigurationGroupAssignmentTarget", nil, "", nil},
	{"intune_device_compliance_policy_assignments", "device_compliance_policy_id", true,
		func(s *emulator.Server, n string) string {
			return s.AddDeviceCompliancePolicy(emulator.DeviceCompliancePolicy{DisplayName: n})
		},
		(*emulator.Server).SetDeviceCompliancePolicyAssignments, "#microsoft.graph.groupAssignmentTarget", nil, "", nil},
	{"intune_configuration_policy_assignments", "configuration_policy_id", true,
		func(s *emulator.Server, n string) string {
			return s.AddConfigurationPolicy(emulator.ConfigurationPolicy{Name: n})
		},
		(*emulator.Server).SetConfigurationPolicyAssignments, "#microsoft.graph.groupAssignmentTarget", nil, "", nil},
	{"intune_group_policy_configuration_assignments", "group_policy_configuration_id", true,
		func(s *emulator.Server, n string) string {
			return s.AddGroupPolicyConfiguration(emulator.GroupPolicyConfiguration{DisplayName: n})
		},
		(*emulator.Server).SetGroupPolicyConfigurationAssignments, "#microsoft.graph.groupAssignmentTarget", nil, "", nil},
}

// write puts the configuration and the state an earlier apply would have left.
func (ws *workspace) write(policies []policy) error {
	var cfg strings.Builder
	cfg.WriteString("terraform {\n  required_providers {\n    intune = { source = \"intunetf/intune\" }\n  }\n}\nprovider \"intune\" {}\n")
	var resources []map[string]any
	for i, p := range policies {
		fam := p.fam
		items := make([]string, len(p.groups))
		elems := make([]map[string]any, len(p.groups))
		for j, g := range p.groups {
			switch {
			case fam.elem != nil:
				items[j] = fmt.Sprintf("{ group_id = %q%s }", g, fam.fieldsHCL)
				if fam.target {
					items[j] = fmt.Sprintf("{ target = \"group\", group_id = %q%s }", g, fam.fieldsHCL)
				}
				elems[j] = fam.elem(g)
			case fam.target:
				items[j] = fmt.Sprintf("{ target = \"group\", group_id = %q }", g)
				elems[j] = map[string]any{"target": "group", "group_id": g, "collection_id": nil, "filter_id": nil, "filter_type": nil}
			default:
				items[j] = fmt.Sprintf("{ group_id = %q }", g)
				elems[j] = map[string]any{"target": nil, "group_id": g, "collection_id": nil, "filter_id": nil, "filter_type": nil}
			}
		}
		fmt.Fprintf(&cfg, "resource %q \"p%d\" {\n  %s = %q\n  assignments = [%s]\n}\n", fam.resourceType, i, fam.attr, p.id, strings.Join(items, ", "))
		resources = append(resources, map[string]any{
			"mode": "managed", "type": fam.resourceType, "name": fmt.Sprintf("p%d", i),
			"provider": `provider["registry.terraform.io/intunetf/intune"]`,
			"instances": []map[string]any{{
				"schema_version": 0, "sensitive_attributes": []any{},
				"attributes": map[string]any{"id": p.id, fam.attr: p.id, "assignments": elems, "timeouts": nil},
			}},
		})
	}
	lineage := make([]byte, 16)
	_, _ = rand.Read(lineage)
	state := map[string]any{"version": 4, "terraform_version": "1.5.7", "serial": 1, "lineage": fmt.Sprintf("%x", lineage),
		"outputs": map[string]any{}, "resources": resources, "check_results": nil}
	raw, err := json.MarshalIndent(state, "", " ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(ws.dir, "terraform.tfstate"), raw, 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(ws.dir, "main.tf"), []byte(cfg.String()), 0o600)
}

func group(i int) string { return fmt.Sprintf("%08x-0000-4000-8000-000000000001", i) }

// seed adds total policies, the first n managed, each managed one with the given groups.
func (ws *workspace) seed(n, total int, groups func(i int) []string, fams []*benchFamily) ([]policy, error) {
	var managed []policy
	for i := 0; i < total; i++ {
		fam := fams[i%len(fams)]
		id := fam.add(ws.srv, fmt.Sprintf("bench %d", i))
		if i >= n {
			continue
		}
		p := policy{id: id, groups: groups(i), fam: fam}
		as := make([]emulator.Assignment, len(p.groups))
		for j, g := range p.groups {
			as[j] = emulator.Assignment{Target: emulator.Target{ODataType: fam.odataType, GroupID: g}}
			if fam.fieldsSeed != nil {
				fam.fieldsSeed(&as[j])
			}
		}
		if err := fam.set(ws.srv, id, as); err != nil {
			return nil, err
		}
		managed = append(managed, p)
	}
	return managed, nil
}

// prepare starts a row's emulator with total policies, the first n managed with the given
// groups, and writes their configuration and state. Policy i is of fams[i%len(fams)].
func (b *bench) prepare(n, total int, groups func(i int) []string, fams []*benchFamily) (*workspace, error) {
	ws, err := b.start()
	if err != nil {
		return nil, err
	}
	managed, err := ws.seed(n, total, groups, fams)
	if err == nil {
		err = ws.write(managed)
	}
	if err != nil {
		ws.close()
		return nil, err
	}
	return ws, nil
}

// refreshRow times a plan against plan -refresh=false for n managed of total policies, of
// the given families in turn; label names the row ("refresh", "mixed").
func (b *bench) refreshRow(w *tabwriter.Writer, label string, n, total int, fams []*benchFamily) error {
	ws, err := b.prepare(n, total, func(i int) []string { return []string{group(i)} }, fams)
	if err != nil {
		return err
	}
	defer ws.close()
	base, _, err := ws.run("plan", "-refresh=false")
	if err != nil {
		return err
	}
	wall, st, err := ws.run("plan")
	if err != nil {
		return err
	}
	ratio := wall.Seconds() / base.Seconds()
	http := st.Requests - st.BatchItems
	target := fmt.Sprintf("<= %d requests", n)
	ok := http <= int64(n)
	switch {
	case len(fams) > len(benchFamilies):
		target, ok = fmt.Sprintf("<= %d requests, no 429", n), http <= int64(n) && st.Throttled == 0
	case len(fams) > 1:
	case n == 1:
		target, ok = "<= 1 request (3 allowed)", http <= 1
	case n == 1000 && total == 1500:
		target, ok = "<= 40 requests, no 429, <= 1.5x", http <= 40 && st.Throttled == 0 && ratio <= 1.5
	}
	_, err = fmt.Fprintf(w, "%s %d/%d\t%d\t%d\t%d\t%s\t%s\t%.2f\t%s %s\t\n", label, n, total, http, st.Requests, st.Throttled,
		wall.Round(100*time.Millisecond), base.Round(100*time.Millisecond), ratio, target, met(ok))
	return err
}

func (b *bench) assignmentsRow(w *tabwriter.Writer, k int) error {
	ws, err := b.prepare(1, 1, func(int) []string {
		gs := make([]string, k)
		for j := range gs {
			gs[j] = group(j)
		}
		return gs
	}, benchFamilies[:1])
	if err != nil {
		return err
	}
	defer ws.close()
	wall, st, err := ws.run("plan", "-refresh=false")
	if err != nil {
		return err
	}
	if b.firstAssignRow == 0 {
		b.firstAssignRow = wall
	}
	ratio := wall.Seconds() / b.firstAssignRow.Seconds()
	target, ok := "", true
	if k == 1000 {
		target, ok = "<= 5 s and <= 12x", wall <= 5*time.Second && ratio <= 12
	}
	_, err = fmt.Fprintf(w, "assignments %d\t%d\t%d\t%d\t%s\t%s\t%.2f\t%s %s\t\n", k, st.Requests-st.BatchItems, st.Requests, st.Throttled,
		wall.Round(100*time.Millisecond), b.firstAssignRow.Round(100*time.Millisecond), ratio, target, map[bool]string{true: met(ok), false: ""}[target != ""])
	return err
}

func (b *bench) applyRow(w *tabwriter.Writer, n int) error {
	ws, err := b.start()
	if err != nil {
		return err
	}
	defer ws.close()
	ws.srv.SetLatency(0) // the write limit, not latency, is what this row measures
	var cfg strings.Builder
	cfg.WriteString("terraform {\n  required_providers {\n    intune = { source = \"intunetf/intune\" }\n  }\n}\nprovider \"intune\" {}\n")
	for i := 0; i < n; i++ {
		id := ws.srv.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: fmt.Sprintf("bench %d", i)})
		fmt.Fprintf(&cfg, "resource %q \"p%d\" {\n  device_configuration_id = %q\n  assignments = [{ target = \"group\", group_id = %q }]\n}\n", resourceType, i, id, group(i))
	}
	if err := os.WriteFile(filepath.Join(ws.dir, "main.tf"), []byte(cfg.String()), 0o600); err != nil {
		return err
	}
	wall, st, err := ws.run("apply", "-auto-approve")
	if err != nil {
		return err
	}
	const writesPerWindow, window = 100, 20 * time.Second
	floor := time.Duration(float64(n) / writesPerWindow * float64(window))
	ratio := wall.Seconds() / floor.Seconds()
	_, err = fmt.Fprintf(w, "apply %d\t%d\t%d\t%d\t%s\t%s\t%.2f\t<= 1.15x %s\t\n", n, st.Requests-st.BatchItems, st.Requests, st.Throttled,
		wall.Round(100*time.Millisecond), floor, ratio, met(ratio <= 1.15))
	return err
}
