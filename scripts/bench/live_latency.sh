#!/usr/bin/env bash
# Starts Overcast (the binary `cargo leptos build` made, or OVERCAST_BIN)
# on a fresh data directory and prints the change-to-row latency of the
# Machines page (scripts/bench/live_latency.js). Needs the site built
# (`cargo leptos build`), Chromium and the end2end node modules.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="${OVERCAST_BIN:-$ROOT/target/debug/overcast}"
SITE="${OVERCAST_SITE_ROOT:-$ROOT/target/site}"
data="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
OVERCAST_SITE_ROOT="$SITE" OVERCAST_LOG=warn "$BIN" serve --bind "127.0.0.1:$port" --data-dir "$data" &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
node "$ROOT/scripts/bench/live_latency.js" "http://127.0.0.1:$port" "${1:-40}"
