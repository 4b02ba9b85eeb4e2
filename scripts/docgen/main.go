// Command docgen writes the tfplugindocs templates of every policy family's artefacts from
// one Go template per artefact kind (templates/*.md.gotmpl here), filled from the family's
// descriptor (assignments.Family, from provider.Families()). `make generate` runs it before
// tfplugindocs, which then renders templates/ and examples/ into docs/.
//
// Per family and artefact kind it writes:
//
//	templates/resources/<stem>_assignments.md.tmpl       authoritative resource
//	templates/resources/<stem>_assignment.md.tmpl        single-assignment resource
//	templates/data-sources/<stem>_assignments.md.tmpl    assignments data source
//	templates/list-resources/<stem>_assignments.md.tmpl  list resource (terraform query)
//
//	templates/data-sources/<stem>.md.tmpl and <plural>.md.tmpl  the two lookups, as
//	    tfplugindocs' default template would render them (everything they say is in their
//	    schema), so that their example's generated-file header stays out of docs/
//
// and, for every family, the example files tfplugindocs renders into those pages, unless a
// hand-written file (one without the generated header) is there already:
//
//	examples/resources/<type>/{resource.tf,import.sh,import-block.tf}  both resources
//	examples/data-sources/<type>/data-source.tf                       assignments and both lookups
//	examples/list-resources/<type>/list-resource.tfquery.hcl          the list resource
//
// The examples come from templates/examples.gotmpl, filled from the same descriptor: only the
// target kinds the family takes, a filter of its kind only if it takes filters, `group_id`
// alone for a family with one target kind. Their `=` are aligned as `terraform fmt` aligns
// them. Each starts with a comment header that the pages strip (the generated templates
// split the included file on it).
//
// Once for all families it writes the guide
// templates/guides/which-assignments-each-family-takes.md.tmpl (guide_families.md.gotmpl)
// and the family table of README.md, between the markers readmeBegin and readmeEnd
// (readme_families.md.gotmpl), so that neither can drift from the descriptors.
//
// Sections the two resource pages share
// (refresh, renames and moves, removing resources) are templates defined in
// templates/lifecycle.md.gotmpl, which produces no page of its own.
//
// The Go templates use [[ ]] as delimiters, so that the {{ }} of the tfplugindocs templates
// they produce pass through as text. Every generated file starts with a header that says
// so; a file with that header that no family produces any more is deleted.
package main

import (
	"bytes"
	"embed"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/template"

	"github.com/intunetf/terraform-provider-intune/internal/assignments"
	"github.com/intunetf/terraform-provider-intune/internal/graph"
	"github.com/intunetf/terraform-provider-intune/internal/provider"
)

//go:embed templates/*.gotmpl
var sources embed.FS

// artefacts are the kinds of page each family has: the Go template and the tfplugindocs
// template it becomes (%s is the family's stem).
var artefacts = []struct{ source, target string }{
	{"resource_assignments.md.gotmpl", "resources/%s_assignments.md.tmpl"},
	{"resource_assignment.md.gotmpl", "resources/%s_assignment.md.tmpl"},
	{"data_source_assignments.md.gotmpl", "data-sources/%s_assignments.md.tmpl"},
	{"list_resource_assignments.md.gotmpl", "list-resources/%s_assignments.md.tmpl"},
}

// lookupArtefacts are the lookup data sources' pages: the Go template and the tfplugindocs
// template it becomes (%s is the data source's type name without "intune_").
var lookupArtefacts = []struct {
	source, target string
	suffix         func(d familyDoc) string
}{
	{"data_source_lookup.md.gotmpl", "data-sources/%s.md.tmpl", func(d familyDoc) string { return d.F.Lookup().TypeSuffix }},
	{"data_source_lookup.md.gotmpl", "data-sources/%s.md.tmpl", func(d familyDoc) string { return d.F.Lookup().PluralSuffix }},
}

// exampleArtefacts are the example files of each family: the template (in
// examples.gotmpl) and the file it becomes under the examples directory.
var exampleArtefacts = []struct {
	name string
	path func(d familyDoc) string
}{
	{"example/resource_assignments", func(d familyDoc) string { return "resources/" + d.Authoritative + "/resource.tf" }},
	{"example/import_assignments", func(d familyDoc) string { return "resources/" + d.Authoritative + "/import.sh" }},
	{"example/import_block_assignments", func(d familyDoc) string { return "resources/" + d.Authoritative + "/import-block.tf" }},
	{"example/resource_assignment", func(d familyDoc) string { return "resources/" + d.Single + "/resource.tf" }},
	{"example/import_assignment", func(d familyDoc) string { return "resources/" + d.Single + "/import.sh" }},
	{"example/import_block_assignment", func(d familyDoc) string { return "resources/" + d.Single + "/import-block.tf" }},
	{"example/data_source_assignments", func(d familyDoc) string { return "data-sources/" + d.Authoritative + "/data-source.tf" }},
	{"example/data_source_lookup", func(d familyDoc) string { return "data-sources/" + d.LookupType + "/data-source.tf" }},
	{"example/data_source_lookups", func(d familyDoc) string { return "data-sources/" + d.Lookups + "/data-source.tf" }},
	{"example/list_resource", func(d familyDoc) string {
		return "list-resources/" + d.Authoritative + "/list-resource.tfquery.hcl"
	}},
}

// guide is the guide docgen writes from every family (under the templates directory).
const guide = "guides/which-assignments-each-family-takes.md.tmpl"

// The README's family table sits between these lines, which docgen keeps.
const (
	readmeBegin = "<!-- BEGIN families: generated by scripts/docgen from the family descriptors; run `make generate` -->"
	readmeEnd   = "<!-- END families -->"
)

// marker opens every generated file; files that start with it are docgen's to replace or delete.
const marker = "{{/* Code generated by scripts/docgen"

// exampleMarker opens every generated example file (a `#` comment, in HCL and in shell);
// examples that start with it are docgen's to replace or delete, any other is hand-written.
const exampleMarker = "# Code generated by scripts/docgen"

func main() {
	out := flag.String("templates-dir", "templates", "tfplugindocs templates directory to write into")
	examplesDir := flag.String("examples-dir", "examples", "tfplugindocs examples directory to write generated examples into")
	readme := flag.String("readme", "README.md", "README whose family table (between the markers) docgen writes; \"\" for none")
	descriptors := flag.String("descriptors-dir", "internal/resources", "where the family descriptors are declared (only to name them in the header)")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("docgen: ")

	var tmpl *template.Template
	// para executes a named template and reflows what it wrote into one paragraph of
	// lines of at most `width` characters, so that conditional wording reads well in docs/.
	funcs["para"] = func(name string, data any) (string, error) {
		var b bytes.Buffer
		if err := tmpl.ExecuteTemplate(&b, name, data); err != nil {
			return "", err
		}
		return reflow(b.String(), width), nil
	}
	// item is para for a list item: "- " and the text, continuation lines indented by two.
	funcs["item"] = func(name string, data any) (string, error) {
		var b bytes.Buffer
		if err := tmpl.ExecuteTemplate(&b, name, data); err != nil {
			return "", err
		}
		text := strings.TrimPrefix(strings.TrimSpace(b.String()), "- ")
		return "- " + strings.ReplaceAll(reflow(text, width-2), "\n", "\n  "), nil
	}
	// include executes a named template as it is (multi-paragraph markdown, not reflowed).
	funcs["include"] = func(name string, data any) (string, error) {
		var b bytes.Buffer
		if err := tmpl.ExecuteTemplate(&b, name, data); err != nil {
			return "", err
		}
		return strings.TrimSpace(b.String()), nil
	}
	// defined reports whether a template exists (a family's notes, "notes/<stem>").
	funcs["defined"] = func(name string) bool { return tmpl.Lookup(name) != nil }
	tmpl, err := template.New("").Delims("[[", "]]").Funcs(funcs).ParseFS(sources, "templates/*.gotmpl")
	if err != nil {
		log.Fatal(err)
	}
	families := provider.Families()
	declared := declarations(*descriptors)
	written := map[string]bool{}
	examples := map[string]bool{}
	execute := func(name string, data any, path, header string) {
		var b bytes.Buffer
		if err := tmpl.ExecuteTemplate(&b, name, data); err != nil {
			log.Fatalf("%s for %s: %v", name, path, err)
		}
		if !bytes.HasPrefix(b.Bytes(), []byte(header)) {
			log.Fatalf("%s must start with the generated-file header (%s ...)", name, header)
		}
		if err := writeIfChanged(path, b.Bytes()); err != nil {
			log.Fatal(err)
		}
	}
	var docs []familyDoc
	for _, f := range families {
		d := newFamilyDoc(f, families, declared)
		for _, a := range exampleArtefacts {
			d.GeneratedExamples = d.GeneratedExamples || !handWritten(filepath.Join(*examplesDir, a.path(d)))
		}
		docs = append(docs, d)
		for _, a := range artefacts {
			d.Source = "scripts/docgen/templates/" + a.source
			d.SinglePage = a.source == "resource_assignment.md.gotmpl"
			path := filepath.Join(*out, fmt.Sprintf(a.target, f.Stem))
			execute(a.source, d, path, marker)
			written[filepath.Clean(path)] = true
		}
		for _, a := range lookupArtefacts {
			d.Source = "scripts/docgen/templates/" + a.source
			path := filepath.Join(*out, fmt.Sprintf(a.target, a.suffix(d)))
			execute(a.source, d, path, marker)
			written[filepath.Clean(path)] = true
		}
		for _, a := range exampleArtefacts {
			path := filepath.Join(*examplesDir, a.path(d))
			if handWritten(path) {
				continue
			}
			if len(f.Fields) > 0 {
				// The generic examples know targets and filters only: an assignment of a
				// family with fields (an app's required intent, a remediation's schedule)
				// needs them, and the pages explain them through the examples.
				log.Fatalf("%s: family %q has assignment fields (%s), so its examples are hand-written: write %s (without the generated header)",
					d.Descriptor, f.Stem, fieldNames(f), path)
			}
			var b bytes.Buffer
			if err := tmpl.ExecuteTemplate(&b, a.name, d); err != nil {
				log.Fatalf("%s for %s: %v", a.name, f.Stem, err)
			}
			text := b.String()
			if !strings.HasPrefix(text, d.ExampleHeader) || !strings.HasPrefix(text, exampleMarker) {
				log.Fatalf("%s must start with the example header (%s ...)", a.name, exampleMarker)
			}
			body := wrapComments(strings.TrimPrefix(text, d.ExampleHeader), exampleWidth)
			if !strings.HasSuffix(path, ".sh") {
				body = alignHCL(body)
			}
			text = d.ExampleHeader + body
			if err := writeIfChanged(path, []byte(text)); err != nil {
				log.Fatal(err)
			}
			examples[filepath.Clean(path)] = true
		}
	}
	all := newGuideDoc(docs)
	path := filepath.Join(*out, guide)
	execute("guide_families.md.gotmpl", all, path, marker)
	written[filepath.Clean(path)] = true
	if err := removeStale(*out, written); err != nil {
		log.Fatal(err)
	}
	if err := removeStaleExamples(*examplesDir, examples); err != nil {
		log.Fatal(err)
	}
	if *readme != "" {
		var b bytes.Buffer
		all.Source = "scripts/docgen/templates/readme_families.md.gotmpl"
		if err := tmpl.ExecuteTemplate(&b, "readme_families.md.gotmpl", all); err != nil {
			log.Fatal(err)
		}
		if err := replaceRegion(*readme, b.String()); err != nil {
			log.Fatal(err)
		}
	}
}

// guideDoc is what the guide and the README table see: every family.
type guideDoc struct {
	Families []familyDoc
	Source   string
	// OneOf is an example of the schema's refusal of a target kind (stringvalidator.OneOf's
	// message): OneOf.Type's resource given OneOf.Wrong.
	OneOf struct{ Type, Wrong, Message string }
	// The authoritative resource types of the families with device filters, with
	// managed-app filters, with the policy-set guard and with per-assignment writes.
	DeviceFilters, AppFilters, Guarded, PerAssignment string
}

func newGuideDoc(docs []familyDoc) guideDoc {
	g := guideDoc{Families: docs, Source: "scripts/docgen/templates/guide_families.md.gotmpl"}
	var device, apps, guarded, per []string
	for _, d := range docs {
		switch d.FilterKind {
		case assignments.FilterKindDevices:
			device = append(device, d.Authoritative)
		case assignments.FilterKindApps:
			apps = append(apps, d.Authoritative)
		}
		if d.PolicySetGuard {
			guarded = append(guarded, d.Authoritative)
		}
		if d.PerAssignment {
			per = append(per, d.Authoritative)
		}
	}
	g.DeviceFilters, g.AppFilters = andList(quote(device)), andList(quote(apps))
	g.Guarded, g.PerAssignment = andList(quote(guarded)), andList(quote(per))
	// The first family with a `target` that lacks a kind another family takes; a kind that
	// needs no ID (all_devices) makes the shortest example.
	for _, easy := range []bool{true, false} {
		for _, d := range docs {
			if !d.HasTarget || g.OneOf.Type != "" {
				continue
			}
			var names []string
			takes := map[string]bool{}
			for _, k := range d.F.Targets {
				names = append(names, k.Name)
				takes[k.Name] = true
			}
			for _, o := range docs {
				for _, k := range o.F.Targets {
					if !takes[k.Name] && (!easy || k.Needs == assignments.FieldNone) && g.OneOf.Type == "" {
						g.OneOf.Type, g.OneOf.Wrong = d.Authoritative, k.Name
						g.OneOf.Message = fmt.Sprintf("value must be one of: %q, got: %q", names, k.Name)
					}
				}
			}
		}
	}
	return g
}

// handWritten: an example file exists at path and does not start with the generated
// header, so docgen leaves it alone.
func handWritten(path string) bool {
	b, err := os.ReadFile(path)
	return err == nil && !bytes.HasPrefix(b, []byte(exampleMarker))
}

// removeStaleExamples deletes generated examples that no family produces any more (a family
// renamed or dropped, or a hand-written file now in a sibling's place), and the directories
// that leaves empty.
func removeStaleExamples(dir string, written map[string]bool) error {
	var emptied []string
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || written[filepath.Clean(path)] {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil || !bytes.HasPrefix(b, []byte(exampleMarker)) {
			return err
		}
		log.Printf("removing %s: no family generates it any more", path)
		emptied = append(emptied, filepath.Dir(path))
		return os.Remove(path)
	})
	for _, d := range emptied {
		if entries, err := os.ReadDir(d); err == nil && len(entries) == 0 {
			_ = os.Remove(d)
		}
	}
	return err
}

// replaceRegion writes text between the readmeBegin and readmeEnd lines of the file at path.
func replaceRegion(path, text string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(b)
	i := strings.Index(s, readmeBegin+"\n")
	j := strings.Index(s, readmeEnd)
	if i < 0 || j < i {
		return fmt.Errorf("%s: the family table's markers are missing (a line %q, then a line %q)", path, readmeBegin, readmeEnd)
	}
	i += len(readmeBegin) + 1
	return writeIfChanged(path, []byte(s[:i]+strings.TrimSpace(text)+"\n"+s[j:]))
}

func writeIfChanged(path string, content []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, content) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, content, 0o644)
}

// removeStale deletes generated templates that no family produces any more (a family
// renamed or dropped), so tfplugindocs does not render pages for types that do not exist.
func removeStale(dir string, written map[string]bool) error {
	return filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(path, ".md.tmpl") || written[filepath.Clean(path)] {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil || !bytes.HasPrefix(b, []byte(marker)) {
			return err
		}
		log.Printf("removing %s: no family generates it any more", path)
		return os.Remove(path)
	})
}

// declaration is where a family's descriptor is declared, e.g. resources.DeviceConfiguration
// in internal/resources/device_configuration.go.
type declaration struct{ name, file string }

// declarations finds the descriptors (`var X = &assignments.Family{Stem: "...", ...}`) in
// dir, by stem. It only names them in the generated header; a descriptor declared
// elsewhere is named by its stem.
func declarations(dir string) map[string]declaration {
	out := map[string]declaration{}
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			continue
		}
		ast.Inspect(parsed, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok || len(vs.Names) != 1 || len(vs.Values) != 1 {
				return true
			}
			lit := vs.Values[0]
			if u, ok := lit.(*ast.UnaryExpr); ok {
				lit = u.X
			}
			cl, ok := lit.(*ast.CompositeLit)
			if !ok {
				return true
			}
			if sel, ok := cl.Type.(*ast.SelectorExpr); !ok || sel.Sel.Name != "Family" {
				return true
			}
			for _, el := range cl.Elts {
				kv, ok := el.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				key, _ := kv.Key.(*ast.Ident)
				val, _ := kv.Value.(*ast.BasicLit)
				if key != nil && key.Name == "Stem" && val != nil {
					if stem, err := strconv.Unquote(val.Value); err == nil {
						out[stem] = declaration{name: parsed.Name.Name + "." + vs.Names[0].Name, file: filepath.ToSlash(file)}
					}
				}
			}
			return true
		})
	}
	return out
}

// familyDoc is what the Go templates see of one family: the descriptor (F) and what follows
// from it, phrased for the docs. Nothing here is specific to one family.
type familyDoc struct {
	F *assignments.Family

	Source     string // the Go template being executed, for the header
	Descriptor string // where the descriptor is declared, for the header

	Noun, NounTitle, Nouns string // "device configuration", "Device configuration", "device configurations"
	IDAttr                 string // the policy ID attribute, e.g. "device_configuration_id"
	Collection             string // f.Graph.CollectionPath

	Authoritative, Single string // resource type names; the data source and list resource share Authoritative
	LookupType, Lookups   string // the lookup data sources

	HasTarget    bool // assignments have a `target` attribute (more than one target kind)
	Filters      bool
	Sources      bool // assignments carry source/sourceId: policy sets exist
	Listable     bool // the reader may list the collection with $expand=assignments
	PageSize     int  // the listing's $top; 0: the server's default
	SingleCreate bool // Graph documents POST {collection}/{id}/assignments for the family
	BatchSize    int  // reads per JSON batch
	ODataType    bool // policies have derived types (the list resource shows them)

	OnlyKind   assignments.TargetKind // the one target kind, when !HasTarget
	Lacks      string                 // what other families offer and this one does not, as a clause
	CaseIDs    string                 // the target's ID attributes, e.g. "`group_id`, `filter_id` or `collection_id`"
	PlanErrors string                 // the sentence listing the configuration errors caught at plan time

	// How writes reach Graph (f.Graph, f.WriteMode).
	WriteMode     string // f.WriteMode(), e.g. "replace-all `assign`, answered 204 and read back"
	AssignPath    string // the assign action's path below a policy, e.g. "assign"
	NoContent     bool   // the assign action answers 204 No Content; the set is read back
	PerAssignment bool   // no replace-all write: one POST or DELETE per assignment
	// PolicySetGuard: the authoritative resource refuses a policy that is in a policy set.
	PolicySetGuard bool

	// Targets and filters, for the docs and the examples.
	TargetNames     string                   // the kinds' names, e.g. "`group` or `exclusion_group`"
	FilterKind      string                   // f.FilterManagementType(): "devices", "apps", or "" (no filters)
	FilterNoun      string                   // "device filter" or "managed-app filter" ("" without filters)
	OtherFilterNoun string                   // the filter kind the family refuses
	FilterableKinds string                   // the kinds that take a filter, e.g. "`group` and `all_devices`"
	GroupKind       string                   // the kind that includes a group, e.g. "group"
	ExclusionKind   string                   // the kind that excludes a group, or ""
	AllKinds        []assignments.TargetKind // the kinds that need no ID (all devices, all licensed users)
	FilterID        string                   // the examples' filter: a device filter, or a managed-app filter for "apps"
	TeamFilterID    string                   // the single-assignment example's filter, of the same kind

	// For the examples and the lookups' pages.
	ExampleHeader     string // the comment every generated example of the family starts with
	GeneratedExamples bool   // docgen writes some of the family's examples (not all are hand-written)
	BareNoun          string // the noun without a trailing qualifier, e.g. "compliance policy"
	NameAlias         bool   // the lookups take `name` (Graph calls the name `name`)
	LookupODataType   bool   // the lookups return odata_type

	// Family-defined assignment fields (f.Fields): what an assignment carries besides its
	// target, for the pages' "Assignment fields" section and the guide.
	Fields        []fieldDoc
	FieldNames    string // e.g. "`intent` (identity) and `settings`", "" without fields
	IdentityField string // the identity field's name (an app's `intent`), or ""
	SinglePage    bool   // the page being written is the single-assignment resource's
}

func newFamilyDoc(f *assignments.Family, all []*assignments.Family, declared map[string]declaration) familyDoc {
	d := familyDoc{
		F: f, Noun: f.PolicyNoun, NounTitle: upperFirst(f.PolicyNoun), Nouns: pluralOf(f.PolicyNoun),
		IDAttr: f.PolicyIDAttribute, Collection: f.Graph.CollectionPath,
		Authoritative: "intune_" + f.Stem + "_assignments", Single: "intune_" + f.Stem + "_assignment",
		LookupType: "intune_" + f.Lookup().TypeSuffix, Lookups: "intune_" + f.Lookup().PluralSuffix,
		HasTarget: len(f.Targets) > 1, Filters: f.Filters, Sources: f.Graph.Sources,
		Listable: f.Graph.ExpandAssignments != graph.ExpandIgnored, PageSize: f.Graph.PageSize,
		SingleCreate: f.Graph.SingleCreate, BatchSize: graph.MaxBatch, ODataType: !f.NoODataType,
		Descriptor: fmt.Sprintf("the family with Stem %q", f.Stem),
	}
	if decl, ok := declared[f.Stem]; ok {
		d.Descriptor = decl.name + " (" + decl.file + ")"
	}
	if !d.HasTarget {
		d.OnlyKind = f.Targets[0]
	}
	d.Lacks = lacks(f, all)
	d.CaseIDs = orList(quote(idAttributes(f)))
	d.PlanErrors = planErrors(f)

	d.WriteMode = f.WriteMode()
	d.AssignPath = "assign"
	if f.Graph.AssignAction != "" {
		d.AssignPath = f.Graph.AssignAction
	}
	d.NoContent, d.PerAssignment = f.Graph.AssignNoContent, f.Graph.PerAssignment
	d.PolicySetGuard = f.PolicySetGuard()

	var names, filterable []string
	for _, k := range f.Targets {
		names = append(names, k.Name)
		if f.Filters && k.Filterable {
			filterable = append(filterable, k.Name)
		}
		switch {
		case k.Needs == assignments.FieldGroupID && k.Excludes && d.ExclusionKind == "":
			d.ExclusionKind = k.Name
		case k.Needs == assignments.FieldGroupID && !k.Excludes && d.GroupKind == "":
			d.GroupKind = k.Name
		case k.Needs == assignments.FieldNone:
			d.AllKinds = append(d.AllKinds, k)
		}
	}
	d.TargetNames = andList(quote(names))
	d.FilterableKinds = andList(quote(filterable))
	d.FilterKind = f.FilterManagementType()
	d.FilterID, d.TeamFilterID = guids[3], guids[8]
	switch d.FilterKind {
	case assignments.FilterKindApps:
		d.FilterNoun, d.OtherFilterNoun = "managed-app filter", "device filter"
		// The device filters above would fail the plan ("of the wrong kind").
		d.FilterID, d.TeamFilterID = appsFilterGUID, appsFilterGUID
	case "":
	default:
		d.FilterNoun, d.OtherFilterNoun = "device filter", "managed-app filter"
	}

	d.ExampleHeader = exampleMarker + "; DO NOT EDIT. A hand-written file in its place is kept.\n" +
		"# From scripts/docgen/templates/examples.gotmpl, filled from the policy family\n" +
		"# " + d.Descriptor + ".\n\n"
	d.BareNoun = f.PolicyNoun
	if i := strings.Index(d.BareNoun, " ("); i > 0 {
		d.BareNoun = d.BareNoun[:i]
	}
	d.NameAlias = f.NameProperty == "name"
	d.LookupODataType = f.Lookup().ODataType
	var fieldNames []string
	for i := range f.Fields {
		fd := newFieldDoc(&f.Fields[i])
		d.Fields = append(d.Fields, fd)
		n := "`" + fd.Name + "`"
		if fd.Identity {
			n += " (identity)"
			if d.IdentityField == "" {
				d.IdentityField = fd.Name
			}
		}
		fieldNames = append(fieldNames, n)
	}
	d.FieldNames = andList(fieldNames)
	return d
}

// idAttributes are the ID attributes of a family's targets, in the order the docs name them.
func idAttributes(f *assignments.Family) []string {
	var out []string
	if uses(f, assignments.FieldGroupID) {
		out = append(out, "group_id")
	}
	if f.Filters {
		out = append(out, "filter_id")
	}
	if uses(f, assignments.FieldCollectionID) {
		out = append(out, "collection_id")
	}
	return out
}

// lacks says what the provider's other families offer that f does not: target kinds (by
// name) and assignment filters; "" when f lacks nothing.
func lacks(f *assignments.Family, all []*assignments.Family) string {
	has := map[string]bool{}
	for _, k := range f.Targets {
		has[k.Name] = true
	}
	var kinds []string
	filters := false
	for _, o := range all {
		for _, k := range o.Targets {
			if !has[k.Name] {
				has[k.Name] = true
				kinds = append(kinds, k.Name)
			}
		}
		filters = filters || o.Filters
	}
	var parts []string
	if len(kinds) > 0 {
		parts = append(parts, "no "+orList(quote(kinds))+" targets")
	}
	if filters && !f.Filters {
		parts = append(parts, "no assignment filters")
	}
	return andList(parts)
}

// planErrors is the sentence that lists the configuration errors the engine's validation
// (internal/assignments/validate.go and the schema's validators) rejects at plan time.
func planErrors(f *assignments.Family) string {
	errs := []string{"malformed GUIDs"}
	if len(f.Targets) > 1 {
		var fields []string
		if uses(f, assignments.FieldGroupID) {
			fields = append(fields, "group_id")
		}
		if uses(f, assignments.FieldCollectionID) {
			fields = append(fields, "collection_id")
		}
		if len(fields) > 0 {
			errs = append(errs, "a missing or misplaced `"+strings.Join(fields, "`/`")+"`")
		}
	}
	if f.Filters {
		errs = append(errs, "a `filter_id` without `filter_type` (or the reverse)",
			"the all-zero `filter_id` (`00000000-0000-0000-0000-000000000000`, Graph's spelling of "+
				"\"no filter\": for no filter, leave out `filter_id` and `filter_type`)")
		for _, k := range f.Targets {
			if !k.Filterable {
				errs = append(errs, "a filter on "+article(humanize(k.Name)))
			}
		}
	}
	var excludes, includesGroups bool
	for _, k := range f.Targets {
		excludes = excludes || (k.Excludes && k.Needs == assignments.FieldGroupID)
		includesGroups = includesGroups || (!k.Excludes && k.Needs == assignments.FieldGroupID)
	}
	// Identity fields (an app's intent) make one target's assignments distinct: the
	// duplicate checks are per value of them.
	per := ""
	for i := range f.Fields {
		if f.Fields[i].Identity {
			per = " under the same " + f.Fields[i].Name
			break
		}
	}
	if excludes && includesGroups {
		errs = append(errs, "a group both included and excluded"+per)
	}
	if len(f.Targets) == 1 {
		errs = append(errs, "the same "+singularTarget(f.Targets[0])+" twice"+per)
	} else {
		errs = append(errs, "the same target twice"+per)
	}
	if f.IncludedOnce && per != "" {
		errs = append(errs, "a target included"+strings.Replace(per, " the same ", " two values of ", 1)+
			" (an exclusion beside an inclusion"+strings.Replace(per, " the same ", " another ", 1)+" is allowed)")
	}
	if len(errs) <= 2 {
		return upperFirst(andList(errs)) + " are rejected at plan time, before any request."
	}
	return "Configuration errors are caught at plan time, before any request: " + andListOxford(errs) + "."
}

// singularTarget names one target of a kind: "group" for a kind that needs a group ID.
func singularTarget(k assignments.TargetKind) string {
	switch k.Needs {
	case assignments.FieldGroupID:
		return "group"
	case assignments.FieldCollectionID:
		return "collection"
	}
	return "target"
}

func uses(f *assignments.Family, field assignments.Field) bool {
	for _, k := range f.Targets {
		if k.Needs == field {
			return true
		}
	}
	return false
}

// pluralOf and upperFirst are the engine's, so the docs and the diagnostics agree.
func pluralOf(s string) string   { return assignments.PluralNoun(s) }
func upperFirst(s string) string { return assignments.UpperFirst(s) }

func humanize(name string) string { return strings.ReplaceAll(name, "_", " ") }

func article(s string) string { return assignments.Article(s) }

func quote(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "`" + n + "`"
	}
	return out
}

// orList joins "a", "a or b", "a, b or c".
func orList(items []string) string { return join(items, " or ", false) }

// andList joins "a", "a and b", "a, b and c".
func andList(items []string) string { return join(items, " and ", false) }

// andListOxford joins "a, b, and c" (the style of the hand-written sentences it replaces).
func andListOxford(items []string) string { return join(items, " and ", true) }

func join(items []string, last string, oxford bool) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	case 2:
		return items[0] + last + items[1]
	}
	head := strings.Join(items[:len(items)-1], ", ")
	if oxford {
		return head + "," + last + items[len(items)-1]
	}
	return head + last + items[len(items)-1]
}

// width is the longest line para writes, as the hand-wrapped prose of templates/.
const width = 100

// reflow joins text into one paragraph and breaks it into lines of at most max characters
// (a longer word stands alone), never inside a `code span`.
func reflow(text string, max int) string {
	var words []string
	open := false // inside a code span
	for _, w := range strings.Fields(text) {
		if open {
			words[len(words)-1] += " " + w
		} else {
			words = append(words, w)
		}
		if strings.Count(w, "`")%2 == 1 {
			open = !open
		}
	}
	var b strings.Builder
	line := 0
	for i, w := range words {
		switch {
		case i == 0:
		case line+1+len(w) > max:
			b.WriteByte('\n')
			line = 0
		default:
			b.WriteByte(' ')
			line++
		}
		b.WriteString(w)
		line += len(w)
	}
	return b.String()
}

// attrLine is one `name = value` line of HCL.
var attrLine = regexp.MustCompile(`^(\s*)([A-Za-z_][A-Za-z0-9_-]*) *= (.*)$`)

// alignHCL aligns the `=` of consecutive attribute lines of the same indentation, as
// `terraform fmt` does, so that generated examples pass `terraform fmt -check`. A line that
// is not an attribute (a comment, a blank line, a bracket) ends a run.
func alignHCL(text string) string {
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); {
		m := attrLine.FindStringSubmatch(lines[i])
		if m == nil {
			i++
			continue
		}
		j, w := i, 0
		for ; j < len(lines); j++ {
			n := attrLine.FindStringSubmatch(lines[j])
			if n == nil || n[1] != m[1] {
				break
			}
			w = max(w, len(n[2]))
		}
		for k := i; k < j; k++ {
			n := attrLine.FindStringSubmatch(lines[k])
			lines[k] = n[1] + n[2] + strings.Repeat(" ", w-len(n[2])) + " = " + n[3]
		}
		i = j
	}
	return strings.Join(lines, "\n")
}

// exampleWidth is the longest comment line of a generated example, as the hand-written ones.
const exampleWidth = 96

// commentLine is a whole-line `#` comment.
var commentLine = regexp.MustCompile(`^(\s*)# (.*)$`)

// wrapComments rewraps each run of whole-line comments (same indentation) that has a line
// longer than max characters; runs that fit are left as written.
func wrapComments(text string, max int) string {
	lines := strings.Split(text, "\n")
	var out []string
	for i := 0; i < len(lines); {
		m := commentLine.FindStringSubmatch(lines[i])
		if m == nil {
			out = append(out, lines[i])
			i++
			continue
		}
		j, long := i, false
		var words []string
		for ; j < len(lines); j++ {
			n := commentLine.FindStringSubmatch(lines[j])
			if n == nil || n[1] != m[1] {
				break
			}
			long = long || len(lines[j]) > max
			words = append(words, n[2])
		}
		if !long {
			out = append(out, lines[i:j]...)
		} else {
			for _, l := range strings.Split(reflow(strings.Join(words, " "), max-len(m[1])-2), "\n") {
				out = append(out, m[1]+"# "+l)
			}
		}
		i = j
	}
	return strings.Join(out, "\n")
}

// example is the tfplugindocs expression that includes an example file (call, e.g.
// `tffile .ExampleFile`) without the generated header of d's examples: the file is split on
// the header, and the parts are joined again. A hand-written file has no header.
func example(call string, d familyDoc) string {
	if !d.GeneratedExamples {
		return "{{ " + call + " }}"
	}
	return "{{ range split (" + call + ") " + strconv.Quote(d.ExampleHeader) + " }}{{ . }}{{ end }}"
}

// funcs are the Go templates' helpers (and para and defined, which main adds).
var funcs = template.FuncMap{
	"upperFirst": upperFirst, "example": example, "plural": pluralOf,
	// engineUpper capitalises as the engine's diagnostics do, for quoting them.
	"engineUpper": assignments.UpperFirst,
	// a is the indefinite article for a noun phrase: "an app configuration policy", "a macOS
	// shell script".
	"a": func(s string) string {
		if s != "" && strings.ContainsRune("aeiouAEIOU", rune(s[0])) {
			return "an " + s
		}
		return "a " + s
	},
	"quote":    func(s string) string { return "`" + s + "`" },
	"humanize": humanize,
	"guid":     func(n int) string { return guids[n%len(guids)] },
}

// guids are the IDs the examples use, as the hand-written ones do.
var guids = []string{
	"5f3a1c2e-8b4d-4e6f-9a1b-2c3d4e5f6a7b", // 0: a policy
	"7d6c5b4a-3f2e-4d1c-8b0a-9f8e7d6c5b4a", // 1: the pilot group
	"2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091", // 2: the finance group
	"0f1e2d3c-4b5a-4697-8877-665544332211", // 3: an assignment filter
	"c0ffee00-1234-4abc-9def-0123456789ab", // 4: an excluded group
	"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", // 5: another policy
	"3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f", // 6: a shared policy
	"6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b", // 7: a team's group
	"9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", // 8: that team's filter
	"0a9b8c7d-6e5f-4a4b-9c3d-2e1f0a9b8c7d", // 9: a policy read by a data source
}

// appsFilterGUID is the managed-app assignment filter (assignmentFilterManagementType
// "apps") the examples of the managed-app families use instead of guids 3 and 8, which are
// device filters. scripts/emulator-seed.json has it, for `make demo`.
const appsFilterGUID = "e4d3c2b1-a0f9-4e8d-8c7b-6a5f4e3d2c1b"
