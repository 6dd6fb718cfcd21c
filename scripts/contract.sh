#!/usr/bin/env bash
# The REST API against its own OpenAPI document: Schemathesis generates
# requests from /openapi.json and checks every answer (no server error, a
# documented status, the documented content type, the documented schema),
# as the master account, as a user who may only view, as a user without
# roles, and without credentials.
# Any finding fails the run. Needs the debug `overcast` (built here if missing) and
# Schemathesis (scripts/peers.sh: ensure_schemathesis).
#
#   scripts/contract.sh            # both callers
#   OVERCAST_CONTRACT_EXAMPLES=50 scripts/contract.sh
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/peers.sh"
cd "$ROOT"

ensure_schemathesis
BIN="${OVERCAST_BIN:-$ROOT/target/debug/overcast}"
if [ ! -x "$BIN" ]; then
  say "building overcast (debug)"
  cargo build -p server --bin overcast --features cloud/libvirt
fi
EXAMPLES="${OVERCAST_CONTRACT_EXAMPLES:-25}"
SEED="${OVERCAST_CONTRACT_SEED:-20261203}"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port="$(free_port)"
base="http://127.0.0.1:$port"
data="$(mktemp -d)"
reports="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
  rm -rf "$data" "$reports"
}
trap cleanup EXIT

master_email="master@contract.test"
password="contract-password-1"
printf '%s\n' "$password" |
  "$BIN" --data-dir "$data" admin create-master --email "$master_email" --password-stdin >/dev/null
# Polls and provider calls are bounded so that a backend Schemathesis adds
# (at an address that does not answer) costs seconds, not minutes.
OVERCAST_LOG="${OVERCAST_LOG:-error}" "$BIN" serve --bind "127.0.0.1:$port" --data-dir "$data" \
  --provider-timeout 3 --script-wait 2 &
pid=$!
for _ in $(seq 1 100); do
  curl -fsS "$base/readyz" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { echo "the server died at start" >&2; exit 1; }
  sleep 0.1
done

token_for() { # email -> an API token, through mist.io's sign-in
  curl -fsS -H 'Content-Type: application/json' \
    -d "{\"email\": \"$1\", \"password\": \"$password\"}" "$base/auth" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["mist_api_token"])'
}
master_token="$(token_for "$master_email")"
curl -fsS -o /dev/null -H "Authorization: Token $master_token" -H 'Content-Type: application/json' \
  -d "{\"username\": \"nobody\", \"email\": \"nobody@contract.test\", \"password\": \"$password\"}" \
  "$base/v3/user"
nobody_token="$(token_for "nobody@contract.test")"

# Something for the operations on one resource to find (else they all
# answer 404): a key, a libvirt backend on libvirt's built-in test driver
# and its first machine, a role, a user who is neither caller. Schemathesis
# takes these identifiers for the path parameters of those names.
api() { # method, path, JSON body -> the answer
  curl -fsS -X "$1" -H "Authorization: Token $master_token" -H 'Content-Type: application/json' \
    ${3:+-d "$3"} "$base$2"
}
field() { python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }
api POST /keys/generate '{"id": "contract"}' >/dev/null
backend="$(api POST /backends '{"title": "kvm", "provider": "libvirt", "apiurl": "test:///default"}' | field 'd["id"]')"
machine="$(api GET "/backends/$backend/machines" | field 'd[0]["id"]')"
role="$(api POST /v3/role '{"name": "contract", "scope": {"Version": "2017-05-05", "Statement": [{"Effect": "Allow", "Action": ["view:*"], "Resource": ["*"]}]}}' | field 'd["role_id"]')"
api POST /v3/user "{\"username\": \"target\", \"email\": \"target@contract.test\", \"password\": \"$password\"}" >/dev/null
# A user whose one role lets it view everything and change nothing.
api POST /v3/user "{\"username\": \"viewer\", \"email\": \"viewer@contract.test\", \"password\": \"$password\"}" >/dev/null
api POST /v3/user/role "{\"username\": \"viewer\", \"role_id\": \"$role\"}" >/dev/null
viewer_token="$(token_for "viewer@contract.test")"
# A script run on the machine, ended (nothing answers over SSH; the server
# waits 2 s), so following it ends too.
run_id="$(api POST "/backends/$backend/machines/$machine/scripts" '{"script": "true"}' | field 'd["id"]')"
for _ in $(seq 1 100); do
  state="$(api GET "/backends/$backend/machines/$machine/scripts/$run_id" | field 'd["state"]')"
  case "$state" in waiting | running) sleep 0.2 ;; *) break ;; esac
done
config="$reports/schemathesis.toml"
cat >"$config" <<TOML
[generation]
# The credentials are the run's own (the header below), not generated.
with-security-parameters = false

# 502 (a provider or machine failed or could not be reached: the libvirt
# test driver's machine has an address nobody answers on) and 503 (not
# ready) are answers about a peer, not faults of this server; whether an
# operation documents them is still checked (status_code_conformance).
[checks.not_a_server_error]
expected-statuses = ["2xx", "3xx", "4xx", "502", "503"]

[parameters]
backend_id = "$backend"
machine_id = "$machine"
key_id = "contract"
role_id = "$role"
username = "target"
run_id = "$run_id"
TOML

# Left out: the terminal (a websocket) and GET /events (Server-Sent Events
# that never end) are not request/answer operations Schemathesis can speak.
# (Nothing else ends the run's own credentials: a password change needs the
# current password, and the user operations name `target`.)
excluded=(
  --exclude-path /backends/{backend_id}/machines/{machine_id}/terminal
  --exclude-path /events
)

status=0
# One worker: with two, Hypothesis (under Schemathesis, on Python 3.11)
# sometimes fails describing its own strategies ("AST constructor recursion
# depth mismatch"), a fault of the tool, not a finding.
run() { # name, token, extra arguments (a selection)
  say "Schemathesis as $1 ($EXAMPLES examples per operation, seed $SEED)"
  local name="$1" token="$2" out="$reports/$1.txt" code=0
  shift 2
  local credentials=()
  if [ -n "$token" ]; then credentials=(--header "Authorization: Token $token"); fi
  "$OVERCAST_SCHEMATHESIS" --config-file "$config" run "${spec[@]}" \
    "${credentials[@]}" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing \
    --max-examples "$EXAMPLES" --seed "$SEED" --no-shrink \
    --request-timeout 20 --workers 1 \
    --suppress-health-check all \
    "${excluded[@]}" "$@" >"$out" 2>&1 || code=$?
  cat "$out"
  # One line in cargo's format, which scripts/test.sh counts: each run is
  # one test, failed by any finding.
  local cases
  cases="$(sed 's/\x1b\[[0-9;]*m//g' "$out" | grep -oE '[0-9]+ generated' | tail -n 1 || true)"
  if [ "$code" -eq 0 ]; then
    echo "test result: ok. 1 passed; 0 failed; 0 ignored; Schemathesis as $name: ${cases:-no} cases"
  else
    status=1
    echo "test result: FAILED. 0 passed; 1 failed; 0 ignored; Schemathesis as $name: ${cases:-no} cases, exit $code"
  fi
}
spec=("$base/openapi.json")
# The master renames the key, acts on the machine (destroy) and deletes
# last, so the other operations find what was made for them.
ending='^/keys/\{key_id\}$|^/backends/\{backend_id\}/machines/\{machine_id\}$'
run master "$master_token" --exclude-method DELETE --exclude-path-regex "$ending"
run viewer "$viewer_token"
run master-ending "$master_token" --exclude-method DELETE --include-path-regex "$ending"
run master-deleting "$master_token" --include-method DELETE
run role-less "$nobody_token"
# Without credentials: the document itself needs them, so it is read from a
# file fetched with the master's token.
curl -fsS -H "Authorization: Token $master_token" -o "$reports/openapi.json" "$base/openapi.json"
spec=("$reports/openapi.json" --url "$base")
run anonymous ""
if [ "$status" -eq 0 ]; then
  echo "contract: no findings"
else
  echo "contract: findings above" >&2
fi
exit "$status"
