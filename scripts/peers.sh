# Test peers for the cloud drivers. Sourced, not run; it changes no shell options, so it can be
# sourced from scripts/test.sh (after lib.sh) or from an interactive shell:
#
#   source scripts/peers.sh && ensure_prism && cargo test -p cloud
#
# Each ensure_* installs its peer into <repo>/.tools once (idempotent) and
# exports the variable the tests read. When the variable is unset and nothing
# is found in .tools, the peer is missing (testkit::peer_missing): a plain
# `cargo test` skips the test, printing "SKIPPED: <test>: ..." with how to
# get the peer; under OVERCAST_REQUIRE_PEERS=1, which scripts/test.sh (so
# `make test` and CI) sets, the test fails with that message instead.

OVERCAST_PEERS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PRISM_VERSION="5.16.0"

# Stoplight's Prism, the contract peer for the DigitalOcean driver: it serves
# DigitalOcean's own OpenAPI description and refuses requests that break it.
# Exports OVERCAST_PRISM (the prism executable).
ensure_prism() {
  local tools="$OVERCAST_PEERS_ROOT/.tools"
  local bin="$tools/node_modules/.bin/prism"
  local manifest="$tools/node_modules/@stoplight/prism-cli/package.json"
  if [ ! -x "$bin" ] || ! grep -q "\"version\": \"$PRISM_VERSION\"" "$manifest" 2>/dev/null; then
    if ! command -v npm >/dev/null; then
      echo "ensure_prism: npm is missing (apt-get install -y nodejs npm)" >&2
      return 1
    fi
    printf '\033[1m==> %s\033[0m\n' "installing @stoplight/prism-cli@$PRISM_VERSION into $tools" >&2
    mkdir -p "$tools"
    npm install --silent --no-audit --no-fund --prefix "$tools" \
      "@stoplight/prism-cli@$PRISM_VERSION" >/dev/null || return 1
  fi
  export OVERCAST_PRISM="$bin"
}

MIMIC_VERSION="2.2.0"

# Rackspace's mimic, the stateful peer for the OpenStack driver: Keystone v2
# (`/identity/v2.0/tokens`, a Rackspace-style catalogue) and Nova (servers
# that go ACTIVE, reboot and delete). It validates no token, so bad
# credentials are covered by Libcloud's recordings instead.
# Exports OVERCAST_MIMIC (the venv's twistd; run it as
# `$OVERCAST_MIMIC -n --pidfile= mimic --listen tcp:PORT:interface=127.0.0.1`).
ensure_mimic() {
  local venv="$OVERCAST_PEERS_ROOT/.tools/mimic"
  local bin="$venv/bin/twistd"
  if [ ! -x "$bin" ] || ! "$venv/bin/pip" show mimic 2>/dev/null | grep -x "Version: $MIMIC_VERSION" >/dev/null; then
    if ! command -v python3 >/dev/null; then
      echo "ensure_mimic: python3 is missing (apt-get install -y python3 python3-venv)" >&2
      return 1
    fi
    printf '\033[1m==> %s\033[0m\n' "installing mimic==$MIMIC_VERSION into $venv" >&2
    python3 -m venv "$venv" || return 1
    "$venv/bin/pip" install --quiet --disable-pip-version-check "mimic==$MIMIC_VERSION" >/dev/null || return 1
  fi
  export OVERCAST_MIMIC="$bin"
}

# moto's server, the stateful EC2 peer: every region (taken from the SigV4
# credential scope), instances, AMIs, instance types, key pairs, tags. It does
# not check signatures (the driver's SigV4 has its own vector tests).
# Exports OVERCAST_MOTO (the moto_server executable).
ensure_moto() {
  local venv="$OVERCAST_PEERS_ROOT/.tools/moto"
  local bin="$venv/bin/moto_server"
  if [ ! -x "$bin" ]; then
    if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
      echo "ensure_moto: python3 with venv is missing (apt-get install -y python3-venv)" >&2
      return 1
    fi
    printf '\033[1m==> %s\033[0m\n' "installing moto[ec2,server]==5.2.5 into $venv" >&2
    python3 -m venv "$venv" || return 1
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'moto[ec2,server]==5.2.5' >/dev/null || return 1
  fi
  export OVERCAST_MOTO="$bin"
}

SCHEMATHESIS_VERSION="4.32.5"

# Schemathesis, the contract tester of the REST API (scripts/contract.sh):
# it generates requests from /openapi.json and checks the answers against it.
# Exports OVERCAST_SCHEMATHESIS (the venv's `st`).
ensure_schemathesis() {
  local venv="$OVERCAST_PEERS_ROOT/.tools/schemathesis"
  local bin="$venv/bin/st"
  if [ ! -x "$bin" ] || ! "$venv/bin/pip" show schemathesis 2>/dev/null | grep -x "Version: $SCHEMATHESIS_VERSION" >/dev/null; then
    if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
      echo "ensure_schemathesis: python3 with venv is missing (apt-get install -y python3-venv)" >&2
      return 1
    fi
    printf '\033[1m==> %s\033[0m\n' "installing schemathesis==$SCHEMATHESIS_VERSION into $venv" >&2
    python3 -m venv "$venv" || return 1
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" >/dev/null || return 1
  fi
  export OVERCAST_SCHEMATHESIS="$bin"
}

# libvirt's client library, for the libvirt / KVM driver (cargo feature
# `libvirt` of the cloud crate, crate `virt`, which links libvirt.so found by
# pkg-config). Its tests need no daemon: `test:///default` runs inside the
# library. Installs Debian's libvirt-clients (virsh) and libvirt-dev with
# lib.sh's apt_install, so source lib.sh first.
ensure_libvirt() {
  if pkg-config --exists libvirt 2>/dev/null && command -v virsh >/dev/null; then
    return 0
  fi
  if ! declare -F apt_install >/dev/null; then
    echo "ensure_libvirt: source scripts/lib.sh first (apt_install)," \
      "or apt-get install -y --no-install-recommends libvirt-clients libvirt-dev pkg-config" >&2
    return 1
  fi
  apt_install libvirt-clients libvirt-dev pkg-config || return 1
}

LIBCLOUD_VERSION="3.9.1"

# Apache Libcloud, what the benches compare Overcast's drivers with
# (scripts/bench/libcloud_*.py, run by `cargo bench -p server --bench stacks`
# and `-p cloud --bench ec2_vs_libcloud`): a benchmark's peer, not a test's.
# Exports OVERCAST_LIBCLOUD_PYTHON (the venv's python).
ensure_libcloud() {
  local venv="$OVERCAST_PEERS_ROOT/.tools/libcloud"
  local bin="$venv/bin/python"
  if [ ! -x "$bin" ] || ! "$venv/bin/pip" show apache-libcloud 2>/dev/null | grep -x "Version: $LIBCLOUD_VERSION" >/dev/null; then
    if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
      echo "ensure_libcloud: python3 with venv is missing (apt-get install -y python3-venv)" >&2
      return 1
    fi
    printf '\033[1m==> %s\033[0m\n' "installing apache-libcloud==$LIBCLOUD_VERSION into $venv" >&2
    python3 -m venv "$venv" || return 1
    "$venv/bin/pip" install --quiet --disable-pip-version-check "apache-libcloud==$LIBCLOUD_VERSION" >/dev/null || return 1
  fi
  export OVERCAST_LIBCLOUD_PYTHON="$bin"
}
