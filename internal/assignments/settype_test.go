package assignments

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func TestSetTypeAgreesWithTheFrameworksSet(t *testing.T) {
	ctx := context.Background()
	f := testFamily
	objType := f.resourceSchema().Attributes["assignments"].GetType().(setType).ElementType()
	tfObj := objType.TerraformType(ctx)
	elem := func(target, group string) tftypes.Value {
		v := map[string]tftypes.Value{}
		for name := range tfObj.(tftypes.Object).AttributeTypes {
			v[name] = tftypes.NewValue(tftypes.String, nil)
		}
		v["target"] = tftypes.NewValue(tftypes.String, target)
		if group != "" {
			v["group_id"] = tftypes.NewValue(tftypes.String, group)
		}
		return tftypes.NewValue(tfObj, v)
	}
	setOfElems := func(es ...tftypes.Value) tftypes.Value {
		return tftypes.NewValue(tftypes.Set{ElementType: tfObj}, es)
	}
	ours := setType{SetType: basetypes.SetType{ElemType: objType}}
	theirs := basetypes.SetType{ElemType: objType}
	for i, in := range []tftypes.Value{
		setOfElems(),
		setOfElems(elem("group", "a"), elem("group", "b")),
		setOfElems(elem("group", "a"), elem("group", "a")),
		setOfElems(elem("group", "a"), elem("group", "A")),
		setOfElems(elem("all_devices", ""), elem("all_devices", ""), elem("group", "x"), elem("group", "x")),
		setOfElems(elem("group", ""), elem("group", "")),
	} {
		got, want := ours.Validate(ctx, in, path.Root("assignments")), theirs.Validate(ctx, in, path.Root("assignments"))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("case %d: Validate = %v, the framework's = %v", i, got, want)
		}
	}

	value := func(in tftypes.Value) setValue {
		v, err := ours.ValueFromTerraform(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return v.(setValue)
	}
	a, b, c := elem("group", "a"), elem("group", "b"), elem("all_devices", "")
	for _, tc := range []struct {
		x, y tftypes.Value
		same bool
	}{
		{setOfElems(a, b), setOfElems(b, a), true},
		{setOfElems(a, b), setOfElems(a, c), false},
		{setOfElems(a), setOfElems(a, b), false},
		{setOfElems(), setOfElems(), true},
		{setOfElems(elem("group", "a")), setOfElems(elem("group", "A")), false},
	} {
		got, d := value(tc.x).SetSemanticEquals(ctx, value(tc.y))
		if d.HasError() || got != tc.same || got != tc.x.Equal(tc.y) {
			t.Errorf("SetSemanticEquals(%v, %v) = %v, want %v (exact equality)", tc.x, tc.y, got, tc.same)
		}
	}
}
