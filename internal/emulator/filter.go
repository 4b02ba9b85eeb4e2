package emulator

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// filterExpr is the minimal $filter the emulator understands
// (internal/graph/NOTES.md#query-options): clauses "prop eq 'value'" (also
// ne) and "isof('microsoft.graph.x')", joined with "and". Anything else is a
// 400 so a client relying on an unsupported filter notices instead of
// silently getting everything.
type filterExpr struct{ clauses []filterClause }

type filterClause struct {
	prop  string // "" for isof
	op    string // "eq", "ne", "isof"
	value string
}

var (
	reEqClause   = regexp.MustCompile(`(?i)^([A-Za-z][A-Za-z0-9]*(?:/[A-Za-z][A-Za-z0-9]*)?)\s+(eq|ne)\s+'((?:[^']|'')*)'$`)
	reIsofClause = regexp.MustCompile(`(?i)^isof\(\s*'([A-Za-z0-9.#]+)'\s*\)$`)
	reAnd        = regexp.MustCompile(`(?i)\s+and\s+`)
)

func parseFilter(f string) (*filterExpr, error) {
	fe := &filterExpr{}
	f = strings.TrimSpace(f)
	if f == "" {
		return fe, nil
	}
	for _, part := range reAnd.Split(f, -1) {
		part = strings.TrimSpace(part)
		for strings.HasPrefix(part, "(") && strings.HasSuffix(part, ")") && !reIsofClause.MatchString(part) {
			part = strings.TrimSpace(part[1 : len(part)-1])
		}
		if m := reEqClause.FindStringSubmatch(part); m != nil {
			fe.clauses = append(fe.clauses, filterClause{prop: m[1], op: strings.ToLower(m[2]), value: strings.ReplaceAll(m[3], "''", "'")})
			continue
		}
		if m := reIsofClause.FindStringSubmatch(part); m != nil {
			fe.clauses = append(fe.clauses, filterClause{op: "isof", value: "#" + strings.TrimPrefix(m[1], "#")})
			continue
		}
		return nil, fmt.Errorf("Invalid filter clause: the emulator supports only \"prop eq 'value'\", \"prop ne 'value'\" and \"isof('type')\" joined with 'and' (got %q).", part)
	}
	return fe, nil
}

// lookup resolves "a" or "a/b" in a rendered object.
func lookup(o obj, path string) (any, bool) {
	var cur any = o
	for _, p := range strings.Split(path, "/") {
		co, ok := cur.(obj)
		if !ok {
			return nil, false
		}
		found := false
		for _, m := range co {
			if strings.EqualFold(m.k, p) {
				cur, found = m.v, true
				break
			}
		}
		if !found {
			return nil, false
		}
	}
	return cur, true
}

func (fe *filterExpr) match(o obj) bool {
	if fe == nil {
		return true
	}
	for _, c := range fe.clauses {
		switch c.op {
		case "isof":
			t, _ := lookup(o, "@odata.type")
			ts, _ := t.(string)
			if !strings.EqualFold(ts, c.value) {
				return false
			}
		default:
			v, _ := lookup(o, c.prop)
			s := fmt.Sprint(v)
			if v == nil {
				s = ""
			}
			eq := strings.EqualFold(s, c.value)
			if (c.op == "eq") != eq {
				return false
			}
		}
	}
	return true
}

// orderBy sorts rendered items by "$orderby=prop [asc|desc]" (one key).
func orderBy(items []obj, spec string) error {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil
	}
	fields := strings.Fields(spec)
	if len(fields) > 2 || strings.Contains(spec, ",") {
		return fmt.Errorf("The emulator supports $orderby on a single property only (got %q).", spec)
	}
	desc := false
	if len(fields) == 2 {
		switch strings.ToLower(fields[1]) {
		case "asc":
		case "desc":
			desc = true
		default:
			return fmt.Errorf("Invalid $orderby direction %q.", fields[1])
		}
	}
	key := func(o obj) string {
		v, _ := lookup(o, fields[0])
		if v == nil {
			return ""
		}
		return strings.ToLower(fmt.Sprint(v))
	}
	sort.SliceStable(items, func(i, j int) bool {
		if desc {
			return key(items[i]) > key(items[j])
		}
		return key(items[i]) < key(items[j])
	})
	return nil
}
