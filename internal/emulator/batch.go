package emulator

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
)

// batchItemHeader marks a synthetic sub-request so the request log can say
// which $batch item it came from.
const batchItemHeader = "X-Emulator-Batch-Item"

// maxBatchItems is Graph's documented JSON batching limit
// (internal/graph/NOTES.md#batching).
const maxBatchItems = 20

type batchItem struct {
	id        string
	method    string
	url       string
	headers   map[string]string
	body      []byte // nil when absent
	dependsOn []string
}

// serveBatch implements POST /$batch (internal/graph/NOTES.md#batching): at
// most 20 items with unique ids, per-item status, dependsOn => 424 when a
// dependency failed, string-only headers with the exact "Content-Type" key,
// bodies that are objects or absent, one response per id. Each item is
// executed through the normal pipeline (auth, faults, throttling), so an
// injected 429 shows up as a per-item 429 inside a 200 batch.
func (s *Server) serveBatch(c *reqCtx) {
	m, ok := c.readJSONBody()
	if !ok {
		return
	}
	rawReqs, ok := m["requests"].([]any)
	if !ok {
		c.graphError(http.StatusBadRequest, "BadRequest", "Invalid batch payload format.", "the batch body needs a 'requests' array")
		return
	}
	if len(rawReqs) > maxBatchItems {
		c.graphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Number of batch requests exceeds the maximum allowed %d.", maxBatchItems), "")
		return
	}
	items := make([]*batchItem, 0, len(rawReqs))
	seen := map[string]bool{}
	for i, raw := range rawReqs {
		it, err := parseBatchItem(raw)
		if err != nil {
			c.graphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Invalid batch payload format: request %d: %v", i, err), "")
			return
		}
		key := strings.ToLower(it.id)
		if seen[key] {
			c.graphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Batch request id '%s' is duplicated; ids must be unique.", it.id), "")
			return
		}
		seen[key] = true
		items = append(items, it)
	}
	for _, it := range items {
		for _, d := range it.dependsOn {
			if !seen[strings.ToLower(d)] {
				c.graphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Request '%s' depends on unknown request '%s'.", it.id, d), "")
				return
			}
		}
	}

	results := map[string]obj{}
	statuses := map[string]int{}
	// Run items whose dependencies are done, until all are (a dependency
	// cycle leaves items that get 424).
	for progress := true; progress; {
		progress = false
		for _, it := range items {
			key := strings.ToLower(it.id)
			if _, done := results[key]; done {
				continue
			}
			ready, failed := true, false
			for _, d := range it.dependsOn {
				st, done := statuses[strings.ToLower(d)]
				if !done {
					ready = false
				} else if st >= 400 {
					failed = true
				}
			}
			if !ready {
				continue
			}
			progress = true
			if failed {
				results[key], statuses[key] = failedDependency(it.id), http.StatusFailedDependency
				continue
			}
			results[key], statuses[key] = s.runBatchItem(c, it)
		}
	}
	out := make([]any, 0, len(items))
	for _, it := range items {
		r, ok := results[strings.ToLower(it.id)]
		if !ok {
			r = failedDependency(it.id)
		}
		out = append(out, r)
	}
	c.writeJSON(http.StatusOK, obj{{"responses", out}})
}

func failedDependency(id string) obj {
	return obj{{"id", id}, {"status", http.StatusFailedDependency},
		{"headers", obj{{"Content-Type", "application/json"}}},
		{"body", obj{{"error", obj{{"code", "FailedDependency"}, {"message", "A dependent request in the batch failed."}}}}}}
}

func parseBatchItem(raw any) (*batchItem, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("not an object")
	}
	it := &batchItem{headers: map[string]string{}}
	switch v := m["id"].(type) {
	case string:
		it.id = v
	case json.Number:
		it.id = v.String()
	}
	it.method, _ = m["method"].(string)
	it.url, _ = m["url"].(string)
	if it.id == "" || it.method == "" || it.url == "" {
		return nil, fmt.Errorf("'id', 'method' and 'url' are required")
	}
	it.method = strings.ToUpper(it.method)
	if h, ok := m["headers"].(map[string]any); ok {
		for k, v := range h {
			sv, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("header '%s' must be a string", k)
			}
			it.headers[k] = sv
		}
	}
	if deps, ok := m["dependsOn"].([]any); ok {
		for _, d := range deps {
			ds, ok := d.(string)
			if !ok {
				return nil, fmt.Errorf("dependsOn entries must be strings")
			}
			it.dependsOn = append(it.dependsOn, ds)
		}
	}
	switch b := m["body"].(type) {
	case nil:
	case string:
		dec, err := base64.StdEncoding.DecodeString(b)
		if err != nil {
			return nil, fmt.Errorf("a string body must be base64")
		}
		it.body = dec
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return nil, err
		}
		it.body = j
	}
	if it.body != nil {
		hasCT := false
		for k := range it.headers {
			if strings.EqualFold(k, "Content-Type") {
				hasCT = true
			}
		}
		if !hasCT {
			return nil, fmt.Errorf("Content-Type header must be specified for a request with a body")
		}
	}
	return it, nil
}

// runBatchItem executes one item through ServeHTTP and converts the
// response into the batch item shape the Go SDK can parse.
func (s *Server) runBatchItem(c *reqCtx, it *batchItem) (obj, int) {
	u := strings.TrimPrefix(it.url, "/")
	if strings.HasPrefix(strings.ToLower(u), "$batch") {
		return obj{{"id", it.id}, {"status", 400}, {"headers", obj{{"Content-Type", "application/json"}}},
			{"body", obj{{"error", obj{{"code", "BadRequest"}, {"message", "Nested batch requests are not supported."}}}}}}, 400
	}
	// The item inherits the envelope's context, so a client that gives up
	// cancels the items too.
	ctx := context.WithValue(c.r.Context(), batchItemKey{}, it.id)
	req, err := http.NewRequestWithContext(ctx, it.method, "/beta/"+u, bytes.NewReader(it.body))
	if err != nil {
		return obj{{"id", it.id}, {"status", 400}, {"headers", obj{{"Content-Type", "application/json"}}},
			{"body", obj{{"error", obj{{"code", "BadRequest"}, {"message", "Invalid request URL: " + err.Error()}}}}}}, 400
	}
	req.Host = c.r.Host
	req.TLS = c.r.TLS
	req.RemoteAddr = c.r.RemoteAddr
	for k, v := range it.headers {
		req.Header.Set(k, v)
	}
	if a := c.r.Header.Get("Authorization"); a != "" {
		req.Header.Set("Authorization", a)
	}
	req.Header.Set("client-request-id", c.clientRequestID)
	req.Header.Set(batchItemHeader, it.id)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	res := rec.Result()
	hdr := obj{}
	for _, k := range []string{"Content-Type", "Location", "Retry-After", "OData-Version", "Cache-Control"} {
		if v := res.Header.Get(k); v != "" {
			hdr = append(hdr, kv{k, v})
		}
	}
	o := obj{{"id", it.id}, {"status", res.StatusCode}, {"headers", hdr}}
	body := rec.Body.Bytes()
	if len(bytes.TrimSpace(body)) > 0 && strings.Contains(res.Header.Get("Content-Type"), "json") {
		var probe map[string]any
		if json.Unmarshal(body, &probe) == nil {
			o = append(o, kv{"body", json.RawMessage(body)})
		}
	}
	return o, res.StatusCode
}
