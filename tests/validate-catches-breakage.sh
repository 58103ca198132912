#!/bin/sh
# Proves the validation tests can fail: each validator is run on a copy of
# its file with a typical mistake in it and must refuse it.
# usage: validate-catches-breakage.sh SOURCE_DIR BUILD_DIR
set -u
src="$1"
build="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
app=io.github.vetterapp.Vetter
failures=0

expect_refusal() {
  what="$1"; shift
  if "$@" >"$tmp/out" 2>&1; then
    echo "not ok: $what was accepted"
    cat "$tmp/out"
    failures=$((failures + 1))
  else
    echo "ok: $what was refused"
  fi
}

# A desktop file without its required Type key.
grep -v '^Type=' "$build/data/$app.desktop" >"$tmp/$app.desktop"
expect_refusal "desktop file without Type" desktop-file-validate "$tmp/$app.desktop"

# Metainfo without a summary.
grep -v '<summary>' "$build/data/$app.metainfo.xml" >"$tmp/$app.metainfo.xml"
expect_refusal "metainfo without summary" appstreamcli validate --no-net "$tmp/$app.metainfo.xml"

# A schema key whose default is not of its type.
mkdir -p "$tmp/schemas"
sed 's|<default>1100</default>|<default>"wide"</default>|' "$src/data/$app.gschema.xml" >"$tmp/schemas/$app.gschema.xml"
expect_refusal "schema with a mistyped default" glib-compile-schemas --strict --dry-run "$tmp/schemas"

# A manifest that is not JSON.
sed 's|"app-id"|app-id|' "$src/flatpak/$app.json" >"$tmp/$app.json"
expect_refusal "manifest with broken JSON" env G_DEBUG=fatal-warnings flatpak-builder --show-manifest "$tmp/$app.json"

[ "$failures" -eq 0 ]
