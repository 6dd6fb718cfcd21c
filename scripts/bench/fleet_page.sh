#!/usr/bin/env bash
# Prints what the first usable Machines page costs with N machines (default:
# 206 and 10,000): the server's time to the page's first and last byte and
# its bytes (curl, signed in), and in headless Chromium the time from
# navigation to a usable page (hydrated and following events: its first
# /events request), with the bytes the browser fetched, unthrottled and on a
# 10 Mbit/s link with 40 ms latency (scripts/bench/fleet_page.js).
#
# Uses the binary and site `cargo leptos build` made (or OVERCAST_BIN and
# OVERCAST_SITE_ROOT; for the release build: `cargo leptos build --release`
# and OVERCAST_BIN=target/release/overcast). The throttled run only with
# FLEET_THROTTLED=1 (a debug build's browser code is about 20 MB).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="${OVERCAST_BIN:-$ROOT/target/debug/overcast}"
SITE="${OVERCAST_SITE_ROOT:-$ROOT/target/site}"
work="$(mktemp -d)"
pid=""
stop() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""; fi; }
trap 'stop; rm -rf "$work"' EXIT

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
serve() { # data dir
  OVERCAST_SITE_ROOT="$SITE" OVERCAST_LOG=warn "$BIN" serve --bind "127.0.0.1:$port" --data-dir "$1" &
  pid=$!
  for _ in $(seq 100); do curl -fs "$base/readyz" >/dev/null && return; sleep 0.1; done
  echo "the server did not start" >&2; exit 1
}

for n in "${@:-206 10000}"; do
  for count in $n; do
    data="$work/data-$count"
    mkdir -p "$data"
    serve "$data"
    node "$ROOT/scripts/bench/fleet_page.js" setup "$base"
    stop
    python3 "$ROOT/scripts/bench/fleet_seed.py" "$data/overcast.db" "$count"
    serve "$data"
    node "$ROOT/scripts/bench/fleet_page.js" measure "$base" "$count"
    stop
  done
done
