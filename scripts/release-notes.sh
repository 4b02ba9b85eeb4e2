#!/usr/bin/env bash
# Print the release notes of VERSION: the body of its "## VERSION (...)" section in
# CHANGELOG.md, without the heading. GoReleaser publishes them as the release's notes:
#
#   scripts/release-notes.sh 0.1.0 > /tmp/release-notes.md &&
#     goreleaser release --clean --release-notes /tmp/release-notes.md
#
# (not through <(...): GoReleaser only warns about an empty notes file, so a failure here
# would publish a release without notes).
#
# A leading "v" is dropped (v0.1.0 and 0.1.0 are the same). Fails, printing nothing, when
# CHANGELOG.md has no section for VERSION, when the section is empty, or when it is still
# marked "(Unreleased)": give the heading its release date first.
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: $0 VERSION" >&2
	exit 2
fi
version=${1#v}
changelog="$(cd "$(dirname "$0")/.." && pwd)/CHANGELOG.md"

heading=$(grep -m1 -E "^## ${version//./\\.}( |$)" "$changelog" || true)
if [ -z "$heading" ]; then
	echo "$changelog has no section for $version (a heading \"## $version (Month D, YYYY)\")" >&2
	exit 1
fi
if [[ $heading == *"(Unreleased)"* ]]; then
	echo "$changelog: \"$heading\" is still unreleased: put the release date in its heading" >&2
	exit 1
fi

# The lines after the heading up to the next "## " heading, without leading or trailing
# blank lines.
notes=$(awk -v h="$heading" '
	$0 == h { inside = 1; next }
	inside && /^## / { exit }
	inside { print }
' "$changelog" | sed -e '/./,$!d')
if [ -z "${notes//[[:space:]]/}" ]; then
	echo "$changelog: the section for $version is empty" >&2
	exit 1
fi
printf '%s\n' "$notes"
