#!/usr/bin/env bash
# Prints the browser code's weight (issue 15, "split the browser code by
# route"): every file under the site's pkg/ (and vendor/, and the terminal
# script) with its raw, gzip -9 and brotli -q 11 sizes; the entry (the main
# .js, the main .wasm, not a chunk_*/split_* one, and the split loader when
# there is one) that every page downloads before it hydrates; and, when
# cargo-leptos's `--split` wrote a `__wasm_split_manifest*.json`, the total
# for each of its entries (the entry plus the chunks listed for it).
#
# Then the split entry's code by crate (scripts/bench/wasm_crates.py), and
# what dominates the code: `twiggy top` and `twiggy dominators` on the
# release build's WebAssembly before wasm-bindgen and wasm-opt
# (target/front/wasm32-unknown-unknown/wasm-release/frontend.wasm, written by
# `cargo leptos build --release`); by default when that file exists, always
# with TWIGGY=1, never with TWIGGY=0. TWIGGY_WASM names another file.
#
#   scripts/bench/chunks.sh [SITE_ROOT]
#
# SITE_ROOT: the built site (default OVERCAST_SITE_ROOT, else target/site;
# the release build's site when `cargo leptos build --release` made it last).
# Figures only; nothing is asserted.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=../lib.sh
source "$ROOT/scripts/lib.sh"
SITE="${1:-${OVERCAST_SITE_ROOT:-$ROOT/target/site}}"
[ -d "$SITE/pkg" ] || { echo "no $SITE/pkg: build the site first (cargo leptos build --release)" >&2; exit 1; }
command -v brotli >/dev/null || apt_install brotli

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# One line per file: path (relative to the site), raw, gzip -9, brotli bytes.
# A release build's precompressed copies (`name.br`, `name.gz`) are the same
# files, already counted in the gzip and brotli columns.
(
  cd "$SITE"
  roots=(pkg)
  for extra in vendor terminal.js; do [ -e "$extra" ] && roots+=("$extra"); done
  find "${roots[@]}" -type f ! -name '*.br' ! -name '*.gz' | LC_ALL=C sort | while read -r f; do
    printf '%s\t%s\t%s\t%s\n' "$f" "$(stat -c %s "$f")" "$(gzip -9 -c "$f" | wc -c)" "$(brotli -q 11 -c "$f" | wc -c)"
  done
) >"$work/sizes.tsv"

echo "## Browser code in $SITE (KB = 1,000 bytes)"
python3 - "$work/sizes.tsv" "$SITE" <<'EOF'
import glob
import json
import os
import sys

tsv, site = sys.argv[1:]
sizes = {}
for line in open(tsv):
    path, raw, gz, br = line.rstrip("\n").split("\t")
    sizes[path] = (int(raw), int(gz), int(br))
kb = lambda b: f"{b / 1000:.1f}"


def row(name, s):
    print(f"{name:<58} {kb(s[0]):>10} {kb(s[1]):>10} {kb(s[2]):>10}")


def total(paths):
    return tuple(sum(sizes[p][i] for p in paths if p in sizes) for i in range(3))


print(f"{'file':<58} {'raw KB':>10} {'gzip KB':>10} {'brotli KB':>10}")
for path, s in sizes.items():
    row(path, s)
row("all of the above", total(sizes))

# The entry: the main module and its code, what every page downloads.
pkg = [p for p in sizes if p.startswith("pkg/")]
base = lambda p: os.path.basename(p)
chunky = lambda p: base(p).startswith(("chunk_", "split_"))
wasm = [p for p in pkg if p.endswith(".wasm") and not chunky(p)]
stems = {base(p).split(".")[0].removesuffix("_bg") for p in wasm}
js = [p for p in pkg if p.endswith(".js") and not chunky(p) and base(p).split(".")[0] in stems]
loader = [p for p in pkg if base(p).startswith("__wasm_split") and p.endswith(".js")]
entry = wasm + js + loader
print()
print("## The entry (every page downloads it before it hydrates)")
for p in entry:
    row(p, sizes[p])
row("entry", total(entry))
css = [p for p in pkg if p.endswith(".css")]
if css:
    row("entry + stylesheet", total(entry + css))
# The chunks themselves, not their precompressed .br/.gz copies.
chunks = [p for p in pkg if chunky(p) and p.endswith((".wasm", ".js"))]
if chunks:
    row(f"all {len(chunks)} chunks", total(chunks))

manifests = sorted(glob.glob(os.path.join(site, "pkg", "__wasm_split_manifest*.json")))
print()
if not manifests:
    print("## No __wasm_split_manifest*.json: the code is not split by route (one .wasm)")
    sys.exit(0)
manifest = json.load(open(manifests[0]))
print(f"## Per split point ({base(manifests[0])}): the entry plus the chunks it loads")


def files_of(value):
    """The file names a manifest entry lists, however deep."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from files_of(v)
    elif isinstance(value, list):
        for v in value:
            yield from files_of(v)


def known(name):
    """A manifest entry's file: named as it is, or (cargo-leptos lists chunk
    stems) with `.wasm`."""
    name = name.lstrip("./").removeprefix("pkg/")
    hits = [p for p in pkg if base(p) in (base(name), base(name) + ".wasm")]
    return hits[0] if hits else None


if not isinstance(manifest, dict):
    print(json.dumps(manifest, indent=1)[:4000])
    sys.exit(0)
print(f"{'split point (chunks)':<58} {'raw KB':>10} {'gzip KB':>10} {'brotli KB':>10}")
worst = (0, "")
for key in sorted(manifest):
    listed = list(dict.fromkeys(files_of(manifest[key])))
    paths = [p for p in (known(n) for n in listed) if p]
    missing = [n for n in listed if not known(n)]
    t = total(entry + paths)
    row(f"{key.strip('_')} ({len(paths)})", t)
    if missing:
        print(f"    not in pkg/: {', '.join(missing)}")
    worst = max(worst, (t[2], key))
if worst[1]:
    print(f"the heaviest split point with the entry: {worst[1]}, {kb(worst[0])} KB brotli")
EOF

# The split entry before wasm-bindgen and wasm-opt still has its names.
SPLIT_WASM="$ROOT/target/front/wasm32-unknown-unknown/wasm-release/frontend_split.wasm"
if [ -f "$SPLIT_WASM" ] && command -v c++filt >/dev/null; then
  echo
  echo "## The entry's code by crate ($(basename "$SPLIT_WASM"), $(date -r "$SPLIT_WASM" '+%F %R'), before wasm-bindgen and wasm-opt; scripts/bench/wasm_crates.py)"
  python3 "$ROOT/scripts/bench/wasm_crates.py" "$SPLIT_WASM" 20
fi

RAW_WASM="${TWIGGY_WASM:-$ROOT/target/front/wasm32-unknown-unknown/wasm-release/frontend.wasm}"
want="${TWIGGY:-}"
if [ -z "$want" ]; then if [ -f "$RAW_WASM" ]; then want=1; else want=0; fi; fi
if [ "$want" = 1 ]; then
  [ -f "$RAW_WASM" ] || { echo "no $RAW_WASM (cargo leptos build --release makes it)" >&2; exit 1; }
  ensure_twiggy
  echo
  echo "## What dominates $(basename "$RAW_WASM") ($(( $(stat -c %s "$RAW_WASM") / 1000 )) KB, $(date -r "$RAW_WASM" '+%F %R'), before wasm-bindgen and wasm-opt)"
  echo "### twiggy top -n 15"
  "$TWIGGY" top -n 15 "$RAW_WASM"
  echo
  echo "### twiggy dominators -d 2 -r 20"
  "$TWIGGY" dominators -d 2 -r 20 "$RAW_WASM"
else
  echo
  if [ -f "$RAW_WASM" ]; then echo "(twiggy skipped: TWIGGY=0)"; else echo "(twiggy skipped: no $RAW_WASM; TWIGGY=1 to insist)"; fi
fi
