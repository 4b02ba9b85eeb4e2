package resources

import (
	"fmt"
	"slices"
	"strings"

	"github.com/intunetf/terraform-provider-intune/internal/assignments"
	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// Apps and remediations (issue 22; ../shared/graph-families.md §19, §22, G2; and
// internal/graph/NOTES.md): families whose assignments carry fields besides the target. An
// app's assignment has an intent (part of its identity: one group may be excluded under one
// intent and included under another) and settings typed by the app's type; a remediation's
// has a run schedule and run_remediation_script.

// App types by what their settings take (graph-families.md 22.3; SDK v0.165.0
// models/*_app_assignment_settings.go).
var (
	win32Types     = []string{"win32LobApp", "win32CatalogApp"}
	winGetTypes    = []string{"winGetApp"}
	windowsInstall = append(append([]string{}, win32Types...), winGetTypes...)
	deviceContext  = []string{"microsoftStoreForBusinessApp", "windowsAppX", "windowsUniversalAppX"}
	iosStoreTypes  = []string{"iosStoreApp", "managedIOSStoreApp"}
	iosLobTypes    = []string{"iosLobApp", "managedIOSLobApp"}
	iosTypes       = append(append(append([]string{}, iosStoreTypes...), iosLobTypes...), "iosVppApp")
	macVpp         = []string{"macOSVppApp"}
	appleRemovable = append(append(append([]string{}, iosTypes...), macVpp...), "macOSLobApp")
	appleBackup    = append(append([]string{}, iosTypes...), macVpp...)
	vppTypes       = []string{"iosVppApp", "macOSVppApp"}
	androidStore   = []string{"androidManagedStoreApp"}

	// withoutEnrollment are the app types that take intent availableWithoutEnrollment:
	// iOS/iPadOS and Android store, LOB and VPP apps (graph-families.md 22.2; "not for
	// Windows or macOS" is inferred).
	withoutEnrollment = append(append(append([]string{}, iosTypes...), androidStore...),
		"androidStoreApp", "androidLobApp", "managedAndroidStoreApp", "managedAndroidLobApp")
)

func settingsVariant(name string) assignments.Variant {
	return assignments.Variant{Name: name, ODataType: "#microsoft.graph." + name + "AppAssignmentSettings"}
}

// appSettings is `settings`: every setting of the common app types as one object; each
// attribute says which app types take it, and the settings type sent follows the app's.
var appSettings = assignments.AssignmentField{
	Attr: assignments.Attr{Name: "settings", Member: "settings", Kind: assignments.KindObject,
		Description: "The assignment's settings, which depend on the app's type (the table below). The provider reads the app's " +
			"type at plan time and sends Graph's settings type for it; a setting the type does not take fails the plan.",
		Attrs: []assignments.Attr{
			{Name: "notifications", Member: "notifications", OneOf: []string{"showAll", "showReboot", "hideAll"}, Default: "showAll", Only: windowsInstall,
				Description: "End-user notifications for the install."},
			{Name: "delivery_optimization_priority", Member: "deliveryOptimizationPriority", OneOf: []string{"notConfigured", "foreground"},
				Default: "notConfigured", Only: win32Types, Description: "Delivery Optimization priority of the download."},
			{Name: "restart_settings", Member: "restartSettings", Kind: assignments.KindObject, Only: windowsInstall,
				Description: "The restart grace period after the install, and its countdown and snooze.",
				Attrs: []assignments.Attr{
					{Name: "grace_period_in_minutes", Member: "gracePeriodInMinutes", Kind: assignments.KindInt, Min: 1, Max: 20160,
						Description: "Minutes from the install to the restart."},
					{Name: "countdown_display_before_restart_in_minutes", Member: "countdownDisplayBeforeRestartInMinutes", Kind: assignments.KindInt, Min: 1, Max: 240,
						Description: "Minutes before the restart that the countdown shows; at most the grace period."},
					{Name: "restart_notification_snooze_duration_in_minutes", Member: "restartNotificationSnoozeDurationInMinutes", Kind: assignments.KindInt, Min: 1, Max: 712,
						Description: "Minutes a user may snooze the restart; at most half of (grace period − countdown), or 1 when they are equal."},
				}},
			{Name: "install_time_settings", Member: "installTimeSettings", Kind: assignments.KindObject, Only: windowsInstall,
				Description: "When the app becomes available and its install deadline. A deadline is not allowed with intent `available`.",
				Attrs: []assignments.Attr{
					{Name: "use_local_time", Member: "useLocalTime", Kind: assignments.KindBool, Description: "Times are the device's local time rather than UTC."},
					{Name: "start_date_time", Member: "startDateTime", Kind: assignments.KindDateTime, Only: win32Types,
						Description: "When the app becomes available (RFC 3339)."},
					{Name: "deadline_date_time", Member: "deadlineDateTime", Kind: assignments.KindDateTime,
						Description: "The install deadline (RFC 3339)."},
				}},
			{Name: "auto_update_settings", Member: "autoUpdateSettings", Kind: assignments.KindObject, Only: []string{"win32LobApp"},
				Description: "Whether the app replaces the apps it supersedes automatically.",
				Attrs: []assignments.Attr{
					{Name: "auto_update_superseded_apps_state", Member: "autoUpdateSupersededAppsState", OneOf: []string{"notConfigured", "enabled"},
						Description: "`enabled` updates superseded apps automatically."},
				}},
			{Name: "use_device_context", Member: "useDeviceContext", Kind: assignments.KindBool, Default: false, Only: deviceContext,
				Description: "Install for the device rather than the user. For a universal AppX app it is not allowed with `available`, and once true it cannot change."},
			{Name: "vpn_configuration_id", Member: "vpnConfigurationId", Only: iosTypes,
				Description: "ID of the per-app VPN configuration the app uses."},
			{Name: "uninstall_on_device_removal", Member: "uninstallOnDeviceRemoval", Kind: assignments.KindBool, Only: appleRemovable,
				Description: "Remove the app when the device leaves management."},
			{Name: "is_removable", Member: "isRemovable", Kind: assignments.KindBool, Only: iosTypes,
				Description: "Users may remove the app."},
			{Name: "prevent_managed_app_backup", Member: "preventManagedAppBackup", Kind: assignments.KindBool, Only: appleBackup,
				Description: "Keep the app's data out of iCloud and iTunes backups."},
			{Name: "use_device_licensing", Member: "useDeviceLicensing", Kind: assignments.KindBool, Only: vppTypes,
				Description: "Use a device licence rather than a user licence."},
			{Name: "prevent_auto_app_update", Member: "preventAutoAppUpdate", Kind: assignments.KindBool, Only: vppTypes,
				Description: "Do not update the app automatically."},
			{Name: "android_managed_store_app_track_ids", Member: "androidManagedStoreAppTrackIds", Kind: assignments.KindStringList,
				Default: []string{}, Only: androidStore, Description: "Managed Google Play tracks (beta, alpha) the app comes from."},
			{Name: "auto_update_mode", Member: "autoUpdateMode", OneOf: []string{"default", "postponed", "priority"}, Default: "default", Only: androidStore,
				Description: "How Managed Google Play updates the app."},
		}},
	VariantNoun: "app type",
	Variants: map[string]assignments.Variant{
		"win32LobApp": settingsVariant("win32Lob"), "win32CatalogApp": settingsVariant("win32Catalog"), "winGetApp": settingsVariant("winGet"),
		"microsoftStoreForBusinessApp": settingsVariant("microsoftStoreForBusiness"), "windowsAppX": settingsVariant("windowsAppX"),
		"windowsUniversalAppX": settingsVariant("windowsUniversalAppX"),
		"iosStoreApp":          settingsVariant("iosStore"), "managedIOSStoreApp": settingsVariant("iosStore"), "iosVppApp": settingsVariant("iosVpp"),
		"iosLobApp": settingsVariant("iosLob"), "managedIOSLobApp": settingsVariant("iosLob"),
		"macOSVppApp": settingsVariant("macOsVpp"), "macOSLobApp": settingsVariant("macOsLob"),
		"androidManagedStoreApp": settingsVariant("androidManagedStore"),
	},
}

// appIntents are Graph's install intents (graph-families.md 22.1).
var appIntents = []string{"required", "available", "uninstall", "availableWithoutEnrollment"}

// MobileApp is apps (§22): an assignment is an intent and a target, with settings.
var MobileApp = &assignments.Family{Stem: "mobile_app", PolicyIDAttribute: "mobile_app_id", PolicyNoun: "app",
	Graph: graph.MobileAppsFamily, Targets: groupsAndAll, Filters: true, Permission: permApps,
	Fields: []assignments.AssignmentField{
		{Attr: assignments.Attr{Name: "intent", Member: "intent", OneOf: appIntents,
			Description: "What the assignment does: `required` installs the app, `available` offers it in the Company Portal, " +
				"`uninstall` removes it, `availableWithoutEnrollment` offers it on devices that are not enrolled (iOS/iPadOS and Android apps only). " +
				"A target may be included under one intent of an app only; an exclusion may sit beside an inclusion of another intent."},
			Identity: true, Required: true},
		appSettings,
	},
	IncludedOnce: true,
	Rules:        []assignments.Rule{appInstallTimeRule, appRestartRule},
	Warnings:     appConflictWarnings,
	Policy: &assignments.PolicyCheck{Noun: "app type",
		Collection: graph.Collection{Path: graph.MobileAppsFamily.CollectionPath, Props: []string{"publishingState"}},
		Check:      appPolicyCheck},
	LookupExtra: []assignments.LookupAttr{
		{Name: "publisher", Property: "publisher", Description: "The app's publisher."},
		{Name: "publishing_state", Property: "publishingState", Description: "`notPublished`, `processing` or `published`; only a published app can be assigned."},
	},
}

// appInstallTimeRule: a deadline makes an install required; with `available` Intune
// refuses it (graph-families.md 22.3, DT's validator).
func appInstallTimeRule(v assignments.ElementView) []assignments.Problem {
	if v.Value("intent") == "available" && v.Value("settings", "install_time_settings", "deadline_date_time") != nil {
		return []assignments.Problem{{Path: []string{"settings", "install_time_settings", "deadline_date_time"},
			Summary: "Install deadline with intent available",
			Detail:  "An assignment with intent `available` lets users install the app when they choose, so it takes no install deadline. Remove deadline_date_time, or make the intent `required`."}}
	}
	return nil
}

// appRestartRule: the restart countdown fits in the grace period, and the snooze in half
// of what is left (1 minute when nothing is) (graph-families.md 22.3, DT's validator).
func appRestartRule(v assignments.ElementView) []assignments.Problem {
	grace, ok1 := v.Value("settings", "restart_settings", "grace_period_in_minutes").(int64)
	countdown, ok2 := v.Value("settings", "restart_settings", "countdown_display_before_restart_in_minutes").(int64)
	if !ok1 || !ok2 {
		return nil
	}
	at := []string{"settings", "restart_settings"}
	if countdown > grace {
		return []assignments.Problem{{Path: append(at, "countdown_display_before_restart_in_minutes"), Summary: "Restart countdown longer than the grace period",
			Detail: fmt.Sprintf("The countdown (%d minutes) must be at most the grace period (%d minutes). Shorten the countdown or lengthen the grace period.", countdown, grace)}}
	}
	snooze, ok := v.Value("settings", "restart_settings", "restart_notification_snooze_duration_in_minutes").(int64)
	limit := (grace - countdown) / 2
	if grace == countdown {
		limit = 1
	}
	if ok && snooze > limit {
		return []assignments.Problem{{Path: append(at, "restart_notification_snooze_duration_in_minutes"), Summary: "Restart snooze too long",
			Detail: fmt.Sprintf("The snooze (%d minutes) may be at most half of the grace period minus the countdown ((%d − %d) / 2 = %d minutes; 1 when they are equal). Shorten it.",
				snooze, grace, countdown, limit)}}
	}
	return nil
}

// appConflictWarnings warns when all licensed users and all devices are included under
// different intents: Intune allows it and resolves each device's outcome by its conflict
// table (graph-families.md 22.2, MEM apps/apps-deploy.md "How conflicts between app
// intents are resolved"), which a reviewer should know.
func appConflictWarnings(vs []assignments.ElementView) []assignments.Problem {
	intentOf := map[string]string{}
	for _, v := range vs {
		if v.Target == "all_devices" || v.Target == "all_licensed_users" {
			intentOf[v.Target], _ = v.Value("intent").(string)
		}
	}
	users, devices := intentOf["all_licensed_users"], intentOf["all_devices"]
	if users == "" || devices == "" || users == devices {
		return nil
	}
	return []assignments.Problem{{Summary: "User and device intents that conflict",
		Detail: fmt.Sprintf("All licensed users get the app as %s and all devices as %s. Intune allows this and decides what each "+
			"device gets by its documented conflict table (Intune docs, \"How conflicts between app intents are resolved\"); "+
			"the plan goes on. Review that the outcome is what you want.", users, devices)}}
}

// appPolicyCheck checks an assignment against the app read at plan time.
func appPolicyCheck(app graph.Item, v assignments.ElementView) []assignments.Problem {
	var out []assignments.Problem
	name := fmt.Sprintf("App %q (%s)", app.DisplayName, app.ODataType)
	if state := app.Props["publishingState"]; state != "" && !strings.EqualFold(state, "published") {
		out = append(out, assignments.Problem{Summary: "App not published",
			Detail: fmt.Sprintf("%s has publishing state %q; Intune assigns only published apps. Wait until its content has finished uploading and processing, then plan again.", name, state)})
	}
	intent, _ := v.Value("intent").(string)
	if intent == "availableWithoutEnrollment" && !containsFold(withoutEnrollment, app.ODataType) {
		out = append(out, assignments.Problem{Path: []string{"intent"}, Summary: "Intent availableWithoutEnrollment not taken by this app type",
			Detail: fmt.Sprintf("%s cannot be offered to devices that are not enrolled; availableWithoutEnrollment is for iOS/iPadOS and Android apps (%s). Use `available`.",
				name, strings.Join(withoutEnrollment, ", "))})
	}
	if containsFold(winGetTypes, app.ODataType) && (intent == "required" || intent == "available") && v.Target != "exclusion_group" &&
		v.Value("settings", "notifications") == nil {
		out = append(out, assignments.Problem{Path: []string{"settings"}, Summary: "WinGet app assignment without notifications",
			Detail: fmt.Sprintf("%s is a WinGet (Microsoft Store) app, whose %s assignments need settings.notifications. Add settings = { notifications = \"showAll\" } (or showReboot, hideAll).", name, intent)})
	}
	if strings.EqualFold(app.ODataType, "windowsUniversalAppX") && intent == "available" && v.Value("settings", "use_device_context") == true {
		out = append(out, assignments.Problem{Path: []string{"settings", "use_device_context"}, Summary: "Device context with intent available",
			Detail: fmt.Sprintf("%s is a universal AppX app: installing it in device context is not allowed with intent `available`. Set use_device_context = false, or make the intent `required`.", name)})
	}
	return out
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}

// runSchedule is a remediation's `run_schedule` (graph-families.md §19; SDK
// models/device_health_script_*schedule.go).
var runSchedule = assignments.AssignmentField{Attr: assignments.Attr{Name: "run_schedule", Member: "runSchedule", Kind: assignments.KindObject,
	Description: "When the detection script runs: `once` on a date and time, `hourly` every `interval` hours, or `daily` every `interval` days at a time.",
	Attrs: []assignments.Attr{
		{Name: "type", Discriminator: map[string]string{
			"once":   "#microsoft.graph.deviceHealthScriptRunOnceSchedule",
			"hourly": "#microsoft.graph.deviceHealthScriptHourlySchedule",
			"daily":  "#microsoft.graph.deviceHealthScriptDailySchedule"},
			Description: "The schedule's kind."},
		{Name: "interval", Member: "interval", Kind: assignments.KindInt, Min: 1, Max: 23, Required: true,
			Description: "Hours between runs (`hourly`, 1–23) or days between runs (`daily`). Graph requires it for `once` too, where it has no effect: write 1."},
		{Name: "date", Member: "date", Kind: assignments.KindDate, Only: []string{"once"}, Description: "The day of the run, YYYY-MM-DD."},
		{Name: "time", Member: "time", Kind: assignments.KindTimeOfDay, Only: []string{"once", "daily"},
			Description: "The time of day of the run, HH:MM or HH:MM:SS (24-hour clock)."},
		{Name: "use_utc", Member: "useUtc", Kind: assignments.KindBool, Only: []string{"once", "daily"}, Default: false,
			Description: "`time` is UTC; false or left out: the device's local time."},
	}}}

// DeviceHealthScript is remediations (§19): assignments carry a run schedule.
var DeviceHealthScript = &assignments.Family{Stem: "device_health_script", PolicyIDAttribute: "device_health_script_id",
	PolicyNoun: "remediation script", Graph: graph.DeviceHealthScriptsFamily, Targets: groupsAndAll, Filters: true,
	Fields: []assignments.AssignmentField{
		runSchedule,
		{Attr: assignments.Attr{Name: "run_remediation_script", Member: "runRemediationScript", Kind: assignments.KindBool,
			Description: "Run the remediation script when the detection script finds the issue (the portal sets it; false or left out: detect only)."},
			NotReadBack: true},
	},
	Rules: []assignments.Rule{runScheduleRule},
}

// runScheduleRule: each kind of schedule has what it needs.
func runScheduleRule(v assignments.ElementView) []assignments.Problem {
	kind, _ := v.Value("run_schedule", "type").(string)
	var out []assignments.Problem
	need := func(attr string) {
		if v.Value("run_schedule", attr) == nil {
			out = append(out, assignments.Problem{Path: []string{"run_schedule", attr}, Summary: "Missing " + attr + " in run_schedule",
				Detail: fmt.Sprintf("A %s run schedule needs %s.", kind, attr)})
		}
	}
	switch kind {
	case "once":
		need("date")
		need("time")
	case "daily":
		need("time")
	}
	return out
}

// FieldFamilies are the families whose assignments carry fields, in the order the docs
// list them.
var FieldFamilies = []*assignments.Family{MobileApp, DeviceHealthScript}
