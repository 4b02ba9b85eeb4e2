package graph

import (
	"context"
	"encoding/json"
	"strings"
)

// Source values of deviceConfigurationAssignment.source.
const (
	SourceDirect     = "direct"
	SourcePolicySets = "policySets"
)

// noFilterID is what some Intune workloads send instead of null for "no filter".
const noFilterID = "00000000-0000-0000-0000-000000000000"

// Target is one assignment target in wire terms. ODataType always carries the leading '#'.
type Target struct {
	ODataType    string
	GroupID      string
	CollectionID string
	FilterID     string // "" when no filter
	FilterType   string // "" when no filter; otherwise "include" or "exclude"
}

// Assignment is one assignment of a policy, the same shape for every policy family.
// Families without a concept leave its field empty (Office assignments have no source).
//
// It holds values only (strings, no pointers, slices or maps): readers hand out shallow
// copies, which must not share anything.
type Assignment struct {
	ID       string
	Target   Target
	Source   string
	SourceID string
	Intent   string
	// Raw is the assignment's JSON object as Graph sent it (compacted), members the
	// fields above do not model included: an unknown target type and its members, newer
	// assignment members. Every read fills it (List, ListPolicies, ListMany and the
	// answers of Assign, AssignBuilt and Create); "" for an assignment the provider
	// built. Assign sends an assignment with Raw back as Graph sent it, without the
	// read-only members (NOTES.md#assign); a caller that changes a field of a read
	// assignment clears Raw, or the fields are sent (Raw no longer describes them).
	Raw string
	// Members are family-defined members to write (graph-families.md G2: an app's intent
	// and settings, a remediation's schedule), in order. A built assignment is written as
	// its type, its target, then these; one read from Graph (Raw) goes back as Graph sent
	// it with these written over its members of the same name, an object merged into
	// Graph's object member by member, so what the provider does not model survives.
	// It is a JSON object's text ("" for none), so that an Assignment stays comparable.
	// Reads leave it "".
	Members string
}

// MembersObject is the JSON object of the members given as name, value pairs, in order,
// for Assignment.Members: MembersObject("intent", `"required"`).
func MembersObject(pairs ...string) string {
	ms := make([]member, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		ms = append(ms, member{pairs[i], json.RawMessage(pairs[i+1])})
	}
	if len(ms) == 0 {
		return ""
	}
	return string(writeObject(ms))
}

// Direct reports whether the assignment was made on the policy itself, rather than
// inherited from a policy set. A missing source counts as direct (NOTES.md#assignments).
func (a Assignment) Direct() bool {
	return a.Source == "" || strings.EqualFold(a.Source, SourceDirect)
}

// AssignmentAPI is the assignment surface of one policy family.
type AssignmentAPI interface {
	// List returns every assignment of the policy, following @odata.nextLink to the end.
	List(ctx context.Context, policyID string) ([]Assignment, error)
	// Assign replaces the policy's direct assignments with the given set and returns
	// the set the service now holds. An assignment with Raw goes back as Graph sent it
	// (without id, source, sourceId, lastModifiedDateTime); one without is written from
	// its target (NOTES.md#assign). The request is POST {collection}/{id}/{assign action}
	// (Family.AssignAction). A family whose action answers 204 (Family.AssignNoContent)
	// returns a nil set: the caller reads it back. A family without the action
	// (Family.PerAssignment) gets an error and nothing is sent.
	Assign(ctx context.Context, policyID string, assignments []Assignment) ([]Assignment, error)
	// AssignBuilt is Assign with a body built for each attempt: POST {collection}/{id}/assign
	// with {"<body key>": build's set}, answered with the set the service now holds
	// (Raw filled, as Assign's answer).
	//
	// build is called right before each attempt is sent: after the client's pacer has
	// granted the write (NOTES.md#throttling), which can take minutes under throttling,
	// and again before every retry. A read-modify-write does its read in build (a List
	// of the policy, paced as a read; the pacer holds no lock, so this cannot deadlock),
	// so no attempt carries a set read before a wait. build gets AssignBuilt's ctx and
	// returns the complete direct set to send (nil or empty clears it), serialized as
	// Assign does. Since an attempt answered 5xx or cut off may have been applied,
	// build must make the set from what its read shows, not append blindly (an
	// assignment it adds may already be there).
	//
	// Retries are Assign's: 429, 503 and 504 after Retry-After (seconds, rounded up) or
	// a backoff, dropped connections, as long as ctx's deadline allows (10 attempts
	// without one). Errors:
	//   - build failing before the first attempt: build's error itself, unchanged;
	//     nothing was sent.
	//   - build failing before a retry: a *NotSentError with Reason NotSentBuild,
	//     Attempts tries sent (the last answered LastStatus), MaybeApplied when one of
	//     them may have been applied, and Err (errors.Is/As reach build's error).
	//   - the pacer's wait passing ctx's deadline: a *NotSentError with Reason
	//     NotSentPacing (build was not called for that attempt); a retry's wait doing
	//     so: Reason NotSentRetryWait.
	//   - Graph's answer: as Assign (*Error, IsNotFound).
	AssignBuilt(ctx context.Context, policyID string, build func(ctx context.Context) ([]Assignment, error)) ([]Assignment, error)
	// ListPolicies reads one page of the family's policies with $expand=assignments
	// (next "" for the first page, else the previous page's Next).
	ListPolicies(ctx context.Context, next string) (PolicyPage, error)
	// ListMany reads the assignments of up to MaxBatch policies in one JSON batch.
	ListMany(ctx context.Context, policyIDs []string) ([]BatchResult, error)
	// Create adds one assignment (POST …/assignments); IsRouteRefused tells a service
	// that has no route for it.
	Create(ctx context.Context, policyID string, a Assignment) (Assignment, error)
	// Delete removes one assignment (DELETE …/assignments/{id}).
	Delete(ctx context.Context, policyID, assignmentID string) error
}

// normalizeFilter maps the service's several spellings of "no filter" (type "none" or
// empty, a null or zero-GUID id) to empty strings, so callers compare like with like. A
// filter type without a filter id filters nothing, and is "no filter" too
// (NOTES.md#targets: null, empty and the zero GUID all mean no filter).
func normalizeFilter(id, typ string) (string, string) {
	if id == noFilterID {
		id = ""
	}
	if strings.EqualFold(typ, "none") || typ == "" || id == "" {
		return "", ""
	}
	return id, strings.ToLower(typ)
}

// normalizeODataType adds the '#' that the docs' examples leave out.
func normalizeODataType(t string) string {
	if t != "" && !strings.HasPrefix(t, "#") {
		return "#" + t
	}
	return t
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
