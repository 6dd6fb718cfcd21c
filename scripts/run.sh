#!/usr/bin/env bash
# Installs what is missing, builds a release, and serves Overcast on
# http://127.0.0.1:3000 with its SQLite database in ./data.
# Extra arguments go to `overcast serve` (see `overcast --help`).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_build_tools
# Rebuild only when a source is newer than the last build (cargo-leptos
# would re-run wasm-opt, about 20 s, even with nothing changed).
built="$ROOT/target/release/overcast"
wasm="$ROOT/target/site/pkg/overcast.wasm"
marker="$ROOT/target/site/.release-build"
sources=(Cargo.toml Cargo.lock app server domain store service ssh cloud frontend style public migrations)
# Up to date when this script's last release build is newer than every
# source, and neither half was rebuilt since by something else (the tests'
# debug `cargo leptos build` shares target/site; `cargo bench` rebuilds the
# release binary without the site).
if [ -x "$built" ] && [ -f "$marker" ] \
   && [ -z "$(find "${sources[@]}" -newer "$marker" -type f -print -quit)" ] \
   && [ ! "$wasm" -nt "$marker" ] && [ ! "$built" -nt "$marker" ]; then
  say "release build is up to date"
else
  say "building (release)"
  build_site --release
  touch "$marker"
fi
say "starting Overcast"
export OVERCAST_SITE_ROOT="${OVERCAST_SITE_ROOT:-$ROOT/target/site}"
exec "$ROOT/target/release/overcast" serve "$@"
