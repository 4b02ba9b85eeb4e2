package emulator

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Members the emulator does not model (Assignment.Extra, Target.Extra).
//
// The emulator's model of assignments is the one of the Go SDK v0.165.0 (five target
// types, the members of internal/graph/NOTES.md#families), and in strict mode it refuses
// anything else, as Graph refuses a property its schema lacks. The live service is newer
// than that model: other tools set target types (organizationalUnitAssignmentTarget,
// …) and assignment members it does not know. A test stands for such a tenant by seeding
// assignments with Extra members (Set*Assignments): the seeded target types and members
// become part of the emulated service's schema (schemaExt), so writes may carry them in
// strict mode too, and they are stored and answered back as sent. Names nobody seeded
// stay unknown: a 400 in strict mode, dropped under LenientValidation, as before.

// schemaExt is what seeding added to the schema, per family path. A published value is
// never changed: Server.ext is replaced as a whole, under s.mu, so parsers read a
// snapshot unlocked.
type schemaExt map[string]*famExt

// famExt is one family's part of the extension; nil: nothing seeded.
type famExt struct {
	assign  map[string]bool      // assignment members beyond the model
	targets map[string]extTarget // target type (lower case, no '#') -> its members beyond the model; a type the model lacks is a key
}

// extTarget is a target type with members beyond the model.
type extTarget struct {
	typ     string // as seeded, with '#'
	members map[string]bool
}

func (x *famExt) assignMember(k string) bool { return x != nil && x.assign[k] }

// targetType is the seeded spelling of a target type (matched without regard to case
// or '#', as canonicalType does for the modelled ones).
func (x *famExt) targetType(raw string) (string, bool) {
	if x == nil {
		return "", false
	}
	t, ok := x.targets[typeKey(raw)]
	return t.typ, ok
}

func (x *famExt) targetMember(typ, k string) bool {
	return x != nil && x.targets[typeKey(typ)].members[k]
}

func typeKey(typ string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(typ), "#"))
}

// schemaOf is f's current extension (nil: none seeded).
func (s *Server) schemaOf(f *policyFamily) *famExt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ext[f.path]
}

// extendSchema publishes a new extension with the Extra members of the stored
// assignments as, and the target types the model lacks among them (unknownTypes).
// Caller holds s.mu.
func (s *Server) extendSchema(f *policyFamily, as []Assignment, unknownTypes map[string]bool) {
	add := false
	for _, a := range as {
		add = add || len(a.Extra) > 0 || len(a.Target.Extra) > 0 || unknownTypes[a.Target.ODataType]
	}
	if !add {
		return
	}
	next := schemaExt{}
	for k, v := range s.ext {
		next[k] = v // never changed once published
	}
	fx := &famExt{assign: map[string]bool{}, targets: map[string]extTarget{}}
	if old := s.ext[f.path]; old != nil {
		fx.assign = cloneSet(old.assign)
		for k, v := range old.targets {
			fx.targets[k] = extTarget{typ: v.typ, members: cloneSet(v.members)}
		}
	}
	for _, a := range as {
		for k := range a.Extra {
			fx.assign[k] = true
		}
		if len(a.Target.Extra) == 0 && !unknownTypes[a.Target.ODataType] {
			continue
		}
		key := typeKey(a.Target.ODataType)
		t, ok := fx.targets[key]
		if !ok {
			t = extTarget{typ: a.Target.ODataType, members: map[string]bool{}}
		}
		for k := range a.Target.Extra {
			t.members[k] = true
		}
		fx.targets[key] = t
	}
	next[f.path] = fx
	s.ext = next
}

func cloneSet(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// seedTargetType is the wire spelling of a seeded target type the model lacks: a
// "#microsoft.graph.…AssignmentTarget" other than the abstract base types.
func seedTargetType(raw string) (string, bool) {
	n := strings.TrimPrefix(strings.TrimSpace(raw), "#")
	name, ok := strings.CutPrefix(n, "microsoft.graph.")
	if !ok || !strings.HasSuffix(name, "AssignmentTarget") ||
		strings.EqualFold(name, "deviceAndAppManagementAssignmentTarget") || strings.EqualFold(name, "officeConfigurationAssignmentTarget") {
		return "", false
	}
	return "#" + n, true
}

// checkExtra refuses Extra members that the model has (modeled) or that are not JSON,
// and returns a copy normalised to what a request decodes to (json.Number, map[string]any,
// []any, string, bool, nil), so that seeded and posted members compare alike.
func checkExtra(what string, extra map[string]any, modeled map[string]bool) (map[string]any, error) {
	if len(extra) == 0 {
		return nil, nil
	}
	out := make(map[string]any, len(extra))
	for k, v := range extra {
		if modeled[k] || k == "" {
			return nil, fmt.Errorf("emulator: %s Extra member %q is modelled; set the field instead", what, k)
		}
		n, err := normaliseJSON(v)
		if err != nil {
			return nil, fmt.Errorf("emulator: %s Extra member %q: %w", what, k, err)
		}
		out[k] = n
	}
	return out, nil
}

// normaliseJSON is v as a request body decodes it (UseNumber).
func normaliseJSON(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

// cloneExtra deep-copies decoded JSON members, so that stored assignments share nothing
// with what a caller holds.
func cloneExtra(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneJSON(v)
	}
	return out
}

func cloneJSON(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return cloneExtra(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = cloneJSON(e)
		}
		return out
	default:
		return v
	}
}

// cloneAssignment is a with its Extra members copied.
func cloneAssignment(a Assignment) Assignment {
	a.Extra = cloneExtra(a.Extra)
	a.Target.Extra = cloneExtra(a.Target.Extra)
	return a
}

// appendExtra appends the Extra members to o, sorted by name (the emulator cannot know
// where the service would put members it does not model).
func appendExtra(o obj, extra map[string]any) obj {
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		o = append(o, kv{k, extra[k]})
	}
	return o
}

// takeExtra moves the members of m that known says are part of the schema into a new
// map (nil when none); the rest is the caller's to check.
func takeExtra(m map[string]any, known func(k string) bool) map[string]any {
	var out map[string]any
	for k, v := range m {
		if known(k) {
			if out == nil {
				out = map[string]any{}
			}
			out[k] = v
		}
	}
	return out
}

// unknownTargetKey is the id key of a target type the model lacks [INF: undocumented]:
// its first member (by name) whose name ends in "Id" and whose value is a string,
// lower-cased (organizationalUnitId, groupId), else a digest of its members, so that
// the same target always gets the same id and different ones differ
// (internal/graph/NOTES.md#assignment-ids).
func unknownTargetKey(t Target) string {
	keys := make([]string, 0, len(t.Extra))
	for k := range t.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if s, ok := t.Extra[k].(string); ok && strings.HasSuffix(k, "Id") && s != "" {
			return strings.ToLower(s)
		}
	}
	b, _ := json.Marshal(t.Extra) // maps marshal with sorted keys
	sum := sha256.Sum256(append([]byte(strings.ToLower(t.ODataType)+"|"), b...))
	return hex.EncodeToString(sum[:16])
}
