package acctest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

// Protocol speaks to the provider over protocol 6 the way Terraform does, for what the
// CLI harness cannot observe: warnings of a plan that succeeds. Values are Go values:
// string, []map[string]any for a nested set or list, map[string]any for an object, nil
// for null; attributes left out are null.
type Protocol struct {
	t      *testing.T
	server tfprotov6.ProviderServer
	schema *tfprotov6.GetProviderSchemaResponse
}

// Protocol serves the provider in process and configures it for the emulator with the
// given provider arguments merged over the defaults of ProviderConfig.
func (e *Env) Protocol(t *testing.T, providerArgs map[string]any) *Protocol {
	t.Helper()
	server, err := e.Factories()["intune"]()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	schema, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || hasError(schema.Diagnostics) {
		t.Fatalf("GetProviderSchema: %v %v", err, schema.Diagnostics)
	}
	args := map[string]any{
		"tenant_id": e.Server.TenantID(), "client_id": emulator.DefaultClientID, "client_secret": emulator.DefaultClientSecret,
		"graph_endpoint": e.Server.URL(), "authority_host": e.Server.URL() + "/",
	}
	for k, v := range providerArgs {
		args[k] = v
	}
	p := &Protocol{t: t, server: server, schema: schema}
	cfg := p.dynamic(schema.Provider.ValueType(), args)
	resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.11.0", Config: &cfg})
	if err != nil || hasError(resp.Diagnostics) {
		t.Fatalf("ConfigureProvider: %v %s", err, Diagnostics(resp.Diagnostics))
	}
	return p
}

// PlanCreate plans a new resource of the given type from its configuration, as
// `terraform plan` does for a resource not yet in the state, and returns the diagnostics.
func (p *Protocol) PlanCreate(typeName string, config map[string]any) []*tfprotov6.Diagnostic {
	p.t.Helper()
	s, ok := p.schema.ResourceSchemas[typeName]
	if !ok {
		p.t.Fatalf("no resource type %s", typeName)
	}
	typ := s.ValueType()
	cfg := p.dynamic(typ, config)
	prior, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
	if err != nil {
		p.t.Fatal(err)
	}
	resp, err := p.server.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{
		TypeName: typeName, PriorState: &prior, ProposedNewState: &cfg, Config: &cfg,
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return resp.Diagnostics
}

// PlanUpdate plans a change of a resource in the state (prior) to a new configuration, as
// `terraform plan` does after a refresh, and returns the diagnostics.
func (p *Protocol) PlanUpdate(typeName string, prior, config map[string]any) []*tfprotov6.Diagnostic {
	p.t.Helper()
	typ := p.schema.ResourceSchemas[typeName].ValueType()
	priorDV, cfg := p.dynamic(typ, prior), p.dynamic(typ, config)
	// The proposed new state is the configuration with computed attributes from the prior state.
	proposed := map[string]any{}
	for k, v := range config {
		proposed[k] = v
	}
	proposed["id"] = prior["id"]
	proposedDV := p.dynamic(typ, proposed)
	resp, err := p.server.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{
		TypeName: typeName, PriorState: &priorDV, ProposedNewState: &proposedDV, Config: &cfg,
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return resp.Diagnostics
}

func (p *Protocol) dynamic(typ tftypes.Type, v map[string]any) tfprotov6.DynamicValue {
	p.t.Helper()
	val, err := toValue(typ, v)
	if err != nil {
		p.t.Fatal(err)
	}
	dv, err := tfprotov6.NewDynamicValue(typ, val)
	if err != nil {
		p.t.Fatal(err)
	}
	return dv
}

func toValue(typ tftypes.Type, v any) (tftypes.Value, error) {
	if v == nil {
		return tftypes.NewValue(typ, nil), nil
	}
	switch t := typ.(type) {
	case tftypes.Object:
		m, ok := v.(map[string]any)
		if !ok {
			return tftypes.Value{}, fmt.Errorf("want an object, got %T", v)
		}
		vals := map[string]tftypes.Value{}
		for name, at := range t.AttributeTypes {
			val, err := toValue(at, m[name])
			if err != nil {
				return tftypes.Value{}, fmt.Errorf("%s: %w", name, err)
			}
			vals[name] = val
		}
		for name := range m {
			if _, ok := t.AttributeTypes[name]; !ok {
				return tftypes.Value{}, fmt.Errorf("no attribute %q", name)
			}
		}
		return tftypes.NewValue(t, vals), nil
	case tftypes.Set, tftypes.List:
		var elem tftypes.Type
		if s, ok := t.(tftypes.Set); ok {
			elem = s.ElementType
		} else {
			elem = t.(tftypes.List).ElementType
		}
		items, ok := v.([]map[string]any)
		if !ok {
			return tftypes.Value{}, fmt.Errorf("want a list of objects, got %T", v)
		}
		vals := make([]tftypes.Value, 0, len(items))
		for _, it := range items {
			val, err := toValue(elem, it)
			if err != nil {
				return tftypes.Value{}, err
			}
			vals = append(vals, val)
		}
		return tftypes.NewValue(t, vals), nil
	default:
		return tftypes.NewValue(typ, v), nil
	}
}

func hasError(ds []*tfprotov6.Diagnostic) bool {
	for _, d := range ds {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

// Diagnostics renders diagnostics one per paragraph: severity, summary, detail.
func Diagnostics(ds []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "%s: %s\n%s\n\n", d.Severity, d.Summary, d.Detail)
	}
	return b.String()
}

// ImportAndRead imports a resource by ID and refreshes it, as `terraform import` and an
// import block do, and returns the state value.
func (p *Protocol) ImportAndRead(typeName, id string) (tftypes.Value, []*tfprotov6.Diagnostic) {
	p.t.Helper()
	ctx := context.Background()
	typ := p.schema.ResourceSchemas[typeName].ValueType()
	imp, err := p.server.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: typeName, ID: id})
	if err != nil {
		p.t.Fatal(err)
	}
	if hasError(imp.Diagnostics) || len(imp.ImportedResources) != 1 {
		return tftypes.Value{}, imp.Diagnostics
	}
	read, err := p.server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
		TypeName: typeName, CurrentState: imp.ImportedResources[0].State, Private: imp.ImportedResources[0].Private,
	})
	if err != nil {
		p.t.Fatal(err)
	}
	if hasError(read.Diagnostics) || read.NewState == nil {
		return tftypes.Value{}, read.Diagnostics
	}
	v, err := read.NewState.Unmarshal(typ)
	if err != nil {
		p.t.Fatal(err)
	}
	return v, read.Diagnostics
}

// ValidateAsConfig validates a state value as the configuration `-generate-config-out`
// writes for it: every attribute the user can set keeps its value, computed-only ones
// (named in computed) are left out. It returns ValidateResourceConfig's diagnostics.
func (p *Protocol) ValidateAsConfig(typeName string, state tftypes.Value, computed ...string) []*tfprotov6.Diagnostic {
	p.t.Helper()
	typ := p.schema.ResourceSchemas[typeName].ValueType()
	var attrs map[string]tftypes.Value
	if err := state.As(&attrs); err != nil {
		p.t.Fatal(err)
	}
	for _, name := range computed {
		attrs[name] = tftypes.NewValue(typ.(tftypes.Object).AttributeTypes[name], nil)
	}
	cfg, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, attrs))
	if err != nil {
		p.t.Fatal(err)
	}
	resp, err := p.server.ValidateResourceConfig(context.Background(), &tfprotov6.ValidateResourceConfigRequest{TypeName: typeName, Config: &cfg})
	if err != nil {
		p.t.Fatal(err)
	}
	return resp.Diagnostics
}

// ReadDataSource reads a data source from its configuration, as `terraform plan` does.
func (p *Protocol) ReadDataSource(typeName string, config map[string]any) []*tfprotov6.Diagnostic {
	p.t.Helper()
	s, ok := p.schema.DataSourceSchemas[typeName]
	if !ok {
		p.t.Fatalf("no data source type %s", typeName)
	}
	cfg := p.dynamic(s.ValueType(), config)
	resp, err := p.server.ReadDataSource(context.Background(), &tfprotov6.ReadDataSourceRequest{TypeName: typeName, Config: &cfg})
	if err != nil {
		p.t.Fatal(err)
	}
	return resp.Diagnostics
}

// ListResult is one result of a list resource, decoded.
type ListResult struct {
	DisplayName string
	Identity    tftypes.Value // null when absent
	Resource    tftypes.Value // null unless includeResource
	Diagnostics []*tfprotov6.Diagnostic
}

// List runs a list resource (`terraform query`'s list block) with the given configuration,
// and returns every result; it fails the test when the call itself fails.
func (p *Protocol) List(typeName string, config map[string]any, includeResource bool, limit int64) []ListResult {
	p.t.Helper()
	s, ok := p.schema.ListResourceSchemas[typeName]
	if !ok {
		p.t.Fatalf("no list resource %s", typeName)
	}
	cfg := p.dynamic(s.ValueType(), config)
	ctx := context.Background()
	ls, ok := p.server.(tfprotov6.ListResourceServer)
	if !ok {
		p.t.Fatal("the provider server does not serve list resources")
	}
	stream, err := ls.ListResource(ctx, &tfprotov6.ListResourceRequest{TypeName: typeName, Config: &cfg, IncludeResource: includeResource, Limit: limit})
	if err != nil {
		p.t.Fatal(err)
	}
	resType := p.schema.ResourceSchemas[typeName].ValueType()
	idSchemas, err := p.server.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		p.t.Fatal(err)
	}
	idType := idSchemas.IdentitySchemas[typeName].ValueType()
	var out []ListResult
	for r := range stream.Results {
		lr := ListResult{DisplayName: r.DisplayName, Diagnostics: r.Diagnostics,
			Identity: tftypes.NewValue(idType, nil), Resource: tftypes.NewValue(resType, nil)}
		if r.Identity != nil && r.Identity.IdentityData != nil {
			if lr.Identity, err = r.Identity.IdentityData.Unmarshal(idType); err != nil {
				p.t.Fatal(err)
			}
		}
		if r.Resource != nil {
			if lr.Resource, err = r.Resource.Unmarshal(resType); err != nil {
				p.t.Fatal(err)
			}
		}
		out = append(out, lr)
	}
	return out
}

// Create plans and applies a new resource from its configuration, as an apply does, and
// returns its state (nil after an error) and the diagnostics of both calls.
func (p *Protocol) Create(typeName string, config map[string]any) (*tfprotov6.DynamicValue, []*tfprotov6.Diagnostic) {
	p.t.Helper()
	typ := p.schema.ResourceSchemas[typeName].ValueType()
	null, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
	if err != nil {
		p.t.Fatal(err)
	}
	cfg := p.dynamic(typ, config)
	return p.apply(typeName, &null, &cfg, &cfg)
}

// Destroy plans and applies the destroy of a resource in the state, as an apply does for
// a resource whose block is gone, and returns the diagnostics of both calls.
func (p *Protocol) Destroy(typeName string, state *tfprotov6.DynamicValue) []*tfprotov6.Diagnostic {
	p.t.Helper()
	typ := p.schema.ResourceSchemas[typeName].ValueType()
	null, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
	if err != nil {
		p.t.Fatal(err)
	}
	_, diags := p.apply(typeName, state, &null, &null)
	return diags
}

func (p *Protocol) apply(typeName string, prior, proposed, config *tfprotov6.DynamicValue) (*tfprotov6.DynamicValue, []*tfprotov6.Diagnostic) {
	ctx := context.Background()
	plan, err := p.server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: typeName, PriorState: prior, ProposedNewState: proposed, Config: config,
	})
	if err != nil {
		p.t.Fatal(err)
	}
	if hasError(plan.Diagnostics) {
		return nil, plan.Diagnostics
	}
	applied, err := p.server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: typeName, PriorState: prior, PlannedState: plan.PlannedState, Config: config, PlannedPrivate: plan.PlannedPrivate,
	})
	if err != nil {
		p.t.Fatal(err)
	}
	diags := append(plan.Diagnostics, applied.Diagnostics...)
	if hasError(applied.Diagnostics) {
		return nil, diags
	}
	return applied.NewState, diags
}

// Validate runs the resource type's configuration validation, as `terraform validate` and
// every plan do before anything else, and returns the diagnostics. It sends nothing to
// Graph: the provider is not asked to plan.
func (p *Protocol) Validate(typeName string, config map[string]any) []*tfprotov6.Diagnostic {
	p.t.Helper()
	s, ok := p.schema.ResourceSchemas[typeName]
	if !ok {
		p.t.Fatalf("no resource type %s", typeName)
	}
	cfg := p.dynamic(s.ValueType(), config)
	resp, err := p.server.ValidateResourceConfig(context.Background(), &tfprotov6.ValidateResourceConfigRequest{TypeName: typeName, Config: &cfg})
	if err != nil {
		p.t.Fatal(err)
	}
	return resp.Diagnostics
}

// HasResource and HasDataSource report whether the provider's schema has the type.
func (p *Protocol) HasResource(typeName string) bool {
	_, ok := p.schema.ResourceSchemas[typeName]
	return ok
}

func (p *Protocol) HasDataSource(typeName string) bool {
	_, ok := p.schema.DataSourceSchemas[typeName]
	return ok
}

// HasListResource reports whether the provider's schema has the list resource type.
func (p *Protocol) HasListResource(typeName string) bool {
	_, ok := p.schema.ListResourceSchemas[typeName]
	return ok
}

// ResourceAttributes are the top-level attribute names of a resource type and, for a
// nested set or list attribute, the names inside it as "<attr>.<name>".
func (p *Protocol) ResourceAttributes(typeName string) map[string]bool {
	out := map[string]bool{}
	s, ok := p.schema.ResourceSchemas[typeName]
	if !ok || s.Block == nil {
		return out
	}
	for _, a := range s.Block.Attributes {
		out[a.Name] = true
		if a.NestedType != nil {
			for _, n := range a.NestedType.Attributes {
				out[a.Name+"."+n.Name] = true
			}
		}
	}
	return out
}

// HasError reports whether the diagnostics hold an error.
func HasError(ds []*tfprotov6.Diagnostic) bool { return hasError(ds) }
