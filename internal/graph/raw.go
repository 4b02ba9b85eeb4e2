package graph

import (
	"context"
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
	coll, err := r.send(ctx, r.request(abs.GET, "assignments", policyID), what)
	if err != nil {
		return nil, err
	}
	out := coll.assignments()
	if coll.nextLink == "" {
		return out, nil
	}
	rest, _, err := r.follow(ctx, coll.nextLink, what)
	if err != nil {
		return nil, err
	}
	return append(out, rest...), nil
}

func (r rawAssignments) Assign(ctx context.Context, policyID string, assignments []Assignment) ([]Assignment, error) {
	body := &rawAssignBody{key: r.f.BodyKey, assignments: make([]*rawAssignment, 0, len(assignments))}
	for _, a := range assignments {
		t := a.Target
		body.assignments = append(body.assignments, &rawAssignment{odataType: r.f.AssignmentODataType, target: &rawTarget{t}})
	}
	ri := r.request(abs.POST, "assign", policyID)
	ri.AddRequestOptions([]abs.RequestOption{idempotentOption{}})
	if err := ri.SetContentFromParsable(ctx, r.c.adapter, "application/json", body); err != nil {
		return nil, fmt.Errorf("encoding the assign request: %w", err)
	}
	coll, err := r.send(ctx, ri, "assigning "+policyID)
	if err != nil {
		return nil, err
	}
	return coll.assignments(), nil
}

// send runs one request whose answer is a page of assignments.
func (r rawAssignments) send(ctx context.Context, ri *abs.RequestInformation, what string) (*rawCollection, error) {
	ctx, st := withStatus(ctx)
	res, err := r.c.adapter.Send(ctx, ri, createRawCollection, errorMapping)
	if err != nil {
		return nil, requestError(err, ri, st)
	}
	coll, ok := res.(*rawCollection)
	if !ok || coll == nil {
		return nil, fmt.Errorf("%s: Graph returned no body", what)
	}
	return coll, nil
}

// The kiota models below cover the assignment shapes of the Intune families (an assignment
// with id, source, sourceId, intent and a target with group, collection and filter); unknown
// properties are ignored on read, as the SDK's generated models do, and empty ones are not
// written.

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

func (t *rawTarget) Serialize(w absser.SerializationWriter) error {
	for _, f := range []struct{ key, value string }{
		{"@odata.type", t.ODataType},
		{"groupId", t.GroupID},
		{"collectionId", t.CollectionID},
		{"deviceAndAppManagementAssignmentFilterId", t.FilterID},
		{"deviceAndAppManagementAssignmentFilterType", t.FilterType},
	} {
		if f.value == "" {
			continue
		}
		if err := w.WriteStringValue(f.key, &f.value); err != nil {
			return err
		}
	}
	return nil
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

// Serialize writes what a client may send: the assignment type and the target. The id is
// server-assigned and source, sourceId are read-only (NOTES.md#assignments).
func (a *rawAssignment) Serialize(w absser.SerializationWriter) error {
	if a.odataType != "" {
		if err := w.WriteStringValue("@odata.type", &a.odataType); err != nil {
			return err
		}
	}
	return w.WriteObjectValue("target", a.target)
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

type rawAssignBody struct {
	key         string
	assignments []*rawAssignment
}

func (b *rawAssignBody) GetFieldDeserializers() map[string]func(absser.ParseNode) error {
	return map[string]func(absser.ParseNode) error{}
}

func (b *rawAssignBody) Serialize(w absser.SerializationWriter) error {
	items := make([]absser.Parsable, len(b.assignments))
	for i, a := range b.assignments {
		items[i] = a
	}
	return w.WriteCollectionOfObjectValues(b.key, items)
}

type rawCollection struct {
	value    []*rawAssignment
	nextLink string
}

func createRawCollection(absser.ParseNode) (absser.Parsable, error) { return &rawCollection{}, nil }

func (c *rawCollection) GetFieldDeserializers() map[string]func(absser.ParseNode) error {
	return map[string]func(absser.ParseNode) error{
		"@odata.nextLink": stringField(&c.nextLink),
		"value": func(n absser.ParseNode) error {
			vals, err := n.GetCollectionOfObjectValues(func(absser.ParseNode) (absser.Parsable, error) { return &rawAssignment{}, nil })
			if err != nil {
				return err
			}
			for _, v := range vals {
				if a, ok := v.(*rawAssignment); ok && a != nil {
					c.value = append(c.value, a)
				}
			}
			return nil
		},
	}
}

func (c *rawCollection) assignments() []Assignment {
	out := make([]Assignment, 0, len(c.value))
	for _, a := range c.value {
		out = append(out, a.toAssignment())
	}
	return out
}

func (c *rawCollection) Serialize(absser.SerializationWriter) error {
	return fmt.Errorf("rawCollection is read-only")
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
	body := &rawAssignment{odataType: r.f.AssignmentODataType, target: &rawTarget{a.Target}}
	ri := r.request(abs.POST, "assignments", policyID)
	if err := ri.SetContentFromParsable(ctx, r.c.adapter, "application/json", body); err != nil {
		return Assignment{}, fmt.Errorf("encoding the assignment: %w", err)
	}
	ctx, st := withStatus(ctx)
	res, err := r.c.adapter.Send(ctx, ri, func(absser.ParseNode) (absser.Parsable, error) { return &rawAssignment{}, nil }, errorMapping)
	if err != nil {
		return Assignment{}, requestError(err, ri, st)
	}
	got, ok := res.(*rawAssignment)
	if !ok || got == nil {
		return Assignment{}, fmt.Errorf("creating an assignment of %s: Graph returned no body", policyID)
	}
	return got.toAssignment(), nil
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
