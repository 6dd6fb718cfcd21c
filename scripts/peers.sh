# Test peers for the cloud drivers (see ../shared/RECIPES.md, "Peers for the
# cloud drivers"). Sourced, not run; it changes no shell options, so it can be
# sourced from scripts/test.sh (after lib.sh) or from an interactive shell:
#
#   source scripts/peers.sh && ensure_prism && cargo test -p cloud
#
# Each ensure_* installs its peer into <repo>/.tools once (idempotent) and
# exports the variable the tests read. Tests skip, saying how to get the peer,
# when the variable is unset and nothing is found in .tools.

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
