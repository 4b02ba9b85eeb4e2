package assignments

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// setType is the type of the `assignments` set: the framework's set of objects, with the
// two checks that the framework does pairwise done by key instead, so that their cost
// grows with the number of assignments rather than its square (issue 9 part 3;
// terraform-plugin-framework issues 775, 1314 and 1322 describe the curve):
//
//   - Validate, run on every conversion of the set (each read of the plan, state or
//     configuration), finds duplicate elements with a map instead of comparing every pair;
//   - SetSemanticEquals, run after Read, Create and Update, says at once when the new set
//     holds exactly the prior elements, so the framework does not match every element of
//     one against every element of the other.
//
// Behaviour is the framework's: the same duplicates are refused with the same diagnostic,
// and an element is equal only to an identical element.
type setType struct {
	basetypes.SetType
}

var (
	_ basetypes.SetTypable                    = setType{}
	_ basetypes.SetValuableWithSemanticEquals = setValue{}
)

func (t setType) Equal(o attr.Type) bool {
	other, ok := o.(setType)
	return ok && t.SetType.Equal(other.SetType)
}

func (t setType) String() string { return "assignments.setType[" + t.ElementType().String() + "]" }

func (t setType) ValueType(context.Context) attr.Value {
	return setValue{SetValue: basetypes.NewSetNull(t.ElementType())}
}

func (t setType) ValueFromSet(_ context.Context, s basetypes.SetValue) (basetypes.SetValuable, diag.Diagnostics) {
	return setValue{SetValue: s}, nil
}

func (t setType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.SetType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.SetValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return setValue{SetValue: s}, nil
}

// Validate refuses duplicate elements, as basetypes.SetType.Validate does, in one pass.
func (t setType) Validate(_ context.Context, in tftypes.Value, p path.Path) diag.Diagnostics {
	var diags diag.Diagnostics
	if in.Type() == nil || !in.IsKnown() || in.IsNull() {
		return diags
	}
	var elems []tftypes.Value
	if err := in.As(&elems); err != nil {
		diags.AddAttributeError(p, "Set Type Validation Error",
			"An unexpected error was encountered trying to validate an attribute value. This is always an error in the provider. Please report the following to the provider developer:\n\n"+err.Error())
		return diags
	}
	seen := make(map[string]bool, len(elems))
	for _, e := range elems {
		if !e.IsFullyKnown() {
			continue
		}
		k := valueKey(e)
		if seen[k] {
			diags.AddAttributeError(p, "Duplicate Set Element", fmt.Sprintf("This attribute contains duplicate values of: %s", e))
		}
		seen[k] = true
	}
	return diags
}

// setValue is a value of setType.
type setValue struct {
	basetypes.SetValue
}

func (v setValue) Type(context.Context) attr.Type {
	return setType{SetType: basetypes.SetType{ElemType: v.ElementType(context.Background())}}
}

func (v setValue) Equal(o attr.Value) bool {
	other, ok := o.(setValue)
	return ok && v.SetValue.Equal(other.SetValue)
}

func (v setValue) ToSetValue(context.Context) (basetypes.SetValue, diag.Diagnostics) {
	return v.SetValue, nil
}

// SetSemanticEquals is true when both sets hold exactly the same elements (in one pass
// over each); otherwise the framework compares element by element as it always does.
func (v setValue) SetSemanticEquals(_ context.Context, prior basetypes.SetValuable) (bool, diag.Diagnostics) {
	p, ok := prior.(setValue)
	if !ok {
		return false, nil
	}
	a, b := v.Elements(), p.Elements()
	if len(a) != len(b) {
		return false, nil
	}
	have := make(map[string]int, len(a))
	for _, e := range a {
		have[attrKey(e)]++
	}
	for _, e := range b {
		k := attrKey(e)
		if have[k] == 0 {
			return false, nil
		}
		have[k]--
	}
	return true, nil
}

// valueKey is a string that is equal for two known values exactly when the values are
// equal.
func valueKey(v tftypes.Value) string {
	var b strings.Builder
	writeValueKey(&b, v)
	return b.String()
}

func writeValueKey(b *strings.Builder, v tftypes.Value) {
	switch {
	case !v.IsKnown():
		b.WriteString("?")
		return
	case v.IsNull():
		b.WriteString("~")
		return
	}
	if v.Type().Is(tftypes.Object{}) {
		var attrs map[string]tftypes.Value
		if v.As(&attrs) == nil {
			names := make([]string, 0, len(attrs))
			for n := range attrs {
				names = append(names, n)
			}
			sort.Strings(names)
			b.WriteString("{")
			for _, n := range names {
				fmt.Fprintf(b, "%q:", n)
				writeValueKey(b, attrs[n])
				b.WriteString(",")
			}
			b.WriteString("}")
			return
		}
	}
	if v.Type().Is(tftypes.String) {
		var s string
		if v.As(&s) == nil {
			fmt.Fprintf(b, "%q", s)
			return
		}
	}
	b.WriteString(v.String())
}

// attrKey is valueKey for a framework value.
func attrKey(v attr.Value) string {
	tv, err := v.ToTerraformValue(context.Background())
	if err != nil {
		return v.String()
	}
	return valueKey(tv)
}
