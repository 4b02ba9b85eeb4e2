package graph

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

type staticToken struct{}

func (staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: "t", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// answer is one canned HTTP answer.
type answer struct {
	status      int
	contentType string
	body        string
}

func (a answer) write(w http.ResponseWriter) {
	if a.contentType != "" {
		w.Header().Set("Content-Type", a.contentType)
	}
	w.WriteHeader(a.status)
	_, _ = w.Write([]byte(a.body))
}

// Intune's 404 for an unknown policy, with its message nested as a JSON string
// (NOTES.md#errors).
const intuneNotFound = `{"error":{"code":"ResourceNotFound","message":"{\r\n  \"_version\": 3,\r\n  \"Message\": \"An error has occurred - Operation ID (for customer support): 00000000-0000-0000-0000-000000000000\",\r\n  \"RetryAfter\": null\r\n}","innerError":{"date":"2024-05-01T12:00:00","request-id":"r1","client-request-id":"c1"}}}`

// The 404s a wrong URL gets: only Graph's "the addressed entity does not exist" makes
// IsNotFound true; any other 404 (no Graph error body, another code) names the request,
// so the user sees which URL was wrong, and is never taken for a deleted policy.
func TestOnlyAMissingEntityIsNotFound(t *testing.T) {
	cases := []struct {
		name    string
		answer  answer
		missing bool
	}{
		{"Intune ResourceNotFound", answer{404, "application/json", intuneNotFound}, true},
		{"code in another case", answer{404, "application/json", `{"error":{"code":"resourceNotFound","message":"gone"}}`}, true},
		{"generic itemNotFound", answer{404, "application/json", `{"error":{"code":"itemNotFound","message":"The requested resource doesn't exist."}}`}, true},
		{"404 without a body, as from a proxy", answer{404, "", ""}, false},
		{"404 with an HTML page, as from a wrong host", answer{404, "text/html", "<html><body>404 Not Found</body></html>"}, false},
		{"404 with a JSON body that is not a Graph error", answer{404, "application/json", `{"error":"not_found","error_description":"no such endpoint"}`}, false},
		{"404 with another Graph code", answer{404, "application/json", `{"error":{"code":"NotFound","message":"Not Found"}}`}, false},
		{"unknown segment", answer{400, "application/json", `{"error":{"code":"BadRequest","message":"Resource not found for the segment 'deviceConfigurationz'."}}`}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { tc.answer.write(w) }))
			defer srv.Close()
			c, _ := tokenTestClient(t, srv.URL, staticToken{}, nil)
			api := c.Assignments(DeviceConfigurationsFamily)

			for _, call := range []struct {
				method string
				run    func() error
				url    string
			}{
				{"GET", func() error { _, err := api.List(context.Background(), "p-1"); return err },
					srv.URL + "/beta/deviceManagement/deviceConfigurations/p-1/assignments"},
				{"DELETE", func() error { return api.Delete(context.Background(), "p-1", "a-1") },
					srv.URL + "/beta/deviceManagement/deviceConfigurations/p-1/assignments/a-1"},
			} {
				err := call.run()
				if IsNotFound(err) != tc.missing {
					t.Fatalf("%s: IsNotFound = %v, want %v (error: %v)", call.method, !tc.missing, tc.missing, err)
				}
				var ge *Error
				if !errors.As(err, &ge) {
					t.Fatalf("%s: want an *Error, got %T %v", call.method, err, err)
				}
				if ge.StatusCode != tc.answer.status || ge.Method != call.method || ge.URL != call.url {
					t.Fatalf("%s: status %d, request %q %q; want %d, %q %q", call.method, ge.StatusCode, ge.Method, ge.URL,
						tc.answer.status, call.method, call.url)
				}
				if !tc.missing && !strings.Contains(ge.Details(), call.method+" "+call.url) {
					t.Fatalf("%s: the details do not name the request %s %s:\n%s", call.method, call.method, call.url, ge.Details())
				}
			}
		})
	}
}

// A $batch item's 404 is classified as a direct request's: ResourceNotFound means gone,
// any other 404 is an error naming the item's own request.
func TestBatchItemNotFoundIsClassifiedLikeADirectRead(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Requests []struct {
				ID  string `json:"id"`
				URL string `json:"url"`
			} `json:"requests"`
		}
		var body io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" { // kiota compresses request bodies (NOTES.md#headers)
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				http.Error(w, "bad gzip", http.StatusBadRequest)
				return
			}
			body = zr
		}
		if err := json.NewDecoder(body).Decode(&req); err != nil || len(req.Requests) != 3 {
			http.Error(w, "bad batch", http.StatusBadRequest)
			return
		}
		raw := func(s string) json.RawMessage { return json.RawMessage(s) }
		items := []map[string]any{
			{"id": req.Requests[0].ID, "status": 404, "headers": map[string]string{"Content-Type": "application/json"}, "body": raw(intuneNotFound)},
			{"id": req.Requests[1].ID, "status": 404, "headers": map[string]string{"Content-Type": "application/json"}, "body": raw(`{"error":{"code":"NotFound","message":"Not Found"}}`)},
			{"id": req.Requests[2].ID, "status": 200, "headers": map[string]string{"Content-Type": "application/json"}, "body": raw(`{"value":[]}`)},
		}
		answer{200, "application/json", mustJSON(t, map[string]any{"responses": items})}.write(w)
	}))
	defer srv.Close()
	c, _ := tokenTestClient(t, srv.URL, staticToken{}, nil)
	got, err := c.Assignments(DeviceConfigurationsFamily).ListMany(context.Background(), []string{"gone", "wrong", "fine"})
	if err != nil {
		t.Fatal(err)
	}
	if !IsNotFound(got[0].Err) {
		t.Errorf("item answered 404 ResourceNotFound: IsNotFound false (%v)", got[0].Err)
	}
	var ge *Error
	if IsNotFound(got[1].Err) || !errors.As(got[1].Err, &ge) {
		t.Fatalf("item answered 404 NotFound: want an *Error that is not IsNotFound, got %T %v", got[1].Err, got[1].Err)
	}
	want := "GET " + srv.URL + "/beta/deviceManagement/deviceConfigurations/wrong/assignments"
	if !strings.Contains(ge.Details(), want) {
		t.Errorf("the item's details do not name its request %q:\n%s", want, ge.Details())
	}
	if got[2].Err != nil {
		t.Errorf("item answered 200: %v", got[2].Err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The status kept for an unparsable error answer is the final answer's only: a call whose
// last attempt got no answer (here a timeout after a 503) stays an error without a status,
// whose details speak of the timeout, not of the earlier 503.
func TestAnAnswerlessEndKeepsNoStatus(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			answer{503, "text/html", "<html>busy</html>"}.write(w)
			return
		}
		<-r.Context().Done()
	}))
	defer srv.Close()
	c, _ := tokenTestClient(t, srv.URL, staticToken{}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err := c.Assignments(DeviceConfigurationsFamily).List(ctx, "p-1")
	var ge *Error
	if !errors.As(err, &ge) || ge.StatusCode != 0 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want an *Error without a status for the timeout, got %T %v", err, err)
	}
	if !strings.Contains(ge.Details(), "timeout ended") {
		t.Fatalf("the details do not speak of the timeout:\n%s", ge.Details())
	}
}
