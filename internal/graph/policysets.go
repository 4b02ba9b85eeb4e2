package graph

import (
	"context"
	"fmt"
	"strings"
)

// PolicySet is one Intune policy set (GET /deviceAppManagement/policySets): its ID, its
// name and the IDs of the policies it holds (each policySetItem's payloadId).
type PolicySet struct {
	ID, DisplayName string
	PayloadIDs      []string
}

// Holds reports whether the set holds the policy (IDs compare without regard to case).
func (p PolicySet) Holds(policyID string) bool {
	for _, id := range p.PayloadIDs {
		if strings.EqualFold(id, policyID) {
			return true
		}
	}
	return false
}

// policySetsPath is the collection of policy sets (graph-families.md §14.4 and G8).
const policySetsPath = "/deviceAppManagement/policySets"

// PolicySets reads every policy set with its items, in one listing that follows
// @odata.nextLink to the last page: GET /deviceAppManagement/policySets?$expand=items
// (graph-families.md G8: "Membership is visible from the set"; NOTES.md#policy-sets).
// Errors are ListItems'; a tenant without the permission DeviceManagementApps.Read.All
// gets Graph's 403 as an *Error.
func (c *Client) PolicySets(ctx context.Context) ([]PolicySet, error) {
	link := c.baseURL + policySetsPath + "?$expand=items"
	var out []PolicySet
	for page := 0; link != ""; page++ {
		if page > 10000 {
			return nil, fmt.Errorf("listing %s: more than 10000 pages, giving up", policySetsPath)
		}
		ri, err := getURL(link)
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", policySetsPath, err)
		}
		var body struct {
			Value []struct {
				ID          string `json:"id"`
				DisplayName string `json:"displayName"`
				Items       []struct {
					PayloadID string `json:"payloadId"`
				} `json:"items"`
			} `json:"value"`
			NextLink string `json:"@odata.nextLink"`
		}
		if err := c.getJSON(ctx, ri, &body); err != nil {
			return nil, err
		}
		for _, v := range body.Value {
			ps := PolicySet{ID: v.ID, DisplayName: v.DisplayName}
			for _, it := range v.Items {
				if it.PayloadID != "" {
					ps.PayloadIDs = append(ps.PayloadIDs, it.PayloadID)
				}
			}
			out = append(out, ps)
		}
		link = body.NextLink
	}
	return out, nil
}
