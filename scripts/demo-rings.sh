#!/usr/bin/env bash
# make demo-rings (and the end of make demo): the guide "Rolling out an app in rings" against the
# Graph emulator. From the seed, apply examples/guides/app-rings/stage1, stage2 and stage3 in turn,
# one configuration whose main.tf each stage replaces, as a user would edit it. Each stage's plan
# must be what the guide says: stage 1 creates the resource; stages 2 and 3 are exactly one
# in-place update whose assignments lose and gain exactly the elements listed below (the group
# that moves from available to required, and the ring or retired group added); after each apply
# the next plan must be empty. Then destroy. Any difference fails the script.
set -euo pipefail

: "${TERRAFORM:?}" "${PROVIDER_DIR:?}" "${DEMO_DIR:?}" "${DEMO_ADDR:?}" "${EMULATOR:?}"
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/demo-env.sh
. "$root/scripts/lib/demo-env.sh"
dir="$DEMO_DIR/rings"
rm -rf "$dir" && mkdir -p "$dir/work"
demo_env "$dir" "[rings] "

cli=$(basename "$TERRAFORM")
work="$dir/work"
fail() { echo "== [rings] FAILED: $*" >&2; exit 1; }

# check_plan STAGE EXPECTED_ACTION REMOVED ADDED: the saved plan changes exactly one resource,
# intune_mobile_app_assignments.expenses, with EXPECTED_ACTION ("create" or "update"), and its
# assignments lose exactly REMOVED and gain exactly ADDED ("group:intent" pairs, comma-separated,
# "" for none; the group is the first 8 characters of its ID).
check_plan() {
  "$TERRAFORM" show -json -no-color tfplan >plan.json
  python3 - "$@" <<'PY' || fail "stage $1: the plan is not what the guide shows (above)"
import json, sys
stage, action, removed, added = sys.argv[1:5]
plan = json.load(open("plan.json"))
changes = [c for c in plan.get("resource_changes", []) if c["change"]["actions"] != ["no-op"]]
def fail(msg):
    print(f"stage {stage}: {msg}", file=sys.stderr); sys.exit(1)
if len(changes) != 1 or changes[0]["address"] != "intune_mobile_app_assignments.expenses":
    fail(f"expected one change of intune_mobile_app_assignments.expenses, got {[(c['address'], c['change']['actions']) for c in changes]}")
if changes[0]["change"]["actions"] != [action]:
    fail(f"expected {action}, got {changes[0]['change']['actions']}")
def keys(state):
    return {f"{a['group_id'][:8]}:{a['intent']}" for a in ((state or {}).get("assignments") or [])}
before, after = keys(changes[0]["change"]["before"]), keys(changes[0]["change"]["after"])
want_removed = set(filter(None, removed.split(",")))
want_added = set(filter(None, added.split(",")))
if before - after != want_removed or after - before != want_added:
    fail(f"expected removed {sorted(want_removed)} and added {sorted(want_added)}, got removed {sorted(before - after)} and added {sorted(after - before)}")
print(f"== [rings] stage {stage}: one {action}; assignments removed {sorted(want_removed) or '[]'}, added {sorted(want_added)}")
PY
}

run() { # run STAGE ACTION REMOVED ADDED
  local stage=$1
  cp "$root/examples/guides/app-rings/stage$stage/main.tf" "$work/main.tf"
  cd "$work"
  echo "== [rings] stage $stage: $cli plan"
  "$TERRAFORM" plan -input=false -no-color -out=tfplan
  check_plan "$@"
  echo "== [rings] stage $stage: $cli apply"
  "$TERRAFORM" apply -input=false -auto-approve -no-color tfplan
  echo "== [rings] stage $stage: $cli plan again (expect no changes)"
  local rc=0
  "$TERRAFORM" plan -input=false -no-color -detailed-exitcode >plan-again.txt || rc=$?
  if [ $rc -ne 0 ]; then cat plan-again.txt; fail "stage $stage: the plan after apply is not empty (exit $rc)"; fi
  echo "== [rings] stage $stage: no changes"
}

# Group IDs (first 8 characters): 7d6c5b4a pilot, 2b3c4d5e ring 1 (finance), 9f8e7d6c retired
# kiosks, c0ffee00 the lab devices (excluded).
run 1 create "" "7d6c5b4a:available,c0ffee00:required"
run 2 update "7d6c5b4a:available" "7d6c5b4a:required,2b3c4d5e:available"
run 3 update "2b3c4d5e:available" "2b3c4d5e:required,9f8e7d6c:uninstall"
echo "== [rings] $cli destroy"
"$TERRAFORM" destroy -input=false -auto-approve -no-color
echo "== [rings] done"
