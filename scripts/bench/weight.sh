#!/usr/bin/env bash
# The benchmark of issue 15 ("page weight and server speed"): prints, under
# headings,
#
#  1. the browser code's weight: every file of the site with raw, gzip and
#     brotli sizes, the entry, the code per split point, and what dominates
#     it (twiggy) — scripts/bench/chunks.sh;
#  2. the server's cost against nginx on this machine (1,000 EC2 machines on
#     moto, wrk) and its memory with 10,000 machines stored —
#     scripts/bench/serve_cost.sh;
#  3. time to hydrated in Chromium on a 10 Mbit/s, 40 ms link for the sign-in
#     page, the Machines page with 206 machines stored and one machine's
#     page, then a second visit with the cache — scripts/bench/hydrate_time.js
#     against a server of its own (206 machines seeded with fleet_seed.py).
#
# Figures only; nothing is asserted. Uses the release build when there is one
# (`cargo leptos build --release`: target/release/overcast and target/site),
# else the debug build; OVERCAST_BIN and OVERCAST_SITE_ROOT override. Both are
# copied first, so a build that replaces them meanwhile changes nothing.
# WEIGHT_PARTS picks parts (default "chunks serve hydrate"); the parts'
# own knobs (TWIGGY, WRK_DURATION, ...) pass through.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
if [ -z "${OVERCAST_BIN:-}" ]; then
  if [ -x "$ROOT/target/release/overcast" ]; then OVERCAST_BIN="$ROOT/target/release/overcast"; else OVERCAST_BIN="$ROOT/target/debug/overcast"; fi
fi
SITE="${OVERCAST_SITE_ROOT:-$ROOT/target/site}"
PARTS="${WEIGHT_PARTS:-chunks serve hydrate}"
SEEDED="${WEIGHT_MACHINES:-206}"

work="$(mktemp -d)"
pid=""
stop() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""; fi; }
trap 'stop; rm -rf "$work"' EXIT
from_bin="$OVERCAST_BIN" from_site="$SITE"
cp "$OVERCAST_BIN" "$work/overcast"
cp -r "$SITE" "$work/site"
export OVERCAST_BIN="$work/overcast" OVERCAST_SITE_ROOT="$work/site"

echo "# Page weight and server speed ($(date -u '+%F %R UTC'); $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo "binary: $from_bin; site: $from_site (both run from copies)"

for part in $PARTS; do
  case "$part" in
    chunks)
      echo
      echo "# 1. Browser code (scripts/bench/chunks.sh)"
      "$ROOT/scripts/bench/chunks.sh" "$OVERCAST_SITE_ROOT"
      ;;
    serve)
      echo
      echo "# 2. Server cost against nginx, and memory (scripts/bench/serve_cost.sh)"
      "$ROOT/scripts/bench/serve_cost.sh"
      ;;
    hydrate)
      echo
      echo "# 3. Time to hydrated, $SEEDED machines stored (scripts/bench/hydrate_time.js)"
      port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
      base="http://127.0.0.1:$port"
      serve() { # data dir
        OVERCAST_LOG=warn "$OVERCAST_BIN" serve --bind "127.0.0.1:$port" --data-dir "$1" &
        pid=$!
        for _ in $(seq 150); do curl -fs "$base/readyz" >/dev/null && return; sleep 0.2; done
        echo "the server did not start" >&2; exit 1
      }
      mkdir -p "$work/data"
      serve "$work/data"
      curl -fsS -o /dev/null -X POST "$base/api/create_master" -H "Origin: $base" \
        --data-urlencode "email=bench@example.com" --data-urlencode "password=a benchmark password" \
        --data-urlencode "password_confirm=a benchmark password"
      stop
      python3 "$ROOT/scripts/bench/fleet_seed.py" "$work/data/overcast.db" "$SEEDED"
      serve "$work/data"
      # fleet_seed.py's first machine (backend bench-ec2, id i-0…0).
      node "$ROOT/scripts/bench/hydrate_time.js" "$base" "/machines/bench-ec2/i-$(printf '%017x' 0)"
      stop
      ;;
    *) echo "unknown part: $part (chunks, serve, hydrate)" >&2; exit 1 ;;
  esac
done
