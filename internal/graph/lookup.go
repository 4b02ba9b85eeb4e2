package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	abs "github.com/microsoft/kiota-abstractions-go"
)

// Collection is a Graph collection that lookups read: policies of a family, or assignment
// filters (NOTES.md#families, NOTES.md#assignment-filters).
type Collection struct {
	// Path is the collection below the version root, e.g. "/deviceManagement/assignmentFilters".
	Path string
	// NameProperty is the property holding the name the portal shows: "" for displayName;
	// settings-catalog policies call it "name" (NOTES.md#settings-catalog).
	NameProperty string
	// Props are the properties read besides id, the name and lastModifiedDateTime
	// (@odata.type always comes with $select, NOTES.md#query-options). A dotted name
	// reads a member of an object property, e.g. "templateReference.templateFamily".
	Props []string
}

func (c Collection) nameProperty() string {
	if c.NameProperty == "" {
		return "displayName"
	}
	return c.NameProperty
}

// Item is one entity of a collection as a lookup reads it.
type Item struct {
	ID, DisplayName string
	// ODataType is the entity's type without "#microsoft.graph.", e.g.
	// "windowsDefenderAdvancedThreatProtectionConfiguration"; "" when Graph leaves it out
	// (it does for the collection's own base type).
	ODataType string
	// LastModified is lastModifiedDateTime as Graph wrote it (RFC 3339), or "".
	LastModified string
	// Props holds the collection's Props as strings ("" when absent or null).
	Props map[string]string
}

// ListItems reads the whole collection with $select (id, displayName,
// lastModifiedDateTime and Props), following @odata.nextLink to the last page
// (NOTES.md#paging). Names are not narrowed on the server: Graph's `eq` on strings
// compares with case, and which $filter forms Intune accepts is not documented
// (NOTES.md#query-options), so callers match names themselves. Errors are List's.
func (c *Client) ListItems(ctx context.Context, coll Collection) ([]Item, error) {
	link := c.baseURL + coll.Path + "?" + selectQuery(coll)
	var out []Item
	for page := 0; link != ""; page++ {
		if page > 10000 {
			return nil, fmt.Errorf("listing %s: more than 10000 pages, giving up", coll.Path)
		}
		ri, err := getURL(link)
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", coll.Path, err)
		}
		var body struct {
			Value    []map[string]any `json:"value"`
			NextLink string           `json:"@odata.nextLink"`
		}
		if err := c.getJSON(ctx, ri, &body); err != nil {
			return nil, err
		}
		for _, v := range body.Value {
			out = append(out, itemFrom(v, coll))
		}
		link = body.NextLink
	}
	return out, nil
}

// GetItem reads one entity of the collection by ID, with the same $select as ListItems.
// A missing entity is an error for which IsNotFound is true.
func (c *Client) GetItem(ctx context.Context, coll Collection, id string) (Item, error) {
	ri, err := getURL(c.baseURL + coll.Path + "/" + url.PathEscape(id) + "?" + selectQuery(coll))
	if err != nil {
		return Item{}, err
	}
	var v map[string]any
	if err := c.getJSON(ctx, ri, &v); err != nil {
		return Item{}, err
	}
	return itemFrom(v, coll), nil
}

func selectQuery(coll Collection) string {
	sel := []string{"id", coll.nameProperty(), "lastModifiedDateTime"}
	for _, p := range coll.Props {
		top, _, _ := strings.Cut(p, ".")
		if !slices.Contains(sel, top) {
			sel = append(sel, top)
		}
	}
	return "$select=" + strings.Join(sel, ",")
}

func (c *Client) getJSON(ctx context.Context, ri *abs.RequestInformation, into any) error {
	ctx, st := withStatus(ctx)
	raw, err := c.adapter.SendPrimitive(ctx, ri, "[]byte", errorMapping)
	if err != nil {
		return requestError(err, ri, st)
	}
	b, _ := raw.([]byte)
	if len(b) == 0 {
		return fmt.Errorf("Graph returned no body") //nolint:staticcheck // ST1005: "Graph" is a proper noun, as in the other "Graph returned no body" errors
	}
	if err := json.Unmarshal(b, into); err != nil {
		return fmt.Errorf("reading Graph's answer: %w", err)
	}
	return nil
}

func itemFrom(v map[string]any, coll Collection) Item {
	str := func(k string) string {
		x, whole := v[k] // "@odata.type" is one key; "templateReference.templateFamily" a path
		if !whole {
			var at any = v
			for _, part := range strings.Split(k, ".") {
				m, _ := at.(map[string]any)
				at = m[part]
			}
			x = at
		}
		switch x := x.(type) {
		case string:
			return x
		case nil:
			return ""
		default:
			b, _ := json.Marshal(x)
			return string(b)
		}
	}
	it := Item{ID: str("id"), DisplayName: str(coll.nameProperty()), LastModified: str("lastModifiedDateTime"),
		ODataType: strings.TrimPrefix(strings.TrimPrefix(str("@odata.type"), "#"), "microsoft.graph."), Props: map[string]string{}}
	for _, p := range coll.Props {
		it.Props[p] = str(p)
	}
	return it
}
