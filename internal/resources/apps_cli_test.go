package resources_test

// Apps and remediations through the real CLI (issue 22): assignments that carry fields
// besides the target (an app's intent and settings, a remediation's schedule).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/intunetf/terraform-provider-intune/internal/acctest"
	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

// appHeld is what Graph holds for an app, one line per assignment: intent, target, the
// settings' type and members sorted.
func appHeld(t *testing.T, env *acctest.Env, coll, id string) []string {
	t.Helper()
	as, ok := env.Server.PolicyAssignments(coll, id)
	if !ok {
		t.Fatalf("%s %s is gone", coll, id)
	}
	var out []string
	for _, a := range as {
		line := strings.TrimSpace(a.Intent + " " + acctest.Describe(a.Target))
		keys := make([]string, 0, len(a.Extra))
		for k := range a.Extra {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b, _ := json.Marshal(a.Extra[k])
			line += " " + k + "=" + string(b)
		}
		out = append(out, line)
	}
	sort.Strings(out)
	return out
}

// The "Done when", through a plain CLI: an app assigned required, available with
// settings and uninstall, and a remediation with each schedule kind, apply and plan empty;
// moving a group from available to required is one update with one write; an import with
// -generate-config-out plans clean with zero writes; a change made in the portal shows; a
// destroy removes them.
// It runs with Graph's inferred behaviours both ways: settings filled in or stored as sent,
// a run schedule filled in or not when none is sent, times answered canonically or as sent,
// run_remediation_script read back as false or as written.
func TestAccApps_applyMoveImportDriftDestroy(t *testing.T) {
	t.Parallel()
	for _, flipped := range []bool{false, true} {
		t.Run(fmt.Sprintf("inferredFlipped=%v", flipped), func(t *testing.T) {
			t.Parallel()
			appsDoneWhen(t, acctest.Start(t, func(c *emulator.Config) {
				c.NoAppSettingsFillIn, c.FillInRunSchedule, c.TimeOfDayAsSent, c.RunRemediationScriptReadBack = flipped, flipped, flipped, flipped
			}))
		})
	}
}

func appsDoneWhen(t *testing.T, env *acctest.Env) {
	app := env.Server.AddPolicy(emulator.CollMobileApps, emulator.Policy{DisplayName: "Contoso VPN", ODataType: "#microsoft.graph.win32LobApp"})
	ios := env.Server.AddPolicy(emulator.CollMobileApps, emulator.Policy{DisplayName: "Contoso iOS", ODataType: "#microsoft.graph.iosStoreApp"})
	script := env.Server.AddPolicy(emulator.CollDeviceHealthScripts, emulator.Policy{DisplayName: "Restart services"})
	filter := env.Server.AddAssignmentFilter(emulator.AssignmentFilter{DisplayName: "Corporate", Platform: "windows10AndLater", Rule: `(device.deviceOwnership -eq "Corporate")`, ManagementType: "devices"})

	config := func(availableIntent string, more ...string) string {
		notifications, hourlyRuns := "hideAll", "false"
		if len(more) == 2 {
			notifications, hourlyRuns = more[0], more[1]
		}
		return fmt.Sprintf(`
resource "intune_mobile_app_assignments" "vpn" {
  mobile_app_id = %[1]q
  assignments = [
    { intent = "required", target = "group", group_id = %[4]q, filter_id = %[7]q, filter_type = "include" },
    { intent = %[8]q, target = "group", group_id = %[5]q,
      settings = { notifications = %[9]q, delivery_optimization_priority = "foreground",
        restart_settings = { grace_period_in_minutes = 1440, countdown_display_before_restart_in_minutes = 15, restart_notification_snooze_duration_in_minutes = 240 } } },
    { intent = "uninstall", target = "group", group_id = %[6]q },
    { intent = "available", target = "exclusion_group", group_id = %[6]q },
    { intent = %[8]q, target = "group", group_id = %[11]q, settings = { notifications = "showAll" } },
  ]
}

resource "intune_mobile_app_assignments" "ios" {
  mobile_app_id = %[2]q
  assignments = [
    { intent = "availableWithoutEnrollment", target = "group", group_id = %[4]q, settings = { is_removable = false } },
  ]
}

resource "intune_device_health_script_assignments" "rs" {
  device_health_script_id = %[3]q
  assignments = [
    { target = "group", group_id = %[4]q, run_remediation_script = true, run_schedule = { type = "daily", interval = 1, time = "02:30" } },
    { target = "group", group_id = %[5]q, run_remediation_script = %[10]s, run_schedule = { type = "hourly", interval = 4 } },
    { target = "all_devices", filter_id = %[7]q, filter_type = "exclude", run_schedule = { type = "once", interval = 1, date = "2027-01-31", time = "18:00", use_utc = true } },
    { target = "group", group_id = %[6]q },
  ]
}
`, app, ios, script, groupA, groupB, groupC, filter, availableIntent, notifications, hourlyRuns, groupD)
	}
	cli := env.CLI(t)
	write(cli, env, config("available"))
	cli.MustRun("init", "-input=false")
	cli.MustRun("apply", "-auto-approve", "-input=false")
	if out, code := cli.Run("plan", "-detailed-exitcode", "-input=false"); code != 0 {
		t.Fatalf("the plan after the apply must be empty (exit %d):\n%s", code, out)
	}
	got := appHeld(t, env, emulator.CollMobileApps, app)
	if len(got) != 5 || !strings.HasPrefix(got[0], "available exclusionGroupAssignmentTarget "+groupC) ||
		!strings.HasPrefix(got[1], "available groupAssignmentTarget "+groupB+` settings={"@odata.type":"#microsoft.graph.win32LobAppAssignmentSettings"`) ||
		!strings.HasPrefix(got[2], "available groupAssignmentTarget "+groupD) ||
		!strings.HasPrefix(got[3], "required groupAssignmentTarget "+groupA) || !strings.HasPrefix(got[4], "uninstall groupAssignmentTarget "+groupC) {
		t.Fatalf("Graph holds for the app:\n%s\nwant available to an exclusion of %s and to %s and %s, required to %s, uninstall to %s",
			strings.Join(got, "\n"), groupC, groupB, groupD, groupA, groupC)
	}
	for _, w := range []string{`"deliveryOptimizationPriority":"foreground"`, `"notifications":"hideAll"`,
		`"restartSettings":{"@odata.type":"#microsoft.graph.win32LobAppRestartSettings","countdownDisplayBeforeRestartInMinutes":15,"gracePeriodInMinutes":1440,"restartNotificationSnoozeDurationInMinutes":240}`} {
		if !strings.Contains(got[1], w) {
			t.Errorf("the available assignment's settings must hold %s:\n%s", w, got[1])
		}
	}
	rs := strings.Join(appHeld(t, env, emulator.CollDeviceHealthScripts, script), "\n")
	for _, w := range []string{`deviceHealthScriptDailySchedule","interval":1,"time":"02:30:00`, `runRemediationScript=true`,
		`deviceHealthScriptHourlySchedule","interval":4`, `deviceHealthScriptRunOnceSchedule"`, `"time":"18:00:00`, `"date":"2027-01-31"`} {
		if !strings.Contains(rs, w) {
			t.Errorf("the remediation's assignments must hold %s:\n%s", w, rs)
		}
	}

	// available -> required: one in-place update, one write. One of the two moved groups
	// writes a setting at Graph's default (notifications = "showAll"), which the read must
	// still match to the state's element.
	write(cli, env, config("required"))
	out := cli.MustRun("plan", "-input=false", "-no-color")
	if !strings.Contains(out, "0 to add, 1 to change, 0 to destroy") || !strings.Contains(out, `~ resource "intune_mobile_app_assignments" "vpn"`) {
		t.Fatalf("moving a group from available to required must be one in-place update:\n%s", out)
	}
	before := writes(env)
	cli.MustRun("apply", "-auto-approve", "-input=false")
	if n := writes(env) - before; n != 1 {
		t.Errorf("moving a group from available to required sent %d writes; want one assign", n)
	}
	if got := appHeld(t, env, emulator.CollMobileApps, app); len(got) != 5 || !strings.HasPrefix(got[1], "required groupAssignmentTarget "+groupA) ||
		!strings.HasPrefix(got[2], "required groupAssignmentTarget "+groupB) || !strings.Contains(got[2], `"notifications":"hideAll"`) ||
		!strings.HasPrefix(got[3], "required groupAssignmentTarget "+groupD) {
		t.Errorf("after the move Graph holds:\n%s", strings.Join(got, "\n"))
	}
	if out, code := cli.Run("plan", "-detailed-exitcode", "-input=false"); code != 0 {
		t.Fatalf("the plan after the move must be empty (exit %d):\n%s", code, out)
	}

	// A change of data only is an update of the same assignments, and it is sent: a setting,
	// and run_remediation_script, which Graph reads back as false whatever was written.
	write(cli, env, config("required", "showReboot", "true"))
	before = writes(env)
	cli.MustRun("apply", "-auto-approve", "-input=false")
	if n := writes(env) - before; n != 2 {
		t.Errorf("changing a setting and run_remediation_script sent %d writes; want one assign per policy", n)
	}
	if got := strings.Join(appHeld(t, env, emulator.CollMobileApps, app), "\n"); !strings.Contains(got, `"notifications":"showReboot"`) ||
		!strings.Contains(got, `"deliveryOptimizationPriority":"foreground"`) {
		t.Errorf("the settings change must reach Graph and keep the other settings:\n%s", got)
	}
	if got := strings.Join(appHeld(t, env, emulator.CollDeviceHealthScripts, script), "\n"); strings.Count(got, "runRemediationScript=true") != 2 {
		t.Errorf("run_remediation_script = true must reach Graph for both groups:\n%s", got)
	}
	if out, code := cli.Run("plan", "-detailed-exitcode", "-input=false"); code != 0 {
		t.Fatalf("the plan after a data change must be empty (exit %d):\n%s", code, out)
	}
	// A setting the configuration stops writing is cleared (sent as null), and the plan
	// said so: not kept unseen by Graph while the plan shows it going.
	restart := `,
        restart_settings = { grace_period_in_minutes = 1440, countdown_display_before_restart_in_minutes = 15, restart_notification_snooze_duration_in_minutes = 240 }`
	base := config("required", "showReboot", "true")
	if !strings.Contains(base, restart) {
		t.Fatal("the test's configuration changed: no restart_settings to remove")
	}
	write(cli, env, strings.Replace(base, restart, "", 1))
	before = writes(env)
	cli.MustRun("apply", "-auto-approve", "-input=false")
	if got := strings.Join(appHeld(t, env, emulator.CollMobileApps, app), "\n"); writes(env)-before != 1 || strings.Contains(got, "gracePeriodInMinutes") ||
		!strings.Contains(got, `"notifications":"showReboot"`) {
		t.Errorf("removing restart_settings must send one write that clears them and keeps the rest (%d writes):\n%s", writes(env)-before, got)
	}
	if out, code := cli.Run("plan", "-detailed-exitcode", "-input=false"); code != 0 {
		t.Fatalf("the plan after clearing a setting must be empty (exit %d):\n%s", code, out)
	}
	write(cli, env, config("required"))
	cli.MustRun("apply", "-auto-approve", "-input=false")

	// Adopt all three in another directory: generated configuration, zero writes, clean plan.
	imp := env.CLI(t)
	write(imp, env, fmt.Sprintf(`
import {
  to = intune_mobile_app_assignments.vpn
  id = %q
}
import {
  to = intune_mobile_app_assignments.ios
  id = %q
}
import {
  to = intune_device_health_script_assignments.rs
  id = %q
}
`, app, ios, script))
	imp.MustRun("init", "-input=false")
	imp.MustRun("plan", "-input=false", "-generate-config-out=generated.tf")
	before = writes(env)
	out = imp.MustRun("apply", "-auto-approve", "-input=false")
	if !strings.Contains(out, "3 imported, 0 added, 0 changed, 0 destroyed") || writes(env) != before {
		t.Fatalf("the import must adopt 3 resources with zero writes (%d sent):\n%s", writes(env)-before, out)
	}
	gen := imp.Read("generated.tf")
	if out, code := imp.Run("plan", "-detailed-exitcode", "-input=false"); code != 0 {
		t.Fatalf("the plan after the import must be empty (exit %d):\n%s\ngenerated.tf:\n%s", code, out, gen)
	}
	for _, w := range []string{`time     = "02:30:00"`, `notifications                       = "hideAll"`, `intent        = "uninstall"`} {
		if !strings.Contains(gen, w) {
			t.Errorf("generated.tf must hold %s:\n%s", w, gen)
		}
	}
	// Graph's fill-ins never show: the uninstall assignment was sent without settings.
	if regexp.MustCompile(`notifications\s+= "showAll"`).MatchString(gen) {
		t.Errorf("generated.tf lists a setting Graph filled in:\n%s", gen)
	}

	// Drift: someone makes the available settings show every notification.
	as, _ := env.Server.PolicyAssignments(emulator.CollMobileApps, app)
	for i := range as {
		if strings.EqualFold(as[i].Target.GroupID, groupB) {
			s := as[i].Extra["settings"].(map[string]any)
			s["notifications"] = "showAll"
		}
	}
	mustSet(t, env.Server.SetPolicyAssignments(emulator.CollMobileApps, app, as))
	out, code := cli.Run("plan", "-detailed-exitcode", "-input=false", "-no-color")
	if code != 2 || !regexp.MustCompile(`~ notifications\s+= "showAll" -> "hideAll"|notifications\s+= "showAll"`).MatchString(out) {
		t.Fatalf("a setting changed in the portal must show as drift (exit %d):\n%s", code, out)
	}

	cli.MustRun("destroy", "-auto-approve", "-input=false")
	for _, c := range []struct{ coll, id string }{{emulator.CollMobileApps, app}, {emulator.CollMobileApps, ios}, {emulator.CollDeviceHealthScripts, script}} {
		if got := appHeld(t, env, c.coll, c.id); len(got) != 0 {
			t.Errorf("destroy left %v", got)
		}
	}
}

// Every rule of apps and remediations fails the plan: those that need nothing from Graph
// with zero requests, those that need the app with one read per app and zero writes. Each
// error names the rule. The emulator's inferred refusals are off in the second run: the
// provider refuses at plan either way.
func TestAccApps_rulesFailThePlan(t *testing.T) {
	t.Parallel()
	for _, lenient := range []bool{false, true} {
		t.Run(fmt.Sprintf("graphRefusesToo=%v", !lenient), func(t *testing.T) {
			t.Parallel()
			env := acctest.Start(t, func(c *emulator.Config) {
				c.AcceptAppIntentConflicts, c.AcceptAvailableWithoutEnrollmentAnywhere = lenient, lenient
				c.AcceptUnpublishedAppAssignments, c.AcceptAppSettingsConstraints = lenient, lenient
			})
			win32 := env.Server.AddPolicy(emulator.CollMobileApps, emulator.Policy{DisplayName: "Win32", ODataType: "#microsoft.graph.win32LobApp"})
			ios := env.Server.AddPolicy(emulator.CollMobileApps, emulator.Policy{DisplayName: "iOS", ODataType: "#microsoft.graph.iosStoreApp"})
			winget := env.Server.AddPolicy(emulator.CollMobileApps, emulator.Policy{DisplayName: "WinGet", ODataType: "#microsoft.graph.winGetApp"})
			draft := env.Server.AddPolicy(emulator.CollMobileApps, emulator.Policy{DisplayName: "Draft", ODataType: "#microsoft.graph.win32LobApp",
				Props: map[string]any{"publishingState": "notPublished"}})
			appx := env.Server.AddPolicy(emulator.CollMobileApps, emulator.Policy{DisplayName: "AppX", ODataType: "#microsoft.graph.windowsUniversalAppX"})
			script := env.Server.AddPolicy(emulator.CollDeviceHealthScripts, emulator.Policy{DisplayName: "Script"})

			// Rules that need nothing from Graph.
			cli := env.CLI(t)
			write(cli, env, fmt.Sprintf(`
resource "intune_mobile_app_assignments" "intents" {
  mobile_app_id = %[1]q
  assignments = [
    { intent = "required", target = "group", group_id = %[3]q },
    { intent = "available", target = "group", group_id = %[3]q },
    { intent = "uninstall", target = "exclusion_group", group_id = %[3]q },
    { intent = "available", target = "all_devices" },
    { intent = "uninstall", target = "all_devices" },
  ]
}
resource "intune_mobile_app_assignments" "win32" {
  mobile_app_id = %[1]q
  assignments = [
    { intent = "available", target = "group", group_id = %[4]q, settings = { install_time_settings = { deadline_date_time = "2027-01-31T18:00:00Z" } } },
    { intent = "required", target = "group", group_id = %[5]q, settings = { restart_settings = { grace_period_in_minutes = 60, countdown_display_before_restart_in_minutes = 90 } } },
    { intent = "required", target = "group", group_id = %[6]q, settings = { restart_settings = { grace_period_in_minutes = 60, countdown_display_before_restart_in_minutes = 20, restart_notification_snooze_duration_in_minutes = 30 } } },
  ]
}
resource "intune_mobile_app_assignments" "conflict" {
  mobile_app_id = %[7]q
  assignments = [
    { intent = "required", target = "all_licensed_users" },
    { intent = "available", target = "all_devices" },
  ]
}
resource "intune_mobile_app_assignment" "bad_intent" {
  mobile_app_id = %[1]q
  intent        = "install"
  target        = "group"
  group_id      = %[3]q
}
resource "intune_device_health_script_assignments" "schedules" {
  device_health_script_id = %[2]q
  assignments = [
    { target = "group", group_id = %[3]q, run_schedule = { type = "hourly", interval = 2, time = "02:30" } },
    { target = "group", group_id = %[4]q, run_schedule = { type = "once", interval = 1, time = "18:00" } },
    { target = "group", group_id = %[5]q, run_schedule = { type = "daily", interval = 1, time = "25:00" } },
    { target = "group", group_id = %[6]q, run_schedule = { type = "weekly", interval = 1 } },
  ]
}
`, win32, script, groupA, groupB, groupC, groupD, ios))
			cli.MustRun("init", "-input=false")
			env.Server.ResetRequests()
			out, code := cli.Run("plan", "-input=false", "-no-color")
			if code == 0 {
				t.Fatalf("the plan must fail:\n%s", out)
			}
			for _, rule := range []string{"Target included under two intents", "Install deadline with intent available",
				"Restart countdown longer than the grace period", "Restart snooze too long", `Setting not taken by ` + "`type`" + ` "hourly"`,
				"Missing date in run_schedule", "must be a time of day", `value must be one of`} {
				if !strings.Contains(out, rule) {
					t.Errorf("the plan's errors must name the rule %q:\n%s", rule, out)
				}
			}
			if !strings.Contains(out, "Warning: User and device intents that conflict") || strings.Contains(out, "Error: User and device") {
				t.Errorf("all users and all devices under different intents must be a warning, not an error:\n%s", out)
			}
			if n := strings.Count(out, "Target included under two intents"); n != 2 {
				t.Errorf("a group and all devices each included under two intents: want 2 errors, got %d", n)
			}
			if strings.Contains(out, "exclusion_group") && strings.Contains(out, "Group both included and excluded") {
				t.Errorf("an exclusion under another intent is allowed:\n%s", out)
			}
			if reqs := len(env.Server.Requests()); reqs != 0 { // not even a sign-in
				t.Errorf("rules that need nothing from Graph sent %d requests; want none", reqs)
			}

			// Rules that need the app: one read per app, zero writes.
			chk := env.CLI(t)
			write(chk, env, fmt.Sprintf(`
resource "intune_mobile_app_assignments" "ios" {
  mobile_app_id = %[1]q
  assignments = [{ intent = "required", target = "group", group_id = %[6]q, settings = { notifications = "hideAll", is_removable = false } }]
}
resource "intune_mobile_app_assignments" "awe" {
  mobile_app_id = %[2]q
  assignments = [{ intent = "availableWithoutEnrollment", target = "group", group_id = %[6]q }]
}
resource "intune_mobile_app_assignments" "draft" {
  mobile_app_id = %[3]q
  assignments = [{ intent = "required", target = "group", group_id = %[6]q }]
}
resource "intune_mobile_app_assignments" "winget" {
  mobile_app_id = %[4]q
  assignments = [{ intent = "required", target = "group", group_id = %[6]q }]
}
resource "intune_mobile_app_assignment" "appx" {
  mobile_app_id = %[5]q
  intent        = "available"
  target        = "group"
  group_id      = %[6]q
  settings      = { use_device_context = true }
}
`, ios, win32, draft, winget, appx, groupA))
			chk.MustRun("init", "-input=false")
			env.Server.ResetRequests()
			out, code = chk.Run("plan", "-input=false", "-no-color")
			if code == 0 {
				t.Fatalf("the plan must fail:\n%s", out)
			}
			for _, rule := range []string{`Setting not taken by app "iOS"`, "Intent availableWithoutEnrollment not taken by this app type",
				"App not published", "WinGet app assignment without notifications", "Device context with intent available"} {
				if !strings.Contains(out, rule) {
					t.Errorf("the plan's errors must name the rule %q:\n%s", rule, out)
				}
			}
			appReads := map[string]int{}
			for _, r := range env.Server.Requests() {
				if strings.Contains(r.Path, "/oauth2/") {
					continue // sign-in
				}
				if r.Method != http.MethodGet {
					t.Errorf("the plan sent %s %s; want reads only", r.Method, r.Path)
				}
				if m := regexp.MustCompile(`/mobileApps/([0-9a-f-]{36})$`).FindStringSubmatch(r.Path); m != nil {
					appReads[m[1]]++
				}
			}
			for id, n := range appReads {
				if n != 1 {
					t.Errorf("app %s was read %d times at plan; want once", id, n)
				}
			}
		})
	}
}

// graphToken signs in to the emulator as the default app.
func graphToken(t *testing.T, env *acctest.Env) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {emulator.DefaultClientID},
		"client_secret": {emulator.DefaultClientSecret}, "scope": {"https://graph.microsoft.com/.default"}}
	res, err := env.Server.HTTPClient().PostForm(env.Server.URL()+"/"+env.Server.TenantID()+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("sign-in: %v (status %d)", err, res.StatusCode)
	}
	return tok.AccessToken
}

// graphAssign posts body to {collection}/{id}/assign and returns the status.
func graphAssign(t *testing.T, env *acctest.Env, token, coll, id string, body any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, env.Server.GraphURL()+coll+"/"+id+"/assign", bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := env.Server.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	return res.StatusCode
}

// Random assignment sets that Graph (the emulator, through its own assign action, with
// its fill-ins) accepts, over every intent, settings type, target kind, filter and
// schedule kind, import with -generate-config-out and plan clean with zero writes.
// Both ways for what is inferred: Graph filling in settings not sent, or storing them as
// sent. A new seed each run, logged (INTUNE_TEST_SEED replays one).
func TestAccApps_randomAcceptedSetsImportAndPlanClean(t *testing.T) {
	t.Parallel()
	seed := time.Now().UnixNano()
	if v, err := strconv.ParseInt(os.Getenv("INTUNE_TEST_SEED"), 10, 64); err == nil {
		seed = v
	}
	t.Logf("seed %d (INTUNE_TEST_SEED=%d replays it)", seed, seed)
	for _, fillIn := range []bool{true, false} {
		t.Run(fmt.Sprintf("graphFillsInSettings=%v", fillIn), func(t *testing.T) {
			t.Parallel()
			randomAcceptedSets(t, seed, fillIn)
		})
	}
}

func randomAcceptedSets(t *testing.T, seed int64, fillIn bool) {
	env := acctest.Start(t, func(c *emulator.Config) { c.NoAppSettingsFillIn = !fillIn })
	token := graphToken(t, env)
	rng := rand.New(rand.NewSource(seed))
	filter := env.Server.AddAssignmentFilter(emulator.AssignmentFilter{DisplayName: "F", Platform: "windows10AndLater", Rule: `(device.model -eq "x")`, ManagementType: "devices"})
	groups := []string{groupA, groupB, groupC, groupD}
	intents := []string{"required", "available", "uninstall", "availableWithoutEnrollment"}
	settingsFor := map[string]func() map[string]any{
		"win32LobApp": func() map[string]any {
			return map[string]any{"@odata.type": "#microsoft.graph.win32LobAppAssignmentSettings", "notifications": pick(rng, "showAll", "showReboot", "hideAll"),
				"deliveryOptimizationPriority": pick(rng, "notConfigured", "foreground"),
				"restartSettings":              map[string]any{"gracePeriodInMinutes": 120, "countdownDisplayBeforeRestartInMinutes": 20, "restartNotificationSnoozeDurationInMinutes": 10}}
		},
		"winGetApp": func() map[string]any {
			return map[string]any{"@odata.type": "#microsoft.graph.winGetAppAssignmentSettings", "notifications": pick(rng, "showAll", "hideAll")}
		},
		"iosStoreApp": func() map[string]any {
			return map[string]any{"@odata.type": "#microsoft.graph.iosStoreAppAssignmentSettings", "isRemovable": rng.Intn(2) == 0, "uninstallOnDeviceRemoval": true}
		},
		"androidManagedStoreApp": func() map[string]any {
			return map[string]any{"@odata.type": "#microsoft.graph.androidManagedStoreAppAssignmentSettings", "autoUpdateMode": pick(rng, "default", "priority")}
		},
		"windowsUniversalAppX": func() map[string]any {
			return map[string]any{"@odata.type": "#microsoft.graph.windowsUniversalAppXAppAssignmentSettings", "useDeviceContext": false}
		},
		"webApp": func() map[string]any { return nil },
	}
	var imports strings.Builder
	accepted := 0
	for i := 0; accepted < 8 && i < 200; i++ {
		types := []string{"win32LobApp", "winGetApp", "iosStoreApp", "androidManagedStoreApp", "windowsUniversalAppX", "webApp"}
		typ := types[rng.Intn(len(types))]
		id := env.Server.AddPolicy(emulator.CollMobileApps, emulator.Policy{DisplayName: fmt.Sprintf("App %d", i), ODataType: "#microsoft.graph." + typ})
		var set []map[string]any
		for _, g := range groups {
			if rng.Intn(3) == 0 {
				continue
			}
			a := map[string]any{"@odata.type": "#microsoft.graph.mobileAppAssignment", "intent": intents[rng.Intn(len(intents))]}
			target := map[string]any{"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": g}
			if rng.Intn(4) == 0 {
				target["@odata.type"] = "#microsoft.graph.exclusionGroupAssignmentTarget"
			} else if rng.Intn(3) == 0 {
				target["deviceAndAppManagementAssignmentFilterId"], target["deviceAndAppManagementAssignmentFilterType"] = filter, pick(rng, "include", "exclude")
			}
			a["target"] = target
			if s := settingsFor[typ](); s != nil && rng.Intn(2) == 0 && target["@odata.type"] != "#microsoft.graph.exclusionGroupAssignmentTarget" {
				a["settings"] = s
			}
			set = append(set, a)
		}
		if rng.Intn(2) == 0 {
			set = append(set, map[string]any{"intent": pick(rng, "required", "available"), "target": map[string]any{"@odata.type": pick(rng,
				"#microsoft.graph.allDevicesAssignmentTarget", "#microsoft.graph.allLicensedUsersAssignmentTarget")}})
		}
		if graphAssign(t, env, token, emulator.CollMobileApps, id, map[string]any{"mobileAppAssignments": set}) != http.StatusNoContent {
			continue // a set Graph refuses is not an input of this test
		}
		accepted++
		fmt.Fprintf(&imports, "\nimport {\n  to = intune_mobile_app_assignments.app%d\n  id = %q\n}\n", i, id)
	}
	for i, kind := range []map[string]any{
		{"@odata.type": "#microsoft.graph.deviceHealthScriptRunOnceSchedule", "interval": 1, "date": "2027-02-01", "time": "07:15", "useUtc": true},
		{"@odata.type": "#microsoft.graph.deviceHealthScriptHourlySchedule", "interval": 6},
		{"@odata.type": "#microsoft.graph.deviceHealthScriptDailySchedule", "interval": 2, "time": "23:59:00"},
	} {
		id := env.Server.AddPolicy(emulator.CollDeviceHealthScripts, emulator.Policy{DisplayName: fmt.Sprintf("Script %d", i)})
		body := map[string]any{"deviceHealthScriptAssignments": []map[string]any{
			{"target": map[string]any{"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": groups[i]}, "runSchedule": kind, "runRemediationScript": true},
			{"target": map[string]any{"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget",
				"deviceAndAppManagementAssignmentFilterId": filter, "deviceAndAppManagementAssignmentFilterType": "include"}},
		}}
		if st := graphAssign(t, env, token, emulator.CollDeviceHealthScripts, id, body); st != http.StatusNoContent {
			t.Fatalf("the emulator refused a remediation schedule (%d): %v", st, kind)
		}
		fmt.Fprintf(&imports, "\nimport {\n  to = intune_device_health_script_assignments.script%d\n  id = %q\n}\n", i, id)
	}
	if accepted < 8 {
		t.Fatalf("only %d random sets were accepted", accepted)
	}
	imp := env.CLI(t)
	write(imp, env, imports.String())
	imp.MustRun("init", "-input=false")
	imp.MustRun("plan", "-input=false", "-generate-config-out=generated.tf")
	before := writes(env)
	out := imp.MustRun("apply", "-auto-approve", "-input=false")
	if !strings.Contains(out, fmt.Sprintf("%d imported, 0 added, 0 changed, 0 destroyed", accepted+3)) || writes(env) != before {
		t.Fatalf("the import must adopt %d resources with zero writes (%d sent):\n%s", accepted+3, writes(env)-before, out)
	}
	if out, code := imp.Run("plan", "-detailed-exitcode", "-input=false"); code != 0 {
		t.Fatalf("random accepted sets must plan clean after import (exit %d):\n%s\ngenerated.tf:\n%s", code, out, imp.Read("generated.tf"))
	}
}

func pick(rng *rand.Rand, vs ...string) string { return vs[rng.Intn(len(vs))] }

// The single-assignment resources of apps and remediations: a change of settings or
// schedule is an in-place update (one write), a setting no longer written is cleared, a
// change of intent replaces the assignment, an import by ID plans clean, and a group
// included under another intent, in Graph or in the configuration, fails the plan.
func TestAccApps_singleResources(t *testing.T) {
	t.Parallel()
	env := acctest.Start(t)
	app := env.Server.AddPolicy(emulator.CollMobileApps, emulator.Policy{DisplayName: "Single", ODataType: "#microsoft.graph.win32LobApp"})
	script := env.Server.AddPolicy(emulator.CollDeviceHealthScripts, emulator.Policy{DisplayName: "Single script"})
	mustSet(t, env.Server.SetPolicyAssignments(emulator.CollMobileApps, app, []emulator.Assignment{{Intent: "required",
		Target: emulator.Target{ODataType: emulator.TargetGroup, GroupID: groupC}}}))
	cfg := func(intent, settings, schedule string) string {
		return fmt.Sprintf(`
resource "intune_mobile_app_assignment" "a" {
  mobile_app_id = %q
  intent        = %q
  target        = "group"
  group_id      = %q
  settings      = %s
}
resource "intune_device_health_script_assignment" "s" {
  device_health_script_id = %q
  target                  = "group"
  group_id                = %q
  run_schedule            = %s
}
`, app, intent, groupA, settings, script, groupA, schedule)
	}
	withRestart := `{ notifications = "hideAll", restart_settings = { grace_period_in_minutes = 60, countdown_display_before_restart_in_minutes = 10 } }`
	cli := env.CLI(t)
	write(cli, env, cfg("available", withRestart, `{ type = "daily", interval = 1, time = "02:00" }`))
	cli.MustRun("init", "-input=false")
	cli.MustRun("apply", "-auto-approve", "-input=false")
	step := func(what, config, wantPlan string, wantWrites int, check func(string) bool) {
		t.Helper()
		write(cli, env, config)
		if out := cli.MustRun("plan", "-input=false", "-no-color"); !strings.Contains(out, wantPlan) {
			t.Fatalf("%s: the plan must say %q:\n%s", what, wantPlan, out)
		}
		before := writes(env)
		cli.MustRun("apply", "-auto-approve", "-input=false")
		if n := writes(env) - before; n != wantWrites {
			t.Errorf("%s: %d writes; want %d", what, n, wantWrites)
		}
		got := strings.Join(appHeld(t, env, emulator.CollMobileApps, app), "\n") + "\n" + strings.Join(appHeld(t, env, emulator.CollDeviceHealthScripts, script), "\n")
		if !check(got) {
			t.Errorf("%s: Graph holds:\n%s", what, got)
		}
		if out, code := cli.Run("plan", "-detailed-exitcode", "-input=false"); code != 0 {
			t.Fatalf("%s: the next plan must be empty (exit %d):\n%s", what, code, out)
		}
	}
	step("a setting changed", cfg("available", strings.Replace(withRestart, "hideAll", "showReboot", 1), `{ type = "daily", interval = 1, time = "02:00" }`),
		"0 to add, 1 to change, 0 to destroy", 1, func(g string) bool {
			return strings.Contains(g, `"notifications":"showReboot"`) && strings.Contains(g, `"gracePeriodInMinutes":60`) && strings.Contains(g, "required groupAssignmentTarget "+groupC)
		})
	step("a setting no longer written", cfg("available", `{ notifications = "showReboot" }`, `{ type = "hourly", interval = 3 }`),
		"0 to add, 2 to change, 0 to destroy", 2, func(g string) bool {
			return !strings.Contains(g, "gracePeriodInMinutes") && strings.Contains(g, `deviceHealthScriptHourlySchedule","interval":3`)
		})
	step("the intent changed", cfg("uninstall", `{ notifications = "showReboot" }`, `{ type = "hourly", interval = 3 }`),
		"1 to add, 0 to change, 1 to destroy", 2, func(g string) bool {
			return strings.Contains(g, "uninstall groupAssignmentTarget "+groupA) && !strings.Contains(g, "available groupAssignmentTarget "+groupA) &&
				strings.Contains(g, "required groupAssignmentTarget "+groupC)
		})

	// Import by ID, with generated configuration: zero writes, a clean plan.
	as, _ := env.Server.PolicyAssignments(emulator.CollMobileApps, app)
	var aid string
	for _, a := range as {
		if strings.EqualFold(a.Target.GroupID, groupA) {
			aid = a.ID
		}
	}
	imp := env.CLI(t)
	write(imp, env, fmt.Sprintf("\nimport {\n  to = intune_mobile_app_assignment.a\n  id = %q\n}\n", app+"/"+aid))
	imp.MustRun("init", "-input=false")
	imp.MustRun("plan", "-input=false", "-generate-config-out=generated.tf")
	before := writes(env)
	imp.MustRun("apply", "-auto-approve", "-input=false")
	if out, code := imp.Run("plan", "-detailed-exitcode", "-input=false"); code != 0 || writes(env) != before {
		t.Fatalf("the single import must plan clean with zero writes (exit %d, %d writes):\n%s\n%s", code, writes(env)-before, out, imp.Read("generated.tf"))
	}

	// A group included under another intent: in Graph (another team's), or twice in the configuration.
	clash := env.CLI(t)
	write(clash, env, fmt.Sprintf(`
resource "intune_mobile_app_assignment" "c" {
  mobile_app_id = %[1]q
  intent        = "available"
  target        = "group"
  group_id      = %[2]q
}
resource "intune_mobile_app_assignment" "d1" {
  mobile_app_id = %[1]q
  intent        = "available"
  target        = "all_devices"
}
resource "intune_mobile_app_assignment" "d2" {
  mobile_app_id = %[1]q
  intent        = "required"
  target        = "all_devices"
}
`, app, groupC))
	clash.MustRun("init", "-input=false")
	before = writes(env)
	out, code := clash.Run("plan", "-input=false", "-no-color")
	if code == 0 || strings.Count(flat(out), "Error: Target included under two intents") != 2 || writes(env) != before {
		t.Fatalf("a group already required in Graph, and all devices twice, must each fail the plan with zero writes (exit %d):\n%s", code, out)
	}
	cli.MustRun("destroy", "-auto-approve", "-input=false")
	if got := appHeld(t, env, emulator.CollMobileApps, app); len(got) != 1 || !strings.HasPrefix(got[0], "required groupAssignmentTarget "+groupC) {
		t.Errorf("destroy must leave another team's assignment only: %v", got)
	}
}

// A change of data only (a setting, a schedule), under 8 s of Graph read lag: the apply
// reads back until Graph shows the values written, so the plan right after it is empty
// (no phantom update of the old values), for both resource kinds.
func TestAccApps_dataChangesUnderReadLag(t *testing.T) {
	t.Parallel()
	env := acctest.Start(t)
	clock := env.UseFakeClock()
	env.Server.SetReadLag(8 * time.Second)
	app := env.Server.AddPolicy(emulator.CollMobileApps, emulator.Policy{DisplayName: "Lag", ODataType: "#microsoft.graph.win32LobApp"})
	other := env.Server.AddPolicy(emulator.CollMobileApps, emulator.Policy{DisplayName: "Lag single", ODataType: "#microsoft.graph.win32LobApp"})
	script := env.Server.AddPolicy(emulator.CollDeviceHealthScripts, emulator.Policy{DisplayName: "Lag script"})
	cfg := func(notifications, schedule string) string {
		return env.ProviderConfig() + fmt.Sprintf(`
resource "intune_mobile_app_assignments" "a" {
  mobile_app_id = %[1]q
  assignments   = [{ intent = "required", target = "all_devices", settings = { notifications = %[4]q } }]
}
resource "intune_mobile_app_assignment" "s" {
  mobile_app_id = %[2]q
  intent        = "required"
  target        = "group"
  group_id      = %[6]q
  settings      = { notifications = %[4]q }
}
resource "intune_device_health_script_assignments" "r" {
  device_health_script_id = %[3]q
  assignments             = [{ target = "group", group_id = %[6]q, run_schedule = %[5]s }]
}
`, app, other, script, notifications, schedule, groupA)
	}
	empty := resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	var base time.Duration
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{Config: cfg("hideAll", `{ type = "daily", interval = 1, time = "12:00" }`), ConfigPlanChecks: empty,
				Check: func(*terraform.State) error { base = clock.Slept(); return nil }},
			{Config: cfg("showReboot", `{ type = "hourly", interval = 4 }`), ConfigPlanChecks: empty},
		},
	})
	if slept := clock.Slept() - base; slept < 8*time.Second {
		t.Fatalf("the data change waited %v on the clock, less than the 8 s lag: the test did not meet the lag", slept)
	}
}
