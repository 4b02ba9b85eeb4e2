package assignments

import "strings"

// Every type name of a family derives from its Stem (issue 11):
//
//	intune_<stem>_assignments   authoritative resource, its data source and list resource
//	intune_<stem>_assignment    single-assignment resource
//	intune_<stem>, intune_<stem>s   lookups (Family.Lookup)

func (f *Family) authoritativeSuffix() string { return f.Stem + "_assignments" }
func (f *Family) singleSuffix() string        { return f.Stem + "_assignment" }
func (f *Family) singleType() string          { return "intune_" + f.singleSuffix() }

// policyKey identifies a policy across the family's resources in one process: the Graph
// collection and the policy ID in lower case, as Graph compares IDs. Locks and claims use
// it, so the authoritative and the single-assignment resources exclude each other.
func (f *Family) policyKey(policyID string) string {
	return f.Graph.CollectionPath + "|" + strings.ToLower(policyID)
}

// PluralNoun is the English plural of a noun phrase: its head noun, the part before a
// qualifier (" for …", " (…)"), takes the plural: "app configuration policies for managed
// apps", "compliance policies (settings catalog)"; a head already plural ("terms and
// conditions") stays.
func PluralNoun(s string) string {
	head, tail := s, ""
	for _, sep := range []string{" (", " for "} {
		if i := strings.Index(head, sep); i > 0 {
			head, tail = head[:i], head[i:]+tail
		}
	}
	switch {
	case strings.HasSuffix(head, "y"):
		head = strings.TrimSuffix(head, "y") + "ies"
	case strings.HasSuffix(head, "s"):
	default:
		head += "s"
	}
	return head + tail
}

// UpperFirst capitalises s, except a first word already cased inside (macOS, iOS).
func UpperFirst(s string) string {
	if s == "" {
		return s
	}
	word, _, _ := strings.Cut(s, " ")
	if strings.ToLower(word[1:]) != word[1:] {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Article is s with its indefinite article: "an app", "a remediation script".
func Article(s string) string {
	if s != "" && strings.ContainsRune("aeiouAEIOU", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}
