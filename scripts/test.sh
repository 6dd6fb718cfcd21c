#!/usr/bin/env bash
# Runs every test: unit and integration (the store on SQLite and on
# PostgreSQL), then the browser tests in headless Chromium. Installs what is
# missing first (Chromium, PostgreSQL, the WebAssembly toolchain).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/peers.sh"
cd "$ROOT"

ensure_build_tools
apt_install chromium postgresql curl openssh-server procps python3-venv
# The peers the cloud drivers are tested against (see scripts/peers.sh).
ensure_prism
ensure_moto
ensure_mimic
ensure_libvirt

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
  export OVERCAST_TEST_POSTGRES_URL="postgres://overcast_test:overcast_test@127.0.0.1:$port/postgres"
}
ensure_postgres

say "formatting and lints"
cargo fmt --all --check
cargo clippy -p domain -p store -p ssh -p cloud -p service -p app -p server --all-targets --features ssh/testing,cloud/libvirt -- -D warnings

results="$(mktemp)"
trap 'rm -f "$results"' EXIT

say "unit and integration tests"
cargo test -p domain -p store -p ssh -p cloud -p service -p app -p server --features cloud/libvirt 2>&1 | tee -a "$results"

say "building the site for the browser tests"
cargo leptos build

# The browser code as scripts/run.sh builds it (size-optimised, LTO): some
# views only overflow the compiler's type-depth limit in that profile.
say "checking the release build of the browser code"
cargo build --package=frontend --lib --target-dir="$ROOT/target/front" \
  --target=wasm32-unknown-unknown --profile=wasm-release

say "browser tests (JavaScript off, then hydrated)"
end2end/run.sh 2>&1 | tee -a "$results"

# One closing line over both runners.
sum() { grep -oE "$1" "$results" | grep -oE '[0-9]+' | awk '{s += $1} END {print s + 0}'; }
passed=$(( $(sum 'test result: ok\. [0-9]+ passed') + $(sum '^ +[0-9]+ passed \(') ))
echo "tests: $passed passed, 0 failed"
