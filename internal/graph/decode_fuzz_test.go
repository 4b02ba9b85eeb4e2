package graph

import (
	"errors"
	"testing"

	jsonser "github.com/microsoft/kiota-serialization-json-go"
	"github.com/microsoftgraph/msgraph-beta-sdk-go/models/odataerrors"
)

// FuzzDecodeGraphResponses feeds arbitrary bytes to every decoder the provider runs on a
// Graph answer: the family's page of assignments (also as an expanded policy page and as
// one entity), the OData error (with Intune's JSON-in-message), and the way back: each
// assignment read, Raw included, is encoded for an assign body. None may panic, and an
// assignment read back from what it holds must still be described by its Raw.
// `make fuzz` runs it; `go test` runs the seeds.
func FuzzDecodeGraphResponses(f *testing.F) {
	for _, seed := range []string{
		`{"@odata.context":"https://graph.microsoft.com/beta/$metadata#deviceManagement/deviceConfigurations('f2')/assignments","value":[{"id":"f2_adadadad-808e-44e2-905a-0b7873a8a531","source":"direct","sourceId":"f2","intent":"apply","target":{"@odata.type":"#microsoft.graph.allDevicesAssignmentTarget","deviceAndAppManagementAssignmentFilterId":null,"deviceAndAppManagementAssignmentFilterType":"none"}}]}`,
		`{"value":[{"id":"a","target":{"@odata.type":"microsoft.graph.exclusionGroupAssignmentTarget","groupId":"g"}},{"target":{"@odata.type":"#microsoft.graph.configurationManagerCollectionAssignmentTarget","collectionId":"MEM00012","deviceAndAppManagementAssignmentFilterType":"include"}}],"@odata.nextLink":"https://graph.microsoft.com/beta/x?$skiptoken=2"}`,
		`{"value":[{"@odata.type":"#microsoft.graph.officeClientConfigurationAssignment","id":"6f57","target":{"@odata.type":"microsoft.graph.officeConfigurationGroupAssignmentTarget","groupId":"g"}}]}`,
		`{"error":{"code":"BadRequest","message":"{\r\n  \"_version\": 3,\r\n  \"Message\": \"An error has occurred - Operation ID (for customer support): 0\"\r\n}","innerError":{"date":"2022-03-15T13:50:50","request-id":"r","client-request-id":"c"}}}`,
		`{"error":{"code":"TooManyRequests","innerError":{"code":"429","date":"2020-08-18T12:51:51","message":"Please retry after","request-id":"94fb","status":"429"},"message":"Please retry again later."}}`,
		`{"value":{"id":"not-a-list"}}`, `{"value":[null,1,"x",{}]}`, `[]`, `null`, `{"value":[{"target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget","deviceAndAppManagementAssignmentFilterType":"sideways"}}]}`,
		`{"value":[{"id":"p_ou","source":"direct","schedule":{"start":1e400},"target":{"@odata.type":"#microsoft.graph.organizationalUnitAssignmentTarget","organizationalUnitId":"OU=x<&>","assignmentConflictSetting":"replace"}}]}`,
		`{"value":[{"id":"p1","assignments":[{"id":"a","target":{"@odata.type":"#microsoft.graph.allDevicesAssignmentTarget"}}],"assignments@odata.nextLink":"https://x/y"}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		node, err := jsonser.NewJsonParseNode(body)
		if err != nil {
			return
		}
		if page, err := decodePage(body); err == nil {
			for _, a := range page.assignments {
				if a.Raw != "" && !rawStillDescribes(a) {
					t.Fatalf("Raw %s does not describe the assignment read from it: %+v", a.Raw, a)
				}
				if _, err := encodeAssignBody(DeviceConfigurationsFamily, []Assignment{a}); err != nil {
					t.Fatalf("encoding %+v: %v", a, err)
				}
			}
		}
		_, _ = decodePolicyPage(body)
		_, _ = decodeEntity(body)
		if v, err := node.GetObjectValue(odataerrors.CreateODataErrorFromDiscriminatorValue); err == nil && v != nil {
			if e, ok := v.(*odataerrors.ODataError); ok {
				e.ResponseStatusCode = 400
				var ge *Error
				if errors.As(wrapError(e), &ge) {
					_ = ge.Details()
				}
			}
		}
		_ = unwrapIntuneMessage(string(body))
	})
}
