#!/usr/bin/env bash
# Installs what is missing, builds a release, and serves Overcast on
# http://127.0.0.1:3000 with its SQLite database in ./data.
# Extra arguments go to `overcast serve` (see `overcast --help`).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_build_tools
say "building (release)"
cargo leptos build --release
say "starting Overcast"
export OVERCAST_SITE_ROOT="${OVERCAST_SITE_ROOT:-$ROOT/target/site}"
exec "$ROOT/target/release/overcast" serve "$@"
