package graph

import (
	"context"
	"fmt"
	"strings"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-beta-sdk-go/devicemanagement"
	"github.com/microsoftgraph/msgraph-beta-sdk-go/models"
)

// Target @odata.type values of the deviceAndAppManagementAssignmentTarget hierarchy
// that msgraph-beta-sdk-go v0.165.0 knows (graph-api.md section 2).
const (
	ODataGroupTarget               = "#microsoft.graph.groupAssignmentTarget"
	ODataExclusionGroupTarget      = "#microsoft.graph.exclusionGroupAssignmentTarget"
	ODataAllDevicesTarget          = "#microsoft.graph.allDevicesAssignmentTarget"
	ODataAllLicensedUsersTarget    = "#microsoft.graph.allLicensedUsersAssignmentTarget"
	ODataConfigMgrCollectionTarget = "#microsoft.graph.configurationManagerCollectionAssignmentTarget"
)

// DeviceConfigurations is the assignment API of /deviceManagement/deviceConfigurations,
// for every derived policy type.
func (c *Client) DeviceConfigurations() AssignmentAPI { return deviceConfigurations{c} }

type deviceConfigurations struct{ c *Client }

func (d deviceConfigurations) item(policyID string) *devicemanagement.DeviceConfigurationsDeviceConfigurationItemRequestBuilder {
	// The Internal constructor takes the base URL as a path parameter; the raw-URL one would
	// send every request to that exact URL.
	return devicemanagement.NewDeviceManagementRequestBuilderInternal(map[string]string{"baseurl": d.c.baseURL}, d.c.adapter).
		DeviceConfigurations().ByDeviceConfigurationId(policyID)
}

func (d deviceConfigurations) List(ctx context.Context, policyID string) ([]Assignment, error) {
	builder := d.item(policyID).Assignments()
	var out []Assignment
	for page := 0; ; page++ {
		resp, err := builder.Get(ctx, nil)
		if err != nil {
			return nil, wrapError(err)
		}
		if resp == nil {
			return nil, fmt.Errorf("listing assignments of %s: empty response", policyID)
		}
		for _, a := range resp.GetValue() {
			out = append(out, fromDeviceAssignment(a))
		}
		next := deref(resp.GetOdataNextLink())
		if next == "" {
			return out, nil
		}
		if page > 10000 {
			return nil, fmt.Errorf("listing assignments of %s: more than 10000 pages, giving up", policyID)
		}
		builder = builder.WithUrl(next)
	}
}

func (d deviceConfigurations) Assign(ctx context.Context, policyID string, assignments []Assignment) ([]Assignment, error) {
	body := devicemanagement.NewDeviceConfigurationsItemAssignPostRequestBody()
	list := make([]models.DeviceConfigurationAssignmentable, 0, len(assignments))
	for _, a := range assignments {
		m, err := toDeviceAssignment(a)
		if err != nil {
			return nil, err
		}
		list = append(list, m)
	}
	// An empty, non-nil slice is written as [] (clear all); nil would omit the key.
	body.SetAssignments(list)
	resp, err := d.item(policyID).Assign().PostAsAssignPostResponse(ctx, body,
		&devicemanagement.DeviceConfigurationsItemAssignRequestBuilderPostRequestConfiguration{
			Options: []abs.RequestOption{idempotentOption{}},
		})
	if err != nil {
		return nil, wrapError(err)
	}
	if resp == nil {
		return nil, fmt.Errorf("assigning %s: Graph returned no body", policyID)
	}
	out := make([]Assignment, 0, len(resp.GetValue()))
	for _, a := range resp.GetValue() {
		out = append(out, fromDeviceAssignment(a))
	}
	return out, nil
}

func toDeviceAssignment(a Assignment) (models.DeviceConfigurationAssignmentable, error) {
	var target models.DeviceAndAppManagementAssignmentTargetable
	switch strings.ToLower(a.Target.ODataType) {
	case strings.ToLower(ODataGroupTarget):
		t := models.NewGroupAssignmentTarget()
		t.SetGroupId(ptr(a.Target.GroupID))
		target = t
	case strings.ToLower(ODataExclusionGroupTarget):
		t := models.NewExclusionGroupAssignmentTarget()
		t.SetGroupId(ptr(a.Target.GroupID))
		target = t
	case strings.ToLower(ODataAllDevicesTarget):
		target = models.NewAllDevicesAssignmentTarget()
	case strings.ToLower(ODataAllLicensedUsersTarget):
		target = models.NewAllLicensedUsersAssignmentTarget()
	case strings.ToLower(ODataConfigMgrCollectionTarget):
		t := models.NewConfigurationManagerCollectionAssignmentTarget()
		t.SetCollectionId(ptr(a.Target.CollectionID))
		target = t
	default:
		return nil, fmt.Errorf("target type %q cannot be assigned to a device configuration", a.Target.ODataType)
	}
	if a.Target.FilterType != "" {
		ft, err := models.ParseDeviceAndAppManagementAssignmentFilterType(a.Target.FilterType)
		if err != nil || ft == nil {
			return nil, fmt.Errorf("filter type %q is not one of none, include, exclude", a.Target.FilterType)
		}
		target.SetDeviceAndAppManagementAssignmentFilterType(ft.(*models.DeviceAndAppManagementAssignmentFilterType))
		target.SetDeviceAndAppManagementAssignmentFilterId(ptr(a.Target.FilterID))
	}
	m := models.NewDeviceConfigurationAssignment()
	m.SetTarget(target)
	return m, nil
}

func fromDeviceAssignment(m models.DeviceConfigurationAssignmentable) Assignment {
	a := Assignment{ID: deref(m.GetId()), SourceID: deref(m.GetSourceId())}
	if s := m.GetSource(); s != nil {
		a.Source = s.String()
	}
	if i := m.GetIntent(); i != nil {
		a.Intent = i.String()
	}
	t := m.GetTarget()
	if t == nil {
		return a
	}
	a.Target.ODataType = normalizeODataType(deref(t.GetOdataType()))
	if g, ok := t.(interface{ GetGroupId() *string }); ok {
		a.Target.GroupID = deref(g.GetGroupId())
	}
	if c, ok := t.(interface{ GetCollectionId() *string }); ok {
		a.Target.CollectionID = deref(c.GetCollectionId())
	}
	filterType := ""
	if ft := t.GetDeviceAndAppManagementAssignmentFilterType(); ft != nil {
		filterType = ft.String()
	}
	a.Target.FilterID, a.Target.FilterType = normalizeFilter(deref(t.GetDeviceAndAppManagementAssignmentFilterId()), filterType)
	return a
}
