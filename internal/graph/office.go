package graph

import (
	"context"
	"fmt"
	"net/url"

	abs "github.com/microsoft/kiota-abstractions-go"
	absser "github.com/microsoft/kiota-abstractions-go/serialization"
	"github.com/microsoftgraph/msgraph-beta-sdk-go/models/odataerrors"
)

// ODataOfficeGroupTarget is the only target type of Office client configurations.
const ODataOfficeGroupTarget = "#microsoft.graph.officeConfigurationGroupAssignmentTarget"

// Office client configurations (graph-api.md section 3) are no longer in
// msgraph-beta-sdk-go, so their requests are built here from the documented URL templates
// and sent through the same kiota adapter: same auth, retries, logging and error parsing.
const (
	officeAssignTemplate      = "{+baseurl}/officeConfiguration/clientConfigurations/{officeClientConfiguration%2Did}/assign"
	officeAssignmentsTemplate = "{+baseurl}/officeConfiguration/clientConfigurations/{officeClientConfiguration%2Did}/assignments"
	officeODataAssignment     = "#microsoft.graph.officeClientConfigurationAssignment"
)

// OfficeClientConfigurations is the assignment API of /officeConfiguration/clientConfigurations.
func (c *Client) OfficeClientConfigurations() AssignmentAPI { return officeClientConfigurations{c} }

type officeClientConfigurations struct{ c *Client }

var errorMapping = abs.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue}

func (o officeClientConfigurations) request(method abs.HttpMethod, template, policyID string) *abs.RequestInformation {
	ri := abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(method, template,
		map[string]string{"baseurl": o.c.baseURL, "officeClientConfiguration%2Did": policyID})
	ri.Headers.TryAdd("Accept", "application/json")
	return ri
}

func (o officeClientConfigurations) List(ctx context.Context, policyID string) ([]Assignment, error) {
	ri := o.request(abs.GET, officeAssignmentsTemplate, policyID)
	var out []Assignment
	for page := 0; ; page++ {
		res, err := o.c.adapter.Send(ctx, ri, createOfficeAssignmentCollection, errorMapping)
		if err != nil {
			return nil, wrapError(err)
		}
		coll, ok := res.(*officeAssignmentCollection)
		if !ok || coll == nil {
			return nil, fmt.Errorf("listing assignments of %s: empty response", policyID)
		}
		for _, a := range coll.value {
			out = append(out, a.toAssignment())
		}
		if coll.nextLink == "" {
			return out, nil
		}
		if page > 10000 {
			return nil, fmt.Errorf("listing assignments of %s: more than 10000 pages, giving up", policyID)
		}
		next, err := url.Parse(coll.nextLink)
		if err != nil {
			return nil, fmt.Errorf("listing assignments of %s: bad @odata.nextLink %q: %w", policyID, coll.nextLink, err)
		}
		ri = abs.NewRequestInformation()
		ri.Method = abs.GET
		ri.Headers.TryAdd("Accept", "application/json")
		ri.SetUri(*next)
	}
}

func (o officeClientConfigurations) Assign(ctx context.Context, policyID string, assignments []Assignment) ([]Assignment, error) {
	body := &officeAssignBody{assignments: make([]*officeAssignment, 0, len(assignments))}
	for _, a := range assignments {
		if a.Target.ODataType != ODataOfficeGroupTarget {
			return nil, fmt.Errorf("target type %q cannot be assigned to an Office client configuration", a.Target.ODataType)
		}
		body.assignments = append(body.assignments, &officeAssignment{
			odataType: officeODataAssignment,
			target:    &officeTarget{odataType: ODataOfficeGroupTarget, groupID: a.Target.GroupID},
		})
	}
	ri := o.request(abs.POST, officeAssignTemplate, policyID)
	if err := ri.SetContentFromParsable(ctx, o.c.adapter, "application/json", body); err != nil {
		return nil, fmt.Errorf("encoding the assign request: %w", err)
	}
	res, err := o.c.adapter.Send(ctx, ri, createOfficeAssignmentCollection, errorMapping)
	if err != nil {
		return nil, wrapError(err)
	}
	coll, ok := res.(*officeAssignmentCollection)
	if !ok || coll == nil {
		return nil, fmt.Errorf("assigning %s: Graph returned no body", policyID)
	}
	out := make([]Assignment, 0, len(coll.value))
	for _, a := range coll.value {
		out = append(out, a.toAssignment())
	}
	return out, nil
}

// The kiota models below are the documented officeClientConfigurationAssignment,
// officeConfigurationGroupAssignmentTarget and the assign body; unknown properties are
// ignored on read, as the SDK's generated models do.

type officeTarget struct {
	odataType string
	groupID   string
}

func (t *officeTarget) GetFieldDeserializers() map[string]func(absser.ParseNode) error {
	return map[string]func(absser.ParseNode) error{
		"@odata.type": stringField(&t.odataType),
		"groupId":     stringField(&t.groupID),
	}
}

func (t *officeTarget) Serialize(w absser.SerializationWriter) error {
	if err := w.WriteStringValue("@odata.type", &t.odataType); err != nil {
		return err
	}
	return w.WriteStringValue("groupId", &t.groupID)
}

type officeAssignment struct {
	odataType string
	id        string
	target    *officeTarget
}

func (a *officeAssignment) GetFieldDeserializers() map[string]func(absser.ParseNode) error {
	return map[string]func(absser.ParseNode) error{
		"@odata.type": stringField(&a.odataType),
		"id":          stringField(&a.id),
		"target": func(n absser.ParseNode) error {
			v, err := n.GetObjectValue(func(absser.ParseNode) (absser.Parsable, error) { return &officeTarget{}, nil })
			if err != nil {
				return err
			}
			if t, ok := v.(*officeTarget); ok {
				a.target = t
			}
			return nil
		},
	}
}

func (a *officeAssignment) Serialize(w absser.SerializationWriter) error {
	if err := w.WriteStringValue("@odata.type", &a.odataType); err != nil {
		return err
	}
	if a.id != "" {
		if err := w.WriteStringValue("id", &a.id); err != nil {
			return err
		}
	}
	return w.WriteObjectValue("target", a.target)
}

func (a *officeAssignment) toAssignment() Assignment {
	out := Assignment{ID: a.id}
	if a.target != nil {
		out.Target = Target{ODataType: normalizeODataType(a.target.odataType), GroupID: a.target.groupID}
	}
	return out
}

type officeAssignBody struct{ assignments []*officeAssignment }

func (b *officeAssignBody) GetFieldDeserializers() map[string]func(absser.ParseNode) error {
	return map[string]func(absser.ParseNode) error{}
}

func (b *officeAssignBody) Serialize(w absser.SerializationWriter) error {
	items := make([]absser.Parsable, len(b.assignments))
	for i, a := range b.assignments {
		items[i] = a
	}
	return w.WriteCollectionOfObjectValues("officeConfigurationAssignments", items)
}

type officeAssignmentCollection struct {
	value    []*officeAssignment
	nextLink string
}

func createOfficeAssignmentCollection(absser.ParseNode) (absser.Parsable, error) {
	return &officeAssignmentCollection{}, nil
}

func (c *officeAssignmentCollection) GetFieldDeserializers() map[string]func(absser.ParseNode) error {
	return map[string]func(absser.ParseNode) error{
		"@odata.nextLink": stringField(&c.nextLink),
		"value": func(n absser.ParseNode) error {
			vals, err := n.GetCollectionOfObjectValues(func(absser.ParseNode) (absser.Parsable, error) { return &officeAssignment{}, nil })
			if err != nil {
				return err
			}
			for _, v := range vals {
				if a, ok := v.(*officeAssignment); ok && a != nil {
					c.value = append(c.value, a)
				}
			}
			return nil
		},
	}
}

func (c *officeAssignmentCollection) Serialize(absser.SerializationWriter) error {
	return fmt.Errorf("officeAssignmentCollection is read-only")
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
