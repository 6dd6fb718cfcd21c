#!/usr/bin/env bash
# Runs the Playwright projects, each against a freshly started server with
# an empty database. Expects `cargo leptos build` to have run.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
BIN="${OVERCAST_BIN:-$ROOT/target/debug/overcast}"
cd "$HERE"
if [ ! -d node_modules/@playwright/test ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent --no-audit --no-fund
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

status=0
for project in ssr-only hydrated; do
  port="$(free_port)"
  data="$(mktemp -d)"
  OVERCAST_SITE_ROOT="$ROOT/target/site" OVERCAST_LOG=warn \
    "$BIN" serve --bind "127.0.0.1:$port" --data-dir "$data" &
  pid=$!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { echo "the server died at start" >&2; exit 1; }
    sleep 0.1
  done
  BASE_URL="http://127.0.0.1:$port" npx playwright test --project="$project" || status=1
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$data"
done
exit $status
