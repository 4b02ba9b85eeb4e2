#!/usr/bin/env bash
# make demo: start the Graph emulator, point a plain terraform at the freshly built
# provider with dev_overrides, and plan, apply, re-plan (must be empty) and destroy the
# examples, the way a user would run them against a tenant.
set -euo pipefail

: "${TERRAFORM:?}" "${PROVIDER_DIR:?}" "${DEMO_DIR:?}" "${DEMO_ADDR:?}" "${EMULATOR:?}"
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/demo-env.sh
. "$root/scripts/lib/demo-env.sh"
rm -rf "$DEMO_DIR" && mkdir -p "$DEMO_DIR/work"
demo_env "$DEMO_DIR" ""

# Two configurations a user would write, run one after the other (each example is a
# configuration of its own, so two of them may use the same names or manage the same policy):
#  - data-sources: the provider example, and each data source example as a module of its own
#    (the lookups by name, the assignments data sources, and the resources that use them),
#    whose outputs the root module shows;
#  - resources: the provider example plus every resource example, in one root module.
# scripts/emulator-seed.json holds every policy and filter they name.
res="$DEMO_DIR/work/resources" ds="$DEMO_DIR/work/data-sources"
mkdir -p "$res" "$ds"
cat "$root"/examples/provider/provider.tf "$root"/examples/resources/*/resource.tf >"$res/main.tf"
cp "$root"/examples/provider/provider.tf "$ds/main.tf"
for ex in "$root"/examples/data-sources/*/; do
  name=$(basename "$ex")
  mkdir -p "$ds/modules/$name"
  cp "$ex"/*.tf "$ds/modules/$name/"
  # A module names the providers it uses; the examples leave that to the root module.
  cat >"$ds/modules/$name/versions.tf" <<TF
terraform {
  required_providers {
    intune = { source = "intunetf/intune" }
  }
}
TF
  cat >>"$ds/main.tf" <<TF

module "$name" {
  source = "./modules/$name"
}
TF
  if grep -q '^output ' "$ex"/*.tf; then
    printf '\noutput "%s" {\n  value = module.%s\n}\n' "$name" "$name" >>"$ds/main.tf"
  fi
done


cli=$(basename "$TERRAFORM")
run_stage() { # run_stage NAME DIR: plan, apply, plan again (must be empty), output, destroy
  cd "$2"
  echo "== [$1] $cli plan"
  "$TERRAFORM" plan -input=false -no-color
  echo "== [$1] $cli apply"
  "$TERRAFORM" apply -input=false -auto-approve -no-color
  echo "== [$1] $cli plan again (expect no changes)"
  local rc=0
  "$TERRAFORM" plan -input=false -no-color -detailed-exitcode || rc=$?
  if [ $rc -ne 0 ]; then echo "the plan after apply is not empty (exit $rc)"; exit 1; fi
  echo "== [$1] $cli output"
  "$TERRAFORM" output -no-color
  echo "== [$1] $cli destroy"
  "$TERRAFORM" destroy -input=false -auto-approve -no-color
}
# The data-source modules are local modules: `get` installs them. Not init: with
# dev_overrides no provider needs installing, and OpenTofu's init would still ask the registry.
(cd "$ds" && "$TERRAFORM" get -no-color >/dev/null)
# The data sources first, so that they show the seeded tenant as the portal left it: the
# resources stage's destroy removes the direct assignments of the policies it manages.
run_stage data-sources "$ds"
run_stage resources "$res"

# The guide "Rolling out an app in rings" (scripts/demo-rings.sh, also `make demo-rings`): its
# stages from a fresh emulator on the same address, so this one stops first.
kill $emu 2>/dev/null || true
wait $emu 2>/dev/null || true
trap - EXIT
TERRAFORM="$TERRAFORM" "$root/scripts/demo-rings.sh"
echo "== demo done"
