package graph

import "testing"

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
