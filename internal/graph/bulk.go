package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	abs "github.com/microsoft/kiota-abstractions-go"
	jsonser "github.com/microsoft/kiota-serialization-json-go"
	"github.com/microsoftgraph/msgraph-beta-sdk-go/models/odataerrors"
)

// MaxBatch is the most requests one JSON batch may carry (NOTES.md#batching).
const MaxBatch = 20

// PolicyAssignments is one policy of a collection page read with $expand=assignments.
type PolicyAssignments struct {
	ID string
	// Assignments are the inlined assignments: all of them when Complete.
	Assignments []Assignment
	// Complete is false when the answer carried no "assignments" member (the service
	// ignored $expand for this policy), or cut the list with assignments@odata.nextLink
	// (NOTES.md#expanding-assignments). The rest is then read from the policy's
	// /assignments: one request either way, and a batch holds twenty.
	Complete bool
}

// PolicyPage is one page of a family's collection read with $expand=assignments.
type PolicyPage struct {
	Policies []PolicyAssignments
	// Next is the page's @odata.nextLink ("" on the last page); pass it to the next call.
	Next string
}

// BatchResult is the answer for one policy of ListMany.
type BatchResult struct {
	Assignments []Assignment
	Err         error // typed as List's errors (IsNotFound, *Error, *NotSentError)
}

// ListPolicies reads one page of the family's policies with their assignments:
// GET {collection}?$select=id&$expand=assignments&$top={PageSize} for the first page
// (next == ""), or the given @odata.nextLink verbatim (NOTES.md#expanding-assignments,
// NOTES.md#paging). One request. Errors are List's.
func (r rawAssignments) ListPolicies(ctx context.Context, next string) (PolicyPage, error) {
	var ri *abs.RequestInformation
	if next == "" {
		q := "?$select=id&$expand=assignments"
		if r.f.PageSize > 0 {
			q += "&$top=" + strconv.Itoa(r.f.PageSize)
		}
		ri = abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(abs.GET,
			"{+baseurl}"+r.f.CollectionPath+q, map[string]string{"baseurl": r.c.baseURL})
		ri.Headers.TryAdd("Accept", "application/json")
	} else {
		var err error
		if ri, err = getURL(next); err != nil {
			return PolicyPage{}, fmt.Errorf("listing %s: %w", r.f.CollectionPath, err)
		}
	}
	what := "listing " + r.f.CollectionPath
	sctx, st := withStatus(ctx)
	res, err := r.c.adapter.SendPrimitive(sctx, ri, "[]byte", errorMapping)
	if err != nil {
		return PolicyPage{}, requestError(err, ri, st)
	}
	b, _ := res.([]byte)
	if len(b) == 0 {
		return PolicyPage{}, fmt.Errorf("%s: Graph returned no body", what)
	}
	out, err := decodePolicyPage(b)
	if err != nil {
		return PolicyPage{}, requestError(fmt.Errorf("%s: reading Graph's answer: %w", what, err), ri, st)
	}
	return out, nil
}

// ListMany reads the assignments of up to MaxBatch policies in one JSON batch (POST
// /$batch, NOTES.md#batching), one GET {collection}/{id}/assignments per policy. The
// batch is paced as that many reads, since the service counts each item against its
// limits (NOTES.md#throttling). An item answered 429 or 5xx, or lost, is read again on
// its own with List's retries; an item with more pages is completed from its
// @odata.nextLink. The results are in the order of ids. An error is returned only when
// the batch itself failed; then nothing in it can be trusted and the caller reads the
// policies one by one.
func (r rawAssignments) ListMany(ctx context.Context, ids []string) ([]BatchResult, error) {
	if len(ids) > MaxBatch {
		return nil, fmt.Errorf("ListMany: %d policies, at most %d fit a batch", len(ids), MaxBatch)
	}
	type item struct {
		ID      string            `json:"id"`
		Method  string            `json:"method"`
		URL     string            `json:"url"`
		Headers map[string]string `json:"headers"`
	}
	req := struct {
		Requests []item `json:"requests"`
	}{}
	for i, id := range ids {
		req.Requests = append(req.Requests, item{ID: strconv.Itoa(i + 1), Method: http.MethodGet,
			URL: r.f.CollectionPath + "/" + url.PathEscape(id) + "/assignments", Headers: map[string]string{"Accept": "application/json"}})
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	ri := abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(abs.POST, "{+baseurl}/$batch",
		map[string]string{"baseurl": r.c.baseURL})
	ri.Headers.TryAdd("Accept", "application/json")
	ri.SetStreamContentAndContentType(body, "application/json")
	ri.AddRequestOptions([]abs.RequestOption{readBatchOption{items: len(ids)}})
	sctx, st := withStatus(ctx)
	raw, err := r.c.adapter.SendPrimitive(sctx, ri, "[]byte", errorMapping)
	if err != nil {
		return nil, requestError(err, ri, st)
	}
	b, _ := raw.([]byte)
	var resp struct {
		Responses []struct {
			ID      string            `json:"id"`
			Status  int               `json:"status"`
			Headers map[string]string `json:"headers"`
			Body    json.RawMessage   `json:"body"`
		} `json:"responses"`
	}
	if err := json.Unmarshal(b, &resp); err != nil {
		return nil, fmt.Errorf("reading the $batch answer: %w", err)
	}
	out := make([]BatchResult, len(ids))
	answered := make([]bool, len(ids))
	for _, it := range resp.Responses {
		i, err := strconv.Atoi(it.ID)
		if err != nil || i < 1 || i > len(ids) || answered[i-1] {
			continue
		}
		id := ids[i-1]
		switch {
		case it.Status == http.StatusTooManyRequests || it.Status >= 500:
			continue // read again below, with retries
		case it.Status >= 400:
			answered[i-1] = true
			out[i-1].Err = itemError(it.Status, it.Body, it.Headers, http.MethodGet, r.c.baseURL+req.Requests[i-1].URL)
		default:
			page, err := decodePage(it.Body)
			if err != nil {
				continue
			}
			answered[i-1] = true
			out[i-1].Assignments = page.assignments
			if page.nextLink != "" {
				rest, _, err := r.follow(ctx, page.nextLink, "listing assignments of "+id)
				out[i-1] = BatchResult{Assignments: append(out[i-1].Assignments, rest...), Err: err}
			}
		}
	}
	for i, id := range ids {
		if !answered[i] {
			as, err := r.List(ctx, id)
			out[i] = BatchResult{Assignments: as, Err: err}
		}
	}
	return out, nil
}

// follow pages an assignments collection from an @odata.nextLink to its end, and says
// how many requests that took.
func (r rawAssignments) follow(ctx context.Context, next, what string) ([]Assignment, int, error) {
	var out []Assignment
	for n := 1; ; n++ {
		ri, err := getURL(next)
		if err != nil {
			return nil, n - 1, fmt.Errorf("%s: %w", what, err)
		}
		page, err := r.send(ctx, ri, what)
		if err != nil {
			return nil, n, err
		}
		out = append(out, page.assignments...)
		if page.nextLink == "" {
			return out, n, nil
		}
		if n > 10000 {
			return nil, n, fmt.Errorf("%s: more than 10000 pages, giving up", what)
		}
		next = page.nextLink
	}
}

// getURL is a GET of an absolute link the service returned (NOTES.md#paging: follow it
// verbatim).
func getURL(link string) (*abs.RequestInformation, error) {
	u, err := url.Parse(link)
	if err != nil || !u.IsAbs() {
		return nil, fmt.Errorf("bad @odata.nextLink %q", link)
	}
	ri := abs.NewRequestInformation()
	ri.Method = abs.GET
	ri.Headers.TryAdd("Accept", "application/json")
	ri.SetUri(*u)
	return ri, nil
}

// itemError is a batch item's error answer, typed as a direct request's would be and
// naming the item's request (method and absolute URL), so that a 404 is IsNotFound only
// with a not-found code, as for a direct request.
func itemError(status int, body []byte, headers map[string]string, method, itemURL string) error {
	var odata *odataerrors.ODataError
	if node, err := jsonser.NewJsonParseNode(body); err == nil {
		if v, err := node.GetObjectValue(odataerrors.CreateODataErrorFromDiscriminatorValue); err == nil {
			odata, _ = v.(*odataerrors.ODataError)
		}
	}
	if odata == nil {
		odata = odataerrors.NewODataError()
	}
	odata.ResponseStatusCode = status
	rh := abs.NewResponseHeaders()
	for k, v := range headers {
		rh.Add(k, v)
	}
	odata.ResponseHeaders = rh
	err := wrapError(odata)
	var ge *Error
	if errors.As(err, &ge) {
		ge.Method, ge.URL = method, itemURL
	}
	return err
}

// readBatchOption marks a $batch of GETs: it is paced as items reads, not as a write, and
// may be sent again.
type readBatchOption struct{ items int }

var readBatchKey = abs.RequestOptionKey{Key: "intune.readbatch"}

func (readBatchOption) GetKey() abs.RequestOptionKey { return readBatchKey }

// decodePolicyPage reads one page of a collection listed with $expand=assignments:
// {"value": [{"id", "assignments", "assignments@odata.nextLink"}, …], "@odata.nextLink"}.
// A policy whose answer has no "assignments" member was not expanded; one with a next
// link was cut (PolicyAssignments.Complete). Each assignment keeps its Raw as in List.
func decodePolicyPage(body []byte) (PolicyPage, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return PolicyPage{}, err
	}
	if top == nil {
		return PolicyPage{}, errors.New("the answer is null")
	}
	var out PolicyPage
	if err := stringMember(top, "@odata.nextLink", &out.Next); err != nil {
		return PolicyPage{}, err
	}
	var items []json.RawMessage
	if v, ok := top["value"]; ok && !isJSONNull(v) {
		if err := json.Unmarshal(v, &items); err != nil {
			return PolicyPage{}, fmt.Errorf("value: %w", err)
		}
	}
	for i, it := range items {
		if isJSONNull(it) {
			continue
		}
		var p map[string]json.RawMessage
		if err := json.Unmarshal(it, &p); err != nil {
			return PolicyPage{}, fmt.Errorf("value[%d]: %w", i, err)
		}
		var pa PolicyAssignments
		var next string
		if err := stringMember(p, "id", &pa.ID); err != nil {
			return PolicyPage{}, fmt.Errorf("value[%d]: %w", i, err)
		}
		if err := stringMember(p, "assignments@odata.nextLink", &next); err != nil {
			return PolicyPage{}, fmt.Errorf("value[%d]: %w", i, err)
		}
		list, expanded := p["assignments"]
		as, err := decodeAssignments(list)
		if err != nil {
			return PolicyPage{}, fmt.Errorf("value[%d].assignments: %w", i, err)
		}
		pa.Assignments = as
		pa.Complete = expanded && next == ""
		out.Policies = append(out.Policies, pa)
	}
	return out, nil
}
