#!/usr/bin/env python3
"""Vendor the part of DigitalOcean's OpenAPI description the driver uses.

Usage: scripts/vendor-do-openapi.py <checkout> [<out-dir>]

<checkout> is a checkout of https://github.com/digitalocean/openapi (or its
`specification/` folder); <out-dir> defaults to
cloud/tests/fixtures/digitalocean-openapi. The output is the entry file
`DigitalOcean-public.v2.yaml` holding only the operations in OPERATIONS below,
plus every file those operations reach through `$ref`, in the same relative
layout. Kept files are copied line for line (no YAML round trip, so no value
changes); the only edits are dropping top-level keys nobody reaches (in files
referenced through a `#/fragment`) and the `x-codeSamples` documentation
(curl/Go/Ruby/Python snippets). Re-running on the same commit gives the same
files. Needs PyYAML (only to follow `$ref`s and check the result); the tests
need nothing but the output.
"""

import os
import re
import shutil
import sys
from urllib.parse import unquote

import yaml

ENTRY = "DigitalOcean-public.v2.yaml"

# (path, method) for every request the driver sends (cloud/src/digitalocean).
OPERATIONS = [
    ("/v2/account", "get"),
    ("/v2/account/keys", "get"),
    ("/v2/account/keys", "post"),
    ("/v2/droplets", "get"),
    ("/v2/droplets", "post"),
    ("/v2/droplets/{droplet_id}", "get"),
    ("/v2/droplets/{droplet_id}", "delete"),
    ("/v2/droplets/{droplet_id}/actions", "post"),
    ("/v2/images", "get"),
    ("/v2/regions", "get"),
    ("/v2/sizes", "get"),
    ("/v2/tags", "post"),
    ("/v2/tags/{tag_id}/resources", "post"),
    ("/v2/tags/{tag_id}/resources", "delete"),
]

# Top-level keys of the entry file kept as they are.
ROOT_KEYS = ["openapi", "info", "servers", "components", "security"]
DROPPED = {"x-codeSamples"}


def top_level_blocks(text):
    """Splits a block-style YAML document into (key, text) at column 0.

    Leading comments and blank lines stay with the block that follows."""
    blocks, key, lines, pending = [], None, [], []
    for line in text.splitlines(keepends=True):
        m = re.match(r"""^(?:"([^"]*)"|'([^']*)'|([^\s#'"-][^:]*?)):(?:\s|$)""", line)
        if m:
            if key is not None or lines:
                blocks.append((key, "".join(lines)))
            key = next(g for g in m.groups() if g is not None)
            lines = pending + [line]
            pending = []
        elif line.strip() == "" or line.startswith("#"):
            pending.append(line)
        else:
            lines += pending + [line]
            pending = []
    blocks.append((key, "".join(lines + pending)))
    return blocks


class Spec:
    def __init__(self, root):
        self.root = root
        self.docs = {}
        self.whole = set()  # files reached without a fragment
        self.keys = {}  # file -> top-level keys reached
        self.queue = []

    def load(self, rel):
        if rel not in self.docs:
            with open(os.path.join(self.root, rel), encoding="utf-8") as f:
                self.docs[rel] = yaml.safe_load(f)
        return self.docs[rel]

    def reach(self, rel, pointer):
        """Marks `rel#pointer` (pointer None: the whole file) as needed."""
        doc = self.load(rel)
        if pointer is None or not isinstance(doc, dict):
            if rel in self.whole:
                return
            self.whole.add(rel)
            if isinstance(doc, dict):
                keys = [k for k in doc if k not in DROPPED]
                self.keys.setdefault(rel, set()).update(keys)
                for k in keys:
                    self.queue.append((rel, doc[k]))
            else:
                self.queue.append((rel, doc))
            return
        parts = [unquote(p).replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
        if not parts or parts[0] not in doc:
            sys.exit(f"{rel}#{pointer}: no such key")
        seen = self.keys.setdefault(rel, set())
        if parts[0] in seen:
            return
        seen.add(parts[0])
        self.queue.append((rel, doc[parts[0]]))

    def ref(self, base, target):
        path, _, pointer = target.partition("#")
        if re.match(r"^[a-z]+:", path) or path.startswith("/"):
            sys.exit(f"{base}: external $ref {target!r} not handled")
        rel = base if path == "" else os.path.normpath(os.path.join(os.path.dirname(base), path))
        if rel.startswith(".."):
            sys.exit(f"{base}: $ref {target!r} leaves the description's folder")
        self.reach(rel, pointer or None)

    def walk(self, rel, node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in DROPPED:
                    continue
                if k == "$ref" and isinstance(v, str):
                    self.ref(rel, v)
                else:
                    self.walk(rel, v)
        elif isinstance(node, list):
            for v in node:
                self.walk(rel, v)

    def run(self):
        while self.queue:
            self.walk(*self.queue.pop())


def pruned(text, keep):
    blocks = top_level_blocks(text)
    out = "".join(t for k, t in blocks if k is None or k in keep)
    return out if out.endswith("\n") else out + "\n"


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    root = sys.argv[1]
    if not os.path.isfile(os.path.join(root, ENTRY)):
        root = os.path.join(root, "specification")
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[2] if len(sys.argv) == 3 else os.path.join(here, "..", "cloud/tests/fixtures/digitalocean-openapi")
    out = os.path.relpath(out)

    with open(os.path.join(root, ENTRY), encoding="utf-8") as f:
        entry_text = f.read()
    entry = yaml.safe_load(entry_text)
    spec = Spec(root)
    spec.docs[ENTRY] = entry

    # The operations, and the tags they name.
    ops = {}
    for path, method in OPERATIONS:
        item = entry["paths"].get(path) or sys.exit(f"{path}: not in the description")
        op = item.get(method) or sys.exit(f"{method.upper()} {path}: not in the description")
        ops.setdefault(path, {})[method] = op
        spec.walk(ENTRY, op)
        if set(item) - {"get", "put", "post", "delete", "patch", "head", "options", "trace"}:
            sys.exit(f"{path}: path-level fields are not handled")
    for key in ROOT_KEYS:
        spec.walk(ENTRY, entry[key])
    spec.run()
    used_tags = set()
    for methods in ops.values():
        for op in methods.values():
            used_tags.update(spec.docs[os.path.normpath(op["$ref"].partition("#")[0])].get("tags", []))

    # The entry file: its own blocks, with `tags` and `paths` cut down.
    blocks = dict(top_level_blocks(entry_text))
    tag_items = re.split(r"(?m)^(?=  - name:)", blocks["tags"])
    tags = tag_items[0] + "".join(
        t for t in tag_items[1:] if yaml.safe_load(t)[0]["name"] in used_tags
    ).rstrip("\n") + "\n\n"
    paths = "paths:\n"
    for path, methods in ops.items():
        paths += f"  {path}:\n"
        for method, op in methods.items():
            if list(op) != ["$ref"]:
                sys.exit(f"{method.upper()} {path}: inline operations are not handled")
            paths += f"    {method}:\n      $ref: \"{op['$ref']}\"\n"
        paths += "\n"
    parts = [blocks[k] for k in ROOT_KEYS[:3]] + [tags, paths] + [blocks[k] for k in ROOT_KEYS[3:]]
    header = (
        "# A subset of DigitalOcean's OpenAPI description (Apache-2.0), generated by\n"
        "# scripts/vendor-do-openapi.py; see README.md next to this file.\n"
    )
    entry_out = header + "".join(parts).rstrip("\n") + "\n"

    # Check: the new entry file says the same as the original, minus what was cut.
    new = yaml.safe_load(entry_out)
    assert {k: new[k] for k in ROOT_KEYS} == {k: entry[k] for k in ROOT_KEYS}
    assert new["paths"] == ops
    assert [t["name"] for t in new["tags"]] == [t["name"] for t in entry["tags"] if t["name"] in used_tags]

    if os.path.isdir(out):
        for name in os.listdir(out):
            if name not in ("README.md", "LICENSE"):
                p = os.path.join(out, name)
                shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, ENTRY), "w", encoding="utf-8") as f:
        f.write(entry_out)
    files = 1
    for rel in sorted(spec.keys.keys() | spec.whole):
        if rel == ENTRY:
            continue
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            text = f.read()
        doc = spec.docs[rel]
        if isinstance(doc, dict):
            keep = spec.keys[rel]
            text = pruned(text, keep)
            # Check: the pruned file holds exactly the kept keys, unchanged.
            assert yaml.safe_load(text) == {k: v for k, v in doc.items() if k in keep}, rel
        dest = os.path.join(out, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "w", encoding="utf-8") as f:
            f.write(text)
        files += 1
    size = sum(os.path.getsize(os.path.join(d, n)) for d, _, ns in os.walk(out) for n in ns)
    print(f"{files} files, {size} bytes in {out}")


if __name__ == "__main__":
    main()
