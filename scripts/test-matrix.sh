#!/usr/bin/env bash
# make test-matrix / make test-tofu: the acceptance suite (every package whose tests drive a
# CLI through terraform-plugin-testing or internal/acctest) and `make demo`, once per CLI,
# then a table: CLI, result, tests passed / skipped / failed, wall time. Each CLI's `go test
# -v` log is kept in .bin/matrix/<cli>.log, and the skipped tests are listed with the
# reason they give (a CLI that lacks a feature, such as `terraform query`).
#
#   scripts/test-matrix.sh CLI...   each CLI a path to a terraform or tofu binary
#
# OpenTofu resolves a provider source without a host to registry.opentofu.org, so for a
# binary named tofu* TF_ACC_PROVIDER_HOST is registry.opentofu.org (terraform-plugin-testing
# and internal/acctest both read it). Exit status 1 when any CLI failed.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[ $# -gt 0 ] || { echo "usage: $0 CLI..." >&2; exit 2; }
logs=$root/.bin/matrix
mkdir -p "$logs"
touch "$root/.bin/test.terraformrc"

pkgs=$(go list -f '{{.ImportPath}} {{join .TestImports " "}} {{join .XTestImports " "}}' ./... |
  grep -E ' (github.com/hashicorp/terraform-plugin-testing/|github.com/intunetf/terraform-provider-intune/internal/acctest)' |
  cut -d' ' -f1)
echo "test-matrix: acceptance packages:" $pkgs

rows=()
status=0
for cli in "$@"; do
  case $cli in /*) ;; *) cli=$root/$cli ;; esac
  name=$(basename "$cli")
  host=registry.terraform.io
  case $name in tofu*) host=registry.opentofu.org ;; esac
  version=$(CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null "$cli" version 2>/dev/null | head -n 1)
  log=$logs/$name.log
  echo
  echo "== $version ($cli): go test -v ${TEST_RUN:+-run $TEST_RUN }(log: $log)"
  start=$(date +%s)
  # shellcheck disable=SC2086
  TF_CLI_CONFIG_FILE=$root/.bin/test.terraformrc TF_ACC_TERRAFORM_PATH=$cli TF_ACC_PROVIDER_HOST=$host \
    CHECKPOINT_DISABLE=1 go test -v -count=1 -parallel "${TEST_PARALLEL:-8}" -timeout "${TEST_TIMEOUT:-30m}" ${TEST_RUN:+-run "$TEST_RUN"} $pkgs >"$log" 2>&1
  rc=$?
  grep -E '^(ok|FAIL|---|panic)' "$log" | grep -v -- '--- PASS' || true
  echo "== $version: make demo"
  demo=ok
  make --no-print-directory demo TERRAFORM="$cli" >"$logs/$name.demo.log" 2>&1 || demo="FAILED (log: $logs/$name.demo.log)"
  echo "demo: $demo"
  wall=$(($(date +%s) - start))
  pass=$(grep -c -- '--- PASS' "$log")
  skip=$(grep -c -- '--- SKIP' "$log")
  fail=$(grep -c -- '--- FAIL' "$log")
  result=ok
  if [ $rc -ne 0 ] || [ "$demo" != ok ]; then result=FAILED; status=1; fi
  rows+=("$(printf '%-22s %-7s %6s %6s %6s  %-6s %4d:%02d' "$version" "$result" "$pass" "$skip" "$fail" "${demo%% *}" $((wall / 60)) $((wall % 60)))")
  if [ "$skip" -gt 0 ]; then
    echo "skipped on $version:"
    # In -v output a test's Skip message is the line just before its "--- SKIP".
    grep -B1 -- '--- SKIP' "$log" | grep -v -- '^--$' | sed 's/^/  /'
  fi
done

echo
printf '%-22s %-7s %6s %6s %6s  %-6s %7s\n' CLI result passed skipped failed demo wall
for r in "${rows[@]}"; do echo "$r"; done
exit $status
