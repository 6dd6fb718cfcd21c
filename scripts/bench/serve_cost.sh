#!/usr/bin/env bash
# Prints what a page costs on the server, side by side with nginx on this
# machine (issue 15, "the cost of a page on the server"):
#
#  1. Overcast with one EC2 backend on moto holding 1,000 instances (made
#     with boto3 straight on moto, listed by the backend's own poll). For
#     `GET /backends/{b}/machines` (JSON, a token), the Machines page
#     `/machines` (50 rows, signed in, Accept: text/html) and
#     `/machines?per_page=500` (the biggest page), the exact bytes Overcast
#     answered are saved and served by nginx as static files; `wrk` runs
#     against both (Accept-Encoding: identity on both sides), one after the
#     other in the same run. A table: bytes, Overcast's and nginx's requests
#     per second, the ratio, bytes per row; then Overcast's CPU time per
#     request (utime+stime of its process over the wrk run) and per row, and
#     the share of views answered with a page kept rendered
#     (`--page-cache-ms`, middleware::page_cache); the two pages again on a
#     server keeping none (`page-render`, `page500-render`: every view
#     rendered); and what it sends when the client accepts `br, gzip`.
#  2. Memory with 10,000 machines stored (scripts/bench/fleet_seed.py, into
#     a fresh database while the server is stopped): VmRSS idle (after one
#     warm-up request), after 5 sequential full lists and after 10 at once.
#
# Figures only; nothing is asserted. Uses the release build when there is
# one (`cargo leptos build --release`: target/release/overcast and
# target/site), else the debug build; OVERCAST_BIN and OVERCAST_SITE_ROOT
# override. Needs wrk and nginx (Debian packages; installed when missing)
# and moto (scripts/peers.sh's ensure_moto). Knobs: WRK_DURATION (10s),
# WRK_CONNECTIONS (4), SERVE_COST_MACHINES (1000), SERVE_COST_STORED (10000),
# SERVE_COST_KEEP (a directory: the bodies Overcast answered are copied
# there), SERVE_COST_PERF (a case, json, page, page500, page-render or
# page500-render: `perf record`
# samples the server during that case's wrk run and the functions that
# took the most of it are printed; a binary with symbols names them, e.g.
# a release build with CARGO_PROFILE_RELEASE_STRIP=none
# CARGO_PROFILE_RELEASE_DEBUG=line-tables-only).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=../lib.sh
source "$ROOT/scripts/lib.sh"
# shellcheck source=../peers.sh
source "$ROOT/scripts/peers.sh"

if [ -z "${OVERCAST_BIN:-}" ]; then
  if [ -x "$ROOT/target/release/overcast" ]; then OVERCAST_BIN="$ROOT/target/release/overcast"; else OVERCAST_BIN="$ROOT/target/debug/overcast"; fi
fi
BIN="$OVERCAST_BIN"
SITE="${OVERCAST_SITE_ROOT:-$ROOT/target/site}"
NGINX="${NGINX:-/usr/sbin/nginx}"
DURATION="${WRK_DURATION:-10s}"
CONNS="${WRK_CONNECTIONS:-4}"
MACHINES="${SERVE_COST_MACHINES:-1000}"
STORED="${SERVE_COST_STORED:-10000}"
EMAIL="bench@example.com" PASS="a benchmark password"

command -v wrk >/dev/null || apt_install wrk
[ -x "$NGINX" ] || apt_install nginx-light
ensure_moto

work="$(mktemp -d)"
chmod 755 "$work" # nginx's workers (nobody when run as root) read the files
pid="" moto_pid="" nginx_pid=""
stop_pid() { if [ -n "$1" ]; then kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; fi; }
stop() { stop_pid "$pid"; pid=""; }
trap 'stop; stop_pid "$nginx_pid"; stop_pid "$moto_pid"; rm -rf "$work"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { # url, what
  for _ in $(seq 150); do curl -fsS -o /dev/null "$1" 2>/dev/null && return; sleep 0.2; done
  echo "$2 did not start" >&2; exit 1
}
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

port="$(free_port)"
base="http://127.0.0.1:$port"
serve() { # data dir
  OVERCAST_SITE_ROOT="$SITE" OVERCAST_LOG=error OVERCAST_PAGE_CACHE_MS="${PAGE_CACHE_MS:-1000}" "$BIN" serve --bind "127.0.0.1:$port" --data-dir "$1" &
  pid=$!
  wait_for "$base/readyz" "the server"
}
# The master account (the setup form's server function; a session start, so
# its Origin is checked instead of a CSRF token).
make_master() {
  curl -fsS -o /dev/null -X POST "$base/api/create_master" -H "Origin: $base" \
    --data-urlencode "email=$EMAIL" --data-urlencode "password=$PASS" --data-urlencode "password_confirm=$PASS"
}
api_token() {
  curl -fsS -X POST "$base/auth" -H 'content-type: application/json' \
    -d "{\"email\":\"$EMAIL\",\"password\":\"$PASS\"}" | json '["mist_api_token"]'
}
session_cookie() { # the signed-in browser's cookie, as a Cookie header's value
  curl -fsS -o /dev/null -c "$work/jar" -X POST "$base/api/sign_in" -H "Origin: $base" \
    --data-urlencode "email=$EMAIL" --data-urlencode "password=$PASS"
  awk '$6 == "overcast_session" { print $6 "=" $7 }' "$work/jar"
}
kept_hits() { curl -fsS "$base/metrics" | awk '/^overcast_page_cache_hits_total / { n = $2 } END { print n + 0 }'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_mib() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
HZ="$(getconf CLK_TCK)"

echo "binary: $BIN"
echo "site:   $SITE"

# --- 1,000 machines on moto ------------------------------------------------
moto_port="$(free_port)"
"$OVERCAST_MOTO" -H 127.0.0.1 -p "$moto_port" >"$work/moto.log" 2>&1 &
moto_pid=$!
wait_for "http://127.0.0.1:$moto_port/moto-api/" "moto"
moto="http://127.0.0.1:$moto_port"

mkdir -p "$work/data"
serve "$work/data"
make_master
token="$(api_token)"
auth=(-H "Authorization: Token $token")
"$(dirname "$OVERCAST_MOTO")/python" - "$moto" "$MACHINES" <<'EOF'
import sys
import boto3
url, n = sys.argv[1], int(sys.argv[2])
ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=url,
                   aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="secret")
image = ec2.describe_images()["Images"][0]["ImageId"]
while n > 0:
    batch = min(n, 100)
    ec2.run_instances(ImageId=image, InstanceType="t2.micro", MinCount=batch, MaxCount=batch)
    n -= batch
EOF
# Added once moto holds them, polled once an hour: the first poll lists
# them, and no poll runs beside wrk.
backend="$(curl -fsS -X POST "$base/backends" "${auth[@]}" -H 'content-type: application/json' \
  -d "{\"title\":\"Bench EC2\",\"provider\":\"ec2_us_east\",\"apikey\":\"AKIAEXAMPLE\",\"apisecret\":\"secret\",\"apiurl\":\"$moto\",\"poll_interval\":\"3600000\"}" |
  json '["id"]')"
listed=0
for _ in $(seq 120); do
  listed="$(curl -fsS "$base/backends/$backend/machines" "${auth[@]}" | json '.__len__()')"
  [ "$listed" -ge "$MACHINES" ] && break
  sleep 1
done
echo "moto holds $MACHINES instances; Overcast lists $listed for the backend"
cookie="$(session_cookie)"

# What each case asks: name, path, rows, headers (one per line).
mkdir -p "$work/static" "$work/nginx"
names=(json page page500)
paths=("/backends/$backend/machines" "/machines" "/machines?per_page=500")
files=(list.json machines.html machines500.html)
rows=("$MACHINES" "$((MACHINES < 50 ? MACHINES : 50))" "$((MACHINES < 500 ? MACHINES : 500))")
heads_json=(-H "Authorization: Token $token" -H "Accept: application/json")
heads_page=(-H "Cookie: $cookie" -H "Accept: text/html")
case_heads() { if [ "$1" = json ]; then printf '%s\n' "${heads_json[@]}"; else printf '%s\n' "${heads_page[@]}"; fi; }

for i in "${!names[@]}"; do
  mapfile -t h < <(case_heads "${names[$i]}")
  code="$(curl -sS -o "$work/static/${files[$i]}" -w '%{http_code}' "${h[@]}" -H 'Accept-Encoding: identity' "$base${paths[$i]}")"
  [ "$code" = 200 ] || { echo "GET ${paths[$i]}: $code" >&2; exit 1; }
done
chmod 644 "$work/static"/*
if [ -n "${SERVE_COST_KEEP:-}" ]; then mkdir -p "$SERVE_COST_KEEP" && cp "$work/static"/* "$SERVE_COST_KEEP/"; fi

nginx_port="$(free_port)"
sed -e "s|@WORK@|$work|g" -e "s|@PORT@|$nginx_port|g" "$ROOT/scripts/bench/nginx.conf.template" >"$work/nginx/nginx.conf"
"$NGINX" -e stderr -p "$work/nginx" -c "$work/nginx/nginx.conf" &
nginx_pid=$!
wait_for "http://127.0.0.1:$nginx_port/list.json" "nginx"

# wrk's requests per second and request count: "rps requests non2xx".
run_wrk() { # url, headers...
  local url="$1"; shift
  wrk -t2 -c"$CONNS" -d"$DURATION" "$@" "$url" >"$work/wrk.out"
  awk '/Requests\/sec:/ { rps = $2 } / requests in / { n = $1 } /Non-2xx/ { bad = $NF }
       END { printf "%s %s %s\n", rps, n, bad + 0 }' "$work/wrk.out"
}

# One case under wrk, then nginx serving the same bytes: a row of the table.
measure() { # case index, name shown
  local i="$1" shown="$2" h hw bytes perf_pid before after o_rps o_n o_bad n_rps n_bad x hits_before kept
  mapfile -t h < <(case_heads "${names[$i]}")
  hw=()
  for x in "${h[@]}" "Accept-Encoding: identity"; do hw+=(-H "$x"); done
  bytes="$(stat -c %s "$work/static/${files[$i]}")"
  perf_pid=""
  if [ "${SERVE_COST_PERF:-}" = "$shown" ]; then
    command -v perf >/dev/null || apt_install linux-perf
    perf record -q -F 999 -g -p "$pid" -o "$work/perf.data" 2>/dev/null &
    perf_pid=$!
  fi
  hits_before="$(kept_hits)"
  before="$(cpu_ticks "$pid")"
  read -r o_rps o_n o_bad < <(run_wrk "$base${paths[$i]}" "${hw[@]}")
  after="$(cpu_ticks "$pid")"
  kept=$(($(kept_hits) - hits_before))
  if [ -n "$perf_pid" ]; then kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true; fi
  read -r n_rps _ n_bad < <(run_wrk "http://127.0.0.1:$nginx_port/${files[$i]}" "${hw[@]}")
  [ "$o_bad" = 0 ] || echo "warning: Overcast answered $o_bad non-2xx for ${paths[$i]}" >&2
  [ "$n_bad" = 0 ] || echo "warning: nginx answered $n_bad non-2xx for ${files[$i]}" >&2
  python3 - "$shown" "${paths[$i]}" "$bytes" "$o_rps" "$n_rps" "${rows[$i]}" "$((after - before))" "$HZ" "$o_n" "$kept" <<'EOF'
import sys
name, path, size, o, n, rows, ticks, hz, reqs, kept = sys.argv[1:]
size, o, n, rows, ticks, hz, reqs, kept = int(size), float(o), float(n), int(rows), int(ticks), int(hz), int(reqs), int(kept)
cpu_ms = ticks * 1000 / hz / max(reqs, 1)
path = path if len(path) <= 30 else path[:14] + "…" + path[-15:]
print(f"{name:<14} {path:<30} {size:>10} {o:>12.1f} {n:>10.1f} {100 * o / n:>7.1f}% {size / rows:>10.0f} {cpu_ms:>10.2f} {cpu_ms * 1000 / rows:>10.1f} {100 * kept / max(reqs, 1):>6.1f}%")
EOF
}

echo
echo "## The cost of a page on the server ($MACHINES EC2 machines on moto, wrk -t2 -c$CONNS -d$DURATION, Accept-Encoding: identity)"
printf '%-14s %-30s %10s %12s %10s %8s %10s %10s %10s %7s\n' \
  name path bytes "overcast/s" "nginx/s" ratio B/row "cpu ms/req" "cpu µs/row" kept
for i in "${!names[@]}"; do measure "$i" "${names[$i]}"; done
# The pages again, each view rendered anew (no page kept: the render's cost).
stop
PAGE_CACHE_MS=0 serve "$work/data"
for i in 1 2; do measure "$i" "${names[$i]}-render"; done
echo "(cpu: the server process's utime+stime over its wrk run, divided by the requests it answered; rows: $MACHINES for the JSON list, the page's rows for the pages; page, page500: a session's views within a second of the last render get the page kept (--page-cache-ms, 1000 by default); *-render: --page-cache-ms 0, every view rendered; kept: the share of requests answered with a kept page)"

if [ -f "$work/perf.data" ]; then
  echo
  echo "## Where the server's time went serving $SERVE_COST_PERF (perf, self time, top 40)"
  perf report -i "$work/perf.data" --no-children --sort symbol --stdio -g none --percent-limit 0.4 2>/dev/null |
    grep -v '^#' | grep -v '^$' | head -n 40 | cut -c1-160
  echo
  echo "## ... and with what it calls (top 40 by total time, crates' own functions)"
  perf report -i "$work/perf.data" --children --sort symbol --stdio -g none --percent-limit 2 2>&1 |
    grep -v '^#' | grep -v '^$' | head -n 40 | cut -c1-160
  if [ -n "${SERVE_COST_KEEP:-}" ]; then cp "$work/perf.data" "$SERVE_COST_KEEP/"; fi
fi

echo
echo "## What Overcast sends when the client accepts br, gzip"
for i in "${!names[@]}"; do
  mapfile -t h < <(case_heads "${names[$i]}")
  hc=()
  for x in "${h[@]}"; do hc+=(-H "$x"); done
  curl -sS -o "$work/compressed" -D "$work/headers" "${hc[@]}" -H 'Accept-Encoding: br, gzip' "$base${paths[$i]}"
  enc="$(awk -F': *' 'tolower($1) == "content-encoding" { gsub(/\r/, "", $2); print $2 }' "$work/headers")"
  printf '%-9s %10s bytes (content-encoding: %s; identity: %s bytes)\n' "${names[$i]}" \
    "$(stat -c %s "$work/compressed")" "${enc:-none}" "$(stat -c %s "$work/static/${files[$i]}")"
done
stop
stop_pid "$nginx_pid"; nginx_pid=""
stop_pid "$moto_pid"; moto_pid=""

# --- memory with 10,000 machines stored ------------------------------------
echo
echo "## Memory with $STORED machines stored (VmRSS of the server process)"
mkdir -p "$work/mem"
serve "$work/mem"
make_master
stop
python3 "$ROOT/scripts/bench/fleet_seed.py" "$work/mem/overcast.db" "$STORED"
serve "$work/mem"
token="$(api_token)"
list() { curl -fsS -o /dev/null -H "Authorization: Token $token" -H 'Accept-Encoding: identity' "$base/backends/bench-ec2/machines"; }
list
sleep 1
idle="$(rss_mib "$pid")"
t0="$(date +%s.%N)"
for _ in 1 2 3 4 5; do list; done
t1="$(date +%s.%N)"
five="$(rss_mib "$pid")"
many=()
for _ in $(seq 10); do list & many+=($!); done
for p in "${many[@]}"; do wait "$p"; done
t2="$(date +%s.%N)"
ten="$(rss_mib "$pid")"
python3 - "$idle" "$five" "$ten" "$t0" "$t1" "$t2" <<'EOF'
import sys
idle, five, ten, t0, t1, t2 = map(float, sys.argv[1:])
print(f"idle (after one warm-up list): {idle:.1f} MiB")
print(f"after 5 sequential full lists: {five:.1f} MiB (+{five - idle:.1f} MiB; {(t1 - t0) / 5 * 1000:.0f} ms a list)")
print(f"after 10 concurrent full lists: {ten:.1f} MiB (+{ten - idle:.1f} MiB over idle; all 10 in {(t2 - t1) * 1000:.0f} ms)")
EOF
stop
