package graph

import (
	"strings"
	"testing"
)

func TestUnwrapIntuneMessage(t *testing.T) {
	cases := map[string]string{
		"plain text": "plain text",
		"{\r\n  \"_version\": 3,\r\n  \"Message\": \"An error has occurred - Operation ID (for customer support): 0\",\r\n  \"RetryAfter\": null\r\n}": "An error has occurred - Operation ID (for customer support): 0",
		// double nesting seen on UnknownError answers
		`{"ErrorCode":"Forbidden","Message":"{\r\n \"_version\": 3, \"Message\": \"Application is not authorized\"}"}`: "Application is not authorized",
		"{not json": "{not json",
	}
	for in, want := range cases {
		if got := unwrapIntuneMessage(in); got != want {
			t.Errorf("unwrapIntuneMessage(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeFilterTreatsEveryNoFilterSpellingAlike(t *testing.T) {
	for _, c := range [][2]string{{"", ""}, {"", "none"}, {"00000000-0000-0000-0000-000000000000", "none"}, {"abc", "None"},
		// A filter type without a filter (null or zero GUID) filters nothing; keeping the type
		// would give a state whose generated configuration fails validation (filter_type
		// without filter_id).
		{"", "include"}, {"00000000-0000-0000-0000-000000000000", "exclude"}} {
		if id, typ := normalizeFilter(c[0], c[1]); id != "" || typ != "" {
			t.Errorf("normalizeFilter(%q, %q) = %q, %q; want no filter", c[0], c[1], id, typ)
		}
	}
	if id, typ := normalizeFilter("abc", "Include"); id != "abc" || typ != "include" {
		t.Errorf("a real filter must survive, got %q %q", id, typ)
	}
}

// A request the client gave up on says whether anything can have been applied and what to
// change, for reads and writes alike.
func TestNotSentErrorSaysWhatWasSentAndWhatToChange(t *testing.T) {
	cases := []struct {
		err          NotSentError
		want, absent []string
	}{
		{NotSentError{Reason: NotSentPacing, Method: "POST"}, []string{"never sent to Graph", "rate_limit", "Nothing was changed in Intune", `update = "45m"`}, []string{"may have applied"}},
		{NotSentError{Reason: NotSentPacing, Method: "GET"}, []string{"never sent to Graph", `read = "20m"`}, []string{"Nothing was changed", "may have applied"}},
		{NotSentError{Reason: NotSentRetryWait, Method: "POST", Attempts: 3, LastStatus: 429}, []string{"HTTP 429", "3 tries", "Nothing was changed in Intune"}, nil},
		{NotSentError{Reason: NotSentRetryWait, Method: "POST", Attempts: 2, LastStatus: 503, MaybeApplied: true}, []string{"may have applied"}, []string{"Nothing was changed"}},
	}
	for _, c := range cases {
		d := c.err.Details()
		for _, w := range c.want {
			if !strings.Contains(d, w) {
				t.Errorf("%+v: details lack %q:\n%s", c.err, w, d)
			}
		}
		for _, a := range c.absent {
			if strings.Contains(d, a) {
				t.Errorf("%+v: details must not say %q:\n%s", c.err, a, d)
			}
		}
	}
}
