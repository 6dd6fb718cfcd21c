"""What each page's browser code weighs, and what a different grouping of
pages would make of it: reachability over the release build's WebAssembly
before it is split (frontend.wasm, linked with relocations and names).

From the module's relocations (calls, function addresses, data addresses),
every function and data symbol is a node; what the entry reaches (every
export but the split points) is the entry. For each split point, and for
each page component (`app::pages::…::…Page`), it prints the code reachable
beyond the entry, unoptimised. With a grouping (JSON: group name -> page
components), it does what the splitter does (code reached by several groups
goes into one chunk per distinct set of groups) and prints each group's
files and bytes, so a grouping can be judged before it is built. With
parts too (JSON: part name -> components, `app::…::Name` as in the module,
each loaded on its own, a split point inside the pages that use it), a
group's code stops at them and each part is a split point of its own.

    python3 scripts/bench/wasm_groups.py MODULE.wasm ['{"g": ["HomePage", …], …}'] \
        ['{"part": ["app::pages::stacks::editor::TemplateEditor", …], …}']

MODULE: target/front/wasm32-unknown-unknown/wasm-release/frontend.wasm,
written by the release browser build. Figures only (unoptimised code: the
split, optimised modules are about a quarter of it in brotli)."""
import bisect
import collections
import json
import re
import sys

import wasm_crates as w

# Relocation types that carry an addend, and those whose index is no symbol.
ADDEND = {3, 4, 5, 8, 9, 11, 14, 15, 16, 17, 21, 22, 23, 25}
NOT_SYMBOL = {6, 7, 10, 13, 20}


def symbols(body):
    """The linking section's symbol table: (kind, function index or data
    (segment, offset, size) or None)."""
    out, j = [], w.leb(body, 0)[1]
    while j < len(body):
        kind, (size, j) = body[j], w.leb(body, j + 1)
        end = j + size
        if kind == 8:
            count, k = w.leb(body, j)
            for _ in range(count):
                sym, (flags, k) = body[k], w.leb(body, k + 1)
                if sym in (0, 2, 4, 5):
                    index, k = w.leb(body, k)
                    if not flags & 0x10 or flags & 0x40:
                        length, k = w.leb(body, k)
                        k += length
                    out.append((sym, index))
                elif sym == 1:
                    length, k = w.leb(body, k)
                    k += length
                    place = None
                    if not flags & 0x10:
                        seg, k = w.leb(body, k)
                        off, k = w.leb(body, k)
                        size_, k = w.leb(body, k)
                        place = (seg, off, size_)
                    out.append((1, place))
                else:
                    index, k = w.leb(body, k)
                    out.append((sym, index))
        j = end
    return out


def graph(path):
    data = open(path, "rb").read()
    secs = list(w.sections(data))
    imported, bodies, names, exports, segs, syms, relocs = 0, [], {}, [], [], [], {}
    for sid, name, body in secs:
        if sid == 2:
            imported = w.imported_functions(body)
        elif sid == 7:
            count, j = w.leb(body, 0)
            for _ in range(count):
                length, j = w.leb(body, j)
                export = body[j:j + length].decode()
                kind, (index, j) = body[j + length], w.leb(body, j + length + 1)
                if kind == 0:
                    exports.append((export, index))
        elif sid == 10:
            count, j = w.leb(body, 0)
            for n in range(count):
                size, k = w.leb(body, j)
                bodies.append((imported + n, k, k + size))
                j = k + size
        elif sid == 11:
            count, j = w.leb(body, 0)
            for _ in range(count):
                flags, j = w.leb(body, j)
                if flags == 0:  # i32.const offset, end
                    _, j = w.sleb(body, j + 1)
                    j += 1
                size, j = w.leb(body, j)
                segs.append((j, j + size))
                j += size
        elif name == "name":
            names = w.function_names(body)
        elif name == "linking":
            syms = symbols(body)
        elif name and name.startswith("reloc."):
            target, j = w.leb(body, 0)
            count, j = w.leb(body, j)
            entries = []
            for _ in range(count):
                kind, (offset, j) = body[j], w.leb(body, j + 1)
                index, j = w.leb(body, j)
                if kind in ADDEND:
                    _, j = w.sleb(body, j)
                entries.append((kind, offset, index))
            relocs[target] = entries
    code = next(i for i, (sid, _, _) in enumerate(secs) if sid == 10)
    datas = next(i for i, (sid, _, _) in enumerate(secs) if sid == 11)

    def node(index):
        kind, value = syms[index]
        if kind == 0:
            return ("f", value)
        return ("d", index) if kind == 1 and value else None

    edges = collections.defaultdict(set)
    starts = [b[1] for b in bodies]
    for kind, offset, index in relocs.get(code, []):
        target = None if kind in NOT_SYMBOL else node(index)
        if target:
            edges[("f", bodies[bisect.bisect_right(starts, offset) - 1][0])].add(target)
    placed = collections.defaultdict(list)
    for index, (kind, value) in enumerate(syms):
        if kind == 1 and value:
            seg, off, size = value
            placed[seg].append((segs[seg][0] + off, segs[seg][0] + off + max(size, 1), index))
    for seg in placed:
        placed[seg].sort()
    seg_starts = [a for a, _ in segs]
    for kind, offset, index in relocs.get(datas, []):
        target = None if kind in NOT_SYMBOL else node(index)
        inside = placed.get(bisect.bisect_right(seg_starts, offset) - 1, [])
        k = bisect.bisect_right([a for a, _, _ in inside], offset) - 1
        if target and k >= 0 and offset < inside[k][1]:
            edges[("d", inside[k][2])].add(target)
    sizes = {f: end - start for f, start, end in bodies}
    size = lambda n: sizes.get(n[1], 0) if n[0] == "f" else syms[n[1]][1][2]
    return edges, exports, names, sizes, size


def main():
    edges, exports, names, sizes, size = graph(sys.argv[1])

    def reach(roots, stop=frozenset()):
        seen, todo = set(roots), list(roots)
        while todo:
            for y in edges.get(todo.pop(), ()):
                if y not in seen and y not in stop:
                    seen.add(y)
                    todo.append(y)
        return seen

    split = [(n, i) for n, i in exports if n.startswith("__wasm_split_00")]
    entry = frozenset(reach([("f", i) for n, i in exports if not n.startswith("__wasm_split_00")]))
    kb = lambda nodes: sum(size(n) for n in nodes) / 1000
    print(f"entry: {kb(n for n in entry if n[0] == 'f'):.1f} KB of code, {kb(n for n in entry if n[0] == 'd'):.1f} KB of data")
    print("\nsplit point                       code and data beyond the entry")
    for name, index in split:
        print(f"  {name.split('_export_')[-1].split('_', 1)[1]:<32}{kb(reach([('f', index)], entry)):8.1f} KB")
    functions = sorted(sizes)
    plain = w.demangle(names.get(f, "?") for f in functions)
    pages = {}
    for f, name in zip(functions, plain):
        page = re.match(r"^app::pages::[a-z_:]+::([A-Z][A-Za-z]*Page)$",
                        re.sub(r"\[[0-9a-f]{16}\]", "", name))
        if page:
            pages[page.group(1)] = f
    print("\npage (alone)                      code and data beyond the entry")
    for page, f in sorted(pages.items()):
        print(f"  {page:<32}{kb(reach([('f', f)], entry)):8.1f} KB")
    if len(sys.argv) > 2:
        groups = json.loads(sys.argv[2])
        parts = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
        named = collections.defaultdict(list)
        for f, name in zip(functions, plain):
            named[re.sub(r"\[[0-9a-f]{16}\]", "", name)].append(("f", f))
        roots = {g: [("f", pages[p]) for p in ps] for g, ps in groups.items()}
        for part, components in parts.items():
            roots[part] = [n for c in components for n in named[c]]
            if not roots[part]:
                sys.exit(f"{part}: no function named {components}")
        at_parts = frozenset(n for part in parts for n in roots[part])
        reached = {g: reach(rs, entry | (at_parts - set(rs))) for g, rs in roots.items()}
        owners = collections.defaultdict(set)
        for g, nodes in reached.items():
            for n in nodes:
                owners[n].add(g)
        chunks = collections.Counter()
        for n, gs in owners.items():
            chunks[frozenset(gs)] += size(n)
        print(f"\nthis grouping: {len(chunks)} modules (the groups' own and the shared chunks)")
        for g in [*groups, *parts]:
            mine = [c for c in chunks if g in c]
            print(f"  {g:<24}{len(mine):4d} files {sum(chunks[c] for c in mine) / 1000:8.1f} KB")


if __name__ == "__main__":
    main()
