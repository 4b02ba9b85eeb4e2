package emulator

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// Mobile apps (reference section 22) and remediations (section 19): two
// families beyond the first five whose assignments carry state beyond their
// target (G2): intent and settings typed by the app's @odata.type, and
// runSchedule and runRemediationScript
// (internal/graph/NOTES.md#mobile-apps-and-remediations). They are famSpec
// families like the others; customize sets their own parser, renderer,
// id scheme and rules. What the reference marks [INF] is a Config switch
// whose zero value is the strict choice.

// Collection paths of the two families (for AddPolicy and the rest).
const (
	CollMobileApps          = "/deviceAppManagement/mobileApps"
	CollDeviceHealthScripts = "/deviceManagement/deviceHealthScripts"
)

// App assignment intents, in the order of their ordinal in assignment ids
// ({groupId}_{n}_{m}, docs#12766 [OBS]; the ordinal is [INF]).
var appIntents = []string{"available", "required", "uninstall", "availableWithoutEnrollment"}

// mobileAppTypes are the concrete mobileApp types a policy may have
// (SDK models/mobile_app.go's discriminator); types[0] the default.
var mobileAppTypes = prefixTypes(
	"win32LobApp", "win32CatalogApp", "winGetApp", "microsoftStoreForBusinessApp", "windowsAppX", "windowsUniversalAppX",
	"iosStoreApp", "managedIOSStoreApp", "iosVppApp", "iosLobApp", "managedIOSLobApp", "iosiPadOSWebClip",
	"macOSVppApp", "macOSLobApp", "macOSDmgApp", "macOSPkgApp", "macOSOfficeSuiteApp", "macOSMicrosoftEdgeApp",
	"androidManagedStoreApp", "androidStoreApp", "androidLobApp", "managedAndroidStoreApp", "managedAndroidLobApp",
	"webApp", "windowsWebApp", "officeSuiteApp", "windowsMicrosoftEdgeApp", "windowsMobileMSI",
)

func prefixTypes(names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "#microsoft.graph." + n
	}
	return out
}

// withoutEnrollmentApps are the app types availableWithoutEnrollment is for:
// iOS/iPadOS and Android store, LOB, VPP and managed store apps (reference
// 22.2 [DOC]; that Graph refuses the others is [INF],
// Config.AcceptAvailableWithoutEnrollmentAnywhere).
var withoutEnrollmentApps = []string{
	"iosStoreApp", "managedIOSStoreApp", "iosVppApp", "iosLobApp", "managedIOSLobApp",
	"androidStoreApp", "androidLobApp", "managedAndroidStoreApp", "managedAndroidLobApp", "androidManagedStoreApp",
}

var mobileAppsSpec = &famSpec{
	coll: CollMobileApps, entity: "mobileApp", assignEntity: "mobileAppAssignment",
	fefService: "AppLifecycle/StatelessAppMetadataFEService", // PS#1318 names it for mobileAppConfigurations; for mobileApps [INF]
	abstract:   true, types: mobileAppTypes,
	members: []string{"@odata.type", "id", "displayName", "description", "publisher", "largeIcon", "createdDateTime", "lastModifiedDateTime",
		"isFeatured", "privacyInformationUrl", "informationUrl", "owner", "developer", "notes", "uploadState", "publishingState", "isAssigned",
		"roleScopeTagIds", "dependentAppCount", "supersedingAppCount", "supersededAppCount"},
	defaults: map[string]any{"publisher": nil, "largeIcon": nil, "isFeatured": false, "privacyInformationUrl": nil, "informationUrl": nil,
		"owner": nil, "developer": nil, "notes": nil, "uploadState": 0, "publishingState": "published",
		"dependentAppCount": 0, "supersedingAppCount": 0, "supersededAppCount": 0},
	navs:        []string{"categories", "relationships"},
	assignParam: "mobileAppAssignments", source: true, kinds: gxu, filters: filterDevices,
	postVerified: true, // POST …/assignments answers 201 [DOC]; DT uses it [CODE] (G10)
	enums:        map[string][]string{"publishingState": {"notPublished", "processing", "published"}},
	customize: func(f *policyFamily) {
		f.assignIntent, f.intentValues = true, appIntents
		f.assignProps = []string{"id", "intent", "target", "settings", "source", "sourceId"}
		f.parseAssignment = parseAppAssignment
		f.assignmentJSON = (*Server).appAssignmentJSON
		f.seedAssignment = seedAppAssignment
		f.finishAssignment = finishAppAssignment
		f.checkAssignSet = checkAppAssignSet
		f.assignID = appAssignmentID
		f.castAssignmentsRefused = true
		f.duplicateAssign = func(j, i int, a Assignment) string {
			return fmt.Sprintf("mobileAppAssignments[%d] and mobileAppAssignments[%d] resolve to the same assignment id %s (the same target under the same intent)", j, i, a.ID)
		}
	},
}

var deviceHealthScriptsSpec = &famSpec{
	coll: CollDeviceHealthScripts, entity: "deviceHealthScript", assignEntity: "deviceHealthScriptAssignment",
	fefService: "DeviceFE/StatelessDeviceFEService", // [OBS] DT#504
	types:      []string{"#microsoft.graph.deviceHealthScript"},
	members: []string{"id", "publisher", "version", "displayName", "description", "detectionScriptContent", "remediationScriptContent",
		"createdDateTime", "lastModifiedDateTime", "runAsAccount", "enforceSignatureCheck", "runAs32Bit", "roleScopeTagIds", "isGlobalScript",
		"highestAvailableVersion", "detectionScriptParameters", "remediationScriptParameters", "deviceHealthScriptType"},
	defaults: map[string]any{"publisher": nil, "version": nil, "detectionScriptContent": nil, "remediationScriptContent": nil,
		"runAsAccount": "system", "enforceSignatureCheck": false, "runAs32Bit": false, "isGlobalScript": false, "highestAvailableVersion": nil,
		"detectionScriptParameters": []any{}, "remediationScriptParameters": []any{}, "deviceHealthScriptType": "deviceHealthScript"},
	navs:        []string{"deviceRunStates", "runSummary"},
	assignParam: "deviceHealthScriptAssignments", kinds: gxu, filters: filterDevices,
	postRefused: true, // [OBS] DT#504 (G10)
	enums: map[string][]string{
		"runAsAccount":           {"system", "user"},
		"deviceHealthScriptType": {"deviceHealthScript", "managedInstallerScript"},
	},
	customize: func(f *policyFamily) {
		f.assignProps = []string{"id", "target", "runRemediationScript", "runSchedule"}
		f.parseAssignment = parseHealthAssignment
		f.assignmentJSON = (*Server).healthAssignmentJSON
		f.finishAssignment = finishHealthAssignment
	},
}

// checkEnum refuses a value that is not one of vals (exact spelling).
func checkEnum(k string, v any, vals []string) error {
	str, isStr := v.(string)
	if _, known := enumMember(str, vals, true); !isStr || !known {
		raw, _ := json.Marshal(v)
		return odataErr("Requested value '%s' was not found. (%s must be one of %s)", strings.Trim(string(raw), `"`), k, strings.Join(vals, ", "))
	}
	return nil
}

// --- complex types: settings and schedules --------------------------------

type memberKind int

const (
	mkBool memberKind = iota + 1
	mkEnum
	mkInt
	mkString
	mkStrings
	mkDateTime
	mkDate
	mkTimeOfDay
	mkObject
)

// member is one member of a complex type: its kind, its enumeration (mkEnum),
// its type (mkObject) and the value a missing member reads back as.
type member struct {
	name string
	kind memberKind
	enum []string
	obj  *complexType
	def  any
}

// complexType is a settings or schedule type, its members in the docs' order.
type complexType struct {
	typ     string // with '#'
	members []member
}

func (ct *complexType) member(k string) (member, bool) {
	for _, m := range ct.members {
		if m.name == k {
			return m, true
		}
	}
	return member{}, false
}

func (ct *complexType) short() string { return strings.TrimPrefix(ct.typ, "#microsoft.graph.") }

// Nested types of the Win32/WinGet settings [SDK].
var (
	restartSettingsType = &complexType{"#microsoft.graph.win32LobAppRestartSettings", []member{
		{name: "gracePeriodInMinutes", kind: mkInt}, {name: "countdownDisplayBeforeRestartInMinutes", kind: mkInt},
		{name: "restartNotificationSnoozeDurationInMinutes", kind: mkInt}}}
	installTimeType = &complexType{"#microsoft.graph.mobileAppInstallTimeSettings", []member{
		{name: "useLocalTime", kind: mkBool}, {name: "startDateTime", kind: mkDateTime}, {name: "deadlineDateTime", kind: mkDateTime}}}
	winGetInstallTimeType = &complexType{"#microsoft.graph.winGetAppInstallTimeSettings", []member{
		{name: "useLocalTime", kind: mkBool}, {name: "deadlineDateTime", kind: mkDateTime}}}
	autoUpdateType = &complexType{"#microsoft.graph.win32LobAppAutoUpdateSettings", []member{
		{name: "autoUpdateSupersededAppsState", kind: mkEnum, enum: []string{"notConfigured", "enabled", "unknownFutureValue"}}}}
)

var (
	notificationsEnum = []string{"showAll", "showReboot", "hideAll"}
	win32Members      = []member{
		{name: "notifications", kind: mkEnum, enum: notificationsEnum, def: "showAll"},
		{name: "restartSettings", kind: mkObject, obj: restartSettingsType},
		{name: "installTimeSettings", kind: mkObject, obj: installTimeType},
		{name: "deliveryOptimizationPriority", kind: mkEnum, enum: []string{"notConfigured", "foreground"}, def: "notConfigured"},
		{name: "autoUpdateSettings", kind: mkObject, obj: autoUpdateType},
	}
	iosMembers = []member{
		{name: "vpnConfigurationId", kind: mkString}, {name: "uninstallOnDeviceRemoval", kind: mkBool},
		{name: "isRemovable", kind: mkBool}, {name: "preventManagedAppBackup", kind: mkBool},
	}
)

func settingsType(name string, members ...member) *complexType {
	return &complexType{"#microsoft.graph." + name, members}
}

// appSettingsTypes is the settings type of each app type (reference 22.3
// [SDK/CODE]); an app type missing here takes no settings.
var appSettingsTypes = func() map[string]*complexType {
	win32 := settingsType("win32LobAppAssignmentSettings", win32Members...)
	ios := settingsType("iosStoreAppAssignmentSettings", iosMembers...)
	iosLob := settingsType("iosLobAppAssignmentSettings", iosMembers...)
	return map[string]*complexType{
		"win32LobApp":     win32,
		"win32CatalogApp": settingsType("win32CatalogAppAssignmentSettings", win32Members...),
		"winGetApp": settingsType("winGetAppAssignmentSettings",
			member{name: "notifications", kind: mkEnum, enum: notificationsEnum, def: "showAll"},
			member{name: "restartSettings", kind: mkObject, obj: restartSettingsType},
			member{name: "installTimeSettings", kind: mkObject, obj: winGetInstallTimeType}),
		"microsoftStoreForBusinessApp": settingsType("microsoftStoreForBusinessAppAssignmentSettings", member{name: "useDeviceContext", kind: mkBool}),
		"windowsAppX":                  settingsType("windowsAppXAppAssignmentSettings", member{name: "useDeviceContext", kind: mkBool}),
		"windowsUniversalAppX":         settingsType("windowsUniversalAppXAppAssignmentSettings", member{name: "useDeviceContext", kind: mkBool, def: false}),
		"iosStoreApp":                  ios,
		"managedIOSStoreApp":           ios,
		"iosLobApp":                    iosLob,
		"managedIOSLobApp":             iosLob,
		"iosVppApp": settingsType("iosVppAppAssignmentSettings",
			member{name: "useDeviceLicensing", kind: mkBool}, iosMembers[0], iosMembers[1], iosMembers[2], iosMembers[3],
			member{name: "preventAutoAppUpdate", kind: mkBool}),
		"macOSVppApp": settingsType("macOsVppAppAssignmentSettings",
			member{name: "useDeviceLicensing", kind: mkBool}, member{name: "uninstallOnDeviceRemoval", kind: mkBool},
			member{name: "preventManagedAppBackup", kind: mkBool}, member{name: "preventAutoAppUpdate", kind: mkBool}),
		"macOSLobApp": settingsType("macOsLobAppAssignmentSettings", member{name: "uninstallOnDeviceRemoval", kind: mkBool}),
		"androidManagedStoreApp": settingsType("androidManagedStoreAppAssignmentSettings",
			member{name: "androidManagedStoreAppTrackIds", kind: mkStrings, def: []any{}},
			member{name: "autoUpdateMode", kind: mkEnum, enum: []string{"default", "postponed", "priority", "unknownFutureValue"}, def: "default"}),
	}
}()

// fillsInSettings are the app types whose assignments sent without settings
// read back with settings (reference 22.3 [CODE/OBS]).
var fillsInSettings = []string{"win32LobApp", "win32CatalogApp", "winGetApp", "iosStoreApp", "managedIOSStoreApp", "androidManagedStoreApp", "windowsUniversalAppX"}

// runScheduleTypes are the concrete deviceHealthScriptRunSchedule types
// (reference 19 [DOC/SDK]); members in the docs' order.
var runScheduleTypes = []*complexType{
	{"#microsoft.graph.deviceHealthScriptRunOnceSchedule", []member{
		{name: "interval", kind: mkInt}, {name: "time", kind: mkTimeOfDay}, {name: "useUtc", kind: mkBool, def: false}, {name: "date", kind: mkDate}}},
	{"#microsoft.graph.deviceHealthScriptHourlySchedule", []member{{name: "interval", kind: mkInt}}},
	{"#microsoft.graph.deviceHealthScriptDailySchedule", []member{
		{name: "interval", kind: mkInt}, {name: "time", kind: mkTimeOfDay}, {name: "useUtc", kind: mkBool, def: false}}},
}

// complexTypes indexes every type above by lower-case name without '#', for rendering.
var complexTypes = func() map[string]*complexType {
	out := map[string]*complexType{}
	add := func(ct *complexType) { out[typeKey(ct.typ)] = ct }
	for _, ct := range appSettingsTypes {
		add(ct)
	}
	for _, ct := range []*complexType{restartSettingsType, installTimeType, winGetInstallTimeType, autoUpdateType} {
		add(ct)
	}
	for _, ct := range runScheduleTypes {
		add(ct)
	}
	return out
}()

// renderTyped renders decoded JSON with the members of the complex types
// above in their order (@odata.type first); other maps as they are.
func renderTyped(v any) any {
	switch t := v.(type) {
	case map[string]any:
		typ, _ := t["@odata.type"].(string)
		ct := complexTypes[typeKey(typ)]
		if ct == nil {
			return t
		}
		o := obj{{"@odata.type", typ}}
		seen := map[string]bool{"@odata.type": true}
		for _, m := range ct.members {
			if x, has := t[m.name]; has {
				o = append(o, kv{m.name, renderTyped(x)})
				seen[m.name] = true
			}
		}
		var rest []string
		for k := range t {
			if !seen[k] {
				rest = append(rest, k)
			}
		}
		sort.Strings(rest)
		for _, k := range rest {
			o = append(o, kv{k, renderTyped(t[k])})
		}
		return o
	default:
		return v
	}
}

// timeOfDayRE is an Edm.TimeOfDay as accepted: HH:MM, HH:MM:SS or
// HH:MM:SS.fffffff (1-7 fraction digits).
var timeOfDayRE = regexp.MustCompile(`^([01][0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9])(?:\.([0-9]{1,7}))?)?$`)

// canonicalTimeOfDay is "HH:MM:SS.fffffff" [INF].
func canonicalTimeOfDay(s string) (string, bool) {
	m := timeOfDayRE.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	sec, frac := m[3], m[4]
	if sec == "" {
		sec = "00"
	}
	return m[1] + ":" + m[2] + ":" + sec + "." + frac + strings.Repeat("0", 7-len(frac)), true
}

// complexOpts says how check completes a value.
type complexOpts struct {
	fill     bool // missing members read back at their defaults
	strict   bool // unknown members are a 400 (else dropped)
	timeSent bool // Config.TimeOfDayAsSent
}

// check validates m against ct and returns the stored form: @odata.type
// canonical (added to nested objects that lack it), members checked by kind.
func (ct *complexType) check(m map[string]any, o complexOpts) (map[string]any, error) {
	out := map[string]any{"@odata.type": ct.typ}
	for k, v := range m {
		if k == "@odata.type" {
			continue
		}
		mem, ok := ct.member(k)
		if !ok {
			if o.strict {
				return nil, unknownProperty(k, ct.typ)
			}
			continue
		}
		cv, err := mem.check(ct, v, o)
		if err != nil {
			return nil, err
		}
		out[k] = cv
	}
	if o.fill {
		for _, mem := range ct.members {
			if _, has := out[mem.name]; !has {
				out[mem.name] = cloneJSON(mem.def)
			}
		}
	}
	return out, nil
}

// check validates one member value (null is accepted for every member, as
// the SDK's fields are nullable).
func (mem member) check(ct *complexType, v any, o complexOpts) (any, error) {
	if v == nil {
		return nil, nil
	}
	bad := func(edm string) error {
		raw, _ := json.Marshal(v)
		return odataErr("Cannot convert the literal '%s' to the expected type '%s' (property '%s' of '%s').", string(raw), edm, mem.name, ct.short())
	}
	switch mem.kind {
	case mkBool:
		return v, checkKind(mem.name, v, pkBool, ct.typ)
	case mkString:
		return v, checkKind(mem.name, v, pkString, ct.typ)
	case mkStrings:
		return v, checkKind(mem.name, v, pkStringArray, ct.typ)
	case mkEnum:
		return v, checkEnum(mem.name, v, mem.enum)
	case mkInt:
		n, ok := v.(json.Number)
		if !ok {
			return nil, bad("Edm.Int32")
		}
		if _, err := n.Int64(); err != nil {
			return nil, bad("Edm.Int32")
		}
		return v, nil
	case mkDateTime:
		str, ok := v.(string)
		if !ok {
			return nil, bad("Edm.DateTimeOffset")
		}
		if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
			return nil, bad("Edm.DateTimeOffset")
		}
		return v, nil
	case mkDate:
		str, ok := v.(string)
		if !ok {
			return nil, bad("Edm.Date")
		}
		if _, err := time.Parse("2006-01-02", str); err != nil || len(str) != 10 {
			return nil, bad("Edm.Date")
		}
		return v, nil
	case mkTimeOfDay:
		str, ok := v.(string)
		if !ok {
			return nil, bad("Edm.TimeOfDay")
		}
		canon, ok := canonicalTimeOfDay(str)
		if !ok {
			return nil, bad("Edm.TimeOfDay")
		}
		if o.timeSent {
			return str, nil
		}
		return canon, nil
	case mkObject:
		nm, ok := v.(map[string]any)
		if !ok {
			return nil, bad(mem.obj.short())
		}
		if t, has := nm["@odata.type"]; has && t != nil {
			ts, isStr := t.(string)
			if _, same := canonicalType(ts, []string{mem.obj.typ}); !isStr || !same {
				return nil, odataErr("Invalid OData type specified: \"%s\"", strings.TrimPrefix(fmt.Sprint(t), "#"))
			}
		}
		return mem.obj.check(nm, o) // under fill, missing nested members read back null [INF]
	}
	return v, nil
}

func intMember(m map[string]any, k string) (int64, bool) {
	n, ok := m[k].(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}

// --- mobile app assignments -------------------------------------------------

// appAssignmentID is "{targetKey}_{n}_{m}": the group id (the fixed keys of
// all devices / all licensed users, the collection id), n the intent's
// ordinal (available 0, required 1, uninstall 2, availableWithoutEnrollment
// 3), m 0 for an inclusion and 1 for an exclusion (docs#12766 [OBS]; the
// meaning of n and m [INF]).
func appAssignmentID(_ string, a Assignment) string {
	n := slices.Index(appIntents, a.Intent)
	if n < 0 {
		n = 0
	}
	m := 0
	if a.Target.ODataType == TargetExclusionGroup {
		m = 1
	}
	return fmt.Sprintf("%s_%d_%d", a.Target.targetKey(), n, m)
}

// parseAppAssignment validates a mobileAppAssignment payload: intent
// required, source/sourceId ignored (the server sets them), settings kept
// for finishAppAssignment, which knows the app's type.
func parseAppAssignment(f *policyFamily, v any, policyID string, strict bool, ext *famExt) (Assignment, error) {
	typ := "#" + f.assignTypeName()
	m, err := assignmentMembers(v, typ, append(extMembers(v, ext), "intent", "settings", "source", "sourceId"), strict)
	if err != nil {
		return Assignment{}, err
	}
	if _, _, err := stringField(m, "sourceId", typ); err != nil {
		return Assignment{}, err
	}
	if src, has, err := stringField(m, "source", typ); err != nil {
		return Assignment{}, err
	} else if has && src != "direct" && src != "policySets" {
		return Assignment{}, odataErr("Requested value '%s' was not found. (source must be direct or policySets)", src)
	}
	raw, hasIntent, err := stringField(m, "intent", typ)
	if err != nil {
		return Assignment{}, err
	}
	if !hasIntent {
		return Assignment{}, vErr("intent is required: one of %s", strings.Join(appIntents, ", "))
	}
	intent, ok := enumMember(raw, appIntents, strict)
	if !ok {
		return Assignment{}, odataErr("Requested value '%s' was not found. (intent must be one of %s)", raw, strings.Join(appIntents, ", "))
	}
	t, err := parseDeviceTarget(m["target"], strict, ext)
	if err != nil {
		return Assignment{}, err
	}
	a := Assignment{Intent: intent, Target: t, Extra: takeExtra(m, func(k string) bool {
		return !f.modeledMembers()[k] && k != "settings" && ext.assignMember(k)
	})}
	if sv := m["settings"]; sv != nil {
		if a.Extra == nil {
			a.Extra = map[string]any{}
		}
		a.Extra["settings"] = sv
	}
	return f.normaliseAssignment(policyID, a), nil
}

// finishAppAssignment applies the rules that depend on the app: it must be
// published, availableWithoutEnrollment is for iOS/Android apps, settings
// are typed by the app's type, constrained, and completed.
func finishAppAssignment(s *Server, p policy, a Assignment, strict bool) (Assignment, error) {
	gp := p.(*genericPolicy)
	s.mu.Lock()
	appType := strings.TrimPrefix(gp.odataType, "#microsoft.graph.")
	state := "published"
	if v, has := gp.extra["publishingState"]; has {
		state = fmt.Sprint(v)
	}
	s.mu.Unlock()
	if state != "published" && !s.cfg.AcceptUnpublishedAppAssignments {
		// [DOC] resources/intune-apps-mobileapp; that Graph refuses it [INF]
		return a, vErr("the app %s has publishingState %s: only published apps can be assigned (Config.AcceptUnpublishedAppAssignments)", gp.id, state)
	}
	if a.Intent == "availableWithoutEnrollment" && !slices.Contains(withoutEnrollmentApps, appType) && !s.cfg.AcceptAvailableWithoutEnrollmentAnywhere {
		return a, vErr("intent availableWithoutEnrollment is for iOS/iPadOS and Android apps, not %s (Config.AcceptAvailableWithoutEnrollmentAnywhere)", appType)
	}
	st := appSettingsTypes[appType]
	raw := a.Extra["settings"]
	var sent map[string]any
	if raw != nil {
		m, ok := raw.(map[string]any)
		if !ok {
			j, _ := json.Marshal(raw)
			return a, odataErr("Cannot convert the literal '%s' to the expected type 'microsoft.graph.mobileAppAssignmentSettings'.", string(j))
		}
		rt, _ := m["@odata.type"].(string)
		if rt == "" {
			return a, odataErr("A type name is required for the abstract type 'microsoft.graph.mobileAppAssignmentSettings': the settings need an '@odata.type'.")
		}
		if _, same := canonicalTypeOf(st, rt); !same {
			// [OBS] CIPP#5766, verbatim
			return a, odataErr("Invalid OData type specified: \"%s\"", strings.TrimPrefix(rt, "#"))
		}
		var err error
		if sent, err = st.check(m, complexOpts{strict: strict}); err != nil {
			return a, err
		}
	}
	if !s.cfg.AcceptAppSettingsConstraints {
		if reason := appSettingsConstraint(appType, a.Intent, raw != nil, sent); reason != "" {
			return a, vErr("%s (Config.AcceptAppSettingsConstraints)", reason)
		}
	}
	fill := !s.cfg.NoAppSettingsFillIn
	var out map[string]any
	switch {
	case sent != nil && fill:
		out, _ = st.check(sent, complexOpts{strict: strict, fill: true})
	case sent != nil:
		out = sent
	case st != nil && fill && slices.Contains(fillsInSettings, appType):
		out, _ = st.check(map[string]any{}, complexOpts{fill: true})
	}
	a.Extra = cloneExtra(a.Extra)
	if out == nil {
		delete(a.Extra, "settings")
		if len(a.Extra) == 0 {
			a.Extra = nil
		}
	} else {
		if a.Extra == nil {
			a.Extra = map[string]any{}
		}
		a.Extra["settings"] = out
	}
	return a, nil
}

// canonicalTypeOf matches raw against ct's type (false when ct is nil).
func canonicalTypeOf(ct *complexType, raw string) (string, bool) {
	if ct == nil {
		return "", false
	}
	return canonicalType(raw, []string{ct.typ})
}

// appSettingsConstraint is the reason a Win32, Win32 catalog or WinGet
// (DT's validators [CODE]) or UWP ([DOC]) assignment's settings break a
// constraint, "" if none. sent are the checked settings as sent (nil:
// none); hasSettings says settings were sent.
func appSettingsConstraint(appType, intent string, hasSettings bool, sent map[string]any) string {
	switch appType {
	case "win32LobApp", "win32CatalogApp", "winGetApp":
	case "windowsUniversalAppX":
		if b, _ := sent["useDeviceContext"].(bool); b && intent == "available" {
			return "useDeviceContext true is not allowed with intent available"
		}
		return ""
	default:
		return ""
	}
	if appType == "winGetApp" && (intent == "required" || intent == "available") && (!hasSettings || sent["notifications"] == nil) {
		return "WinGet app assignments with intent " + intent + " need settings.notifications"
	}
	if its, ok := sent["installTimeSettings"].(map[string]any); ok && its["deadlineDateTime"] != nil && intent == "available" {
		return "installTimeSettings.deadlineDateTime cannot be set with intent available"
	}
	if rs, ok := sent["restartSettings"].(map[string]any); ok {
		grace, hasGrace := intMember(rs, "gracePeriodInMinutes")
		countdown, hasCountdown := intMember(rs, "countdownDisplayBeforeRestartInMinutes")
		snooze, hasSnooze := intMember(rs, "restartNotificationSnoozeDurationInMinutes")
		if hasGrace && hasCountdown {
			if countdown > grace {
				return fmt.Sprintf("restartSettings.countdownDisplayBeforeRestartInMinutes (%d) must not exceed gracePeriodInMinutes (%d)", countdown, grace)
			}
			if hasSnooze {
				if grace == countdown && snooze > 1 {
					return fmt.Sprintf("restartSettings.restartNotificationSnoozeDurationInMinutes (%d) must be at most 1 when the grace period equals the countdown", snooze)
				}
				if grace != countdown && 2*snooze > grace-countdown {
					return fmt.Sprintf("restartSettings.restartNotificationSnoozeDurationInMinutes (%d) must be at most (gracePeriodInMinutes - countdownDisplayBeforeRestartInMinutes)/2 (%d - %d)/2", snooze, grace, countdown)
				}
			}
		}
	}
	return ""
}

// checkAppAssignSet refuses a set in which one group, or all devices, or
// all licensed users, is included under two intents (reference 22.2 [DOC]
// for the portal; the Graph error [INF], Config.AcceptAppIntentConflicts).
func checkAppAssignSet(s *Server, set []Assignment) string {
	if s.cfg.AcceptAppIntentConflicts {
		return ""
	}
	included := map[string]string{}
	for _, a := range set {
		var key string
		switch a.Target.ODataType {
		case TargetGroup:
			key = "group " + strings.ToLower(a.Target.GroupID)
		case TargetAllDevices:
			key = "all devices"
		case TargetAllLicensedUser:
			key = "all licensed users"
		default:
			continue
		}
		if prev, has := included[key]; has && prev != a.Intent {
			return fmt.Sprintf("%s is included under intents %s and %s of one app: a group can be included under one intent only (Config.AcceptAppIntentConflicts)", key, prev, a.Intent)
		}
		included[key] = a.Intent
	}
	return ""
}

// seedAppAssignment is seedIntuneAssignment with a required intent.
func seedAppAssignment(f *policyFamily, policyID string, i int, a Assignment) (Assignment, error) {
	if !slices.Contains(appIntents, a.Intent) {
		return Assignment{}, fmt.Errorf("emulator: assignment %d: intent %q is not one of %s", i, a.Intent, strings.Join(appIntents, ", "))
	}
	return seedIntuneAssignment(f, policyID, i, a)
}

// appAssignmentJSON renders a mobileAppAssignment in the docs' member order:
// id, intent, target, settings, source, sourceId (Config.AssignmentODataType
// adds the type first).
func (s *Server) appAssignmentJSON(f *policyFamily, a Assignment) obj {
	o := obj{}
	if s.cfg.AssignmentODataType {
		o = append(o, kv{"@odata.type", "#" + f.assignTypeName()})
	}
	o = append(o, kv{"id", a.ID}, kv{"intent", a.Intent}, kv{"target", deviceTargetJSON(a.Target)},
		kv{"settings", renderTyped(a.Extra["settings"])}, kv{"source", a.Source}, kv{"sourceId", a.SourceID})
	return appendExtra(o, without(a.Extra, "settings"))
}

func without(m map[string]any, keys ...string) map[string]any {
	var out map[string]any
	for k, v := range m {
		if !slices.Contains(keys, k) {
			if out == nil {
				out = map[string]any{}
			}
			out[k] = v
		}
	}
	return out
}

// --- remediation assignments ----------------------------------------------

// parseHealthAssignment validates a deviceHealthScriptAssignment payload:
// runRemediationScript a boolean (absent: false), runSchedule kept for
// finishHealthAssignment.
func parseHealthAssignment(f *policyFamily, v any, policyID string, strict bool, ext *famExt) (Assignment, error) {
	typ := "#" + f.assignTypeName()
	m, err := assignmentMembers(v, typ, append(extMembers(v, ext), "runRemediationScript", "runSchedule"), strict)
	if err != nil {
		return Assignment{}, err
	}
	run := false
	if rv := m["runRemediationScript"]; rv != nil {
		b, ok := rv.(bool)
		if !ok {
			return Assignment{}, checkKind("runRemediationScript", rv, pkBool, typ)
		}
		run = b
	}
	t, err := parseDeviceTarget(m["target"], strict, ext)
	if err != nil {
		return Assignment{}, err
	}
	extra := takeExtra(m, func(k string) bool {
		return !f.modeledMembers()[k] && k != "runRemediationScript" && k != "runSchedule" && ext.assignMember(k)
	})
	if extra == nil {
		extra = map[string]any{}
	}
	extra["runRemediationScript"] = run
	extra["runSchedule"] = m["runSchedule"]
	return f.normaliseAssignment(policyID, Assignment{Target: t, Extra: extra}), nil
}

// finishHealthAssignment checks the runSchedule and stores it in its
// canonical form (Config.TimeOfDayAsSent), or the filled-in daily schedule
// (Config.FillInRunSchedule).
func finishHealthAssignment(s *Server, _ policy, a Assignment, strict bool) (Assignment, error) {
	a.Extra = cloneExtra(a.Extra)
	raw := a.Extra["runSchedule"]
	if raw == nil {
		if s.cfg.FillInRunSchedule {
			// [INF] reference 27
			a.Extra["runSchedule"] = map[string]any{"@odata.type": "#microsoft.graph.deviceHealthScriptDailySchedule",
				"interval": json.Number("1"), "time": "00:00:00.0000000", "useUtc": false}
		} else {
			a.Extra["runSchedule"] = nil
		}
		return a, nil
	}
	sched, err := checkRunSchedule(raw, complexOpts{strict: strict, fill: true, timeSent: s.cfg.TimeOfDayAsSent})
	if err != nil {
		return a, err
	}
	a.Extra["runSchedule"] = sched
	return a, nil
}

// checkRunSchedule validates a runSchedule: one of the three concrete
// types, interval an integer from 1 (hourly: to 23 [DOC]; other types no
// upper bound [INF]), date an Edm.Date, time an Edm.TimeOfDay; missing
// time and date read back null, useUtc false [INF].
func checkRunSchedule(raw any, o complexOpts) (map[string]any, error) {
	const abstract = "microsoft.graph.deviceHealthScriptRunSchedule"
	m, ok := raw.(map[string]any)
	if !ok {
		j, _ := json.Marshal(raw)
		return nil, odataErr("Cannot convert the literal '%s' to the expected type '%s'.", string(j), abstract)
	}
	rt, _ := m["@odata.type"].(string)
	if rt == "" {
		return nil, odataErr("A type name is required for the abstract type '%s': the runSchedule needs an '@odata.type'.", abstract)
	}
	var ct *complexType
	for _, x := range runScheduleTypes {
		if _, same := canonicalType(rt, []string{x.typ}); same {
			ct = x
		}
	}
	if ct == nil {
		return nil, odataErr("Invalid OData type specified: \"%s\"", strings.TrimPrefix(rt, "#"))
	}
	out, err := ct.check(m, o)
	if err != nil {
		return nil, err
	}
	n, has := intMember(out, "interval")
	switch {
	case !has:
		return nil, vErr("runSchedule.interval is required (an integer from 1)")
	case n < 1:
		return nil, vErr("runSchedule.interval must be at least 1, not %d", n)
	case n > 23 && ct == runScheduleTypes[1]:
		return nil, vErr("runSchedule.interval of an hourly schedule must be from 1 to 23, not %d", n)
	}
	return out, nil
}

// healthAssignmentJSON renders a deviceHealthScriptAssignment in the docs'
// order: id, target, runRemediationScript (false whatever was written,
// unless Config.RunRemediationScriptReadBack), runSchedule.
func (s *Server) healthAssignmentJSON(f *policyFamily, a Assignment) obj {
	o := obj{}
	if s.cfg.AssignmentODataType {
		o = append(o, kv{"@odata.type", "#" + f.assignTypeName()})
	}
	run := false
	if s.cfg.RunRemediationScriptReadBack {
		run, _ = a.Extra["runRemediationScript"].(bool)
	}
	o = append(o, kv{"id", a.ID}, kv{"target", deviceTargetJSON(a.Target)}, kv{"runRemediationScript", run},
		kv{"runSchedule", renderTyped(a.Extra["runSchedule"])})
	return appendExtra(o, without(a.Extra, "runRemediationScript", "runSchedule"))
}
