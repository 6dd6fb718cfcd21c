"""What a WebAssembly module's code is made of, by crate: the size of every
function body, named by the module's `name` section (demangled with
c++filt), summed by the crate that owns it (for `<T as crate::Trait>` with a
generic `T`, the trait's crate, marked `*`). Used by chunks.sh on the split
entry before wasm-bindgen and wasm-opt (`frontend_split.wasm`), the only
form of the entry that still has names.

    python3 scripts/bench/wasm_crates.py MODULE.wasm [ROWS]

Figures only."""
import collections
import re
import subprocess
import sys


def _leb_bits(data, i):
    """A LEB128 at `i` as read: (its bits, how many, last byte, next index)."""
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, shift, byte, i


def leb(data, i):
    """An unsigned LEB128 at `i`: (value, next index)."""
    value, _, _, i = _leb_bits(data, i)
    return value, i


def sleb(data, i):
    """A signed LEB128 at `i`: (value, next index)."""
    value, shift, byte, i = _leb_bits(data, i)
    return (value - (1 << shift) if byte & 0x40 else value), i


def demangle(names):
    """The names, demangled with c++filt."""
    return subprocess.run(["c++filt"], input="\n".join(names),
                          capture_output=True, text=True, check=True).stdout.split("\n")


def sections(data):
    """(id, name of a custom section or None, body) of each section."""
    i = 8
    while i < len(data):
        sid = data[i]
        size, i = leb(data, i + 1)
        body = data[i:i + size]
        name = None
        if sid == 0:
            length, j = leb(body, 0)
            name = body[j:j + length].decode()
            body = body[j + length:]
        yield sid, name, body
        i += size


def imported_functions(body):
    """How many functions the import section brings in (they come first)."""
    count, j = leb(body, 0)
    functions = 0
    for _ in range(count):
        for _ in range(2):  # module and field names
            length, j = leb(body, j)
            j += length
        kind = body[j]
        j += 1
        if kind == 0:  # function: a type index
            _, j = leb(body, j)
            functions += 1
        elif kind == 1:  # table: element type, limits
            j += 1
            flags, j = leb(body, j)
            _, j = leb(body, j)
            if flags & 1:
                _, j = leb(body, j)
        elif kind == 2:  # memory: limits
            flags, j = leb(body, j)
            _, j = leb(body, j)
            if flags & 1:
                _, j = leb(body, j)
        elif kind == 3:  # global: value type, mutability
            j += 2
    return functions


def function_names(body):
    """Function index -> name, from the `name` section's function names."""
    names, j = {}, 0
    while j < len(body):
        sub = body[j]
        size, j = leb(body, j + 1)
        if sub == 1:
            count, k = leb(body, j)
            for _ in range(count):
                index, k = leb(body, k)
                length, k = leb(body, k)
                names[index] = body[k:k + length].decode("utf8", "replace")
                k += length
        j += size
    return names


GENERIC = {"T", "F", "V", "A", "B", "I", "S", "R", "E", "Fut", "Option", "Result",
           "Vec", "Box", "Arc", "Rc", "alloc", "core", "std", "impl"}


def owner(name):
    """The crate a demangled function name belongs to."""
    plain = re.sub(r"^(<|&|mut |dyn |\(|\[)+", "", name)
    first = re.match(r"[A-Za-z_][A-Za-z0-9_]*", plain)
    crate = first.group(0) if first else "?"
    if len(crate) <= 2 or crate in GENERIC:
        trait = re.search(r" as ([a-z_][a-z0-9_]*)::", name)
        if trait:
            return trait.group(1) + "*"
    return crate


def main():
    path = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    data = open(path, "rb").read()
    imported, sizes, names, by_section = 0, [], {}, []
    for sid, name, body in sections(data):
        by_section.append((name or f"section {sid}", len(body)))
        if sid == 2:
            imported = imported_functions(body)
        elif sid == 10:
            count, j = leb(body, 0)
            for n in range(count):
                size, k = leb(body, j)
                sizes.append((imported + n, size + k - j))
                j = k + size
        elif name == "name":
            names = function_names(body)
    demangled = demangle(names.get(i, "?") for i, _ in sizes)
    total = sum(s for _, s in sizes)
    crates = collections.Counter()
    for (_, size), name in zip(sizes, demangled):
        crates[owner(name)] += size
    print(f"{len(sizes)} functions, {total / 1000:.1f} KB of code; data: "
          f"{sum(s for n, s in by_section if n == 'section 11') / 1000:.1f} KB")
    print(f"{'crate':<28}{'code KB':>10}{'share':>8}")
    for crate, size in crates.most_common(rows):
        print(f"{crate:<28}{size / 1000:>10.1f}{100 * size / total:>7.1f}%")


if __name__ == "__main__":
    main()
