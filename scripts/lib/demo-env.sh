# Sourced by scripts/demo.sh and scripts/demo-rings.sh: a plain terraform pointed at the freshly
# built provider (dev_overrides) and at a Graph emulator seeded from scripts/emulator-seed.json,
# signed in with ARM_* as a user would.
#
# demo_env DIR LABEL: start the emulator with its CA and log in DIR (stopped when the script
# exits), write DIR/terraformrc, and export the CLI configuration, the CA and the ARM_* and
# INTUNE_* variables. Needs TERRAFORM, PROVIDER_DIR, DEMO_ADDR, EMULATOR and root; makes
# TERRAFORM absolute (the stages run in their own folders).
demo_env() {
  local dir=$1 label=$2 log="$1/emulator.log"
  case $TERRAFORM in
    /*) ;;
    */*) TERRAFORM=$PWD/$TERRAFORM ;;
    *) TERRAFORM=$(command -v "$TERRAFORM") ;;
  esac
  "$EMULATOR" -addr "$DEMO_ADDR" -ca-out "$dir/ca.pem" -seed "$root/scripts/emulator-seed.json" >"$log" 2>&1 &
  emu=$!
  trap 'kill $emu 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    grep -q "listening on" "$log" 2>/dev/null && break
    kill -0 $emu 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.1
  done
  local url
  url=$(grep -o 'https://[^ ]*' "$log" | head -1)
  echo "== ${label}emulator at $url (log: $log)"
  cat >"$dir/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "intunetf/intune" = "$PROVIDER_DIR"
  }
  direct {}
}
RC
  export TF_CLI_CONFIG_FILE="$dir/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
  export SSL_CERT_FILE="$dir/ca.pem"
  export ARM_TENANT_ID="${DEMO_TENANT_ID:-4a1e3d2c-0b5f-4e6a-9c7d-8e9f0a1b2c3d}"
  export ARM_CLIENT_ID="${DEMO_CLIENT_ID:-0e1d2c3b-4a59-4687-9a8b-7c6d5e4f3a2b}"
  export ARM_CLIENT_SECRET="${DEMO_CLIENT_SECRET:-emulator-secret}"
  export INTUNE_GRAPH_ENDPOINT="$url" INTUNE_AUTHORITY_HOST="$url/"
}
