# Shared by scripts/build-terraform.sh and scripts/build-tofu.sh (sourced, not run). The
# sourcing script defines say() for its messages.

# cli_version BIN: the version a terraform or tofu binary reports ("1.11.4"), empty if it
# cannot tell. Both put it in `version -json`'s terraform_version; before 0.13 there is no
# -json ("Terraform v0.12.31").
cli_version() {
  local out v
  out=$(CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null "$1" version -json 2>/dev/null || true)
  v=$(printf '%s\n' "$out" | sed -n 's/.*"terraform_version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' | head -n 1 || true)
  if [ -z "$v" ]; then
    v=$(CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null "$1" version 2>/dev/null | sed -n '1s/^[A-Za-z]* v\([^[:space:]]*\).*/\1/p' || true)
  fi
  printf '%s\n' "${v#v}"
}

# exit_if_built OUT WANT: exit the script (status 0) when OUT is an executable reporting
# version WANT; otherwise say why it is (re)built and return.
exit_if_built() {
  local have
  [ -x "$1" ] || return 0
  have=$(cli_version "$1")
  if [ "$have" = "$2" ]; then
    say "$1 is v$have already, nothing to build"
    exit 0
  fi
  say "$1 is ${have:+v}${have:-of unknown version}, want v$2: rebuilding"
}

# module_dir MODULE VERSION: download MODULE@vVERSION from the Go module proxy and print the
# folder it is in (read-only, in the module cache). Run from a temporary folder, so that no
# go.mod around (this repository's) is touched, and without the caller's GOFLAGS.
module_dir() {
  local tmp json dir
  say "downloading $1@v$2 from the Go module proxy"
  tmp=$(mktemp -d)
  json=$(cd "$tmp" && GOFLAGS= go mod download -json "$1@v$2") || {
    rm -rf "$tmp"
    printf '%s\n' "$json" >&2
    return 1
  }
  rm -rf "$tmp"
  dir=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir":[[:space:]]*"\(.*\)",\{0,1\}$/\1/p')
  if [ -z "$dir" ] || [ ! -f "$dir/go.mod" ]; then
    printf '%s\n' "$json" >&2
    say "go mod download gave no module folder"
    return 1
  fi
  printf '%s\n' "$dir"
}
