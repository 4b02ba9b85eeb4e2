package acctest

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

// Describe renders a target as one comparable line: kind, ids (lower case), filter.
func Describe(t emulator.Target) string {
	kind := strings.TrimPrefix(t.ODataType, "#microsoft.graph.")
	parts := []string{kind}
	if t.GroupID != "" {
		parts = append(parts, strings.ToLower(t.GroupID))
	}
	if t.CollectionID != "" {
		parts = append(parts, strings.ToLower(t.CollectionID))
	}
	if t.FilterType != "" && t.FilterType != "none" {
		parts = append(parts, t.FilterType, strings.ToLower(t.FilterID))
	}
	return strings.Join(parts, " ")
}

// Lister reads a policy's assignments from the emulator (device or office family).
type Lister func(policyID string) ([]emulator.Assignment, bool)

// CheckAssignments asserts that the policy's assignments in the emulator with the given
// source ("direct" or "policySets") are exactly want (as Describe lines, any order).
func CheckAssignments(list Lister, policyID, source string, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		as, ok := list(policyID)
		if !ok {
			return fmt.Errorf("policy %s does not exist in the emulator", policyID)
		}
		var got []string
		for _, a := range as {
			s := a.Source
			if s == "" {
				s = "direct"
			}
			if s == source {
				got = append(got, strings.ToLower(Describe(a.Target)))
			}
		}
		sort.Strings(got)
		w := append([]string{}, want...)
		for i := range w {
			w[i] = strings.ToLower(w[i])
		}
		sort.Strings(w)
		if strings.Join(got, "\n") != strings.Join(w, "\n") {
			return fmt.Errorf("%s assignments of %s in the emulator:\n  got  %q\n  want %q", source, policyID, got, w)
		}
		return nil
	}
}
