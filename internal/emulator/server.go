// Package emulator is an in-memory, HTTPS emulator of the slice of the
// Microsoft identity platform and Microsoft Graph beta used by the Intune
// Terraform provider (internal/graph/NOTES.md says what it copies and how
// each fact is known). Real clients (azidentity/MSAL-Go,
// kiota-http-go/msgraph-beta-sdk-go) talk to it unmodified. Defaults are
// strict and realistic; behaviour the notes mark as inferred ([INF]) can be
// switched through Config fields whose zero value is the strict/realistic
// choice.
package emulator

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Fixed demo identities, used when Config leaves them empty (and by the
// command's flag defaults) so a manually started emulator is predictable.
const (
	DefaultTenantID     = "4a1e3d2c-0b5f-4e6a-9c7d-8e9f0a1b2c3d"
	DefaultClientID     = "0e1d2c3b-4a59-4687-9a8b-7c6d5e4f3a2b"
	DefaultClientSecret = "emulator-secret"
)

// Graph application permissions used by the Intune endpoints
// (internal/graph/NOTES.md#permissions).
const (
	PermReadAll      = "DeviceManagementConfiguration.Read.All"
	PermReadWriteAll = "DeviceManagementConfiguration.ReadWrite.All"
)

// App is a registered confidential client (app registration + service
// principal) of the emulated tenant.
type App struct {
	ClientID     string
	ClientSecret string   // "" => no secret credential (certificate/federated/managed identity only)
	Roles        []string // app roles put in the token's "roles" claim, e.g. "DeviceManagementConfiguration.ReadWrite.All"
	// Certificates are the app's certificate credentials: a client
	// assertion signed by one of their keys is accepted (see NewTestCertificate).
	Certificates []*x509.Certificate
	// FederatedCredentials are the app's federated identity credentials
	// (workload identity federation, e.g. GitHub Actions, Azure DevOps).
	FederatedCredentials []FederatedCredential
}

// Config configures Start. The zero value is usable: every [INF] switch is
// named so that false/zero selects the strict, realistic behaviour.
type Config struct {
	Addr          string        // listen address, default "127.0.0.1:0"
	CA            *CA           // nil => generate one
	TenantID      string        // the one tenant that exists; default DefaultTenantID
	Apps          []App         // registered apps; default one app DefaultClientID/DefaultClientSecret with ReadWrite.All
	PageSize      int           // default page size for collections, default 1000; $top honoured up to 999
	TokenLifetime time.Duration // default 1h; expires_in reflects it

	// ExtraHosts are added to the leaf certificate's SANs (127.0.0.1, ::1
	// and localhost are always present), e.g. a container hostname.
	ExtraHosts []string
	// ClockSkew tolerated when checking exp/nbf of bearer tokens. Zero (the
	// default) makes expiry exact so tests can observe it.
	ClockSkew time.Duration
	// GraphAudiences are the token audiences Graph accepts. Default:
	// "https://graph.microsoft.com" and Graph's app id.
	GraphAudiences []string
	// AcceptAnyAudience disables the audience check on Graph requests.
	AcceptAnyAudience bool

	// LenientValidation [INF] turns off the strict 400s of
	// internal/graph/NOTES.md#targets (filters on exclusions, filter consistency,
	// duplicate targets, unknown properties, missing Content-Type...): inputs are
	// normalised instead (last duplicate wins, exclusion filters dropped).
	LenientValidation bool
	// PlainErrorMessages [INF] emits plain error messages instead of the
	// Intune form that nests a JSON document inside error.message.
	PlainErrorMessages bool
	// VerboseErrors [INF] includes the emulator's reason for a validation
	// failure inside the nested Intune message (real Intune only says "An
	// error has occurred"). The reason is always sent in the
	// X-Emulator-Reason response header regardless.
	VerboseErrors bool
	// PreserveGUIDCase [INF] stores group and filter ids as the client sent them; by
	// default they are answered in lower case, as the service keeps them as GUIDs.
	PreserveGUIDCase bool
	// OmitIntent [INF] leaves "intent" out of device assignments on read
	// (the real service sometimes omits it); default emits "apply".
	OmitIntent bool
	// AssignmentODataType [INF] adds the assignment type, e.g.
	// "@odata.type":"#microsoft.graph.deviceConfigurationAssignment", to the
	// assignments of deviceConfigurations, deviceCompliancePolicies,
	// configurationPolicies and groupPolicyConfigurations, as the docs'
	// examples show; the real captured GETs have none, so default off.
	AssignmentODataType bool
	// WrongVerbStatus [INF] is the status for a known path with an
	// unsupported method: 0 => 405 "No method match route template"; set
	// 400 to mimic Intune front-ends that answer 400.
	WrongVerbStatus int
	// PatchReturnsEntity [INF] answers device and assignment filter PATCH
	// with the docs' 200 + entity instead of the real service's 204.
	PatchReturnsEntity bool
	// ConflictOnDuplicateAssignment [INF] makes POST .../assignments answer
	// 409 when the computed id exists, instead of upserting (201).
	ConflictOnDuplicateAssignment bool
	// DisableThrottling [INF] turns off the per-tenant/per-app 20-second
	// windows of internal/graph/NOTES.md#throttling (FailNext still works).
	DisableThrottling bool
	// ThrottleLimits overrides the limits of internal/graph/NOTES.md#throttling;
	// zero fields use them.
	ThrottleLimits ThrottleLimits
	// RequestLog, when set, gets one line per request as it is answered:
	// time, method, path and query, status (0: dropped). Bodies and headers
	// (tokens, secrets) are never written.
	RequestLog io.Writer

	// ExpandAssignmentsLimit [INF, internal/graph/NOTES.md#expanding-assignments]
	// inlines at most this many assignments per policy under
	// $expand=assignments, on lists and items of every family; a cut list is
	// followed by "assignments@odata.nextLink", which pages through the
	// policy's /assignments from that offset. 0 (the default) inlines all of
	// them.
	ExpandAssignmentsLimit int
	// ExpandAssignmentsEmpty [INF: internal/graph/NOTES.md#expanding-assignments
	// reports it for settings-catalog lists; for these families it is a guess]
	// lists the collection paths (e.g. "deviceManagement/deviceConfigurations") whose
	// lists ignore $expand=assignments: every policy is answered with
	// "assignments": [] whatever it holds. Item GETs still expand.
	ExpandAssignmentsEmpty []string

	// AssignmentsPostUnsupported [INF, internal/graph/NOTES.md#refused-route:
	// Intune's gateway often has no route for creating a single assignment]
	// makes POST {collection}/{id}/assignments fail routing for the collections of
	// AssignmentsPostUnsupportedFamilies: 400 with the plain error form
	// {"error":{"code":"No method match route template","message":"No OData
	// route exists that match template ~/singleton/navigation/key/navigation
	// with http verb POST for request /DeviceConfiguration/StatelessDeviceConfigurationFEService/deviceManagement/deviceConfigurations('<id>')/assignments.",
	// "innerError":{...}}}. Routing fails before the token's permissions and
	// the policy lookup are checked, so an unknown policy id gets the same
	// 400. POST {id}/assign and GET/PATCH/DELETE of assignments keep
	// working. Default off: the single create answers 201 + entity
	// (internal/graph/NOTES.md#single-assignments).
	// SetAssignmentsPostUnsupported changes it at run time.
	AssignmentsPostUnsupported bool
	// AssignmentsPostUnsupportedFamilies lists the collection paths below
	// /beta (e.g. "deviceManagement/deviceConfigurations",
	// "officeConfiguration/clientConfigurations"; case-insensitive) that
	// AssignmentsPostUnsupported applies to. Empty: deviceConfigurations and
	// deviceCompliancePolicies, the two families with reports, and the
	// families beyond the first five whose single create is unverified
	// (graph_families.go: all but app protection, mobileAppConfigurations
	// and deviceHealthScripts, always refused [OBS], and Autopilot profiles,
	// Terms and conditions, compliancePolicies and mobileApps, always
	// routed).
	AssignmentsPostUnsupportedFamilies []string

	// ConfigurationPoliciesPageSize [OBS, internal/graph/NOTES.md#paging] is the
	// page size of deviceManagement/configurationPolicies lists, whose next
	// links carry an opaque Cosmos DB-style $skiptoken; a larger $top is
	// clamped to it [INF]. 0 (the default) => 25, as the service pages;
	// negative => the global page size (PageSize, SetPageSize) with $top
	// honoured up to 999 (here the zero value is the realistic default, 25, so
	// the global page size needs a negative value).
	// SetConfigurationPoliciesPageSize changes it at run time.
	ConfigurationPoliciesPageSize int
	// ConfigurationPoliciesExpandAssignments [OBS/INF,
	// internal/graph/NOTES.md#expanding-assignments] is how $expand=assignments
	// is answered on configurationPolicies: "" or "list_empty"
	// (ConfigPoliciesExpandListEmpty, the default: lists answer
	// "assignments": [], item GETs expand), "item_empty" (item GETs of
	// policies whose templateFamily starts with "endpointSecurity" answer [],
	// lists expand), "always_empty", "populated". An unexpanded list is
	// answered "assignments@odata.context": …, "assignments": []. Another
	// value makes Start fail. SetConfigurationPoliciesExpandAssignments
	// changes it at run time. ExpandAssignmentsLimit and
	// ExpandAssignmentsEmpty apply as well.
	ConfigurationPoliciesExpandAssignments string
	// ComplianceAllowNoBlockAction [internal/graph/NOTES.md#compliance-policies]
	// turns off the service's rule that a deviceCompliancePolicies create
	// carries scheduledActionsForRule with exactly one block action (400
	// "Compliance policy must have one and only one block scheduled action"); a
	// create without rules then gets one block action with no grace period
	// [INF]. Default off: the rule applies (it is observed behaviour).
	// SetComplianceAllowNoBlockAction changes it at run time.
	ComplianceAllowNoBlockAction bool

	// The families beyond the first five (graph_families.go,
	// internal/graph/NOTES.md#families-beyond-the-first-five):

	// AcceptAnyTargetKind [INF, G6] accepts on writes the target kinds a
	// family's evidence ([CODE]/[INF]) does not list: CM, AD or AU on the
	// Windows update profiles, targeted managed app configurations, intents
	// (CM), Terms and conditions (X, AD), Autopilot profiles (AU, CM),
	// scripts and enrollment configurations (CM), and the Cloud PC extras
	// (cloudPcManagementExclusionGroupAssignmentTarget; plan and allotment
	// members on user settings). Default: 400 BadRequest naming the type.
	// The app protection (MAM) refusal is observed and stays.
	AcceptAnyTargetKind bool
	// AcceptUnsupportedFilters [INF, G7] accepts an assignment filter on a
	// family without filters (scripts, update profiles, intents, Autopilot,
	// Terms and conditions); default 400.
	AcceptUnsupportedFilters bool
	// IgnoreFilterManagementType [INF, G7] accepts a filter whose
	// assignmentFilterManagementType does not match the family (a devices
	// filter on app protection, an apps filter on enrollment...); default
	// 400 naming the filter and the kind. An unknown filter id is accepted
	// either way, as for the first five.
	IgnoreFilterManagementType bool
	// AssignKeepsPolicySetAssignments [INF, G8]: on families whose
	// assignments have no source (deviceManagementScripts,
	// mobileAppConfigurations) /assign keeps the assignments a policy set
	// made (seeded with Source "policySets"). Default: replace-all removes
	// them, the worst case.
	AssignKeepsPolicySetAssignments bool

	// Mobile apps and remediations (graph_apps.go,
	// internal/graph/NOTES.md#mobile-apps-and-remediations):

	// NoAppSettingsFillIn turns off the service's completion of mobile app
	// assignment settings ([CODE/OBS] reference 22.3): by default an
	// assignment of a win32Lob, win32Catalog, winGet, iosStore,
	// managedIOSStore, androidManagedStore or windowsUniversalAppX app sent
	// without settings reads back with the type's settings at their
	// defaults, and settings sent with members missing read back with those
	// members at their defaults. true: settings are stored as sent.
	NoAppSettingsFillIn bool
	// AcceptAppIntentConflicts [INF, reference 22.2: the rule is documented
	// for the portal, the Graph error is unknown] accepts a group included
	// under two intents of one app, and all devices or all licensed users
	// under more than one intent. Default: 400 BadRequest.
	AcceptAppIntentConflicts bool
	// AcceptAvailableWithoutEnrollmentAnywhere [INF, reference 22.2] accepts
	// intent availableWithoutEnrollment on apps that are not iOS/iPadOS or
	// Android store, LOB, VPP or managed store apps. Default: 400.
	AcceptAvailableWithoutEnrollmentAnywhere bool
	// AcceptUnpublishedAppAssignments [INF that Graph rather than the portal
	// refuses; reference 22.2, DOC] accepts assignments of an app whose
	// publishingState is not published. Default: 400.
	AcceptUnpublishedAppAssignments bool
	// AcceptAppSettingsConstraints [INF that Graph rather than the portal
	// refuses; reference 22.3, CODE: DT's validators] accepts Win32, Win32
	// catalog and WinGet settings that break the constraints (a deadline with
	// intent available; restart countdown above the grace period; snooze
	// above (grace - countdown)/2, or above 1 when they are equal; WinGet
	// required/available without notifications) and
	// windowsUniversalAppX useDeviceContext true with available [DOC].
	// Default: 400.
	AcceptAppSettingsConstraints bool
	// TimeOfDayAsSent [INF] answers a remediation schedule's time as sent
	// ("14:30"); by default the Edm.TimeOfDay is answered in its canonical
	// form "14:30:00.0000000", as portal-made schedules read (docs#14506).
	TimeOfDayAsSent bool
	// RunRemediationScriptReadBack [CODE/OBS reference 19: GET answers false
	// whatever was written] answers runRemediationScript as written. The
	// emulator stores the written value either way (PolicyAssignments).
	RunRemediationScriptReadBack bool
	// FillInRunSchedule [INF, reference 27: unknown] stores, for a
	// remediation assignment sent without runSchedule, a daily schedule
	// (interval 1, time 00:00:00.0000000, useUtc false). Default: null.
	FillInRunSchedule bool
}

// RecordedRequest is one request as the emulator saw it, for assertions such
// as "no request reached the emulator" or "the client sent this body".
type RecordedRequest struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte // after gunzip
	Status                 int    // status the emulator answered
	Time                   time.Time
	// BatchItemID is the $batch item id when this request was a
	// sub-request of a JSON batch ("" otherwise); the batch itself is
	// logged as its own entry too.
	BatchItemID string
}

// Server is a running emulator.
type Server struct {
	cfg     Config
	ca      *CA
	ln      net.Listener
	httpSrv *http.Server
	url     string

	signKey *rsa.PrivateKey
	kid     string

	mu             sync.Mutex // guards the Graph data below
	pageSize       int
	expand         expandBehaviour
	devices        *store[*devicePolicy]
	offices        *store[*officePolicy]
	officeCfg      officeSingleton
	compliance     *store[*compliancePolicy]  // deviceManagement/deviceCompliancePolicies (internal/graph/NOTES.md#compliance-policies)
	configPolicies *store[*settingsPolicy]    // deviceManagement/configurationPolicies (internal/graph/NOTES.md#settings-catalog)
	groupPolicies  *store[*groupPolicyConfig] // deviceManagement/groupPolicyConfigurations (internal/graph/NOTES.md#administrative-templates)

	configPolicyPageSize   int    // Config.ConfigurationPoliciesPageSize resolved: 0 => the global page size
	configPolicyExpand     string // Config.ConfigurationPoliciesExpandAssignments resolved
	complianceAllowNoBlock bool   // Config.ComplianceAllowNoBlockAction

	assignFilters *store[*assignmentFilter]         // deviceManagement/assignmentFilters (internal/graph/NOTES.md#assignment-filters)
	generic       map[string]*store[*genericPolicy] // the families beyond the first five, by collection path (graph_families.go)
	policySets    *store[*policySet]                // deviceAppManagement/policySets (graph_policysets.go)

	assignPost assignmentsPostRule // Config.AssignmentsPostUnsupported*, SetAssignmentsPostUnsupported; guarded by mu
	ext        schemaExt           // target types and members seeded beyond the model (schema_ext.go); guarded by mu, replaced whole

	logMu    sync.Mutex
	reqs     []*RecordedRequest
	logOff   bool // SetRecordRequests(false)
	logLimit int  // SetRequestLogLimit; 0 = unbounded

	appsMu sync.RWMutex // guards cfg.Apps (AddApp)

	fedOnce  sync.Once // federation key, created on first use
	fedKey   *rsa.PrivateKey
	fedKid   string
	fedErr   error
	workload workloadState // GitHub/Azure DevOps OIDC, managed identity

	faults     faultSet
	throttle   *throttler
	throttleOn atomic.Bool                      // SetThrottling; starts as !cfg.DisableThrottling
	chaos      chaosState                       // random failures, latency
	readLag    time.Duration                    // SetReadLag; guarded by mu
	clock      atomic.Pointer[func() time.Time] // SetClock; nil means time.Now
	stats      statsState

	clientOnce sync.Once
	client     *http.Client
}

// Start generates keys (and a CA when cfg.CA is nil) and serves the identity
// endpoints and /beta Graph over HTTPS (TLS 1.2+) on cfg.Addr.
func Start(cfg Config) (*Server, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.TenantID == "" {
		cfg.TenantID = DefaultTenantID
	}
	if len(cfg.Apps) == 0 {
		cfg.Apps = []App{{ClientID: DefaultClientID, ClientSecret: DefaultClientSecret, Roles: []string{PermReadWriteAll}}}
	}
	cfg.Apps = append([]App(nil), cfg.Apps...) // AddApp appends; never write to the caller's array
	if cfg.PageSize <= 0 {
		cfg.PageSize = 1000
	}
	if cfg.TokenLifetime <= 0 {
		cfg.TokenLifetime = time.Hour
	}
	if len(cfg.GraphAudiences) == 0 {
		cfg.GraphAudiences = []string{"https://graph.microsoft.com", graphAppID}
	}
	if cfg.WrongVerbStatus == 0 {
		cfg.WrongVerbStatus = http.StatusMethodNotAllowed
	}
	expandMode, err := configPoliciesExpandMode(cfg.ConfigurationPoliciesExpandAssignments)
	if err != nil {
		return nil, err
	}
	ca := cfg.CA
	if ca == nil {
		if ca, err = NewCA(); err != nil {
			return nil, err
		}
	}
	leaf, err := ca.IssueServerCert(append([]string{"127.0.0.1", "::1", "localhost"}, cfg.ExtraHosts...))
	if err != nil {
		return nil, err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("emulator: token signing key: %w", err)
	}
	sum := sha256.Sum256(key.N.Bytes())
	s := &Server{
		cfg:      cfg,
		ca:       ca,
		signKey:  key,
		kid:      base64.RawURLEncoding.EncodeToString(sum[:15]),
		pageSize: cfg.PageSize,
		expand:   expandBehaviour{limit: cfg.ExpandAssignmentsLimit, emptyOnLists: cfg.ExpandAssignmentsEmpty},
		devices:  newStore[*devicePolicy](),
		offices:  newStore[*officePolicy](),

		compliance:             newStore[*compliancePolicy](),
		configPolicies:         newStore[*settingsPolicy](),
		groupPolicies:          newStore[*groupPolicyConfig](),
		configPolicyPageSize:   configPolicyPageSize(cfg.ConfigurationPoliciesPageSize),
		configPolicyExpand:     expandMode,
		complianceAllowNoBlock: cfg.ComplianceAllowNoBlockAction,

		assignFilters: newStore[*assignmentFilter](),
		generic:       map[string]*store[*genericPolicy]{},
		policySets:    newStore[*policySet](),

		assignPost: assignmentsPostRule{
			on:       cfg.AssignmentsPostUnsupported,
			families: append([]string(nil), cfg.AssignmentsPostUnsupportedFamilies...),
		},
	}
	for _, f := range newFamilies {
		s.generic[f.path] = newStore[*genericPolicy]()
	}
	s.officeCfg = officeSingleton{id: stableGUID("officeConfiguration:" + cfg.TenantID)}
	s.throttle = newThrottler(cfg.ThrottleLimits)
	s.throttleOn.Store(!cfg.DisableThrottling)
	s.chaos.seed = defaultSeed
	s.chaos.rng = newRNG(defaultSeed)

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("emulator: listen %s: %w", cfg.Addr, err)
	}
	s.ln = ln
	s.url = "https://" + ln.Addr().String()
	s.httpSrv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 30 * time.Second,
		TLSConfig: &tls.Config{
			MinVersion:   tls.VersionTLS12,
			Certificates: []tls.Certificate{leaf},
		},
		ErrorLog: nil,
	}
	go func() { _ = s.httpSrv.ServeTLS(ln, "", "") }()
	return s, nil
}

// URL returns the base URL, e.g. "https://127.0.0.1:41234" (no trailing
// slash). Graph lives under URL()+"/beta", the authority host is URL()+"/".
func (s *Server) URL() string { return s.url }

// GraphURL returns URL()+"/beta", the base URL to give the Graph SDK.
func (s *Server) GraphURL() string { return s.url + "/beta" }

// TenantID returns the tenant the emulator serves.
func (s *Server) TenantID() string { return s.cfg.TenantID }

// CA returns the root CA that signed the server certificate.
func (s *Server) CA() *CA { return s.ca }

// HTTPClient returns a client trusting only the emulator's CA. The same
// client (and connection pool) is returned on every call; Close releases
// its idle connections.
func (s *Server) HTTPClient() *http.Client {
	s.clientOnce.Do(func() {
		s.client = &http.Client{
			Timeout: 60 * time.Second,
			Transport: &http.Transport{
				TLSClientConfig:   &tls.Config{RootCAs: s.ca.Pool(), MinVersion: tls.VersionTLS12},
				ForceAttemptHTTP2: true,
			},
		}
	})
	return s.client
}

// Close stops the listener and drops open connections.
func (s *Server) Close() {
	_ = s.httpSrv.Close()
	if s.client != nil {
		s.client.CloseIdleConnections()
	}
}

// SetPageSize changes the default page size of collections at run time
// (n <= 0 restores the configured default).
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n <= 0 {
		n = s.cfg.PageSize
	}
	s.pageSize = n
}

// expandBehaviour is how $expand=assignments is answered (Config.ExpandAssignmentsLimit,
// Config.ExpandAssignmentsEmpty). Guarded by Server.mu.
type expandBehaviour struct {
	limit        int
	emptyOnLists []string
}

// SetExpandAssignments changes, at run time, how $expand=assignments is answered: at most
// limit assignments inlined per policy (0: all), and the collection paths whose lists
// answer "assignments": [] (internal/graph/NOTES.md#expanding-assignments; all
// [INF]).
func (s *Server) SetExpandAssignments(limit int, emptyOnLists ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expand = expandBehaviour{limit: limit, emptyOnLists: emptyOnLists}
}

// Requests returns a copy of the request log, in arrival order (only the
// newest entries when SetRequestLogLimit is set).
func (s *Server) Requests() []RecordedRequest {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	reqs := s.reqs
	if s.logLimit > 0 && len(reqs) > s.logLimit {
		reqs = reqs[len(reqs)-s.logLimit:]
	}
	out := make([]RecordedRequest, len(reqs))
	for i, r := range reqs {
		out[i] = *r
		out[i].Header = r.Header.Clone()
		out[i].Body = append([]byte(nil), r.Body...)
	}
	return out
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.logMu.Lock()
	s.reqs = nil
	s.logMu.Unlock()
}

// statusRecorder captures the status code for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (Hijack).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// abandonResponse closes an HTTP/1.1 connection without answering. HTTP/2
// streams cannot be hijacked; there the re-panic with http.ErrAbortHandler
// makes net/http reset the stream instead. Buffers (a $batch item's
// recorder) have no connection: the panic reaches the envelope's handler.
func abandonResponse(w http.ResponseWriter) {
	if _, buffered := w.(*httptest.ResponseRecorder); buffered {
		return
	}
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close()
	}
}

// batchItemKey marks, in a request's context, a $batch item executed by
// serveBatch (the value is the item id).
type batchItemKey struct{}

// maxBody bounds request bodies (after decompression too).
const maxBody = 32 << 20

// ServeHTTP is the single entry point: it reads (and gunzips) the body,
// records the request, then dispatches to the identity or Graph handlers.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &RecordedRequest{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Time: time.Now()}
	rec.BatchItemID = r.Header.Get(batchItemHeader)
	rec.Header.Del(batchItemHeader)
	s.logMu.Lock()
	if !s.logOff {
		s.reqs = append(s.reqs, rec)
		s.trimLogLocked()
	}
	s.logMu.Unlock()
	sw := &statusRecorder{ResponseWriter: w}
	graph := isGraphPath(r.URL.Path)
	c := newReqCtx(s, sw, r)
	c.batchItem = r.Context().Value(batchItemKey{}) != nil
	c.batchEnvelope = graph && isBatchEnvelope(r.URL.Path)
	defer func() {
		// A panic here is a dropped request (http.ErrAbortHandler from a
		// drop fault or a client that gave up) or a bug: either way the
		// client gets no response, so record it as status 0 and re-panic
		// for net/http to abort the connection/stream.
		p := recover()
		s.logMu.Lock()
		switch {
		case p != nil:
			sw.status = 0
		case sw.status == 0:
			sw.status = http.StatusOK
		}
		rec.Status = sw.status
		if s.cfg.RequestLog != nil {
			q := ""
			if r.URL.RawQuery != "" {
				q = "?" + r.URL.RawQuery
			}
			item := ""
			if rec.BatchItemID != "" {
				item = " (item " + rec.BatchItemID + " of the next $batch)"
			}
			_, _ = fmt.Fprintf(s.cfg.RequestLog, "%s %s %s%s -> %d%s\n", rec.Time.UTC().Format("15:04:05.000"), r.Method, r.URL.Path, q, sw.status, item)
		}
		s.logMu.Unlock()
		if graph {
			s.countGraphResponse(r.Method, c.batchEnvelope, rec.BatchItemID != "", sw.status, p != nil, c.appliedBeforeDrop)
		}
		if p != nil {
			// Only now: the client may look at the log/stats as soon as
			// it sees the connection close.
			abandonResponse(w)
			panic(p)
		}
	}()

	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		c.graphError(http.StatusBadRequest, "BadRequest", "Unable to read request body.", "")
		return
	}
	body, encErr := decodeContentEncoding(r.Header.Get("Content-Encoding"), raw)
	s.logMu.Lock()
	if encErr == nil {
		rec.Body = body
	} else {
		rec.Body = raw
	}
	s.logMu.Unlock()
	c.body = body

	if isGraphPath(r.URL.Path) {
		if encErr != nil {
			c.graphEncodingError(encErr)
			return
		}
		s.serveGraph(c)
		return
	}
	if encErr != nil {
		c.w.Header().Set("Content-Type", "application/json; charset=utf-8")
		c.w.WriteHeader(http.StatusUnsupportedMediaType)
		return
	}
	s.serveIdentity(c)
}

var errUnsupportedEncoding = errors.New("unsupported content encoding")

// decodeContentEncoding undoes Content-Encoding: kiota gzips every request
// body by default (internal/graph/NOTES.md#headers); anything but
// gzip/identity answers 415, on which kiota's compression handler retries uncompressed.
func decodeContentEncoding(enc string, raw []byte) ([]byte, error) {
	enc = strings.TrimSpace(strings.ToLower(enc))
	switch enc {
	case "", "identity":
		if len(raw) > maxBody {
			return nil, errors.New("request body too large")
		}
		return raw, nil
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("invalid gzip body: %w", err)
		}
		out, err := io.ReadAll(io.LimitReader(zr, maxBody+1))
		if err != nil {
			return nil, fmt.Errorf("invalid gzip body: %w", err)
		}
		if len(out) > maxBody {
			return nil, errors.New("request body too large")
		}
		return out, nil
	default:
		return nil, errUnsupportedEncoding
	}
}

// isBatchEnvelope reports whether a /beta path is the $batch endpoint.
func isBatchEnvelope(p string) bool {
	return strings.EqualFold(strings.Trim(p[5:], "/"), "$batch")
}

func isGraphPath(p string) bool {
	return len(p) >= 5 && strings.EqualFold(p[:5], "/beta") && (len(p) == 5 || p[5] == '/')
}
