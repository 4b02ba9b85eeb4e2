// Command intune-emulator runs the in-memory Microsoft Graph beta + identity
// platform emulator (package internal/emulator) as a standalone HTTPS
// server, e.g. for manual Terraform runs against the provider.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8443", "listen address")
	caOut := flag.String("ca-out", "", "write the root CA certificate (PEM) to this file")
	tenant := flag.String("tenant", emulator.DefaultTenantID, "tenant id")
	clientID := flag.String("client-id", emulator.DefaultClientID, "client (application) id of the registered app")
	secret := flag.String("client-secret", emulator.DefaultClientSecret, "client secret of the registered app")
	readOnly := flag.Bool("read-only", false, "grant the app only DeviceManagementConfiguration.Read.All")
	seed := flag.String("seed", "", "JSON seed file with deviceConfigurations/officeClientConfigurations/deviceCompliancePolicies/configurationPolicies/groupPolicyConfigurations/assignmentFilters")
	pageSize := flag.Int("page-size", 0, "default collection page size (0 = 1000)")
	lenient := flag.Bool("lenient", false, "disable strict validation")
	noThrottle := flag.Bool("no-throttle", false, "disable the Intune throttling windows")
	window := flag.Duration("throttle-window", 0, "throttling window (0 = 20s)")
	appWrites := flag.Int("throttle-app-writes", 0, "writes per app per window (0 = 100)")
	latency := flag.Duration("latency", 0, "delay every Graph request by this much")
	failRate := flag.Float64("failure-rate", 0, "fraction of Graph requests answered 503 serviceNotAvailable (Retry-After: 1)")
	readLag := flag.Duration("read-lag", 0, "assignment reads show the previous set for this long after a change")
	logLimit := flag.Int("log-limit", 1000, "keep only the newest N requests in memory (0 = all)")
	logRequests := flag.Bool("log-requests", false, "print one line per request (method, path, status; never bodies or tokens) to stderr")
	expandLimit := flag.Int("expand-assignments-limit", 0, "inline at most N assignments per policy under $expand=assignments, then assignments@odata.nextLink (0 = all; inferred, see internal/graph/NOTES.md#expanding-assignments)")
	expandEmpty := flag.String("expand-assignments-empty", "", "comma-separated collection paths whose lists answer $expand=assignments with an empty list, e.g. deviceManagement/deviceConfigurations (as internal/graph/NOTES.md#expanding-assignments reports for settings-catalog lists; inferred here)")
	postUnsupported := flag.Bool("assignments-post-unsupported", false, "answer POST .../{id}/assignments (single assignment create) on deviceConfigurations and deviceCompliancePolicies with 400 \"No method match route template\", as Intune's gateway often does; /assign keeps working (inferred, see internal/graph/NOTES.md#refused-route)")
	cpPageSize := flag.Int("configuration-policies-page-size", 0, "page size of configurationPolicies lists, whose next links carry a Cosmos DB-style $skiptoken (0 = 25 as the service pages, negative = -page-size; see internal/graph/NOTES.md#paging)")
	cpExpand := flag.String("configuration-policies-expand-assignments", "", "how configurationPolicies answer $expand=assignments: list_empty (default), item_empty, always_empty or populated (see internal/graph/NOTES.md#expanding-assignments)")
	allowNoBlock := flag.Bool("compliance-allow-no-block-action", false, "accept deviceCompliancePolicies creates without exactly one block scheduled action (see internal/graph/NOTES.md#compliance-policies)")
	anyTarget := flag.Bool("accept-any-target-kind", false, "families beyond the first five: accept target kinds their evidence does not list (inferred; app protection's refusal stays)")
	unsupportedFilters := flag.Bool("accept-unsupported-filters", false, "families beyond the first five: accept an assignment filter on a family without filters (inferred)")
	ignoreFilterType := flag.Bool("ignore-filter-management-type", false, "families beyond the first five: accept a filter whose assignmentFilterManagementType (devices/apps) does not match the family (inferred)")
	keepPolicySets := flag.Bool("assign-keeps-policy-set-assignments", false, "deviceManagementScripts and mobileAppConfigurations: /assign keeps the assignments a policy set made (inferred; default removes them)")
	noFillIn := flag.Bool("no-app-settings-fill-in", false, "mobileApps: store assignment settings as sent (default: settings not sent read back at the type's defaults, as observed)")
	intentConflicts := flag.Bool("accept-app-intent-conflicts", false, "mobileApps: accept a group included under two intents of one app (inferred that Graph refuses it)")
	aweAnywhere := flag.Bool("accept-available-without-enrollment-anywhere", false, "mobileApps: accept intent availableWithoutEnrollment on apps other than iOS/Android ones (inferred)")
	unpublished := flag.Bool("accept-unpublished-app-assignments", false, "mobileApps: accept assignments of apps whose publishingState is not published (inferred)")
	settingsConstraints := flag.Bool("accept-app-settings-constraints", false, "mobileApps: accept Win32/WinGet settings that break the deadline, restart and notification constraints (inferred)")
	timeAsSent := flag.Bool("time-of-day-as-sent", false, "deviceHealthScripts: answer runSchedule.time as sent instead of HH:MM:SS.0000000 (inferred)")
	runReadBack := flag.Bool("run-remediation-script-read-back", false, "deviceHealthScripts: answer runRemediationScript as written (default false, as observed)")
	fillSchedule := flag.Bool("fill-in-run-schedule", false, "deviceHealthScripts: store a daily schedule at 00:00 when none is sent (inferred; default null)")
	flag.Parse()

	role := emulator.PermReadWriteAll
	if *readOnly {
		role = emulator.PermReadAll
	}
	s, err := emulator.Start(emulator.Config{
		Addr:              *addr,
		TenantID:          *tenant,
		Apps:              []emulator.App{{ClientID: *clientID, ClientSecret: *secret, Roles: []string{role}}},
		PageSize:          *pageSize,
		LenientValidation: *lenient,
		DisableThrottling: *noThrottle,
		ThrottleLimits:    emulator.ThrottleLimits{Window: *window, AppWrites: *appWrites},
		RequestLog:        map[bool]io.Writer{true: os.Stderr, false: nil}[*logRequests],

		ExpandAssignmentsLimit: *expandLimit,
		ExpandAssignmentsEmpty: splitNonEmpty(*expandEmpty),

		AssignmentsPostUnsupported: *postUnsupported,

		ConfigurationPoliciesPageSize:          *cpPageSize,
		ConfigurationPoliciesExpandAssignments: *cpExpand,
		ComplianceAllowNoBlockAction:           *allowNoBlock,

		AcceptAnyTargetKind:             *anyTarget,
		AcceptUnsupportedFilters:        *unsupportedFilters,
		IgnoreFilterManagementType:      *ignoreFilterType,
		AssignKeepsPolicySetAssignments: *keepPolicySets,

		NoAppSettingsFillIn:                      *noFillIn,
		AcceptAppIntentConflicts:                 *intentConflicts,
		AcceptAvailableWithoutEnrollmentAnywhere: *aweAnywhere,
		AcceptUnpublishedAppAssignments:          *unpublished,
		AcceptAppSettingsConstraints:             *settingsConstraints,
		TimeOfDayAsSent:                          *timeAsSent,
		RunRemediationScriptReadBack:             *runReadBack,
		FillInRunSchedule:                        *fillSchedule,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	// A long-running server must not keep every request body forever.
	s.SetRequestLogLimit(*logLimit)
	s.SetLatency(*latency)
	s.SetReadLag(*readLag)
	if *failRate > 0 {
		s.SetFailureRate(*failRate, 503, nil)
	}
	if *caOut != "" {
		if err := s.CA().WriteCertFile(*caOut); err != nil {
			log.Fatal(err)
		}
	}
	if *seed != "" {
		if err := s.LoadSeedFile(*seed); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("intune-emulator listening on %s\n", s.URL())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
}

// splitNonEmpty splits a comma-separated flag value, dropping empty parts.
func splitNonEmpty(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
