#!/usr/bin/env bash
# Runs the Playwright projects (arguments go to Playwright: a spec file
# runs alone, e.g. `end2end/run.sh tests/stacks.spec.ts`), each against a freshly started server with
# an empty database. Expects `cargo leptos build` to have run.
#
# A missing peer (sshd, moto) fails the run under OVERCAST_REQUIRE_PEERS=1
# (scripts/test.sh sets it), naming how to install it; otherwise the tests
# that need it skip, saying so.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
BIN="${OVERCAST_BIN:-$ROOT/target/debug/overcast}"
# The site the binary serves (OVERCAST_SITE: another build's, e.g. a release
# site beside a binary built with the same code).
SITE="${OVERCAST_SITE:-$ROOT/target/site}"
cd "$HERE"
# A copy of the binary and the site, taken now: a build that replaces them
# while the run goes on (another cargo command) cannot change what is served.
snapshot="$(mktemp -d)"
cp "$BIN" "$snapshot/overcast"
cp -r "$SITE" "$snapshot/site"
BIN="$snapshot/overcast"
if [ ! -d node_modules/@playwright/test ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent --no-audit --no-fund
fi

# A peer is missing: fatal under OVERCAST_REQUIRE_PEERS, else a note (the
# specs that need it skip; tests/peers.ts).
peer_missing() { # what, install
  if [ -n "${OVERCAST_REQUIRE_PEERS:-}" ] && [ "${OVERCAST_REQUIRE_PEERS}" != 0 ]; then
    echo "$1 is missing; install it with: $2 (OVERCAST_REQUIRE_PEERS is set: a missing peer fails instead of skipping)" >&2
    exit 1
  fi
  echo "note: $1 is missing, so the browser tests that need it skip; install it with: $2" >&2
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A throwaway sshd on loopback for the tests that log in to a machine
# (tests/keys.spec.ts, tests/machine_shell.spec.ts and others): its
# own host key, one client key it accepts for the user running the tests.
ssh_dir=""
sshd_pid=""
stop_sshd() {
  if [ -n "$sshd_pid" ]; then kill "$sshd_pid" 2>/dev/null || true; wait "$sshd_pid" 2>/dev/null || true; fi
  if [ -n "$ssh_dir" ]; then rm -rf "$ssh_dir"; fi
}
trap 'stop_sshd; rm -rf "$snapshot"' EXIT
if [ -x /usr/sbin/sshd ] && command -v ssh-keygen >/dev/null; then
  ssh_dir="$(mktemp -d)"
  ssh_port="$(free_port)"
  ssh-keygen -q -t ed25519 -N "" -C "overcast-e2e-host" -f "$ssh_dir/host_key"
  ssh-keygen -q -t ed25519 -N "" -C "overcast-e2e" -f "$ssh_dir/client_key"
  cp "$ssh_dir/client_key.pub" "$ssh_dir/authorized_keys"
  cat >"$ssh_dir/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $ssh_port
HostKey $ssh_dir/host_key
PidFile $ssh_dir/sshd.pid
AuthorizedKeysFile $ssh_dir/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
EOF
  mkdir -p /run/sshd 2>/dev/null || true
  /usr/sbin/sshd -D -e -f "$ssh_dir/sshd_config" 2>"$ssh_dir/sshd.log" &
  sshd_pid=$!
  for _ in $(seq 1 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $ssh_port), 0.2)" 2>/dev/null && break
    kill -0 "$sshd_pid" 2>/dev/null || { echo "sshd died at start:" >&2; cat "$ssh_dir/sshd.log" >&2; exit 1; }
    sleep 0.1
  done
  export OVERCAST_E2E_SSH_PORT="$ssh_port"
  export OVERCAST_E2E_SSH_KEY_FILE="$ssh_dir/client_key"
  OVERCAST_E2E_SSH_USER="$(id -un)"
  export OVERCAST_E2E_SSH_USER
else
  peer_missing "sshd (/usr/sbin/sshd and ssh-keygen)" "apt-get install openssh-server"
fi

# moto's EC2 server for tests/machines.spec.ts, when scripts/peers.sh found it.
moto_pid=""
moto_log="$(mktemp)"
stop_moto() {
  if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; fi
  rm -f "$moto_log"
}
trap 'stop_sshd; stop_moto; rm -rf "$snapshot"' EXIT
if [ -n "${OVERCAST_MOTO:-}" ] && [ -x "$OVERCAST_MOTO" ]; then
  moto_port="$(free_port)"
  MOTO_ENABLE_AMI_VALIDATION=true MOTO_EC2_ENABLE_INSTANCE_TYPE_VALIDATION=true \
    "$OVERCAST_MOTO" -H 127.0.0.1 -p "$moto_port" >"$moto_log" 2>&1 &
  moto_pid=$!
  for _ in $(seq 1 150); do
    curl -fsS -o /dev/null "http://127.0.0.1:$moto_port/moto-api/" 2>/dev/null && break
    kill -0 "$moto_pid" 2>/dev/null || { echo "moto died at start:" >&2; cat "$moto_log" >&2; exit 1; }
    sleep 0.1
  done
  export OVERCAST_E2E_MOTO_URL="http://127.0.0.1:$moto_port"
else
  peer_missing "moto (OVERCAST_MOTO)" "source scripts/peers.sh && ensure_moto"
fi

status=0
for project in ssr-only hydrated; do
  port="$(free_port)"
  data="$(mktemp -d)"
  OVERCAST_SITE_ROOT="$snapshot/site" OVERCAST_LOG=warn \
    "$BIN" serve --bind "127.0.0.1:$port" --data-dir "$data" &
  pid=$!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { echo "the server died at start" >&2; exit 1; }
    sleep 0.1
  done
  BASE_URL="http://127.0.0.1:$port" npx playwright test --project="$project" "$@" || status=1
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$data"
done
exit $status
