#!/usr/bin/env bash
# Runs every test: unit and integration (the store on SQLite and on
# PostgreSQL), then the browser tests in headless Chromium. Installs what is
# missing first (Chromium, PostgreSQL, the WebAssembly toolchain, the peers).
#
# Nothing may pass by skipping: OVERCAST_REQUIRE_PEERS=1 makes a test whose
# peer (sshd, moto, mimic, Prism, PostgreSQL, openssl, ...) is missing fail,
# saying how to install it (testkit for the Rust tests, end2end/run.sh and
# end2end/tests/peers.ts for the browser tests). Run with
# OVERCAST_REQUIRE_PEERS=0 to see every missing peer as a skip instead: the
# skips are counted, and any skip still fails the run.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/peers.sh"
cd "$ROOT"

ensure_build_tools
apt_install chromium postgresql curl openssh-server openssh-client openssl procps python3-venv nginx
# The peers the cloud drivers are tested against (see scripts/peers.sh).
ensure_prism
ensure_moto
ensure_mimic
ensure_libvirt
# The REST API's contract tester (scripts/contract.sh).
ensure_schemathesis

# PostgreSQL on loopback, for the store's second engine.
ensure_postgres() {
  local ver
  ver="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
  if ! pg_lsclusters -h | grep -q .; then as_root pg_createcluster "$ver" main >/dev/null; fi
  if ! pg_lsclusters -h | awk '{print $4}' | grep -q online; then
    say "starting PostgreSQL $ver"
    as_root pg_ctlcluster "$ver" main start
  fi
  local port
  port="$(pg_lsclusters -h | awk '$4=="online"{print $3; exit}')"
  if ! as_root su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='overcast_test'\"" | grep -q 1; then
    as_root su postgres -c "psql -qc \"CREATE ROLE overcast_test LOGIN CREATEDB PASSWORD 'overcast_test'\""
  fi
  # The store tests drop their databases WITH (FORCE), which must be able to
  # stop an autovacuum worker.
  as_root su postgres -c "psql -qc 'GRANT pg_signal_backend TO overcast_test'" >/dev/null
  export OVERCAST_TEST_POSTGRES_URL="postgres://overcast_test:overcast_test@127.0.0.1:$port/postgres"
}
ensure_postgres

say "formatting and lints"
cargo fmt --all --check
cargo clippy -p testkit -p domain -p store -p ssh -p cloud -p service -p app -p server --all-targets --features ssh/testing,cloud/libvirt -- -D warnings
# The browser code (islands mode), and the hydrated app's server and
# browser code, kept clean until it is removed (ARCHITECTURE.md).
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings
cargo clippy -p app --features ssr -- -D warnings
cargo clippy -p frontend --no-default-features --target wasm32-unknown-unknown -- -D warnings

results="$(mktemp)"
export OVERCAST_REQUIRE_PEERS="${OVERCAST_REQUIRE_PEERS:-1}"
OVERCAST_SKIP_LOG="$(mktemp)"   # testkit appends a line for every skip
export OVERCAST_SKIP_LOG
trap 'rm -f "$results" "$OVERCAST_SKIP_LOG"' EXIT
status=0

say "unit and integration tests"
cargo test --no-fail-fast -p testkit -p domain -p store -p ssh -p cloud -p service -p app -p server \
  --features cloud/libvirt 2>&1 | tee -a "$results" || status=1

say "the REST API against its OpenAPI document (Schemathesis)"
scripts/contract.sh 2>&1 | tee -a "$results" || status=1

say "building the site for the browser tests"
build_site

# The browser code as scripts/run.sh builds it (size-optimised, LTO): some
# views only overflow the compiler's type-depth limit in that profile.
say "checking the release build of the browser code"
# (With the flags `build_site --release` builds it with, so the two share one build.)
(wasm_release_env && RUSTFLAGS="$(site_wasm_rustflags)" cargo build --package=frontend --lib \
  --target-dir="$ROOT/target/front" --target=wasm32-unknown-unknown --profile=wasm-release)

say "browser tests (JavaScript off, then hydrated)"
end2end/run.sh 2>&1 | tee -a "$results" || status=1

# One closing line over every runner: cargo's "test result:" lines (and
# scripts/contract.sh's, one per Schemathesis run, in the same format) and
# Playwright's summary lines ("  N passed (12s)", "  N failed", "  N skipped",
# "  N did not run"). Skipped: the lines testkit logged, cargo's ignored
# tests, and Playwright's skipped and not run. (A Rust test that skipped
# returned early, so cargo also counts it as passed.)
count() { # which lines, which figure in them (0 when none)
  sed 's/\x1b\[[0-9;]*m//g' "$results" | { grep -E "$1" || true; } | { grep -oE "$2" || true; } |
    { grep -oE '^[0-9]+' || true; } | awk '{s += $1} END {print s + 0}'
}
passed=$(( $(count '^test result: ' '[0-9]+ passed') + $(count '^ +[0-9]+ passed \(' '[0-9]+ passed') ))
failed=$(( $(count '^test result: ' '[0-9]+ failed') + $(count '^ +[0-9]+ (failed|interrupted)$' '[0-9]+') ))
skipped=$(( $(grep -c . "$OVERCAST_SKIP_LOG" || true) + $(count '^test result: ' '[0-9]+ ignored') +
  $(count '^ +[0-9]+ (skipped|did not run)$' '[0-9]+') ))
if [ -s "$OVERCAST_SKIP_LOG" ]; then cat "$OVERCAST_SKIP_LOG" >&2; fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
if [ "$failed" -gt 0 ] || [ "$skipped" -gt 0 ]; then status=1; fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && [ "$skipped" -eq 0 ]; then
  echo "a test run failed outside any test (a build or start-up error above)" >&2
fi
exit "$status"
