package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	absser "github.com/microsoft/kiota-abstractions-go/serialization"
	jsonser "github.com/microsoft/kiota-serialization-json-go"
)

// The assignment bodies Graph answers are read in two passes over the same bytes:
// encoding/json cuts each assignment out of the page exactly as Graph wrote it (kept as
// Assignment.Raw), and the kiota models below read the members the provider knows from
// that one item. kiota's parse node cannot give the item's text back: it holds a tree of
// maps, which loses member order and the exact spelling of numbers (NOTES.md#assign).

// readOnlyMembers are the assignment members the service sets itself and a client does
// not send back (NOTES.md#assign): source and sourceId are documented read-only, the id
// is computed from the target, and lastModifiedDateTime is stamped by each write
// (NOTES.md#assignment-ids, NOTES.md#administrative-templates). Today's writes never
// carried them either, and the service accepts that.
var readOnlyMembers = map[string]bool{"id": true, "source": true, "sourceId": true, "lastModifiedDateTime": true}

// member is one member of a JSON object, its value as written.
type member struct {
	key   string
	value json.RawMessage
}

// objectMembers returns the members of a JSON object in the order written. It fails
// for anything that is not one object.
func objectMembers(obj []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not a JSON object")
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, errors.New("object key is not a string")
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, member{key, v})
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("data after the JSON object")
	}
	return out, nil
}

// writeObject is the JSON object of members, in order.
func writeObject(ms []member) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(quote(m.key))
		b.WriteByte(':')
		b.Write(m.value)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// quote is s as a JSON string, with <, > and & left as they are.
func quote(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func isJSONObject(v []byte) bool {
	v = bytes.TrimLeft(v, " \t\r\n")
	return len(v) > 0 && v[0] == '{'
}

func isJSONNull(v []byte) bool { return string(bytes.TrimSpace(v)) == "null" }

// assignmentPage is one page of an assignments collection: value and @odata.nextLink.
type assignmentPage struct {
	assignments []Assignment
	nextLink    string
}

// decodePage reads {"value": [assignment, …], "@odata.nextLink": "…"}. Other members
// (@odata.context, @odata.count) are ignored. A body that is not an object, a value that
// is not an array, or an assignment member of the wrong type is an error.
func decodePage(body []byte) (assignmentPage, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return assignmentPage{}, err
	}
	if top == nil {
		return assignmentPage{}, errors.New("the answer is null")
	}
	var page assignmentPage
	if err := stringMember(top, "@odata.nextLink", &page.nextLink); err != nil {
		return assignmentPage{}, err
	}
	as, err := decodeAssignments(top["value"])
	if err != nil {
		return assignmentPage{}, err
	}
	page.assignments = as
	return page, nil
}

// stringMember reads an optional string member; null and absent leave dst as it is.
func stringMember(m map[string]json.RawMessage, key string, dst *string) error {
	v, ok := m[key]
	if !ok || isJSONNull(v) {
		return nil
	}
	if err := json.Unmarshal(v, dst); err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	return nil
}

// decodeAssignments reads a JSON array of assignments (absent or null: none). Null items
// are skipped, as the SDK's collection reader does.
func decodeAssignments(list json.RawMessage) ([]Assignment, error) {
	if len(list) == 0 || isJSONNull(list) {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(list, &items); err != nil {
		return nil, fmt.Errorf("value: %w", err)
	}
	out := make([]Assignment, 0, len(items))
	for i, it := range items {
		if isJSONNull(it) {
			continue
		}
		a, err := decodeAssignment(it)
		if err != nil {
			return nil, fmt.Errorf("value[%d]: %w", i, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// decodeAssignment reads one assignment; Raw is the item's JSON text (compacted: the
// provider's reads never depend on whitespace) when it is an object, and "" otherwise.
func decodeAssignment(item json.RawMessage) (Assignment, error) {
	node, err := jsonser.NewJsonParseNode(item)
	if err != nil {
		return Assignment{}, err
	}
	v, err := node.GetObjectValue(func(absser.ParseNode) (absser.Parsable, error) { return &rawAssignment{}, nil })
	if err != nil {
		return Assignment{}, err
	}
	ra, ok := v.(*rawAssignment)
	if !ok || ra == nil {
		return Assignment{}, errors.New("not an assignment")
	}
	a := ra.toAssignment()
	if isJSONObject(item) {
		var b bytes.Buffer
		if err := json.Compact(&b, item); err != nil {
			return Assignment{}, err
		}
		a.Raw = b.String()
	}
	return a, nil
}

// decodeEntity reads one assignment answered as an entity (a create's 201): its
// @odata.context is the answer's, not the assignment's, and is left out of Raw.
func decodeEntity(body []byte) (Assignment, error) {
	ms, err := objectMembers(body)
	if err != nil {
		return Assignment{}, err
	}
	kept := ms[:0]
	for _, m := range ms {
		if m.key != "@odata.context" {
			kept = append(kept, m)
		}
	}
	return decodeAssignment(writeObject(kept))
}

// rawStillDescribes reports whether a.Raw is the assignment a holds: reading Raw again
// gives a's fields. A caller that changed a field after the read, and left Raw, made an
// assignment that Raw no longer describes.
func rawStillDescribes(a Assignment) bool {
	if a.Raw == "" {
		return false
	}
	again, err := decodeAssignment(json.RawMessage(a.Raw))
	if err != nil || again.Raw == "" {
		return false
	}
	again.Raw, a.Raw = "", ""
	again.Members, a.Members = "", ""
	return again == a
}

// wireTarget and wireAssignment are what the provider writes for an assignment it built
// (wireTarget has Target's fields, with their wire names):
// the assignment type (Family.AssignmentODataType) and the target's non-empty members,
// in this order (NOTES.md#assignments: clients send only the target).
type wireTarget struct {
	ODataType    string `json:"@odata.type,omitempty"`
	GroupID      string `json:"groupId,omitempty"`
	CollectionID string `json:"collectionId,omitempty"`
	FilterID     string `json:"deviceAndAppManagementAssignmentFilterId,omitempty"`
	FilterType   string `json:"deviceAndAppManagementAssignmentFilterType,omitempty"`
}

type wireAssignment struct {
	ODataType string     `json:"@odata.type,omitempty"`
	Target    wireTarget `json:"target"`
}

// encodeAssignment is the JSON object sent for a in f's assign or create body.
//
// An assignment read from Graph (Raw set, and still describing a) goes back as Graph
// sent it, members the provider does not model included (an unknown target type and its
// members, new assignment members): a replace-all write must not drop what other tools
// set. Only the read-only members the service sets itself are left out
// (readOnlyMembers, NOTES.md#assign), and f's assignment type is added where Graph's
// item had none, as for a built one. Any other assignment (Raw empty, or its fields
// changed since the read) is written from its fields: the type and the target.
func encodeAssignment(f Family, a Assignment) (json.RawMessage, error) {
	if rawStillDescribes(a) {
		ms, err := objectMembers([]byte(a.Raw))
		if err == nil {
			kept := make([]member, 0, len(ms)+1)
			typed := false
			for _, m := range ms {
				if readOnlyMembers[m.key] {
					continue
				}
				typed = typed || m.key == "@odata.type"
				kept = append(kept, m)
			}
			if !typed && f.AssignmentODataType != "" {
				kept = append([]member{{"@odata.type", quote(f.AssignmentODataType)}}, kept...)
			}
			return writeObject(overlay(kept, a.Members)), nil
		}
	}
	// A conversion, not a literal: a field added to Target fails to compile here until
	// it is decided whether clients may write it.
	built, err := json.Marshal(wireAssignment{ODataType: f.AssignmentODataType, Target: wireTarget(a.Target)})
	if err != nil || a.Members == "" {
		return built, err
	}
	ms, err := objectMembers(built)
	if err != nil {
		return nil, err
	}
	return writeObject(overlay(ms, a.Members)), nil
}

// overlay writes extra over ms: a member of the same name is replaced, or, when both are
// JSON objects of the same @odata.type (or extra's has none), merged member by member;
// others are appended in order.
func overlay(ms []member, members string) []member {
	if members == "" {
		return ms
	}
	extra, err := objectMembers([]byte(members))
	if err != nil {
		return ms
	}
	for _, x := range extra {
		found := false
		for i := range ms {
			if ms[i].key != x.key {
				continue
			}
			found = true
			ms[i].value = mergeObjects(ms[i].value, x.value)
		}
		if !found {
			ms = append(ms, x)
		}
	}
	return ms
}

// mergeObjects is over written onto base when both are objects of one type, else over.
func mergeObjects(base, over json.RawMessage) json.RawMessage {
	if !isJSONObject(base) || !isJSONObject(over) {
		return over
	}
	bm, err1 := objectMembers(base)
	om, err2 := objectMembers(over)
	if err1 != nil || err2 != nil {
		return over
	}
	typeOf := func(ms []member) string {
		for _, m := range ms {
			if m.key == "@odata.type" {
				var s string
				_ = json.Unmarshal(m.value, &s)
				return strings.ToLower(strings.TrimPrefix(s, "#"))
			}
		}
		return ""
	}
	if bt, ot := typeOf(bm), typeOf(om); bt != "" && ot != "" && bt != ot {
		return over
	}
	return writeObject(overlay(bm, string(over)))
}

// encodeAssignBody is f's assign body: {"<BodyKey>": [assignment, …]}, in the given
// order; an empty or nil list is written as [] (it clears the direct set,
// NOTES.md#assign). Items are copied as encodeAssignment wrote them: json.Marshal would
// rewrite <, > and & inside the strings of a Graph item as \u escapes.
func encodeAssignBody(f Family, as []Assignment) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	b.Write(quote(f.BodyKey))
	b.WriteString(":[")
	for i, a := range as {
		it, err := encodeAssignment(f, a)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(it)
	}
	b.WriteString("]}")
	return b.Bytes(), nil
}
