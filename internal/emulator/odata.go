package emulator

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// odataContentType is what real Graph sends on JSON bodies
// (internal/graph/NOTES.md#headers).
const odataContentType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

// reqCtx is the per-request state shared by the Graph handlers.
type reqCtx struct {
	s               *Server
	w               http.ResponseWriter
	r               *http.Request
	body            []byte
	requestID       string
	clientRequestID string
	claims          *tokenClaims
	// fefURL is the internal Intune front-end URL quoted inside the nested
	// Intune error message (internal/graph/NOTES.md#errors); set by the
	// router.
	fefURL string
	// batchItem: this request is an item of a $batch (no latency of its
	// own); batchEnvelope: this request is the $batch itself.
	batchItem, batchEnvelope bool
	// appliedBeforeDrop: a FaultAfterWrite ran the handler successfully
	// before dropping the connection (for Stats.AppliedWrites).
	appliedBeforeDrop bool
}

func newReqCtx(s *Server, w http.ResponseWriter, r *http.Request) *reqCtx {
	c := &reqCtx{s: s, w: w, r: r, requestID: newGUID()}
	c.clientRequestID = strings.TrimSpace(r.Header.Get("client-request-id"))
	if c.clientRequestID == "" {
		c.clientRequestID = newGUID()
	}
	return c
}

// newGUID returns a random version-4 GUID.
func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// isGUID reports whether v is a canonical 8-4-4-4-12 hex GUID (any case);
// braces and other .NET accepted forms are rejected on purpose.
func isGUID(v string) bool {
	if len(v) != 36 {
		return false
	}
	for i, ch := range v {
		switch i {
		case 8, 13, 18, 23:
			if ch != '-' {
				return false
			}
		default:
			if !(ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'f' || ch >= 'A' && ch <= 'F') {
				return false
			}
		}
	}
	return true
}

// baseURL is scheme://host of the request, so every absolute URL the
// emulator emits (nextLink, @odata.context, OIDC metadata) points back at
// the host:port the client actually used.
func (c *reqCtx) baseURL() string {
	scheme := "https"
	if c.r.TLS == nil {
		scheme = "http"
	}
	return scheme + "://" + c.r.Host
}

func (c *reqCtx) metadataURL(fragment string) string {
	return c.baseURL() + "/beta/$metadata#" + fragment
}

// setGraphHeaders adds the headers real Graph puts on every response.
func (c *reqCtx) setGraphHeaders() {
	h := c.w.Header()
	h.Set("request-id", c.requestID)
	h.Set("client-request-id", c.clientRequestID)
	h.Set("x-ms-ags-diagnostic", `{"ServerInfo":{"DataCenter":"Emulator","Slice":"E","Ring":"1","ScaleUnit":"000","RoleInstance":"EMU000001"}}`)
	h.Set("Strict-Transport-Security", "max-age=31536000")
	h.Set("Cache-Control", "no-cache")
	h.Set("OData-Version", "4.0")
}

// writeJSON writes a Graph JSON response.
func (c *reqCtx) writeJSON(status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		c.graphError(http.StatusInternalServerError, "InternalServerError", "emulator: marshal response: "+err.Error(), "")
		return
	}
	c.setGraphHeaders()
	c.w.Header().Set("Content-Type", odataContentType)
	c.w.Header().Set("Content-Length", strconv.Itoa(buf.Len()-1))
	c.w.WriteHeader(status)
	_, _ = c.w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// writeNoContent answers with an empty body (204, or the office 200s).
func (c *reqCtx) writeNoContent(status int) {
	c.setGraphHeaders()
	c.w.WriteHeader(status)
}

// graphError writes the plain Graph error envelope
// (internal/graph/NOTES.md#errors), used for gateway-level errors (401, bad
// segment, malformed JSON...).
func (c *reqCtx) graphError(status int, code, message, reason string) {
	c.writeErrorBody(status, code, message, reason, nil)
}

func (c *reqCtx) writeErrorBody(status int, code, message, reason string, extraInner obj) {
	if reason == "" {
		reason = message
	}
	c.w.Header().Set("X-Emulator-Reason", sanitizeHeader(reason))
	inner := obj{
		{"date", time.Now().UTC().Format("2006-01-02T15:04:05")},
		{"request-id", c.requestID},
		{"client-request-id", c.clientRequestID},
	}
	inner = append(inner, extraInner...)
	c.writeJSON(status, obj{{"error", obj{
		{"code", code},
		{"message", message},
		{"innerError", inner},
	}}})
}

// intuneError writes an error the way the Intune workload does: the message
// is itself a JSON document as a string (internal/graph/NOTES.md#errors),
// unless PlainErrorMessages. detail is the service's own text ("" => the
// generic "An error has occurred"), reason is the emulator's explanation.
func (c *reqCtx) intuneError(status int, code, detail, reason string) {
	if reason == "" {
		reason = detail
	}
	if c.s.cfg.PlainErrorMessages {
		msg := detail
		if msg == "" {
			msg = reason
		}
		c.graphError(status, code, msg, reason)
		return
	}
	msg := detail
	if msg == "" {
		msg = "An error has occurred"
		if c.s.cfg.VerboseErrors && reason != "" {
			msg += ": " + reason
		}
	}
	fef := c.fefURL
	if fef == "" {
		fef = "https://fef.msua01.manage.microsoft.com/StatelessGraphFEService" + c.r.URL.Path + "?api-version=5023-07-19"
	}
	full := fmt.Sprintf("%s - Operation ID (for customer support): 00000000-0000-0000-0000-000000000000 - Activity ID: %s - Url: %s", msg, c.requestID, fef)
	c.graphError(status, code, nestedIntuneMessage(full), reason)
}

// nestedIntuneMessage renders the "_version: 3" document exactly as the
// Intune front-end does (CRLF, two-space indent).
func nestedIntuneMessage(message string) string {
	m, _ := json.Marshal(message)
	return "{\r\n  \"_version\": 3,\r\n  \"Message\": " + string(m) +
		",\r\n  \"CustomApiErrorPhrase\": \"\",\r\n  \"RetryAfter\": null,\r\n  \"ErrorSourceService\": \"\",\r\n  \"HttpHeaders\": \"{}\"\r\n}"
}

func sanitizeHeader(s string) string {
	s = strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
	if len(s) > 1000 {
		s = s[:1000]
	}
	return s
}

// Messages of the Graph gateway (internal/graph/NOTES.md#errors).
const (
	msgMalformedJSON = "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."
)

func (c *reqCtx) malformedJSON(reason string) {
	c.graphError(http.StatusBadRequest, "BadRequest", msgMalformedJSON, reason)
}

func (c *reqCtx) badSegment(seg string) {
	c.graphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Resource not found for the segment '%s'.", seg), "")
}

func (c *reqCtx) graphEncodingError(err error) {
	if errors.Is(err, errUnsupportedEncoding) {
		c.graphError(http.StatusUnsupportedMediaType, "BadRequest", "Unsupported Content-Encoding: "+c.r.Header.Get("Content-Encoding"), "")
		return
	}
	c.graphError(http.StatusBadRequest, "BadRequest", msgMalformedJSON, err.Error())
}

// --- ordered JSON objects -------------------------------------------------

// kv is one member of an ordered JSON object.
type kv struct {
	k string
	v any
}

// obj is a JSON object that keeps member order, so responses look like
// real Graph's (@odata.context first, then @odata.type, id...).
type obj []kv

// MarshalJSON writes the members in order.
func (o obj) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, _ := json.Marshal(m.k)
		buf.Write(kb)
		buf.WriteByte(':')
		var vb bytes.Buffer
		enc := json.NewEncoder(&vb)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(m.v); err != nil {
			return nil, err
		}
		buf.Write(bytes.TrimSuffix(vb.Bytes(), []byte("\n")))
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// --- JSON input ------------------------------------------------------------

// parseJSONObject decodes a request body that must be one JSON object.
func parseJSONObject(body []byte) (map[string]any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, fmt.Errorf("empty request body")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	var rest any
	if err := dec.Decode(&rest); err == nil {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("request body is not a JSON object")
	}
	return m, nil
}

// readJSONBody checks Content-Type (strict) and decodes the body; on failure
// it has already written the 400.
func (c *reqCtx) readJSONBody() (map[string]any, bool) {
	if !c.s.cfg.LenientValidation {
		ct := strings.ToLower(strings.TrimSpace(c.r.Header.Get("Content-Type")))
		if !strings.HasPrefix(ct, "application/json") {
			c.malformedJSON("Content-Type must be application/json, got " + strconv.Quote(c.r.Header.Get("Content-Type")))
			return nil, false
		}
	}
	m, err := parseJSONObject(c.body)
	if err != nil {
		c.malformedJSON(err.Error())
		return nil, false
	}
	return m, true
}

// --- query options ---------------------------------------------------------

// queryOpts are the parsed OData system query options.
type queryOpts struct {
	top       int // -1 when absent
	skip      int
	count     bool
	selects   []string
	expands   []string
	filter    string
	orderby   string
	skiptoken int // offset from a previous page, -1 when absent
	hasSelect bool
	hasExpand bool
}

// parseQuery validates the system query options of a request against the
// set the endpoint allows ("top","skip","count","select","expand","filter",
// "orderby","search","skiptoken"). A bad value or a disallowed option is a
// 400, written here.
func (c *reqCtx) parseQuery(allowed ...string) (*queryOpts, bool) {
	q := &queryOpts{top: -1, skiptoken: -1}
	vals, err := url.ParseQuery(c.r.URL.RawQuery)
	if err != nil {
		c.graphError(http.StatusBadRequest, "BadRequest", "The query specified in the URI is not valid.", err.Error())
		return nil, false
	}
	allow := map[string]bool{}
	for _, a := range allowed {
		allow[a] = true
	}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !strings.HasPrefix(k, "$") {
			continue // custom/unknown non-system parameters are ignored, as Graph does
		}
		name := strings.ToLower(k[1:])
		v := vals[k][len(vals[k])-1]
		known := map[string]bool{"top": true, "skip": true, "count": true, "select": true, "expand": true, "filter": true, "orderby": true, "search": true, "skiptoken": true, "format": true, "levels": true, "apply": true, "compute": true, "index": true, "deltatoken": true}
		if !known[name] {
			c.graphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("The query parameter '%s' is not supported.", k), "")
			return nil, false
		}
		if !allow[name] {
			c.graphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("The query specified in the URI is not valid. Query option '%s' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings.", strings.ToUpper(name[:1])+name[1:]), "")
			return nil, false
		}
		switch name {
		case "top", "skip":
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 0 {
				c.graphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Invalid value '%s' for $%s query option found. The $%s query option requires a non-negative integer value.", v, name, name), "")
				return nil, false
			}
			if name == "top" {
				q.top = n
			} else {
				q.skip = n
			}
		case "count":
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "true":
				q.count = true
			case "false":
			default:
				c.graphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("'%s' is not a valid count option.", v), "")
				return nil, false
			}
		case "select":
			q.hasSelect = true
			q.selects = splitList(v)
		case "expand":
			q.hasExpand = true
			q.expands = splitList(v)
		case "filter":
			q.filter = strings.TrimSpace(v)
		case "orderby":
			q.orderby = strings.TrimSpace(v)
		case "skiptoken":
			off, ok := decodeSkipToken(v)
			if !ok {
				c.graphError(http.StatusBadRequest, "BadRequest", "The $skiptoken is invalid.", "unrecognised $skiptoken "+strconv.Quote(v))
				return nil, false
			}
			q.skiptoken = off
		case "search":
			// accepted and ignored: Intune has no search on these collections
		default:
			c.graphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("The query parameter '%s' is not supported.", k), "")
			return nil, false
		}
	}
	return q, true
}

// splitList splits a $select or $expand value on the commas outside
// parentheses, so "a($expand=b,c),d" is two items.
func splitList(v string) []string {
	var out []string
	depth, start := 0, 0
	add := func(p string) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	for i, ch := range v {
		switch ch {
		case '(':
			depth++
		case ')':
			depth = max(depth-1, 0)
		case ',':
			if depth == 0 {
				add(v[start:i])
				start = i + 1
			}
		}
	}
	add(v[start:])
	return out
}

const skipTokenPrefix = "emu1:"

// encodeSkipToken makes an opaque token (as Intune's are) for an offset.
func encodeSkipToken(off int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(skipTokenPrefix + strconv.Itoa(off)))
}

// decodeSkipToken reads a token of either form: the emulator's own, or the
// Cosmos DB form of the settings-catalog lists (cosmosSkipToken).
func decodeSkipToken(t string) (int, bool) {
	if off, ok := decodeCosmosSkipToken(t); ok {
		return off, true
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(t))
	if err != nil || !strings.HasPrefix(string(b), skipTokenPrefix) {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(b), skipTokenPrefix))
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// cosmosPrefix starts a decoded Cosmos DB continuation token.
const cosmosPrefix = "[cosmosdb]"

// cosmosSkipToken is the $skiptoken of the settings-catalog lists
// (internal/graph/NOTES.md#paging) as a next link carries it: the token
// "[cosmosdb][{"compositeToken":"<offset>",...}]" is URL-encoded, and
// encoded once more as the query value
// (%255Bcosmosdb%255D%255B%257B%2522compositeToken...). The members after
// compositeToken copy the shape of captured tokens and mean nothing. [INF]
func cosmosSkipToken(off int) string {
	raw := cosmosPrefix + `[{"compositeToken":"` + strconv.Itoa(off) + `","range":{"min":"","max":"FF"},"resumeValues":[],"skipCount":0}]`
	return strictEscape(strictEscape(raw))
}

// strictEscape percent-encodes every byte but the RFC 3986 unreserved ones,
// as the service encodes its Cosmos DB tokens (spaces as %20, ':' as %3A).
func strictEscape(v string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		ch := v[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_' || ch == '.' || ch == '~' {
			b.WriteByte(ch)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[ch>>4])
		b.WriteByte(hex[ch&15])
	}
	return b.String()
}

// decodeCosmosSkipToken reads a cosmosSkipToken as the query parser hands
// it over (decoded once), or decoded twice by a client.
func decodeCosmosSkipToken(t string) (int, bool) {
	t = strings.TrimSpace(t)
	for range 2 {
		if strings.HasPrefix(t, cosmosPrefix) {
			break
		}
		u, err := url.PathUnescape(t)
		if err != nil {
			return 0, false
		}
		t = u
	}
	if !strings.HasPrefix(t, cosmosPrefix) {
		return 0, false
	}
	var parts []struct {
		CompositeToken string `json:"compositeToken"`
	}
	if err := json.Unmarshal([]byte(t[len(cosmosPrefix):]), &parts); err != nil || len(parts) != 1 {
		return 0, false
	}
	n, err := strconv.Atoi(parts[0].CompositeToken)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// pageSpec is how a collection pages and annotates its answers. The zero
// value is the default: the server's page size, $top honoured up to 999,
// the emulator's opaque tokens.
type pageSpec struct {
	size  int                  // page size, also the cap of $top; 0 => the server's page size, $top capped at 999
	token func(off int) string // next link $skiptoken (already escaped for the URL); nil => encodeSkipToken
	tips  string               // "@microsoft.graph.tips" annotation of the body; "" => none
}

// pageInfo is the result of paging a collection.
type pageInfo struct {
	start, end int    // slice bounds into the full (filtered) collection
	nextLink   string // "" on the last page
	count      bool   // emit @odata.count (first page with $count=true)
	tips       string // "@microsoft.graph.tips" annotation ("" => none)
}

// paginate computes the page of a collection of total items and the absolute
// nextLink (internal/graph/NOTES.md#paging): same scheme/host/path as the
// request, the original query minus $skiptoken/$skip, plus a fresh opaque
// $skiptoken. ps sets the page size and token form of the collection
// (pageSpec).
func (c *reqCtx) paginate(q *queryOpts, total int, ps pageSpec) pageInfo {
	size, maxTop := ps.size, ps.size
	if size <= 0 {
		c.s.mu.Lock()
		size = c.s.pageSize
		c.s.mu.Unlock()
		maxTop = 999
	}
	if q.top >= 0 {
		size = min(q.top, maxTop)
	}
	start := q.skip
	if q.skiptoken >= 0 {
		start = q.skiptoken
	}
	start = min(start, total)
	end := min(start+size, total)
	pi := pageInfo{start: start, end: end, count: q.count && q.skiptoken < 0, tips: ps.tips}
	if end < total && size > 0 {
		var kept []string
		for _, part := range strings.Split(c.r.URL.RawQuery, "&") {
			if part == "" {
				continue
			}
			k, _, _ := strings.Cut(part, "=")
			if uk, err := url.QueryUnescape(k); err == nil {
				k = uk
			}
			if strings.EqualFold(k, "$skiptoken") || strings.EqualFold(k, "$skip") {
				continue
			}
			kept = append(kept, part)
		}
		token := ps.token
		if token == nil {
			token = encodeSkipToken
		}
		kept = append(kept, "$skiptoken="+token(end))
		pi.nextLink = c.baseURL() + c.r.URL.EscapedPath() + "?" + strings.Join(kept, "&")
	}
	return pi
}

// collectionBody assembles {"@odata.context", ["@odata.count"],
// ["@microsoft.graph.tips"], "value", ["@odata.nextLink"]}. Real Graph puts
// nextLink after value.
func collectionBody(context string, pi pageInfo, total int, value []any) obj {
	o := obj{{"@odata.context", context}}
	if pi.count {
		o = append(o, kv{"@odata.count", total})
	}
	if pi.tips != "" {
		o = append(o, kv{"@microsoft.graph.tips", pi.tips})
	}
	if value == nil {
		value = []any{}
	}
	o = append(o, kv{"value", value})
	if pi.nextLink != "" {
		o = append(o, kv{"@odata.nextLink", pi.nextLink})
	}
	return o
}

// resolveSelect maps $select names case-insensitively onto the entity's
// property names; an unknown name is the OData 400.
func (c *reqCtx) resolveSelect(q *queryOpts, typeName string, props []string) ([]string, bool) {
	var out []string
	for _, sel := range q.selects {
		found := ""
		for _, p := range props {
			if strings.EqualFold(p, sel) {
				found = p
				break
			}
		}
		if found == "" && sel == "*" {
			return nil, true
		}
		if found == "" {
			c.graphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Could not find a property named '%s' on type '%s'.", sel, typeName), "")
			return nil, false
		}
		out = append(out, found)
	}
	return out, true
}

// project keeps @odata.type, id and the selected members of o.
func project(o obj, sel []string) obj {
	if sel == nil {
		return o
	}
	keep := map[string]bool{"@odata.type": true, "id": true}
	for _, s := range sel {
		keep[s] = true
	}
	var out obj
	for _, m := range o {
		if keep[m.k] {
			out = append(out, m)
		}
	}
	return out
}
