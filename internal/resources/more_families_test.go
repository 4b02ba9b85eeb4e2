package resources_test

// The families beyond the first five (issue 21), each checked over protocol 6 against the
// facts of ../shared/graph-families.md, written here independently of the descriptors:
// its types, the target kinds it takes and refuses (at plan, with zero requests), its
// filters and their kind, the request its writes send (path, body key, per assignment or
// replace-all), the read-back after a 204, the data source, and destroy.

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/intunetf/terraform-provider-intune/internal/acctest"
	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

// refFamily is one family as the reference describes it (graph-families.md §15–25).
type refFamily struct {
	stem       string
	collection string   // below /beta
	assign     string   // the assign action below a policy; "" for a per-assignment family (G4)
	bodyKey    string   // the assign body's list
	noContent  bool     // assign answers 204 (G1)
	targets    []string // the target kinds it takes, as the provider names them
	refused    string   // a kind Graph does not take for it ("" when the family has one kind)
	filterKind string   // "devices", "apps", or "" for no filters (§14.3, G7)
	sources    bool     // assignments carry source/sourceId
	guard      bool     // policy-set items without source (G8)
	groupType  string   // the @odata.type of a group target
	// fields are the values every assignment of the family needs besides its target
	// (issue 22: an app's intent, a remediation's schedule), as the protocol harness takes them.
	fields map[string]any
}

const (
	groupT   = "#microsoft.graph.groupAssignmentTarget"
	cloudPcT = "#microsoft.graph.cloudPcManagementGroupAssignmentTarget"
)

var (
	gxAll  = []string{"group", "exclusion_group", "all_devices", "all_licensed_users"}
	gxOnly = []string{"group", "exclusion_group"}
)

var refFamilies = []refFamily{
	{"compliance_policy", "/deviceManagement/compliancePolicies", "assign", "assignments", false,
		[]string{"group", "exclusion_group", "all_devices", "all_licensed_users", "configuration_manager_collection"}, "", "devices", true, false, groupT, nil},
	{"device_management_script", "/deviceManagement/deviceManagementScripts", "assign", "deviceManagementScriptAssignments", true, gxAll, "configuration_manager_collection", "", false, true, groupT, nil},
	{"device_shell_script", "/deviceManagement/deviceShellScripts", "assign", "deviceManagementScriptAssignments", true, gxAll, "configuration_manager_collection", "", false, true, groupT, nil},
	{"device_custom_attribute_shell_script", "/deviceManagement/deviceCustomAttributeShellScripts", "assign", "deviceManagementScriptAssignments", true, gxAll, "configuration_manager_collection", "", false, true, groupT, nil},
	{"windows_feature_update_profile", "/deviceManagement/windowsFeatureUpdateProfiles", "assign", "assignments", true, gxOnly, "all_devices", "", false, false, groupT, nil},
	{"windows_quality_update_profile", "/deviceManagement/windowsQualityUpdateProfiles", "assign", "assignments", true, gxOnly, "all_devices", "", false, false, groupT, nil},
	{"windows_quality_update_policy", "/deviceManagement/windowsQualityUpdatePolicies", "assign", "assignments", true, gxOnly, "all_licensed_users", "", false, false, groupT, nil},
	{"windows_driver_update_profile", "/deviceManagement/windowsDriverUpdateProfiles", "assign", "assignments", true, gxOnly, "all_devices", "", false, false, groupT, nil},
	{"device_enrollment_configuration", "/deviceManagement/deviceEnrollmentConfigurations", "assign", "enrollmentConfigurationAssignments", true, gxAll, "configuration_manager_collection", "devices", true, false, groupT, nil},
	{"device_management_intent", "/deviceManagement/intents", "assign", "assignments", true, gxAll, "configuration_manager_collection", "", false, false, groupT, nil},
	{"ios_managed_app_protection", "/deviceAppManagement/iosManagedAppProtections", "assign", "assignments", true, gxOnly, "all_licensed_users", "apps", true, false, groupT, nil},
	{"android_managed_app_protection", "/deviceAppManagement/androidManagedAppProtections", "assign", "assignments", true, gxOnly, "all_licensed_users", "apps", true, false, groupT, nil},
	{"windows_managed_app_protection", "/deviceAppManagement/windowsManagedAppProtections", "assign", "assignments", true, gxOnly, "all_devices", "apps", true, false, groupT, nil},
	{"targeted_managed_app_configuration", "/deviceAppManagement/targetedManagedAppConfigurations", "assign", "assignments", true, gxOnly, "all_licensed_users", "apps", true, false, groupT, nil},
	{"mobile_app_configuration", "/deviceAppManagement/mobileAppConfigurations", "microsoft.graph.managedDeviceMobileAppConfiguration/assign", "assignments", true, gxAll, "configuration_manager_collection", "devices", false, true, groupT, nil},
	{"windows_autopilot_deployment_profile", "/deviceManagement/windowsAutopilotDeploymentProfiles", "", "", false,
		[]string{"group", "exclusion_group", "all_devices"}, "all_licensed_users", "", true, false, groupT, nil},
	{"terms_and_conditions", "/deviceManagement/termsAndConditions", "", "", false, []string{"group", "all_licensed_users"}, "exclusion_group", "", false, false, groupT, nil},
	{"cloud_pc_provisioning_policy", "/deviceManagement/virtualEndpoint/provisioningPolicies", "assign", "assignments", true, []string{"group"}, "", "", false, false, cloudPcT, nil},
	{"cloud_pc_user_setting", "/deviceManagement/virtualEndpoint/userSettings", "assign", "assignments", true, []string{"group"}, "", "", false, false, cloudPcT, nil},
	{"mobile_app", "/deviceAppManagement/mobileApps", "assign", "mobileAppAssignments", true, gxAll, "configuration_manager_collection", "devices", true, false, groupT,
		map[string]any{"intent": "required"}},
	{"device_health_script", "/deviceManagement/deviceHealthScripts", "assign", "deviceHealthScriptAssignments", true, gxAll, "configuration_manager_collection", "devices", false, false, groupT,
		map[string]any{"run_schedule": map[string]any{"type": "daily", "interval": 1, "time": "02:30"}}},
}

func (r refFamily) authoritative() string { return "intune_" + r.stem + "_assignments" }
func (r refFamily) single() string        { return "intune_" + r.stem + "_assignment" }
func (r refFamily) policyAttr() string    { return r.stem + "_id" }
func (r refFamily) oneKind() bool         { return len(r.targets) == 1 }

// intent is the intent an assignment made elsewhere has ("" for a family without one).
func (r refFamily) intent() string {
	s, _ := r.fields["intent"].(string)
	return s
}

// postRefused: the service refuses POST …/assignments for the family (G10, observed).
func (r refFamily) postRefused() bool {
	return r.stem == "mobile_app_configuration" || strings.HasSuffix(r.stem, "_managed_app_protection")
}

// item is one assignment of the family as HCL values (map form for the protocol harness).
func (r refFamily) item(kind, group, filter, filterType string) map[string]any {
	m := map[string]any{}
	if !r.oneKind() {
		m["target"] = kind
	}
	if group != "" {
		m["group_id"] = group
	}
	if kind == "configuration_manager_collection" && slices.Contains(r.targets, kind) {
		m["collection_id"] = "MEM00012"
	}
	if filter != "" {
		m["filter_id"], m["filter_type"] = filter, filterType
	}
	for k, v := range r.fields {
		m[k] = v
	}
	return m
}

// hcl is item as HCL source.
func (r refFamily) hcl(kind, group string) string {
	var parts []string
	if !r.oneKind() {
		parts = append(parts, fmt.Sprintf("target = %q", kind))
	}
	if group != "" {
		parts = append(parts, fmt.Sprintf("group_id = %q", group))
	}
	for _, k := range slices.Sorted(maps.Keys(r.fields)) {
		parts = append(parts, k+" = "+hclValue(r.fields[k]))
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

// fieldsHCL is the family's fields as HCL attributes, each after a comma ("" for none).
func (r refFamily) fieldsHCL() string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(r.fields)) {
		b.WriteString(", " + k + " = " + hclValue(r.fields[k]))
	}
	return b.String()
}

// hclValue writes a field value (string, int, or object of them) as HCL.
func hclValue(v any) string {
	switch x := v.(type) {
	case map[string]any:
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(x)) {
			parts = append(parts, k+" = "+hclValue(x[k]))
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	case string:
		return fmt.Sprintf("%q", x)
	default:
		return fmt.Sprint(x)
	}
}

// graphRequests counts the requests that reached Graph (not the token endpoint), and
// those that could change something.
func graphRequests(env *acctest.Env) (all, changing int) {
	for _, r := range env.Server.Requests() {
		if !strings.Contains(r.Path, "/beta/") || strings.HasSuffix(r.Path, "/$batch") {
			continue
		}
		all++
		if r.Method != "GET" {
			changing++
		}
	}
	return all, changing
}

func diagsSay(ds []*tfprotov6.Diagnostic, words ...string) bool {
	text := acctest.Diagnostics(ds)
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// held is the policy's assignments in the emulator as "kind group" strings, direct ones only.
func held(t *testing.T, env *acctest.Env, r refFamily, policy string) []string {
	t.Helper()
	as, ok := env.Server.PolicyAssignments(r.collection, policy)
	if !ok {
		t.Fatalf("%s %s is not in the emulator", r.stem, policy)
	}
	var out []string
	for _, a := range as {
		if a.Source == "policySets" {
			continue
		}
		out = append(out, acctest.Describe(a.Target))
	}
	slices.Sort(out)
	return out
}

func TestMoreFamilies_descriptors(t *testing.T) {
	t.Parallel()
	for _, r := range refFamilies {
		t.Run(r.stem, func(t *testing.T) {
			t.Parallel()
			env := acctest.Start(t)
			p := env.Protocol(t, nil)

			// Every artefact of the family.
			for _, typ := range []string{r.authoritative(), r.single()} {
				if !p.HasResource(typ) {
					t.Errorf("no resource type %s", typ)
				}
			}
			plural := "intune_" + r.stem + "s"
			if strings.HasSuffix(r.stem, "s") {
				plural = "intune_" + r.stem + "_list"
			} else if strings.HasSuffix(r.stem, "y") {
				plural = "intune_" + strings.TrimSuffix(r.stem, "y") + "ies"
			}
			for _, typ := range []string{r.authoritative(), "intune_" + r.stem, plural} {
				if !p.HasDataSource(typ) {
					t.Errorf("no data source %s", typ)
				}
			}
			if !p.HasListResource(r.authoritative()) {
				t.Errorf("no list resource %s", r.authoritative())
			}
			// The set's elements have every target attribute (Terraform would drop the others
			// unseen, so the ones a family does not take are refused at plan); the
			// single-assignment resource has only those the family takes.
			attrs := p.ResourceAttributes(r.authoritative())
			for _, a := range []string{r.policyAttr(), "assignments.target", "assignments.group_id", "assignments.collection_id", "assignments.filter_id", "assignments.filter_type"} {
				if !attrs[a] {
					t.Errorf("%s has no %s", r.authoritative(), a)
				}
			}
			single := p.ResourceAttributes(r.single())
			if single["target"] == r.oneKind() {
				t.Errorf("%s: `target` attribute present = %v, want %v (kinds %v)", r.single(), single["target"], !r.oneKind(), r.targets)
			}
			if single["filter_id"] != (r.filterKind != "") {
				t.Errorf("%s: filter_id present = %v, want %v", r.single(), single["filter_id"], r.filterKind != "")
			}

			policy := env.Server.AddPolicy(r.collection, emulator.Policy{DisplayName: "Policy of " + r.stem})
			cfg := func(items ...map[string]any) map[string]any {
				return map[string]any{r.policyAttr(): policy, "assignments": items}
			}

			// A kind the family refuses fails validation, before any request.
			if r.refused != "" {
				env.Server.ResetRequests()
				ds := p.Validate(r.authoritative(), cfg(r.item(r.refused, groupIfNeeded(r.refused), "", "")))
				if !diagsSay(ds, "value must be one of") || !diagsSay(ds, fmt.Sprintf("%q", r.targets[0])) || diagsSay(ds, fmt.Sprintf("%q", r.refused)+" ") {
					t.Errorf("target %q must fail validation, listing the kinds %v:\n%s", r.refused, r.targets, acctest.Diagnostics(ds))
				}
				if n, _ := graphRequests(env); n != 0 {
					t.Errorf("validation sent %d requests to Graph", n)
				}
			}
			for _, k := range r.targets {
				if ds := p.Validate(r.authoritative(), cfg(r.item(k, groupIfNeeded(k), "", ""))); acctest.HasError(ds) {
					t.Errorf("target %q must be accepted: %s", k, acctest.Diagnostics(ds))
				}
			}

			// A filter of the other kind fails the plan after one read of the filter, and
			// sends nothing; one of the family's kind is assigned.
			var filter string
			if r.filterKind != "" {
				other := map[string]string{"apps": "devices", "devices": "apps"}[r.filterKind]
				wrong := env.Server.AddAssignmentFilter(emulator.AssignmentFilter{DisplayName: "Wrong kind", ManagementType: other, Platform: "iOS", Rule: `(app.osVersion -eq "17")`})
				filter = env.Server.AddAssignmentFilter(emulator.AssignmentFilter{DisplayName: "Right kind", ManagementType: r.filterKind, Platform: "iOS", Rule: `(device.osVersion -eq "17")`})
				env.Server.ResetRequests()
				// Another policy: a run's plan claims the policy it plans.
				elsewhere := env.Server.AddPolicy(r.collection, emulator.Policy{DisplayName: "Other policy of " + r.stem})
				ds := p.PlanCreate(r.authoritative(), map[string]any{r.policyAttr(): elsewhere, "assignments": []map[string]any{
					r.item("group", groupA, wrong, "include"), r.item("group", groupB, wrong, "exclude")}})
				if !diagsSay(ds, "Assignment filter of the wrong kind", "Wrong kind", wrong) {
					t.Errorf("a %s filter on a %s family must fail the plan, naming it:\n%s", other, r.filterKind, acctest.Diagnostics(ds))
				}
				filterReads := 0
				for _, q := range env.Server.Requests() {
					if strings.Contains(q.Path, "/assignmentFilters/") {
						filterReads++
					}
				}
				if _, w := graphRequests(env); w != 0 || filterReads != 1 {
					t.Errorf("the plan sent %d writes and read the filter %d times; want 0 and 1", w, filterReads)
				}
			}

			// Create: the request the family's writes take, then what Graph holds.
			items := []map[string]any{r.item("group", groupA, filter, "include")}
			first := strings.TrimPrefix(r.groupType, "#microsoft.graph.") + " " + groupA
			if filter != "" {
				first += " include " + strings.ToLower(filter)
			}
			want := []string{first}
			if slices.Contains(r.targets, "exclusion_group") {
				items = append(items, r.item("exclusion_group", groupB, "", ""))
				want = append(want, "exclusionGroupAssignmentTarget "+groupB)
			} else if !r.oneKind() {
				k := r.targets[1]
				items = append(items, r.item(k, groupIfNeeded(k), "", ""))
				want = append(want, describeKind(k))
			} else {
				items = append(items, r.item("group", groupB, "", ""))
				want = append(want, strings.TrimPrefix(r.groupType, "#microsoft.graph.")+" "+groupB)
			}
			slices.Sort(want)
			env.Server.ResetRequests()
			state, ds := p.Create(r.authoritative(), cfg(items...))
			if len(ds) != 0 || state == nil {
				// Not even a warning: a create on a policy without assignments whose answer (or
				// read-back, after a 204) is the planned set has nothing to report.
				t.Fatalf("create: %s", acctest.Diagnostics(ds))
			}
			checkWriteRequests(t, env, r, policy, len(items))
			if got := held(t, env, r, policy); !slices.Equal(got, want) {
				t.Fatalf("after create Graph holds %v, want %v", got, want)
			}
			if ds := p.ReadDataSource(r.authoritative(), map[string]any{r.policyAttr(): policy}); acctest.HasError(ds) {
				t.Errorf("data source: %s", acctest.Diagnostics(ds))
			}
			// The destroy is another run (within one run, a destroy after a create of the
			// same policy keeps what the create wrote: ownership.go).
			p = env.Protocol(t, nil)
			if ds := p.Destroy(r.authoritative(), state); acctest.HasError(ds) {
				t.Fatalf("destroy: %s", acctest.Diagnostics(ds))
			}
			if got := held(t, env, r, policy); len(got) != 0 {
				t.Fatalf("after destroy Graph holds %v", got)
			}

			// The single-assignment resource adds one target and leaves another alone.
			portal := []emulator.Assignment{{Intent: r.intent(), Target: emulator.Target{ODataType: r.groupType, GroupID: groupC}}}
			if err := env.Server.SetPolicyAssignments(r.collection, policy, portal); err != nil {
				t.Fatal(err)
			}
			one := r.item("group", groupA, "", "")
			one[r.policyAttr()] = policy
			sstate, ds := p.Create(r.single(), one)
			if len(ds) != 0 || sstate == nil {
				t.Fatalf("single create: %s", acctest.Diagnostics(ds))
			}
			g := strings.TrimPrefix(r.groupType, "#microsoft.graph.")
			if got := held(t, env, r, policy); !slices.Equal(got, sorted(g+" "+groupA, g+" "+groupC)) {
				t.Fatalf("after the single create Graph holds %v", got)
			}
			p = env.Protocol(t, nil)
			if ds := p.Destroy(r.single(), sstate); acctest.HasError(ds) {
				t.Fatalf("single destroy: %s", acctest.Diagnostics(ds))
			}
			if got := held(t, env, r, policy); !slices.Equal(got, []string{g + " " + groupC}) {
				t.Fatalf("after the single destroy Graph holds %v, want only the portal's", got)
			}
		})
	}
}

func sorted(s ...string) []string { slices.Sort(s); return s }

// groupD is a fourth group, for the kinds checked one by one.
const groupD = "4d4d4d4d-4d4d-4d4d-8d4d-4d4d4d4d4d4d"

// groupIfNeeded is a group ID for the kinds that take one.
func groupIfNeeded(kind string) string {
	if kind == "group" || kind == "exclusion_group" {
		return groupD
	}
	return ""
}

func describeKind(kind string) string {
	return map[string]string{"all_devices": "allDevicesAssignmentTarget", "all_licensed_users": "allLicensedUsersAssignmentTarget"}[kind]
}

// checkWriteRequests checks the writes of a create of n assignments: one assign action on
// the family's path with its body key (replace-all), or one POST per assignment.
func checkWriteRequests(t *testing.T, env *acctest.Env, r refFamily, policy string, n int) {
	t.Helper()
	var assigns, posts int
	for _, q := range env.Server.Requests() {
		if q.Method == "GET" || !strings.Contains(q.Path, "/beta/") {
			continue
		}
		switch {
		case r.assign != "" && strings.EqualFold(q.Path, "/beta"+r.collection+"/"+policy+"/"+r.assign):
			assigns++
			var body map[string][]map[string]any
			if err := json.Unmarshal(q.Body, &body); err != nil {
				t.Fatalf("assign body: %v\n%s", err, q.Body)
			}
			list, ok := body[r.bodyKey]
			if !ok || len(list) != n || len(body) != 1 {
				t.Errorf("assign body must hold %d assignments under %q only: %s", n, r.bodyKey, q.Body)
			}
			for _, a := range list {
				if target, _ := a["target"].(map[string]any); target == nil || target["@odata.type"] == nil {
					t.Errorf("an assigned item without a typed target: %s", q.Body)
				}
			}
			if r.noContent && q.Status != 204 || !r.noContent && q.Status != 200 {
				t.Errorf("assign answered %d; the reference says %v", q.Status, map[bool]string{true: "204", false: "200"}[r.noContent])
			}
		case r.assign == "" && q.Method == "POST" && strings.EqualFold(q.Path, "/beta"+r.collection+"/"+policy+"/assignments"):
			posts++
		default:
			t.Errorf("unexpected write %s %s (status %d)", q.Method, q.Path, q.Status)
		}
	}
	if r.assign != "" && assigns != 1 {
		t.Errorf("%d assign requests, want 1", assigns)
	}
	if r.assign == "" && posts != n {
		t.Errorf("%d POST …/assignments, want %d (one per assignment)", posts, n)
	}
}
