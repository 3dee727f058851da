"""Folder stamps: a digest of what a corpus folder lists, so that a sync can pass over a
folder whose files are all as they were indexed without looking at each article.

A folder's stamp hashes the name, type, size, modification time (ns) and inode of every
file it lists (its subfolders by name only: each has a stamp of its own). Any change to an
article or its sidecar (written in place, replaced, renamed, added, removed) changes its
size, modification time or inode, so it changes the stamp: this is the per-file check of
search.changes, made once per folder. A folder gets a stamp only when the whole sync went
cleanly for it: nothing in it was skipped or failed, and it holds no symbolic link (a
link's target may change without the folder seeing it). A stamp of another folder than
the one walked, or of an older layout, simply does not match: the folder is walked.

The stamps are stored in each generation (``folder-stamps.json``) beside the index they
describe; a stamp asserts that the index holds the folder's files as they were when it was
taken, which stays true in every later generation until one of them changes.
"""

from __future__ import annotations

import hashlib
import json
import os
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISDIR, S_ISLNK

from search.store import read_file, write_file

STAMPS_FILE = "folder-stamps.json"
STAMPS_VERSION = 1  # a stored layout of another version is not used
MAX_STAMPS_BYTES = 256 * 1024 * 1024  # larger is not a file a sync wrote


def folder_stamp(
    entries: dict[str, os.DirEntry], names: list[str] | None = None, folders: list | None = None
) -> str | None:
    """Return the stamp of a folder from its listing (name -> entry; ``names`` sorted, when
    the caller has them), or None when it holds a symbolic link. Hidden entries are left
    out, as the walk leaves them out; the names of subfolders are appended to ``folders``."""
    names = [name for name in names or sorted(entries) if not name.startswith(".")]
    numbers = array("q")  # mode, size, mtime (ns) of each entry in name order
    inodes = array("Q")
    for name in names:
        st = entries[name].stat(follow_symlinks=False)  # cached: stat_signature reuses it
        mode = st.st_mode
        if S_ISDIR(mode):
            numbers.extend((mode, 0, 0))
            inodes.append(0)
            if folders is not None:
                folders.append(name)
        elif S_ISLNK(mode):
            return None
        else:
            numbers.extend((mode, st.st_size, st.st_mtime_ns))
            inodes.append(st.st_ino)
    digest = hashlib.blake2b("\0".join(names).encode("utf-8", "surrogateescape"), digest_size=16)
    digest.update(numbers.tobytes())
    digest.update(inodes.tobytes())
    return digest.hexdigest()


def folder_of(doc_id: str) -> str:
    """Return the id prefix of the folder a file id is in ("" for the corpus itself)."""
    return doc_id[: doc_id.rfind("/") + 1]


def load_stamps(generation: Path) -> dict[str, str]:
    """Return folder prefix -> stamp stored in a generation; {} when missing or damaged."""
    try:
        data = json.loads(read_file(generation / STAMPS_FILE, MAX_STAMPS_BYTES))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != STAMPS_VERSION:
        return {}
    folders = data.get("folders")
    if not isinstance(folders, dict):
        return {}
    return {k: v for k, v in folders.items() if isinstance(k, str) and isinstance(v, str)}


def save_stamps(generation: Path, stamps: dict[str, str]) -> None:
    data = {"version": STAMPS_VERSION, "folders": stamps}
    write_file(generation / STAMPS_FILE, json.dumps(data, ensure_ascii=False).encode())


@dataclass
class WalkStamps:
    """The folder stamps a walk compares with, and the ones it takes."""

    old: dict[str, str]  # prefix -> stamp, as the last sync left them
    new: dict[str, str] = field(default_factory=dict)  # the folders listed this walk
    unchanged: list[str] = field(default_factory=list)  # folders whose files were passed over

    def spoil(self, prefix: str) -> None:
        """Take no stamp of a folder: something in it was skipped or failed."""
        self.new.pop(prefix, None)
