#!/usr/bin/env bash
# Provide the Terraform CLI that `make test` (and demo, bench) runs.
#
#   scripts/build-terraform.sh --select [BIN]   print the terraform to use: the one on PATH
#                                               when it is at least TF_MIN_VERSION, otherwise
#                                               BIN/terraform (nothing is built)
#   scripts/build-terraform.sh [BIN]            make sure BIN/terraform is TF_BUILD_VERSION,
#                                               building it from the Go module proxy if not
#
# BIN defaults to .bin/ at the repository root. TF_MIN_VERSION defaults to 1.14.0 (the first
# with `terraform query` and list resources), TF_BUILD_VERSION to 1.16.4. TF_BUILD_NAME (default
# terraform) is the file name in BIN, so that several versions can sit side by side
# (`make test-matrix` builds terraform-1.5.7 next to terraform).
#
# Why not `go install github.com/hashicorp/terraform@vX`: since 1.14 Terraform's go.mod
# replaces its remote-state backend modules (and internal/legacy) with local folders that
# the module zip does not contain, so the module cannot be built as published. This script
# copies the module source to BIN/src/terraform-X, drops the requires and replaces of those
# github.com/hashicorp/terraform/internal/... modules from go.mod, removes the backends whose
# folders are missing from internal/backend/init/init.go (azurerm, consul, cos, gcs,
# kubernetes, oci, oss, pg, s3; local, remote, http, inmem and cloud stay), and builds with
# -mod=mod and the release ldflags. Versions whose module builds as published (1.5.7, say)
# go through the same steps, which then change nothing.
#
# Idempotent: an existing BIN/terraform that reports TF_BUILD_VERSION is kept, and a patched
# source copy is reused.
set -eu
set -o pipefail

min_version=${TF_MIN_VERSION:-1.14.0}
build_version=${TF_BUILD_VERSION:-1.16.4}
build_version=${build_version#v}

mode=build
if [ "${1:-}" = "--select" ]; then
  mode=select
  shift
fi
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/.bin}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
bin=${bin%/}

say() { echo "build-terraform: $*" >&2; }

# shellcheck source=lib/cli-build.sh
. "$root/scripts/lib/cli-build.sh"

# version_ge A B: A >= B by semantic version precedence (1.9.0 < 1.14.0; 1.14.0-rc1 < 1.14.0).
version_ge() {
  local a=${1%%+*} b=${2%%+*} ac ap bc bp i x y
  ac=${a%%-*} bc=${b%%-*}
  ap=${a#"$ac"} bp=${b#"$bc"}
  local IFS=.
  # shellcheck disable=SC2206
  local -a as=($ac) bs=($bc)
  for i in 0 1 2; do
    x=${as[i]:-0} y=${bs[i]:-0}
    case "$x$y" in *[!0-9]*) return 1 ;; esac
    if ((10#$x > 10#$y)); then return 0; fi
    if ((10#$x < 10#$y)); then return 1; fi
  done
  # Equal cores: a prerelease is older than the release.
  if [ -n "$ap" ] && [ -z "$bp" ]; then return 1; fi
  if [ -z "$ap" ] && [ -n "$bp" ]; then return 0; fi
  [ "$ap" = "$bp" ] || [[ "$ap" > "$bp" ]]
}

if [ "$mode" = select ]; then
  path_tf=$(command -v terraform 2>/dev/null || true)
  if [ -n "$path_tf" ] && [ "$path_tf" != "$bin/terraform" ]; then
    v=$(cli_version "$path_tf")
    if [ -n "$v" ] && version_ge "$v" "$min_version"; then
      echo "$path_tf"
      exit 0
    fi
    say "terraform on PATH ($path_tf) is ${v:-of unknown version}, older than $min_version: using $bin/terraform (v$build_version)"
  fi
  echo "$bin/terraform"
  exit 0
fi

out=$bin/${TF_BUILD_NAME:-terraform}
exit_if_built "$out" "$build_version"

mkdir -p "$bin"
export GOWORK=off
# Not GOFLAGS from the environment: -mod=mod lets go resolve the edited go.mod, and the
# source copy lives inside this repository's git work tree, whose state must not be stamped.
export GOFLAGS="-mod=mod -buildvcs=false"

start=$(date +%s)
src=$bin/src/terraform-$build_version
stamp=$src/.build-terraform-patched
if [ -f "$stamp" ]; then
  say "reusing the patched source in $src"
else
  dir=$(module_dir github.com/hashicorp/terraform "$build_version")

  work=$src.tmp.$$
  say "copying $dir to $src"
  rm -rf "$work"
  mkdir -p "$bin/src"
  cp -R "$dir" "$work"
  chmod -R u+w "$work"

  # go.mod: drop the github.com/hashicorp/terraform/internal/... modules (requires and
  # replaces). `go mod edit` parses the file, so single lines and ( ) blocks are alike.
  internal_mods=$(cd "$work" && go mod edit -json |
    sed -n 's/.*"Path":[[:space:]]*"\(github\.com\/hashicorp\/terraform\/internal\/[^"]*\)".*/\1/p' | sort -u)
  if [ -n "$internal_mods" ]; then
    args=()
    for m in $internal_mods; do
      say "go.mod: dropping require and replace of $m"
      args+=("-droprequire=$m" "-dropreplace=$m")
    done
    (cd "$work" && go mod edit "${args[@]}")
    if (cd "$work" && go mod edit -json | grep -q '"github\.com/hashicorp/terraform/internal/'); then
      say "go.mod still names github.com/hashicorp/terraform/internal/... modules (a versioned replace?):"
      (cd "$work" && go mod edit -json | grep 'terraform/internal/') >&2
      exit 1
    fi
  fi

  # init.go: remove every backend whose package folder is not in the module zip (its import
  # line and the lines that use its package name, i.e. its map entry).
  init_go=$work/internal/backend/init/init.go
  if [ -f "$init_go" ]; then
    imports=$(sed -n 's/^[[:space:]]*\([A-Za-z0-9_]*\)[[:space:]]*"github\.com\/hashicorp\/terraform\/\(internal\/backend\/remote-state\/[^"]*\)".*/\1 \2/p' "$init_go")
    while read -r alias pkg; do
      [ -n "$pkg" ] || continue
      [ -d "$work/$pkg" ] && continue
      [ -n "$alias" ] || alias=${pkg##*/}
      say "init.go: removing backend ${pkg##*/} (package $alias; its folder is not in the module zip)"
      sed -e "\#\"github\.com/hashicorp/terraform/$pkg\"#d" -e "/[^A-Za-z0-9_]$alias\./d" \
        "$init_go" >"$init_go.new"
      mv "$init_go.new" "$init_go"
      if grep -q "[^A-Za-z0-9_]$alias\." "$init_go"; then
        say "init.go still uses $alias"
        exit 1
      fi
    done <<EOF
$imports
EOF
  fi

  touch "$work/.build-terraform-patched"
  rm -rf "$src"
  mv "$work" "$src"
fi

# The flags of Terraform's release build (.github/scripts/get_product_version.sh): without
# version.dev=no it would call itself 1.16.4-dev.
ldflags="-s -w -X github.com/hashicorp/terraform/version.dev=no"
say "building Terraform v$build_version into $out (GOFLAGS=$GOFLAGS; a few minutes the first time)"
(cd "$src" && go build -trimpath -ldflags "$ldflags" -o "$out.tmp.$$" .)
mv -f "$out.tmp.$$" "$out"

have=$(cli_version "$out")
if [ "$have" != "$build_version" ]; then
  say "$out reports version '${have}', expected $build_version"
  exit 1
fi
say "built $out (Terraform v$have) in $(($(date +%s) - start)) s"
