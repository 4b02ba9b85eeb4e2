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

# shellcheck source=lib/cli-build.sh
. "$root/scripts/lib/cli-build.sh"
exit_if_built "$out" "$version"

mkdir -p "$bin"
export GOWORK=off CGO_ENABLED=0
export GOFLAGS="-mod=readonly -buildvcs=false"
start=$(date +%s)

dir=$(module_dir github.com/opentofu/opentofu "$version")

say "building OpenTofu v$version into $out (a few minutes the first time)"
(cd "$dir" && go build -trimpath -ldflags "-s -w -X 'github.com/opentofu/opentofu/version.dev=no'" \
  -o "$out.tmp.$$" ./cmd/tofu)
mv -f "$out.tmp.$$" "$out"

have=$(cli_version "$out")
if [ "$have" != "$version" ]; then
  say "$out reports version '$have', expected $version"
  exit 1
fi
say "built $out (OpenTofu v$have) in $(($(date +%s) - start)) s"
