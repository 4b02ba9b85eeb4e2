#!/usr/bin/env bash
# make demo: start the Graph emulator, point a plain terraform at the freshly built
# provider with dev_overrides, and plan, apply, re-plan (must be empty) and destroy the
# examples, the way a user would run them against a tenant.
set -euo pipefail

: "${TERRAFORM:?}" "${PROVIDER_DIR:?}" "${DEMO_DIR:?}" "${DEMO_ADDR:?}" "${EMULATOR:?}"
root=$(cd "$(dirname "$0")/.." && pwd)

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

# The configuration a user would write: the provider example plus every resource and
# data source example. Endpoints and credentials come from the environment, as they
# would for a sovereign cloud.
cat "$root"/examples/provider/provider.tf \
    "$root"/examples/resources/*/resource.tf \
    "$root"/examples/data-sources/*/data-source.tf >"$DEMO_DIR/work/main.tf"

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

cd "$DEMO_DIR/work"
echo "== terraform plan"
"$TERRAFORM" plan -input=false -no-color
echo "== terraform apply"
"$TERRAFORM" apply -input=false -auto-approve -no-color
echo "== terraform plan again (expect no changes)"
set +e
"$TERRAFORM" plan -input=false -no-color -detailed-exitcode
rc=$?
set -e
if [ $rc -ne 0 ]; then echo "the plan after apply is not empty (exit $rc)"; exit 1; fi
echo "== terraform output"
"$TERRAFORM" output -no-color
echo "== terraform destroy"
"$TERRAFORM" destroy -input=false -auto-approve -no-color
echo "== demo done"
