# Shared by scripts/run.sh and scripts/test.sh: versions, paths, and the
# idempotent installers. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_LEPTOS_VERSION="0.3.10"
WASM_BINDGEN_VERSION="0.2.130"   # must equal the wasm-bindgen pin in Cargo.toml
BINARYEN_VERSION="132"           # npm's binaryen; Debian's older one breaks hydration
TOOLS="$ROOT/.tools"

export PATH="$HOME/.cargo/bin:$TOOLS/node_modules/.bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root for: $*" >&2; return 1; fi
}

APT_UPDATED=""
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_build_tools() {
  # libvirt (the KVM provider) is linked into the binary.
  apt_install pkg-config libvirt-dev
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  # The standard library's sources: the release browser build compiles its
  # own copy of it (wasm_release_env).
  if ! rustup component list --installed | grep -q '^rust-src'; then
    say "adding the rust-src component"
    rustup component add rust-src
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (once per machine; about 15 minutes on 2 cores)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (once per machine; a few minutes)"
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
  if [ ! -x "$TOOLS/node_modules/.bin/wasm-opt" ]; then
    say "installing wasm-opt (npm binaryen@$BINARYEN_VERSION)"
    mkdir -p "$TOOLS"
    npm install --silent --no-audit --no-fund --prefix "$TOOLS" "binaryen@$BINARYEN_VERSION" >/dev/null
  fi
}

# The site (server and browser code), the browser code split by route: each
# page's code is its own WebAssembly chunk (app/src/routes.rs). Arguments go
# to cargo-leptos (`--release`; a release build also writes every site file
# brotli- and gzip-compressed at the highest levels, `name.br` and `name.gz`,
# served as they are).
#
# The browser code names no folder of the machine that built it: a crate
# from the registry is named from its own folder down (`tachys-0.2.19/src/
# ...`, in its panic locations), anything else under CARGO_HOME from
# `cargo/`: wasm_path_rustflags, the WebAssembly's target flags, which
# cargo-leptos puts before its own (the server's build is untouched; of two
# that match, rustc applies the later). cargo-leptos then adds the split's
# link flag and `--cfg erase_components` (always-erase-components):
# site_wasm_rustflags is the whole, for a plain cargo build of the browser
# code that shares its build (with wasm_release_env's flags once they are
# exported). Both name the registry's folders as they are once the crates
# are fetched.
wasm_path_rustflags() {
  local cargo_folder="${CARGO_HOME:-$HOME/.cargo}" flags registry
  flags="--remap-path-prefix=$cargo_folder=cargo"
  for registry in "$cargo_folder"/registry/src/*/; do
    [ -d "$registry" ] && flags+=" --remap-path-prefix=$registry="
  done
  echo "$flags"
}
site_wasm_rustflags() {
  echo "${CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS:-$(wasm_path_rustflags)} -Clink-args=--emit-relocs --cfg erase_components"
}

# The release browser code leaves out what only a developer reads: a panic
# stops the module without a message (`-Cpanic=immediate-abort`, with the
# standard library compiled again the same way, `-Zbuild-std`), no source
# locations are kept for panics (`-Zlocation-detail=none`), and `{:?}`
# writes nothing (`-Zfmt-debug=none`; nothing the pages show is written
# with it, only console diagnostics). About a tenth of every module (the
# entry 225 -> 202 KB brotli). These are unstable options of the one
# toolchain, allowed by RUSTC_BOOTSTRAP for this build alone: the server,
# the tests and the debug site are built without them, and scripts/test.sh
# builds the release browser code with them, so a toolchain that drops one
# fails the tests. Run in a subshell: it exports.
wasm_release_env() {
  local sysroot
  sysroot="$(rustc --print sysroot)"
  export RUSTC_BOOTSTRAP=1
  export CARGO_UNSTABLE_BUILD_STD="std,panic_abort"
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$(wasm_path_rustflags) \
--remap-path-prefix=$sysroot/lib/rustlib/src/rust=rust \
-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none"
}

build_site() {
  (cd "$ROOT" && cargo fetch --quiet)
  if [[ " $* " == *" --release "* ]]; then
    # The browser code with its release options, then the server without.
    (wasm_release_env && cargo leptos build --split --precompress --frontend-only "$@")
    cargo leptos build --split --precompress --server-only "$@"
  else
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$(wasm_path_rustflags)" \
      cargo leptos build --split --precompress "$@"
  fi
}

TWIGGY_VERSION="0.8.0"

# twiggy, what dominates a WebAssembly binary (scripts/bench/chunks.sh):
# installed into .tools/twiggy once (about 5 minutes on 2 cores). Exports
# TWIGGY (the executable).
ensure_twiggy() {
  local bin="$TOOLS/twiggy/bin/twiggy"
  if [ ! -x "$bin" ] || ! "$bin" --version 2>/dev/null | grep -q "$TWIGGY_VERSION"; then
    say "installing twiggy $TWIGGY_VERSION into $TOOLS/twiggy (once per machine; a few minutes)"
    nice -n 19 cargo install twiggy --version "$TWIGGY_VERSION" --locked --root "$TOOLS/twiggy" >&2 || return 1
  fi
  export TWIGGY="$bin"
}
