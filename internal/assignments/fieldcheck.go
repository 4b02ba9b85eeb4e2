package assignments

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// Plan-time checks of family-defined fields (Family.Fields, Rules, Policy).

// Problem is one rule an assignment breaks: where (attribute names from the assignment
// down, e.g. ["settings", "restart_settings"]; none for the whole assignment), a summary
// that names the rule, and a detail that says what to change.
type Problem struct {
	Path    []string
	Summary string
	Detail  string
}

// ElementView is one assignment as a family's rules see it: the target kind, group ID, and
// fields as trees (fields.go; nil for null, map[string]any for objects). Values known only
// after apply are left out (nil), so rules skip them.
type ElementView struct {
	Target, GroupID string
	Fields          map[string]any
}

// Value is the value at a path of attribute names, or nil.
func (v ElementView) Value(names ...string) any {
	var cur any = v.Fields
	for _, n := range names {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[n]
	}
	if _, unknown := cur.(unknownValue); unknown {
		return nil
	}
	return cur
}

// Rule checks one assignment with zero requests (Family.Rules).
type Rule func(ElementView) []Problem

// PolicyCheck reads the policy at plan time, once per policy per run, and checks what the
// plan writes against it (Family.Policy). The engine itself checks that each set attribute
// of a variant field is taken by the policy's type (Attr.Only).
type PolicyCheck struct {
	Collection graph.Collection // where the policy is read, with the properties Check needs
	Noun       string           // what the policy's type is called, e.g. "app type"
	// Check reports what the policy cannot take (may be nil).
	Check func(policy graph.Item, v ElementView) []Problem
}

func (f *Family) view(e element) ElementView {
	kind, _ := f.kindByName(e.Target.ValueString())
	return ElementView{Target: kind.Name, GroupID: strings.ToLower(e.GroupID.ValueString()), Fields: e.Fields}
}

func report(diags *diag.Diagnostics, at path.Path, ps []Problem) {
	for _, p := range ps {
		where := at
		for _, n := range p.Path {
			where = where.AtName(n)
		}
		addPlanError(diags, where, p.Summary, p.Detail)
	}
}

// checkFields runs the zero-request checks of e's fields: attributes a discriminator's
// value does not take (a run schedule's `date` on an hourly one), and the family's Rules.
func (f *Family) checkFields(e element, at path.Path, diags *diag.Diagnostics) {
	if len(f.Fields) == 0 {
		return
	}
	for i := range f.Fields {
		fd := &f.Fields[i]
		m, ok := e.Fields[fd.Name].(map[string]any)
		if !ok || fd.Kind != KindObject {
			continue
		}
		for j := range fd.Attrs {
			disc := &fd.Attrs[j]
			value, ok := m[disc.Name].(string)
			if disc.Discriminator == nil || !ok {
				continue
			}
			report(diags, at.AtName(fd.Name), notTaken(fd.Attr, m, value, "`"+disc.Name+"` "+fmt.Sprintf("%q", value), nil))
		}
	}
	v := f.view(e)
	for _, rule := range f.Rules {
		report(diags, at, rule(v))
	}
}

// notTaken lists the set attributes of object value m that variant does not take
// (Attr.Only), one problem each; prefix is the path from the assignment.
func notTaken(a Attr, m map[string]any, variant, what string, prefix []string) []Problem {
	var out []Problem
	for i := range a.Attrs {
		sub := &a.Attrs[i]
		v := m[sub.Name]
		if v == nil || sub.Discriminator != nil {
			continue
		}
		if sub.Only != nil && !containsFold(sub.Only, variant) {
			out = append(out, Problem{Path: append(append([]string{}, prefix...), sub.Name),
				Summary: "Setting not taken by " + what,
				Detail: fmt.Sprintf("`%s` is set, but %s does not take it; it applies to %s only. Remove it.",
					sub.Name, what, strings.Join(sub.Only, ", "))})
			continue
		}
		if sm, ok := v.(map[string]any); ok && sub.Kind == KindObject {
			out = append(out, notTaken(*sub, sm, variant, what, append(append([]string{}, prefix...), sub.Name))...)
		}
	}
	return out
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}

// policyRead is one plan-time read of a policy (Family.Policy), shared by the run.
type policyRead struct {
	once sync.Once
	item graph.Item
	err  error
}

// policyItem reads the policy once per run (GET {collection}/{id}?$select=…).
func (d *ProviderData) policyItem(ctx context.Context, f *Family, id string) (graph.Item, error) {
	d.cache.mu.Lock()
	if d.cache.policies == nil {
		d.cache.policies = map[string]*policyRead{}
	}
	k := f.Stem + "/" + strings.ToLower(id)
	pr, ok := d.cache.policies[k]
	if !ok {
		pr = &policyRead{}
		d.cache.policies[k] = pr
	}
	d.cache.mu.Unlock()
	pr.once.Do(func() { pr.item, pr.err = d.Client.GetItem(ctx, f.Policy.Collection, id) })
	return pr.item, pr.err
}

// needsPolicyRead: the plan's elements need the policy read to be checked or written.
func (f *Family) needsPolicyRead(elems []element) bool {
	return f.Policy != nil && len(elems) > 0
}

// checkPolicy reads the policy (once per run) and checks elems against it: every set
// attribute of a variant field must be taken by the policy's type, and the family's
// PolicyCheck. A missing policy is left to the plan's own warning; a failed read warns
// that the checks were not made. It returns the policy's type ("" when not read).
func (f *Family) checkPolicy(ctx context.Context, d *ProviderData, policyID string, elems []element, at func(i int) path.Path, diags *diag.Diagnostics) string {
	if !f.needsPolicyRead(elems) || d == nil || d.Client == nil {
		return ""
	}
	item, err := d.policyItem(ctx, f, policyID)
	switch {
	case graph.IsNotFound(err):
		return ""
	case err != nil:
		diags.AddWarning(fmt.Sprintf("%s %s not checked", upperFirst(f.PolicyNoun), policyID),
			fmt.Sprintf("Reading %s %s to check its %s against the assignments failed: %s. The plan goes on; Graph checks them at apply.",
				f.PolicyNoun, policyID, f.Policy.Noun, errorDetail(err, f, policyID)))
		return ""
	}
	for i, e := range elems {
		if e.hasUnknown() {
			continue
		}
		for j := range f.Fields {
			fd := &f.Fields[j]
			m, ok := e.Fields[fd.Name].(map[string]any)
			if fd.Variants == nil || e.Fields[fd.Name] == nil {
				continue
			}
			_, known := fd.variant(item.ODataType)
			what := fmt.Sprintf("%s %q (%s %s)", f.PolicyNoun, item.DisplayName, f.Policy.Noun, item.ODataType)
			if !known {
				report(diags, at(i), []Problem{{Path: []string{fd.Name}, Summary: "Setting not taken by " + f.Policy.Noun,
					Detail: fmt.Sprintf("The assignment sets `%s`, but this provider knows no %s for %s; it writes %s for these %ss only: %s. Remove `%s`.",
						fd.Name, fd.Name, what, fd.Name, f.Policy.Noun, strings.Join(variantTypes(fd), ", "), fd.Name)}})
				continue
			}
			if ok {
				report(diags, at(i), notTaken(fd.Attr, m, item.ODataType, what, []string{fd.Name}))
			}
		}
		if f.Policy.Check != nil {
			for _, p := range f.Policy.Check(item, f.view(e)) {
				where := at(i)
				if len(p.Path) == 0 && where.Equal(path.Empty()) {
					// About the policy itself, on a single-assignment resource: point at its ID.
					where = path.Root(f.PolicyIDAttribute)
				}
				report(diags, where, []Problem{p})
			}
		}
	}
	return item.ODataType
}

func variantTypes(fd *AssignmentField) []string {
	out := make([]string, 0, len(fd.Variants))
	for t := range fd.Variants {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// policyType is the policy's @odata.type for writing elems, read (once per run) only when
// a variant field is set; "" otherwise.
func (f *Family) policyType(ctx context.Context, d *ProviderData, policyID string, elems []element) (string, error) {
	if f.Policy == nil || !f.needsPolicyType(elems) {
		return "", nil
	}
	item, err := d.policyItem(ctx, f, policyID)
	return item.ODataType, err
}

// holds: Graph's element remote is the planned e (identity), holds every data value e
// writes, and e writes the same values as written (the state) for fields Graph does not
// read back, so nothing need be sent.
func (f *Family) holds(e, remote, written element) bool {
	if f.identity(e) != f.identity(remote) || !f.satisfies(e, remote) || f.dropsOne(e, written) {
		return false
	}
	for i := range f.Fields {
		if fd := &f.Fields[i]; fd.NotReadBack && fd.canon(e.Fields[fd.Name]) != fd.canon(written.Fields[fd.Name]) {
			return false
		}
	}
	return true
}

// drops reports whether a planned element stops writing a value that the state's element
// of the same identity writes: the apply must send, to clear it (fieldsToGraphOver).
func (f *Family) drops(planned, prior []element) bool {
	byID := map[string]element{}
	for _, p := range prior {
		byID[f.identity(p)] = p
	}
	for _, e := range planned {
		if w, ok := byID[f.identity(e)]; ok && f.dropsOne(e, w) {
			return true
		}
	}
	return false
}

func (f *Family) dropsOne(e, written element) bool {
	for i := range f.Fields {
		fd := &f.Fields[i]
		if !fd.Identity && dropped(&fd.Attr, e.Fields[fd.Name], written.Fields[fd.Name]) {
			return true
		}
	}
	return false
}

// dropped: was sets a value (or an attribute, at any depth) that v leaves out.
func dropped(a *Attr, v, was any) bool {
	if was == nil {
		return false
	}
	if v == nil {
		return true
	}
	vm, ok1 := v.(map[string]any)
	wm, ok2 := was.(map[string]any)
	if !ok1 || !ok2 {
		return false
	}
	for i := range a.Attrs {
		if dropped(&a.Attrs[i], vm[a.Attrs[i].Name], wm[a.Attrs[i].Name]) {
			return true
		}
	}
	return false
}

// checkIncludedOnce reports an included target that appears under two values of the
// identity fields (Family.IncludedOnce: one group, one intent of an app).
func (f *Family) checkIncludedOnce(elems []element, at func(i int) path.Path, diags *diag.Diagnostics) {
	if !f.IncludedOnce {
		return
	}
	first := map[string]int{}
	for i, e := range elems {
		if e.hasUnknown() {
			continue
		}
		kind, ok := f.kindByName(e.Target.ValueString())
		if !ok || kind.Excludes {
			continue
		}
		t := "the " + kind.Name + " target"
		if kind.Needs == FieldGroupID {
			t = "group " + strings.ToLower(e.GroupID.ValueString())
		}
		j, seen := first[t]
		if !seen {
			first[t] = i
			continue
		}
		if f.identityOf(elems[j]) == f.identityOf(e) {
			continue // the same identity twice: validate reports the duplicate
		}
		names := make([]string, 0, 2)
		for k := range f.Fields {
			if fd := &f.Fields[k]; fd.Identity {
				names = append(names, fmt.Sprintf("%s %s and %s", fd.Name, fd.canon(elems[j].Fields[fd.Name]), fd.canon(e.Fields[fd.Name])))
			}
		}
		addPlanError(diags, at(i), "Target included under two "+identityNoun(f),
			fmt.Sprintf("%s is included by two assignments of one %s (%s). Intune includes a target under one %s of %s only "+
				"(an exclusion may sit beside an inclusion of another %s). Keep one of the two.",
				upperFirst(t), f.PolicyNoun, strings.Join(names, "; "), identitySingular(f), Article(f.PolicyNoun), identitySingular(f)))
	}
}

func identitySingular(f *Family) string {
	for i := range f.Fields {
		if f.Fields[i].Identity {
			return f.Fields[i].Name
		}
	}
	return "value"
}

func identityNoun(f *Family) string { return identitySingular(f) + "s" }
