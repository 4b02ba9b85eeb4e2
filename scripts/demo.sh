#!/usr/bin/env bash
# make demo: start the Graph emulator, point a plain terraform at the freshly built
# provider with dev_overrides, and plan, apply, re-plan (must be empty) and destroy the
# examples, the way a user would run them against a tenant.
set -euo pipefail

: "${TERRAFORM:?}" "${PROVIDER_DIR:?}" "${DEMO_DIR:?}" "${DEMO_ADDR:?}" "${EMULATOR:?}"
root=$(cd "$(dirname "$0")/.." && pwd)
# The stages run in their own folders: a relative TERRAFORM (TERRAFORM=.bin/tofu) is made absolute.
case $TERRAFORM in
  /*) ;;
  */*) TERRAFORM=$PWD/$TERRAFORM ;;
  *) TERRAFORM=$(command -v "$TERRAFORM") ;;
esac

rm -rf "$DEMO_DIR" && mkdir -p "$DEMO_DIR/work"
log="$DEMO_DIR/emulator.log"

"$EMULATOR" -addr "$DEMO_ADDR" -ca-out "$DEMO_DIR/ca.pem" -seed "$root/scripts/emulator-seed.json" >"$log" 2>&1 &
emu=$!
trap 'kill $emu 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q "listening on" "$log" 2>/dev/null && break
  kill -0 $emu 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.1
done
url=$(grep -o 'https://[^ ]*' "$log" | head -1)
echo "== emulator at $url (log: $log)"

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

cat >"$DEMO_DIR/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "intunetf/intune" = "$PROVIDER_DIR"
  }
  direct {}
}
RC

export TF_CLI_CONFIG_FILE="$DEMO_DIR/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
export SSL_CERT_FILE="$DEMO_DIR/ca.pem"
export ARM_TENANT_ID="${DEMO_TENANT_ID:-4a1e3d2c-0b5f-4e6a-9c7d-8e9f0a1b2c3d}"
export ARM_CLIENT_ID="${DEMO_CLIENT_ID:-0e1d2c3b-4a59-4687-9a8b-7c6d5e4f3a2b}"
export ARM_CLIENT_SECRET="${DEMO_CLIENT_SECRET:-emulator-secret}"
export INTUNE_GRAPH_ENDPOINT="$url" INTUNE_AUTHORITY_HOST="$url/"

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
