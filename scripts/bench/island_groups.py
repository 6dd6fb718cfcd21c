"""What a page of each island group weighs, and what another grouping of
the groups would make of it, before building it (issue 15).

The splitter puts code several split points (island groups) use into one
chunk per distinct set of them, and every chunk is a file compressed on its
own: many small chunks cost more than their code. For the built site this
prints each group's page (the entry plus every chunk it loads, each
brotli-compressed alone). With a grouping (JSON: a list of lists of the
built groups' names, each inner list one new group), it estimates the new
groups' pages: chunks are re-sorted by the new sets of groups using them,
and the chunks of one new set compressed together as the splitter's one
chunk would be.

    python3 scripts/bench/island_groups.py SITE_ROOT ENTRY_KB ['[["home_islands", "admin_islands"], ...]']

ENTRY_KB: the entry's brotli size, as scripts/bench/chunks.sh prints it.
Figures only; an estimate, not the splitter's output.
"""

import collections
import glob
import json
import os
import subprocess
import sys


def main():
    site, entry_kb = sys.argv[1], float(sys.argv[2])
    pkg = os.path.join(site, "pkg")
    manifest = json.load(open(glob.glob(os.path.join(pkg, "__wasm_split_manifest*.json"))[0]))
    # `<group>_<number>` -> group.
    groups = {key.rsplit("_", 1)[0]: chunks for key, chunks in manifest.items()}

    def path(stem):
        return next(p for p in glob.glob(os.path.join(pkg, stem + "*")) if p.endswith(".wasm"))

    raw = {c: open(path(c), "rb").read() for cs in groups.values() for c in cs}
    users = collections.defaultdict(set)
    for group, chunks in groups.items():
        for c in chunks:
            users[c].add(group)
    compressed = {}

    def brotli_kb(chunks):
        key = tuple(sorted(chunks))
        if key not in compressed:
            out = subprocess.run(["brotli", "-q", "11", "-c"], input=b"".join(raw[c] for c in key),
                                 capture_output=True, check=True).stdout
            compressed[key] = len(out) / 1000
        return compressed[key]

    def pages(rename):
        by_set = collections.defaultdict(list)
        for c, gs in users.items():
            by_set[frozenset(rename.get(g, g) for g in gs)].append(c)
        news = sorted(set(rename.get(g, g) for g in groups))
        return len(by_set), {g: entry_kb + sum(brotli_kb(cs) for s, cs in by_set.items() if g in s) for g in news}

    built = {g: entry_kb + sum(brotli_kb([c]) for c in cs) for g, cs in groups.items()}
    print(f"built: {len(users)} chunks")
    for g, kb in sorted(built.items()):
        print(f"  {g:<40}{len(groups[g]):4d} files {kb:8.1f} KB brotli with the entry")
    if len(sys.argv) > 3:
        rename = {}
        for new in json.loads(sys.argv[3]):
            for g in new:
                rename[g] = "+".join(new)
        count, estimated = pages(rename)
        print(f"\nthat grouping (estimate): {count} chunks")
        for g, kb in sorted(estimated.items()):
            print(f"  {g:<60}{kb:8.1f} KB brotli with the entry")


if __name__ == "__main__":
    main()
