package graph

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-beta-sdk-go/models/odataerrors"
)

// Error is a failed Graph call, with what a person needs to act on it or to open a
// support case: the status, Graph's code and message, and the request ids.
type Error struct {
	StatusCode      int
	Code            string
	Message         string
	RequestID       string
	ClientRequestID string
	Date            string
	Err             error // the underlying error, for errors.Unwrap
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if b.Len() == 0 && e.Err != nil {
		return e.Err.Error()
	}
	return strings.TrimSpace(b.String())
}

func (e *Error) Unwrap() error { return e.Err }

// Details is a multi-line description for a diagnostic's detail text.
func (e *Error) Details() string {
	if e.StatusCode == 0 {
		return fmt.Sprintf("Graph gave no readable answer: %v\n\nThe service may or may not have applied the request; "+
			"the next terraform plan shows what it holds.", e.Err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Graph answered %s", e.Error())
	if !strings.HasSuffix(b.String(), ".") {
		b.WriteString(".")
	}
	if e.StatusCode == http.StatusForbidden {
		b.WriteString("\n\nThe application needs the Microsoft Graph application permission " +
			"DeviceManagementConfiguration.ReadWrite.All (Read.All is enough for data sources), " +
			"granted with admin consent, and the tenant needs an active Intune licence.")
	}
	if e.StatusCode == http.StatusUnauthorized {
		b.WriteString("\n\nSign-in succeeded but Graph rejected the token: check that the token's audience " +
			"matches graph_endpoint and that the environment is right for this tenant.")
	}
	if e.RequestID != "" || e.ClientRequestID != "" {
		fmt.Fprintf(&b, "\n\nrequest-id: %s\nclient-request-id: %s", e.RequestID, e.ClientRequestID)
		if e.Date != "" {
			fmt.Fprintf(&b, "\ndate: %s", e.Date)
		}
	}
	return b.String()
}

// IsNotFound reports whether err is Graph's 404 for the object addressed.
func IsNotFound(err error) bool {
	var ge *Error
	return errors.As(err, &ge) && ge.StatusCode == http.StatusNotFound
}

// wrapError turns what kiota returns into an *Error, keeping the original for errors.As.
func wrapError(err error) error {
	if err == nil {
		return nil
	}
	var ge *Error
	if errors.As(err, &ge) {
		return err
	}
	var se *SignInError
	if errors.As(err, &se) {
		return se
	}
	out := &Error{Err: err}
	var odata *odataerrors.ODataError
	var api *abs.ApiError
	switch {
	case errors.As(err, &odata):
		out.StatusCode = odata.ResponseStatusCode
		if main := odata.GetErrorEscaped(); main != nil {
			out.Code = deref(main.GetCode())
			out.Message = unwrapIntuneMessage(deref(main.GetMessage()))
			if inner := main.GetInnerError(); inner != nil {
				out.RequestID = deref(inner.GetRequestId())
				out.ClientRequestID = deref(inner.GetClientRequestId())
				if d := inner.GetDate(); d != nil {
					out.Date = d.UTC().Format("2006-01-02T15:04:05Z")
				}
			}
		}
		if out.RequestID == "" && odata.ResponseHeaders != nil {
			out.RequestID = firstHeader(odata.ResponseHeaders, "request-id")
			out.ClientRequestID = firstHeader(odata.ResponseHeaders, "client-request-id")
		}
	case errors.As(err, &api):
		out.StatusCode = api.ResponseStatusCode
		out.Message = api.Message
		if api.ResponseHeaders != nil {
			out.RequestID = firstHeader(api.ResponseHeaders, "request-id")
			out.ClientRequestID = firstHeader(api.ResponseHeaders, "client-request-id")
		}
	}
	return out
}

func firstHeader(h *abs.ResponseHeaders, name string) string {
	if v := h.Get(name); len(v) > 0 {
		return v[0]
	}
	return ""
}

// unwrapIntuneMessage extracts "Message" from the JSON document that Intune front-ends
// put inside error.message (graph-api.md 4.1), which is otherwise unreadable in a plan.
func unwrapIntuneMessage(msg string) string {
	trimmed := strings.TrimSpace(msg)
	if !strings.HasPrefix(trimmed, "{") {
		return msg
	}
	var doc map[string]any
	if json.Unmarshal([]byte(trimmed), &doc) != nil {
		return msg
	}
	for _, key := range []string{"Message", "message"} {
		if s, ok := doc[key].(string); ok && s != "" {
			return unwrapIntuneMessage(s)
		}
	}
	return msg
}
