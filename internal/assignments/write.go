package assignments

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// The one place where a family's write mode is handled. A write makes Graph hold a given
// direct set for a policy and returns what Graph holds afterwards, whatever the family's
// Graph surface (graph.Family):
//
//   - replace-all, answered with the set (the first five families): the assign action's
//     answer is the result;
//   - replace-all answered 204 No Content (graph-families.md G1; graph.Family.AssignNoContent):
//     the set is read back, through the run's consistency handling (ledger.go): reads are
//     repeated while they do not show the set written, for at most consistencyWindow;
//   - per assignment (graph-families.md G4; graph.Family.PerAssignment): the difference
//     between what Graph holds (read fresh) and the set is written one call at a time,
//     adds (POST …/assignments) before removes (DELETE …/assignments/{id}), so a policy is
//     never left with fewer targets than either set has in common; only a group whose
//     assignment changes kind is removed before it is added again (one assignment per
//     group, internal/graph/NOTES.md#assignment-ids). Such a write is not
//     atomic: a failure part-way stops it, the set is read back, and the error is a
//     *partialWriteError saying what was applied and what was not.

// partialWriteError is a per-assignment write stopped part-way by Err: Applied are the
// changes Graph accepted, NotApplied those not attempted or refused (each "added …" or
// "removed …"), and Held what Graph holds after it (read back; nil when that read failed too).
type partialWriteError struct {
	Applied, NotApplied []string
	Held                []graph.Assignment
	ReadErr             error // the read-back's error, when it failed
	Err                 error
}

func (e *partialWriteError) Error() string { return e.Err.Error() }
func (e *partialWriteError) Unwrap() error { return e.Err }

// Details explains the partial write for a diagnostic: Graph's error, what was applied and
// what was not.
func (e *partialWriteError) Details() string {
	var detailed interface{ Details() string }
	cause := e.Err.Error()
	if errors.As(e.Err, &detailed) {
		cause = detailed.Details()
	}
	return fmt.Sprintf("This family has no replace-all assign action, so its assignments are written one call at a time, "+
		"and a call failed part-way:\n%s\n\nApplied: %s\nNot applied: %s",
		cause, orNone(e.Applied), orNone(e.NotApplied))
}

// outcome says what the resource records after the partial write: creating, nothing (a
// failed create records nothing); otherwise what Graph holds, read back.
func (e *partialWriteError) outcome(creating bool) string {
	switch {
	case creating:
		return "Nothing was recorded in the state. The next terraform plan shows this resource to create again; its apply adds only what Graph does not hold yet."
	case e.ReadErr != nil:
		return "Reading the policy back after the failure failed too (" + e.ReadErr.Error() + "), so the state is as before; the next terraform plan reads the policy and shows the rest."
	default:
		return "The state records what Graph holds now (read back after the failure), so the next terraform plan shows the rest."
	}
}

// write makes Graph hold desired as policyID's direct assignments (see the file comment)
// and returns what Graph holds afterwards, as read or answered. The caller holds the
// policy's lock. Errors: Graph's (*graph.Error, *graph.NotSentError) for a replace-all
// write, as AssignmentAPI.Assign; a *partialWriteError for a per-assignment write that
// failed after its first read; a read's error.
func (d *ProviderData) write(ctx context.Context, f *Family, client *graph.Client, policyID string, desired []graph.Assignment) ([]graph.Assignment, error) {
	api := f.api(client)
	if !f.Graph.PerAssignment {
		got, err := api.Assign(ctx, policyID, desired)
		if err != nil || !f.Graph.AssignNoContent {
			return got, err
		}
		return d.readBack(ctx, f, client, policyID, desired)
	}

	current, err := api.List(ctx, policyID)
	if err == nil {
		current, err = d.awaitRun(ctx, f, client, policyID, current)
	}
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, k := range f.keysOf(desired) {
		want[k] = true
	}
	have := map[string]bool{}
	var removes []graph.Assignment
	for _, a := range directOnly(current) {
		k := f.keyOf(a)
		if k != "" && want[k] && !have[k] {
			have[k] = true
			continue
		}
		removes = append(removes, a) // not wanted, a second copy, or a kind the family cannot show
	}
	var adds []graph.Assignment
	groupsAdded := map[string]bool{}
	for _, a := range desired {
		if k := f.keyOf(a); !have[k] {
			have[k] = true
			adds = append(adds, a)
			if g := strings.ToLower(a.Target.GroupID); g != "" {
				groupsAdded[g] = true
			}
		}
	}
	// Adds go first, so the policy never has fewer targets than the two sets share, except
	// for a group whose assignment changes kind (included to excluded, or back): Graph keeps
	// one assignment per group, and its ID need not tell the kinds apart, so that one is
	// removed before its replacement is added.
	var early, late []graph.Assignment
	for _, a := range removes {
		if groupsAdded[strings.ToLower(a.Target.GroupID)] {
			early = append(early, a)
		} else {
			late = append(late, a)
		}
	}
	var applied []string
	pending := make([]string, 0, len(adds)+len(removes))
	for _, a := range early {
		pending = append(pending, "removed "+f.describeGraph(a))
	}
	for _, a := range adds {
		pending = append(pending, "added "+f.describeGraph(a))
	}
	for _, a := range late {
		pending = append(pending, "removed "+f.describeGraph(a))
	}
	fail := func(err error) ([]graph.Assignment, error) {
		pe := &partialWriteError{Applied: applied, NotApplied: pending, Err: err}
		// What the calls that succeeded changed is in the ledger; the read shows it.
		held, rerr := api.List(ctx, policyID)
		if rerr == nil {
			held, rerr = d.awaitRun(ctx, f, client, policyID, held)
		}
		pe.Held, pe.ReadErr = held, rerr
		return held, pe
	}
	remove := func(a graph.Assignment) error {
		if err := api.Delete(ctx, policyID, a.ID); err != nil && !graph.IsNotFound(err) {
			return err
		}
		if k := f.keyOf(a); k != "" {
			d.noteWrite(f, policyID, []string{k}, nil)
		}
		applied, pending = append(applied, pending[0]), pending[1:]
		return nil
	}
	for _, a := range early {
		if err := remove(a); err != nil {
			return fail(err)
		}
	}
	for _, a := range adds {
		if _, err := api.Create(ctx, policyID, a); err != nil {
			return fail(err)
		}
		d.noteWrite(f, policyID, nil, []string{f.keyOf(a)})
		applied, pending = append(applied, pending[0]), pending[1:]
	}
	for _, a := range late {
		if err := remove(a); err != nil {
			return fail(err)
		}
	}
	return d.readBack(ctx, f, client, policyID, desired)
}

// readBack reads policyID's assignments after a write of sent that Graph answered without
// the set, reading again (ledger.go, await) while the answer does not show exactly sent's
// direct set, for at most consistencyWindow: Graph is eventually consistent
// (internal/graph/NOTES.md#read-after-write-lag). After the window the read is Graph's
// truth, and the caller's settle reports any difference.
func (d *ProviderData) readBack(ctx context.Context, f *Family, client *graph.Client, policyID string, sent []graph.Assignment) ([]graph.Assignment, error) {
	got, err := f.api(client).List(ctx, policyID)
	if err != nil {
		return nil, fmt.Errorf("the write was accepted, but reading the assignments back failed: %w", err)
	}
	want := f.remote(sent)
	return d.await(ctx, f, client, policyID, d.clock().Now().Add(consistencyWindow), got, func(as []graph.Assignment) bool {
		return !f.shows(as, want)
	})
}

// shows reports whether Graph's assignments as hold the set sent: the same assignments
// (identities), each holding the values written (what Graph fills in besides them plays no
// part). A read that lags shows the old values of a data-only change, and is read again.
func (f *Family) shows(as []graph.Assignment, sent []element) bool {
	got, _ := f.reconcile(sent, directOnly(as))
	return f.sameSet(got, sent)
}

// keyOf is the key of one assignment Graph holds or the provider built, or "" when the
// family cannot represent it.
func (f *Family) keyOf(a graph.Assignment) string {
	e, ok := f.fromGraph(a)
	if !ok {
		return ""
	}
	return f.identity(e)
}

// describeGraph names an assignment for a diagnostic, as describe does for an element.
func (f *Family) describeGraph(a graph.Assignment) string {
	if e, ok := f.fromGraph(a); ok {
		return f.describe(e)
	}
	return strings.TrimSpace(a.Target.ODataType + " " + a.ID)
}
