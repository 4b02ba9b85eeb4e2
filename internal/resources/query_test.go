package resources_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/intunetf/terraform-provider-intune/internal/acctest"
	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

// Adopting a tenant with `terraform query -generate-config-out` (Terraform 1.14+): against
// 50 device configurations (unassigned ones, policy-set ones, mixed targets and filters)
// and a few Office policies, the generated configuration's first apply imports everything
// with no write to Graph, and the next plan is empty.
func TestAccQuery_generateConfigAdoptsATenant(t *testing.T) {
	t.Parallel()
	acctest.RequireCLI(t, acctest.Query)
	env := acctest.Start(t)
	cli := env.CLI(t)
	filter := env.Server.AddAssignmentFilter(emulator.AssignmentFilter{DisplayName: "Corporate", Platform: "windows10AndLater", Rule: `(device.deviceOwnership -eq "Corporate")`})
	for i := 0; i < 50; i++ {
		typ := "#microsoft.graph.windowsDefenderAdvancedThreatProtectionConfiguration"
		if i%4 == 0 {
			typ = "#microsoft.graph.windows10CustomConfiguration"
		}
		id := env.Server.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: fmt.Sprintf("Policy %02d", i), ODataType: typ})
		var as []emulator.Assignment
		switch i % 5 {
		case 0: // unassigned
		case 1: // inherited from a policy set only
			as = []emulator.Assignment{{Source: "policySets", SourceID: "0d0d0d0d-0000-4000-8000-000000000001", Target: emulator.Target{ODataType: emulator.TargetGroup, GroupID: groupB}}}
		case 2:
			as = []emulator.Assignment{
				{Target: emulator.Target{ODataType: emulator.TargetGroup, GroupID: groupA, FilterID: filter, FilterType: "include"}},
				{Target: emulator.Target{ODataType: emulator.TargetExclusionGroup, GroupID: groupB}},
			}
		case 3:
			as = []emulator.Assignment{
				{Target: emulator.Target{ODataType: emulator.TargetAllDevices, FilterID: filter, FilterType: "exclude"}},
				{Target: emulator.Target{ODataType: emulator.TargetConfigMgrColl, CollectionID: "MEM00012"}},
			}
		case 4:
			as = []emulator.Assignment{
				{Target: emulator.Target{ODataType: emulator.TargetAllLicensedUser}},
				{Source: "policySets", SourceID: "0d0d0d0d-0000-4000-8000-000000000001", Target: emulator.Target{ODataType: emulator.TargetGroup, GroupID: groupB}},
			}
		}
		if len(as) > 0 {
			mustSet(t, env.Server.SetDeviceConfigurationAssignments(id, as))
		}
	}
	for i := 0; i < 3; i++ {
		id := env.Server.AddOfficeClientConfiguration(emulator.OfficeClientConfiguration{DisplayName: fmt.Sprintf("Office %d", i)})
		if i > 0 {
			mustSet(t, env.Server.SetOfficeClientConfigurationAssignments(id, []emulator.Assignment{{Target: emulator.Target{ODataType: emulator.TargetOfficeGroup, GroupID: groupA}}}))
		}
	}

	cli.Write("main.tf", acctest.RequiredProviders()+env.ProviderConfig())
	cli.Write("adopt.tfquery.hcl", `
list "intune_device_configuration_assignments" "all" {
  provider         = intune
  include_resource = true
}

list "intune_office_client_configuration_assignments" "all" {
  provider         = intune
  include_resource = true
}
`)
	cli.MustRun("init", "-input=false")
	out := cli.MustRun("query", "-generate-config-out=generated.tf")
	generated := cli.Read("generated.tf")
	if n := strings.Count(generated, "import {"); n != 53 {
		t.Fatalf("generated.tf has %d import blocks, want 53 (50 device + 3 Office policies)\nquery output:\n%s\ngenerated.tf:\n%s", n, out, generated)
	}
	if !strings.Contains(generated, `collection_id = "MEM00012"`) || !strings.Contains(generated, `filter_type   = "exclude"`) {
		t.Errorf("generated.tf lacks the mixed targets and filters:\n%s", generated)
	}

	w := &writeMark{env: env}
	w.mark()
	apply := cli.MustRun("apply", "-auto-approve", "-input=false")
	if !strings.Contains(apply, "53 imported, 0 added, 0 changed, 0 destroyed") {
		t.Fatalf("the first apply must only import:\n%s", apply)
	}
	if got := writes(env); got != w.n {
		var sent []string
		for _, r := range env.Server.Requests() {
			if r.Method != "GET" && strings.Contains(r.Path, "/beta/") && !strings.HasSuffix(r.Path, "/$batch") {
				sent = append(sent, r.Method+" "+r.Path+" "+string(r.Body))
			}
		}
		t.Fatalf("the first apply sent %d write(s) to Graph; adopting must send none:\n%s\n%s", got-w.n, strings.Join(sent, "\n"), apply)
	}
	if plan, code := cli.Run("plan", "-detailed-exitcode", "-input=false"); code != 0 {
		t.Fatalf("the plan after adopting is not empty (exit %d):\n%s", code, plan)
	}
}
