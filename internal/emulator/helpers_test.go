package emulator_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

const (
	tenant   = "11111111-2222-4333-8444-555555555555"
	rwClient = "aaaaaaaa-0000-4000-8000-000000000001"
	roClient = "aaaaaaaa-0000-4000-8000-000000000002"
	secret   = "s3cret"
	group1   = "11111111-1111-1111-1111-111111111111"
	group2   = "22222222-2222-2222-2222-222222222222"
	filter1  = "99999999-9999-9999-9999-999999999999"
)

func startEmu(t *testing.T, mod func(*emulator.Config)) *emulator.Server {
	t.Helper()
	cfg := emulator.Config{
		TenantID: tenant,
		Apps: []emulator.App{
			{ClientID: rwClient, ClientSecret: secret, Roles: []string{emulator.PermReadWriteAll}},
			{ClientID: roClient, ClientSecret: secret, Roles: []string{emulator.PermReadAll}},
		},
	}
	if mod != nil {
		mod(&cfg)
	}
	s, err := emulator.Start(cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

type resp struct {
	status int
	header http.Header
	raw    []byte
	json   map[string]any
}

func (r *resp) str(path ...string) string {
	v := dig(r.json, path...)
	s, _ := v.(string)
	return s
}

func dig(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func (r *resp) values(t *testing.T) []map[string]any {
	t.Helper()
	arr, ok := r.json["value"].([]any)
	if !ok {
		t.Fatalf("no value array in %s", r.raw)
	}
	out := make([]map[string]any, len(arr))
	for i, v := range arr {
		out[i] = v.(map[string]any)
	}
	return out
}

func doReq(t *testing.T, s *emulator.Server, method, target, token string, body any, hdr map[string]string) *resp {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	u := target
	if !strings.HasPrefix(u, "https://") {
		u = s.URL() + target
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer func() { _ = res.Body.Close() }()
	raw, _ := io.ReadAll(res.Body)
	r := &resp{status: res.StatusCode, header: res.Header, raw: raw}
	if len(raw) > 0 && strings.Contains(res.Header.Get("Content-Type"), "json") {
		if err := json.Unmarshal(raw, &r.json); err != nil {
			t.Fatalf("%s %s: invalid JSON %q: %v", method, target, raw, err)
		}
	}
	return r
}

func tokenReq(t *testing.T, s *emulator.Server, tenantID string, form url.Values) *resp {
	t.Helper()
	req, _ := http.NewRequest("POST", s.URL()+"/"+tenantID+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	raw, _ := io.ReadAll(res.Body)
	r := &resp{status: res.StatusCode, header: res.Header, raw: raw}
	if err := json.Unmarshal(raw, &r.json); err != nil {
		t.Fatalf("token endpoint: invalid JSON %q", raw)
	}
	return r
}

func getToken(t *testing.T, s *emulator.Server, clientID string) string {
	t.Helper()
	r := tokenReq(t, s, tenant, url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {clientID},
		"client_secret": {secret},
		"scope":         {"https://graph.microsoft.com/.default openid offline_access profile"},
	})
	if r.status != 200 {
		t.Fatalf("token: %d %s", r.status, r.raw)
	}
	return r.str("access_token")
}

func jwtClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}

// nestedMessage extracts the inner "Message" of an Intune nested error.
func nestedMessage(t *testing.T, r *resp) string {
	t.Helper()
	msg := r.str("error", "message")
	if !strings.HasPrefix(msg, "{\r\n") {
		t.Fatalf("message is not the nested Intune form: %q", msg)
	}
	var inner map[string]any
	if err := json.Unmarshal([]byte(msg), &inner); err != nil {
		t.Fatalf("nested message is not JSON: %v", err)
	}
	if inner["_version"] != float64(3) {
		t.Fatalf("nested _version = %v", inner["_version"])
	}
	m, _ := inner["Message"].(string)
	return m
}

func devPath(id string, rest ...string) string {
	p := "/beta/deviceManagement/deviceConfigurations/" + id
	for _, r := range rest {
		p += "/" + r
	}
	return p
}

func group(id string) map[string]any {
	return map[string]any{"target": map[string]any{"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": id}}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// fakeClock is a clock that only moves when the test says so (Server.SetClock), so
// read-lag and throttling tests step time instead of sleeping and racing the scheduler.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

// useFakeClock installs a fake clock on s, starting at the current time.
func useFakeClock(s *emulator.Server) *fakeClock {
	c := &fakeClock{now: time.Now()}
	s.SetClock(c.Now)
	return c
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// waitFor polls cond until it holds, failing the test after timeout: for conditions that
// become true on another goroutine (a server noticing a client went away).
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// topKeys returns the member names of the JSON object raw, in wire order.
func topKeys(t *testing.T, raw []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("not a JSON object: %s", raw)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// rawValues returns the raw JSON of each item of a collection answer's value.
func rawValues(t *testing.T, r *resp) []json.RawMessage {
	t.Helper()
	var body struct {
		Value []json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(r.raw, &body); err != nil || body.Value == nil {
		t.Fatalf("no value array in %s", r.raw)
	}
	return body.Value
}

// assignItems is the body of POST {id}/assign for the Intune device families.
func assignItems(items ...map[string]any) map[string]any {
	list := make([]any, len(items))
	for i, it := range items {
		list[i] = it
	}
	return map[string]any{"assignments": list}
}

func exclusion(id string) map[string]any {
	return map[string]any{"target": map[string]any{"@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget", "groupId": id}}
}
