package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/intunetf/terraform-provider-intune/internal/assignments"
)

// fieldDoc is one family-defined assignment field (assignments.AssignmentField) as the pages
// show it: its attributes with their values and Graph's defaults, and, for an object field
// whose @odata.type follows the policy's type (Variants: an app's settings), which policy
// types take which attribute; for an object with a discriminator (a run schedule's `type`),
// which kind takes which attribute. All of it comes from the descriptor, so it cannot drift.
type fieldDoc struct {
	Name, Description               string
	Identity, Required, NotReadBack bool
	Values                          string // what the field takes, e.g. "one of `required`, `available`"

	Attrs []attrRow // the object's attributes, nested ones as `parent.child`; none for a scalar

	VariantNoun string       // e.g. "app type"
	Variants    []variantRow // one per policy type that takes the field, by name

	Discriminator string    // the attribute that chooses the object's type, e.g. "type"
	Kinds         []kindRow // one per value of it, by name
}

type attrRow struct {
	Path     string // e.g. "`restart_settings.grace_period_in_minutes`"
	Values   string // e.g. "integer, 1–20160"
	Default  string // Graph's value when it is not sent, e.g. "`showAll`"; "" none
	Takes    string // the policy types or kinds that take it, e.g. "`win32LobApp`, `winGetApp`"
	Required bool
}

type variantRow struct {
	Type      string // "`win32LobApp`"
	ODataType string // "`#microsoft.graph.win32LobAppAssignmentSettings`"
	Attrs     string // the attributes it takes
}

type kindRow struct {
	Value     string // "`daily`"
	ODataType string
	Attrs     string // the attributes it takes, required ones marked
}

func newFieldDoc(fd *assignments.AssignmentField) fieldDoc {
	out := fieldDoc{Name: fd.Name, Description: fd.Description, Identity: fd.Identity, Required: fd.Required,
		NotReadBack: fd.NotReadBack, Values: valuesOf(&fd.Attr), VariantNoun: fd.VariantNoun}
	if fd.Kind != assignments.KindObject {
		return out
	}
	var types []string
	for t := range fd.Variants {
		types = append(types, t)
	}
	sort.Slice(types, func(i, j int) bool { return strings.ToLower(types[i]) < strings.ToLower(types[j]) })
	var disc *assignments.Attr
	for i := range fd.Attrs {
		if fd.Attrs[i].Discriminator != nil {
			disc = &fd.Attrs[i]
		}
	}
	// takes lists who takes an attribute: its Only, or, when nil, "as its parent".
	takes := func(a *assignments.Attr, parent string) string {
		switch {
		case a.Only != nil:
			return strings.Join(quote(a.Only), ", ")
		case parent != "":
			return "as `" + parent + "`"
		case fd.Variants != nil:
			return "every " + fd.VariantNoun + " with settings"
		}
		return "all"
	}
	for i := range fd.Attrs {
		a := &fd.Attrs[i]
		if a.Discriminator != nil {
			continue
		}
		out.Attrs = append(out.Attrs, attrRow{Path: "`" + a.Name + "`", Values: valuesOf(a), Default: defaultOf(a.Default),
			Takes: takes(a, ""), Required: a.Required})
		for j := range a.Attrs {
			b := &a.Attrs[j]
			out.Attrs = append(out.Attrs, attrRow{Path: "`" + a.Name + "." + b.Name + "`", Values: valuesOf(b), Default: defaultOf(b.Default),
				Takes: takes(b, a.Name), Required: b.Required})
		}
	}
	for _, t := range types {
		v := fd.Variants[t]
		var attrs []string
		for i := range fd.Attrs {
			a := &fd.Attrs[i]
			if !takesValue(a, t) {
				continue
			}
			name := "`" + a.Name + "`"
			var without []string
			for j := range a.Attrs {
				if !takesValue(&a.Attrs[j], t) {
					without = append(without, "`"+a.Attrs[j].Name+"`")
				}
			}
			if len(without) > 0 {
				name += " (without " + andList(without) + ")"
			}
			attrs = append(attrs, name)
		}
		out.Variants = append(out.Variants, variantRow{Type: "`" + t + "`", ODataType: "`" + v.ODataType + "`", Attrs: strings.Join(attrs, ", ")})
	}
	if disc != nil {
		out.Discriminator = disc.Name
		var values []string
		for v := range disc.Discriminator {
			values = append(values, v)
		}
		sort.Strings(values)
		for _, v := range values {
			var attrs []string
			for i := range fd.Attrs {
				a := &fd.Attrs[i]
				if a == disc || !takesValue(a, v) {
					continue
				}
				name := "`" + a.Name + "`"
				if a.Required {
					name += " (required)"
				}
				attrs = append(attrs, name)
			}
			out.Kinds = append(out.Kinds, kindRow{Value: "`" + v + "`", ODataType: "`" + disc.Discriminator[v] + "`", Attrs: strings.Join(attrs, ", ")})
		}
	}
	return out
}

// takesValue: a takes the policy type or discriminator value v (Only nil: everything).
func takesValue(a *assignments.Attr, v string) bool {
	if a.Only == nil {
		return true
	}
	for _, o := range a.Only {
		if strings.EqualFold(o, v) {
			return true
		}
	}
	return false
}

// valuesOf says what an attribute takes, as the pages' tables show it.
func valuesOf(a *assignments.Attr) string {
	switch a.Kind {
	case assignments.KindBool:
		return "bool"
	case assignments.KindInt:
		switch {
		case a.Max > 0:
			return fmt.Sprintf("integer, %d–%d", a.Min, a.Max)
		case a.Min != 0:
			return fmt.Sprintf("integer, at least %d", a.Min)
		}
		return "integer"
	case assignments.KindObject:
		return "object"
	case assignments.KindStringList:
		return "list of strings"
	case assignments.KindTimeOfDay:
		return "time of day, `HH:MM` or `HH:MM:SS`"
	case assignments.KindDate:
		return "date, `YYYY-MM-DD`"
	case assignments.KindDateTime:
		return "date and time, RFC 3339"
	}
	if a.OneOf != nil {
		return strings.Join(quote(a.OneOf), ", ")
	}
	return "string"
}

// defaultOf is Graph's value for an attribute not sent (Attr.Default), or "".
func defaultOf(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case []string:
		return "`[" + strings.Join(x, ", ") + "]`"
	}
	return fmt.Sprintf("`%v`", v)
}

// fieldNames lists a family's fields, for messages.
func fieldNames(f *assignments.Family) string {
	var names []string
	for i := range f.Fields {
		names = append(names, f.Fields[i].Name)
	}
	return strings.Join(names, ", ")
}
