#!/usr/bin/env bash
# Build the OpenTofu CLI that `make test-tofu` and `make test-matrix` run.
#
#   scripts/build-tofu.sh [BIN]   make sure BIN/tofu is TOFU_VERSION, building it from the Go
#                                 module proxy if not
#
# BIN defaults to .bin/ at the repository root; TOFU_VERSION to 1.12.6.
#
# OpenTofu's module builds as published: `go mod download` puts it in the module cache and
# `go build ./cmd/tofu` runs inside that (read-only) folder with -mod=readonly, CGO off and
# the ldflags of its release build (.goreleaser.yaml), so the binary says 1.12.6, not -dev.
# Measured on 2 cores: about 3 min with the modules downloaded, 7 to 13 min from nothing.
#
# Idempotent: an existing BIN/tofu that reports TOFU_VERSION is kept.
set -eu
set -o pipefail

version=${TOFU_VERSION:-1.12.6}
version=${version#v}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/.bin}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
bin=${bin%/}
out=$bin/tofu

say() { echo "build-tofu: $*" >&2; }

# tofu_version PATH: the version a tofu binary reports ("1.12.6"), empty if it cannot tell.
tofu_version() {
  CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null "$1" version -json 2>/dev/null |
    sed -n 's/.*"terraform_version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' | head -n 1 || true
}

if [ -x "$out" ]; then
  have=$(tofu_version "$out")
  if [ "$have" = "$version" ]; then
    say "$out is v$have already, nothing to build"
    exit 0
  fi
  say "$out is ${have:+v}${have:-of unknown version}, want v$version: rebuilding"
fi

mkdir -p "$bin"
export GOWORK=off CGO_ENABLED=0
export GOFLAGS="-mod=readonly -buildvcs=false"
start=$(date +%s)

say "downloading github.com/opentofu/opentofu@v$version from the Go module proxy"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
json=$(cd "$tmp" && GOFLAGS= go mod download -json "github.com/opentofu/opentofu@v$version") || {
  printf '%s\n' "$json" >&2
  exit 1
}
dir=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir":[[:space:]]*"\(.*\)",\{0,1\}$/\1/p')
if [ -z "$dir" ] || [ ! -f "$dir/go.mod" ]; then
  printf '%s\n' "$json" >&2
  say "go mod download gave no module folder"
  exit 1
fi

say "building OpenTofu v$version into $out (a few minutes the first time)"
(cd "$dir" && go build -trimpath -ldflags "-s -w -X 'github.com/opentofu/opentofu/version.dev=no'" \
  -o "$out.tmp.$$" ./cmd/tofu)
mv -f "$out.tmp.$$" "$out"

have=$(tofu_version "$out")
if [ "$have" != "$version" ]; then
  say "$out reports version '$have', expected $version"
  exit 1
fi
say "built $out (OpenTofu v$have) in $(($(date +%s) - start)) s"
