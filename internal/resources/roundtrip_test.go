package resources_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/intunetf/terraform-provider-intune/internal/acctest"
	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

// Validators accept everything import can produce: random assignment sets are posted to
// Graph's assign action as any client could; for each set Graph accepts, the policy is
// imported and read over protocol 6, the state is validated as the configuration that
// -generate-config-out writes for it, and no error may come back (Graph -> state ->
// generated configuration -> validate). Both emulator modes run, strict and lenient
// (internal/graph/NOTES.md#targets: which inputs the service refuses is inferred).
func TestAssignments_everythingImportCanProduceValidates(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("INTUNE_TEST_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (INTUNE_TEST_SEED=%d replays it)", seed, seed)
	for _, lenient := range []bool{false, true} {
		t.Run(fmt.Sprintf("lenient=%v", lenient), func(t *testing.T) {
			env := acctest.Start(t, func(c *emulator.Config) { c.LenientValidation = lenient; c.DisableThrottling = true })
			rng := rand.New(rand.NewPCG(seed, map[bool]uint64{false: 1, true: 2}[lenient]))
			token, err := env.Server.IssueToken(emulator.TokenOptions{Roles: []string{"DeviceManagementConfiguration.ReadWrite.All"}})
			if err != nil {
				t.Fatal(err)
			}
			accepted, refused := 0, 0
			for _, f := range families(env) {
				p := env.Protocol(t, nil)
				for i := 0; i < 60; i++ {
					policy := f.newPolicy(env)
					body := randomAssignBody(rng, f)
					status := postAssign(t, env, token, f, policy, body)
					if status != http.StatusOK {
						refused++
						continue
					}
					accepted++
					held, _ := f.list(env)(policy)
					state, diags := p.ImportAndRead(f.typeName, policy)
					if hasErrors(diags) {
						t.Fatalf("import of %s failed:\n%s\nassign body: %s", policy, acctest.Diagnostics(diags), body)
					}
					if n := setLen(t, state); n != len(held) {
						t.Fatalf("Graph holds %d assignments, the imported state %d: an assignment was dropped\nassign body: %s", len(held), n, body)
					}
					if diags := p.ValidateAsConfig(f.typeName, state, "id"); hasErrors(diags) {
						t.Fatalf("the configuration generated for what Graph holds does not validate:\n%s\nassign body: %s\nstate: %s",
							acctest.Diagnostics(diags), body, state)
					}
				}
			}
			t.Logf("%d sets accepted by Graph and round-tripped, %d refused by Graph", accepted, refused)
			if accepted < 20 {
				t.Fatalf("only %d random sets were accepted: the generator no longer tests the round trip", accepted)
			}
		})
	}
}

// The built-in Configuration Manager collection "All Desktop and Server Clients" through
// the real CLI: applied, imported with an import block and -generate-config-out, and the
// generated configuration plans clean.
func TestAccDeviceConfigurationAssignments_builtInCollectionsApplyAndImport(t *testing.T) {
	t.Parallel()
	acctest.RequireCLI(t, acctest.ImportBlocks)
	env := acctest.Start(t)
	policy := newDevicePolicy(env)
	adopted := newDevicePolicy(env)
	mustSet(t, env.Server.SetDeviceConfigurationAssignments(adopted, []emulator.Assignment{
		{Target: emulator.Target{ODataType: "#microsoft.graph.configurationManagerCollectionAssignmentTarget", CollectionID: "SMSDM003"}},
		{Target: emulator.Target{ODataType: "#microsoft.graph.configurationManagerCollectionAssignmentTarget", CollectionID: "SMS00001"}},
	}))
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{
				Config: deviceConfig(env, policy, `{ target = "configuration_manager_collection", collection_id = "SMSDM003" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: devDirect(env, policy, "configurationManagerCollectionAssignmentTarget SMSDM003"),
			},
			{
				Config:          env.ProviderConfig(),
				ResourceName:    devAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   adopted,
				GenerateConfig:  true,
			},
		},
	})
}

func hasErrors(diags []*tfprotov6.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

func setLen(t *testing.T, state tftypes.Value) int {
	t.Helper()
	var attrs map[string]tftypes.Value
	if err := state.As(&attrs); err != nil {
		t.Fatal(err)
	}
	var elems []tftypes.Value
	if err := attrs["assignments"].As(&elems); err != nil {
		t.Fatal(err)
	}
	return len(elems)
}

func postAssign(t *testing.T, env *acctest.Env, token string, f family, policy, body string) int {
	t.Helper()
	path := "/deviceManagement/deviceConfigurations/"
	if f.groupKind != "groupAssignmentTarget" {
		path = "/officeConfiguration/clientConfigurations/"
	}
	req, _ := http.NewRequest(http.MethodPost, env.Server.GraphURL()+path+policy+"/assign", bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := env.Server.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	return resp.StatusCode
}

// randomAssignBody builds an assign body of one to four targets with every spelling of a
// filter, of "no filter", of IDs and collection IDs that a client (the portal, a script)
// might send; Graph decides which it accepts.
func randomAssignBody(rng *rand.Rand, f family) string {
	guid := func() string {
		b := make([]byte, 16)
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		s := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
		if rng.IntN(3) == 0 {
			s = strings.ToUpper(s)
		}
		return s
	}
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	collection := func() string {
		const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
		random := func(n int, chars string) string {
			b := make([]byte, n)
			for i := range b {
				b[i] = chars[rng.IntN(len(chars))]
			}
			return string(b)
		}
		return pick("SMSDM003", "SMSDM001", "SMS00001", "SMS000US", "MEM0001A", "mem0001a",
			random(8, alnum), random(1+rng.IntN(12), alnum+"_- "))
	}
	var items []map[string]any
	for n := 1 + rng.IntN(4); n > 0; n-- {
		target := map[string]any{}
		if f.groupKind != "groupAssignmentTarget" {
			target["@odata.type"] = "#microsoft.graph.officeConfigurationGroupAssignmentTarget"
			target["groupId"] = guid()
			items = append(items, map[string]any{"@odata.type": "#microsoft.graph.officeClientConfigurationAssignment", "target": target})
			continue
		}
		kind := pick("groupAssignmentTarget", "exclusionGroupAssignmentTarget", "allDevicesAssignmentTarget",
			"allLicensedUsersAssignmentTarget", "configurationManagerCollectionAssignmentTarget")
		target["@odata.type"] = pick("#", "") + "microsoft.graph." + kind
		switch kind {
		case "groupAssignmentTarget", "exclusionGroupAssignmentTarget":
			target["groupId"] = guid()
		case "configurationManagerCollectionAssignmentTarget":
			target["collectionId"] = collection()
		}
		switch rng.IntN(8) {
		case 0, 1: // no filter properties at all
		case 2:
			target["deviceAndAppManagementAssignmentFilterId"] = nil
			target["deviceAndAppManagementAssignmentFilterType"] = "none"
		case 3:
			target["deviceAndAppManagementAssignmentFilterId"] = "00000000-0000-0000-0000-000000000000"
			target["deviceAndAppManagementAssignmentFilterType"] = "none"
		case 4, 5:
			target["deviceAndAppManagementAssignmentFilterId"] = guid()
			target["deviceAndAppManagementAssignmentFilterType"] = pick("include", "exclude", "Include")
		case 6:
			target["deviceAndAppManagementAssignmentFilterType"] = pick("include", "exclude")
		case 7:
			target["deviceAndAppManagementAssignmentFilterId"] = guid()
			target["deviceAndAppManagementAssignmentFilterType"] = "none"
		}
		items = append(items, map[string]any{"target": target})
	}
	key := "assignments"
	if f.groupKind != "groupAssignmentTarget" {
		key = "officeConfigurationAssignments"
	}
	out, _ := json.Marshal(map[string]any{key: items})
	return string(out)
}
