package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"

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
	// Method and URL are the request that failed (for a $batch item, the item's own
	// request against the version root); "" when unknown.
	Method string
	URL    string
	Err    error // the underlying error, for errors.Unwrap
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
		if errors.Is(e.Err, context.DeadlineExceeded) {
			return fmt.Sprintf("This operation's timeout ended while waiting for Graph's answer (%v).\n\nIf the request was a "+
				"write, Graph may or may not have applied it; the next terraform plan shows what the service holds. "+
				"Raise the timeouts of this operation if Graph is slow to answer.", e.Err)
		}
		return fmt.Sprintf("Graph gave no readable answer to the request%s: %v\n\nIf the request was a write, Graph may or may not have "+
			"applied it; the next terraform plan shows what the service holds. Check the network path to graph_endpoint.", e.to(), e.Err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Graph answered %s", e.Error())
	if !strings.HasSuffix(b.String(), ".") {
		b.WriteString(".")
	}
	if e.StatusCode == http.StatusNotFound && !e.missing() {
		fmt.Fprintf(&b, "\n\nThis is not Graph's answer for a missing policy or assignment (404 with error code "+
			"ResourceNotFound), so nothing is treated as deleted: the request%s leads nowhere. Check graph_endpoint "+
			"(the Graph root, without /beta) and any proxy in front of it. Nothing was changed.", e.to())
	}
	if e.StatusCode == http.StatusBadRequest && strings.Contains(e.Message, "Resource not found for the segment") {
		fmt.Fprintf(&b, "\n\nGraph does not know a segment of the request%s. Check graph_endpoint (the Graph root, without /beta).", e.to())
	}
	if e.StatusCode == http.StatusForbidden {
		b.WriteString("\n\nThe application needs the Microsoft Graph application permission " +
			"DeviceManagementConfiguration.ReadWrite.All (Read.All is enough for data sources), " +
			"granted with admin consent, and the tenant needs an active Intune licence.")
	}
	if e.StatusCode == http.StatusTooManyRequests {
		b.WriteString("\n\nGraph throttled the request and did not apply it; this operation's timeout left no time for " +
			"another try. Raise the timeouts of this operation, or run fewer operations at once (terraform -parallelism).")
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

// to names the request for a sentence: " GET https://…", or "" when unknown.
func (e *Error) to() string {
	if e.URL == "" {
		return ""
	}
	return " " + strings.TrimSpace(e.Method+" "+e.URL)
}

// notFoundCodes are the error codes with which Graph says that the entity a request
// addressed does not exist: Intune's ResourceNotFound (observed) and the generic
// itemNotFound of Graph's documented code list (NOTES.md#errors). Compared ignoring case.
var notFoundCodes = []string{"ResourceNotFound", "itemNotFound"}

// missing reports whether the error's code says the addressed entity does not exist.
func (e *Error) missing() bool {
	for _, c := range notFoundCodes {
		if strings.EqualFold(e.Code, c) {
			return true
		}
	}
	return false
}

// NotSentReason says why a request never got a final answer from Graph.
type NotSentReason int

const (
	// NotSentPacing: the client's own pacing under Intune's limits (the provider's
	// rate_limit) would have had to wait past the operation's deadline, so the request
	// was not sent (again).
	NotSentPacing NotSentReason = iota + 1
	// NotSentRetryWait: Graph asked the client to wait (429 Retry-After, or a 5xx) and
	// the operation's deadline came before the next try.
	NotSentRetryWait
	// NotSentBuild: the body of the next try of a write made per attempt
	// (AssignmentAPI.AssignBuilt) could not be built; Err is the builder's error.
	NotSentBuild
)

// NotSentError is a request that the client gave up on before Graph answered it for
// good: Attempts tries had been sent (0: none), the last one answered LastStatus (0: no
// answer). MaybeApplied is true only when an earlier try of a write may have reached the
// service (a dropped connection or a 5xx); after nothing but 429s, nothing was applied.
type NotSentError struct {
	Reason       NotSentReason
	Method       string
	Attempts     int
	LastStatus   int
	MaybeApplied bool
	Err          error
}

func (e *NotSentError) Error() string {
	switch e.Reason {
	case NotSentPacing:
		return fmt.Sprintf("request not sent: waiting for the provider's request pacing would pass the operation's deadline (%v)", e.Err)
	case NotSentBuild:
		return fmt.Sprintf("request not retried: building the body of try %d failed after HTTP %d: %v", e.Attempts+1, e.LastStatus, e.Err)
	default:
		return fmt.Sprintf("request not retried: the operation's deadline came while waiting to retry after HTTP %d (%v)", e.LastStatus, e.Err)
	}
}

func (e *NotSentError) Unwrap() error { return e.Err }

// Details is a diagnostic detail: what was sent, whether it can have been applied, and
// what to change (the operation's timeouts, the provider's rate_limit).
func (e *NotSentError) Details() string {
	var b strings.Builder
	switch e.Reason {
	case NotSentPacing:
		if e.Attempts == 0 {
			b.WriteString("The request was never sent to Graph: the provider paces its requests under Intune's " +
				"throttling limits (the provider's rate_limit argument), and waiting for a free slot would have " +
				"taken longer than this operation's timeout allows.")
		} else {
			fmt.Fprintf(&b, "Graph answered HTTP %d to %d earlier tries, and the next try was never sent: waiting for a free "+
				"slot under the provider's request pacing (rate_limit) would have passed this operation's timeout.", e.LastStatus, e.Attempts)
		}
	case NotSentBuild:
		fmt.Fprintf(&b, "Graph answered HTTP %d to %d earlier tries of this write, and the next try was never sent: "+
			"reading the policy's current assignments to build it failed: %v", e.LastStatus, e.Attempts, e.Err)
	default:
		fmt.Fprintf(&b, "Graph answered HTTP %d and asked the provider to wait before trying again; this operation's "+
			"timeout ended before the next try (%d tries sent).", e.LastStatus, e.Attempts)
	}
	if e.MaybeApplied {
		b.WriteString("\n\nAn earlier try of this write got no clear answer, so Graph may have applied it; the next " +
			"terraform plan shows what the service holds.")
	} else if isWrite(e.Method) {
		b.WriteString("\n\nNothing was changed in Intune.")
	}
	// A failed read says nothing about timeouts or pacing, unless it ran out of time itself.
	var inner *NotSentError
	if e.Reason == NotSentBuild && !errors.As(e.Err, &inner) && !errors.Is(e.Err, context.DeadlineExceeded) {
		return b.String()
	}
	example := `timeouts { update = "45m" }`
	if !isWrite(e.Method) {
		example = `timeouts { read = "20m" }`
	}
	b.WriteString("\n\nTo let it finish, raise this operation's timeout in the resource's or data source's timeouts block " +
		"(for example " + example + "), or, if the tenant's limits allow it, raise rate_limit in the " +
		"provider block; running fewer operations at once (terraform -parallelism) also helps.")
	return b.String()
}

// IsNotFound reports whether err is Graph's answer that the policy or assignment addressed
// does not exist: a 404 whose error code is ResourceNotFound (or the generic itemNotFound),
// in any case (NOTES.md#errors, NOTES.md#addressing). Any other 404 (one without a Graph
// error body, from a proxy or a host that is not Graph, or with another code) means the URL
// is wrong, not that the object is gone: it is an ordinary *Error whose Details name the
// request's method and URL.
func IsNotFound(err error) bool {
	var ge *Error
	return errors.As(err, &ge) && ge.StatusCode == http.StatusNotFound && ge.missing()
}

// IsRouteRefused reports an Intune front end with no route for the request: 400 (or 405)
// "No method match route template" (NOTES.md#refused-route). Nothing was done.
func IsRouteRefused(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	return (e.StatusCode == 400 || e.StatusCode == 405) &&
		(strings.EqualFold(e.Code, "No method match route template") || strings.Contains(e.Message, "No OData route exists"))
}

// requestError is wrapError for the request ri, sent with a context from withStatus: the
// *Error names the request's method and URL, and keeps the HTTP status where kiota lost it
// (an error body it cannot parse, such as a proxy's HTML page).
func requestError(err error, ri *abs.RequestInformation, st *statusSeen) error {
	out := wrapError(err)
	var ge *Error
	if out == nil || !errors.As(out, &ge) {
		return out
	}
	if ge.URL == "" && ri != nil {
		ge.Method = ri.Method.String()
		if u, uerr := ri.GetUri(); uerr == nil {
			ge.URL = u.String()
		}
	}
	// Only the final answer's error status: a 2xx whose body did not parse, or an attempt
	// that got no answer after an earlier one did, keeps StatusCode 0, which says "no
	// readable answer" (a write may have been applied).
	if code := st.load(); ge.StatusCode == 0 && code >= 400 {
		ge.StatusCode = code
		if ge.Message == "" && ge.Err != nil {
			ge.Message = ge.Err.Error()
		}
	}
	return out
}

// statusSeen is the status of the last answer the pipeline got for one call; the
// resilience middleware fills it in through the request's context.
type statusSeen struct{ code atomic.Int32 }

func (s *statusSeen) load() int {
	if s == nil {
		return 0
	}
	return int(s.code.Load())
}

type statusSeenKey struct{}

// withStatus returns a context in which the pipeline records the status it gets.
func withStatus(ctx context.Context) (context.Context, *statusSeen) {
	st := &statusSeen{}
	return context.WithValue(ctx, statusSeenKey{}, st), st
}

// recordStatus notes an answer's status for requestError.
func recordStatus(ctx context.Context, code int) {
	if st, ok := ctx.Value(statusSeenKey{}).(*statusSeen); ok {
		st.code.Store(int32(code))
	}
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
	var ns *NotSentError
	if errors.As(err, &ns) {
		return ns
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
// put inside error.message (NOTES.md#errors), which is otherwise unreadable in a plan.
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
