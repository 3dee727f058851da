"""The entity table (search.text.entities) stored beside the index, so that a sync in a
fresh process does not build it again: building analyses some 1,700 names with pymorphy3
(a few tenths of a second, and loading pymorphy3 at all for an English article).

The stored table carries a fingerprint of everything it is built from: the sources of
search/text, the tables in search/data, and the installed Babel, pymorphy3, its Russian
dictionaries and Snowball (the size and time of their files). Any change to one of them
and the table is built afresh, and stored again by the next sync that analyses an article.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from search.store import read_file, write_file
from search.text import entities

CACHE_FILE = "entity-table.json"
MAX_CACHE_BYTES = 16 * 1024 * 1024  # larger is not a file a sync wrote
_SEARCH = Path(__file__).resolve().parent
_PACKAGES = ("babel", "pymorphy3", "pymorphy3_dicts_ru", "snowballstemmer")


@cache
def fingerprint() -> str:
    """Return a digest of the sources, tables and packages the table is built from."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted([*(_SEARCH / "text").glob("*.py"), *(_SEARCH / "data").iterdir()]):
        digest.update(f"{path.name}\0".encode())
        digest.update(path.read_bytes())
    for name in _PACKAGES:
        spec = find_spec(name)  # found, not imported
        folder = Path(spec.origin).parent if spec and spec.origin else None
        if folder is None:
            digest.update(f"{name}: missing\n".encode())
            continue
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.is_file():
                st = entry.stat()
                digest.update(f"{name}/{entry.name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def load_cached_table(generation: Path) -> bool:
    """Install the table stored in a generation when it is of this version; return
    whether it was."""
    if entities.table_built():
        return True
    try:
        data = json.loads(read_file(generation / CACHE_FILE, MAX_CACHE_BYTES))
        if data["fingerprint"] != fingerprint():
            return False
        entities.install_table(data["table"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False
    return True


def save_table(generation: Path) -> None:
    """Store the process's table in a generation unless it holds it already (nothing
    when no article needed the table)."""
    if not entities.table_built():
        return
    stamp = fingerprint()
    try:
        if json.loads(read_file(generation / CACHE_FILE, MAX_CACHE_BYTES))["fingerprint"] == stamp:
            return
    except (OSError, ValueError, KeyError, TypeError):
        pass
    data = {"fingerprint": stamp, "table": entities.table_record()}
    write_file(generation / CACHE_FILE, json.dumps(data, ensure_ascii=False).encode("utf-8"))
