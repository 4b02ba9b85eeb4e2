package graph

import (
	"context"
	"errors"
	"fmt"

	abs "github.com/microsoft/kiota-abstractions-go"
	absser "github.com/microsoft/kiota-abstractions-go/serialization"
	"github.com/microsoftgraph/msgraph-beta-sdk-go/models/odataerrors"
)

type rawAssignments struct {
	c *Client
	f Family
}

var errorMapping = abs.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue}

func (r rawAssignments) request(method abs.HttpMethod, action, policyID string) *abs.RequestInformation {
	ri := abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(method,
		"{+baseurl}"+r.f.CollectionPath+"/{policy%2Did}/"+action,
		map[string]string{"baseurl": r.c.baseURL, "policy%2Did": policyID})
	ri.Headers.TryAdd("Accept", "application/json")
	return ri
}

func (r rawAssignments) List(ctx context.Context, policyID string) ([]Assignment, error) {
	what := "listing assignments of " + policyID
	page, err := r.send(ctx, r.request(abs.GET, "assignments", policyID), what)
	if err != nil {
		return nil, err
	}
	out := page.assignments
	if page.nextLink == "" {
		return out, nil
	}
	rest, _, err := r.follow(ctx, page.nextLink, what)
	if err != nil {
		return nil, err
	}
	return append(out, rest...), nil
}

func (r rawAssignments) Assign(ctx context.Context, policyID string, assignments []Assignment) ([]Assignment, error) {
	if r.f.PerAssignment {
		return nil, errPerAssignment(policyID)
	}
	body, err := encodeAssignBody(r.f, assignments)
	if err != nil {
		return nil, fmt.Errorf("encoding the assign request: %w", err)
	}
	ri := r.request(abs.POST, r.f.assignAction(), policyID)
	ri.AddRequestOptions([]abs.RequestOption{idempotentOption{}})
	ri.SetStreamContentAndContentType(body, "application/json")
	if r.f.AssignNoContent {
		ctx, st := withStatus(ctx)
		return nil, requestError(r.c.adapter.SendNoContent(ctx, ri, errorMapping), ri, st)
	}
	page, err := r.send(ctx, ri, "assigning "+policyID)
	if err != nil {
		return nil, err
	}
	return page.assignments, nil
}

// errPerAssignment: f has no assign action for groups; the caller adds and removes one
// assignment at a time (Family.PerAssignment). Nothing was sent.
func errPerAssignment(policyID string) error {
	return fmt.Errorf("assigning %s: the family has no replace-all assign action (Family.PerAssignment); nothing was sent", policyID)
}

// AssignBuilt is Assign with a body made for each attempt; see AssignmentAPI.AssignBuilt.
// The resilience middleware calls the option's build once the pacer has granted the
// attempt (builtBodyOption); build gets this call's ctx, not the request's, whose values
// (the option itself, the status recorder) must not reach the reads build makes.
func (r rawAssignments) AssignBuilt(ctx context.Context, policyID string, build func(context.Context) ([]Assignment, error)) ([]Assignment, error) {
	if build == nil {
		return nil, fmt.Errorf("assigning %s: no body builder", policyID)
	}
	if r.f.PerAssignment {
		return nil, errPerAssignment(policyID)
	}
	ri := r.request(abs.POST, r.f.assignAction(), policyID)
	// No content: the middleware sets the body it builds. Were it ever bypassed, an empty
	// POST is a 400 that changes nothing, where a placeholder body could clear the set.
	ri.Headers.TryAdd("Content-Type", "application/json")
	ri.AddRequestOptions([]abs.RequestOption{idempotentOption{}, &builtBodyOption{build: func() ([]byte, error) {
		as, err := build(ctx)
		if err != nil {
			return nil, err
		}
		return encodeAssignBody(r.f, as)
	}}})
	what := "assigning " + policyID
	sctx, st := withStatus(ctx)
	res, err := r.c.adapter.SendPrimitive(sctx, ri, "[]byte", errorMapping)
	if err != nil {
		// A build failure is reported as itself, before requestError could mistake an
		// error of build's own reads for this request's.
		var ns *NotSentError
		if errors.As(err, &ns) && ns.Reason == NotSentBuild {
			if ns.Attempts == 0 {
				return nil, ns.Err
			}
			return nil, ns
		}
		return nil, requestError(err, ri, st)
	}
	if r.f.AssignNoContent {
		return nil, nil // 204: the caller reads the set back (Family.AssignNoContent)
	}
	page, err := r.decodeAnswer(res, ri, st, what)
	if err != nil {
		return nil, err
	}
	return page.assignments, nil
}

// send runs one request whose answer is a page of assignments.
func (r rawAssignments) send(ctx context.Context, ri *abs.RequestInformation, what string) (assignmentPage, error) {
	sctx, st := withStatus(ctx)
	res, err := r.c.adapter.SendPrimitive(sctx, ri, "[]byte", errorMapping)
	if err != nil {
		return assignmentPage{}, requestError(err, ri, st)
	}
	return r.decodeAnswer(res, ri, st, what)
}

// decodeAnswer reads a page of assignments from an answer's body. A body that does not
// read is an *Error without a status, as kiota's own parse failures were: Graph gave no
// readable answer, and a write may have been applied.
func (r rawAssignments) decodeAnswer(res any, ri *abs.RequestInformation, st *statusSeen, what string) (assignmentPage, error) {
	b, _ := res.([]byte)
	if len(b) == 0 {
		return assignmentPage{}, fmt.Errorf("%s: Graph returned no body", what)
	}
	page, err := decodePage(b)
	if err != nil {
		return assignmentPage{}, requestError(fmt.Errorf("%s: reading Graph's answer: %w", what, err), ri, st)
	}
	return page, nil
}

// The kiota models below read the assignment shapes of the Intune families (an assignment
// with id, source, sourceId, intent and a target with group, collection and filter) from
// one item that decodeAssignment cut out of an answer; members they do not know are left
// to Assignment.Raw. Writes are encodeAssignment's (wire.go).

type rawTarget struct{ Target }

func (t *rawTarget) GetFieldDeserializers() map[string]func(absser.ParseNode) error {
	return map[string]func(absser.ParseNode) error{
		"@odata.type":  stringField(&t.ODataType),
		"groupId":      stringField(&t.GroupID),
		"collectionId": stringField(&t.CollectionID),
		"deviceAndAppManagementAssignmentFilterId":   stringField(&t.FilterID),
		"deviceAndAppManagementAssignmentFilterType": stringField(&t.FilterType),
	}
}

func (t *rawTarget) Serialize(absser.SerializationWriter) error {
	return fmt.Errorf("rawTarget is read-only")
}

type rawAssignment struct {
	odataType, id, source, sourceID, intent string
	target                                  *rawTarget
}

func (a *rawAssignment) GetFieldDeserializers() map[string]func(absser.ParseNode) error {
	return map[string]func(absser.ParseNode) error{
		"@odata.type": stringField(&a.odataType),
		"id":          stringField(&a.id),
		"source":      stringField(&a.source),
		"sourceId":    stringField(&a.sourceID),
		"intent":      stringField(&a.intent),
		"target": func(n absser.ParseNode) error {
			v, err := n.GetObjectValue(func(absser.ParseNode) (absser.Parsable, error) { return &rawTarget{}, nil })
			if err != nil {
				return err
			}
			if t, ok := v.(*rawTarget); ok {
				a.target = t
			}
			return nil
		},
	}
}

func (a *rawAssignment) Serialize(absser.SerializationWriter) error {
	return fmt.Errorf("rawAssignment is read-only")
}

func (a *rawAssignment) toAssignment() Assignment {
	out := Assignment{ID: a.id, Source: a.source, SourceID: a.sourceID, Intent: a.intent}
	if a.target != nil {
		out.Target = a.target.Target
		out.Target.ODataType = normalizeODataType(out.Target.ODataType)
		out.Target.FilterID, out.Target.FilterType = normalizeFilter(out.Target.FilterID, out.Target.FilterType)
	}
	return out
}

func stringField(dst *string) func(absser.ParseNode) error {
	return func(n absser.ParseNode) error {
		v, err := n.GetStringValue()
		if err != nil {
			return err
		}
		*dst = deref(v)
		return nil
	}
}

// Create adds one assignment with POST {collection}/{policyId}/assignments
// (NOTES.md#single-assignments: 201 and the entity) and returns it as the service holds
// it. Where the service has no route for it (NOTES.md#refused-route), the error is one for
// which IsRouteRefused is true, and nothing was created.
func (r rawAssignments) Create(ctx context.Context, policyID string, a Assignment) (Assignment, error) {
	body, err := encodeAssignment(r.f, a)
	if err != nil {
		return Assignment{}, fmt.Errorf("encoding the assignment: %w", err)
	}
	ri := r.request(abs.POST, "assignments", policyID)
	ri.SetStreamContentAndContentType(body, "application/json")
	sctx, st := withStatus(ctx)
	res, err := r.c.adapter.SendPrimitive(sctx, ri, "[]byte", errorMapping)
	if err != nil {
		return Assignment{}, requestError(err, ri, st)
	}
	b, _ := res.([]byte)
	if len(b) == 0 {
		return Assignment{}, fmt.Errorf("creating an assignment of %s: Graph returned no body", policyID)
	}
	got, err := decodeEntity(b)
	if err != nil {
		return Assignment{}, requestError(fmt.Errorf("creating an assignment of %s: reading Graph's answer: %w", policyID, err), ri, st)
	}
	return got, nil
}

// Delete removes one assignment with DELETE {collection}/{policyId}/assignments/{id}
// (204). A missing assignment or policy is an error for which IsNotFound is true.
func (r rawAssignments) Delete(ctx context.Context, policyID, assignmentID string) error {
	ri := abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(abs.DELETE,
		"{+baseurl}"+r.f.CollectionPath+"/{policy%2Did}/assignments/{assignment%2Did}",
		map[string]string{"baseurl": r.c.baseURL, "policy%2Did": policyID, "assignment%2Did": assignmentID})
	ri.Headers.TryAdd("Accept", "application/json")
	ctx, st := withStatus(ctx)
	return requestError(r.c.adapter.SendNoContent(ctx, ri, errorMapping), ri, st)
}
