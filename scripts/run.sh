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
if [ -x "$built" ] && [ -f "$ROOT/target/site/pkg/overcast.wasm" ] \
   && [ -z "$(find Cargo.toml Cargo.lock app server domain store service frontend style public migrations \
              -newer "$built" -type f -print -quit)" ]; then
  say "release build is up to date"
else
  say "building (release)"
  cargo leptos build --release
fi
say "starting Overcast"
export OVERCAST_SITE_ROOT="${OVERCAST_SITE_ROOT:-$ROOT/target/site}"
exec "$ROOT/target/release/overcast" serve "$@"
