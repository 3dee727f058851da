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
from functools import partial
from itertools import chain
from operator import attrgetter
from pathlib import Path
from stat import S_IFDIR, S_IFLNK
from typing import NamedTuple

import numpy as np

from search.store import read_file, write_file

STAMPS_FILE = "folder-stamps.json"
STAMPS_VERSION = 1  # a stored layout of another version is not used
MAX_STAMPS_BYTES = 256 * 1024 * 1024  # larger is not a file a sync wrote
S_IFMT_MASK = 0o170000  # the file type bits of st_mode
_FIELDS = attrgetter("st_mode", "st_size", "st_mtime_ns", "st_ino")


class FolderStamp(NamedTuple):
    stamp: str | None  # None: the folder holds a link, it is walked file by file
    names: list[str]  # what it lists, hidden entries left out, sorted
    folders: list[str]  # the names of its subfolders
    stats: list[os.stat_result]  # lstat() of each of ``names``


def take_stamp(folder: str) -> FolderStamp:
    """List a folder and stat() what it holds; raise OSError when it cannot be read.

    Names come from os.listdir and the stat() calls are made against the open folder
    (fstatat), from C loops: no DirEntry per file and no path to resolve per file, so a
    folder of 20,000 entries costs its stat() calls and little more.
    """
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        names = sorted(name for name in os.listdir(fd) if not name.startswith("."))
        stats = list(map(partial(os.stat, dir_fd=fd, follow_symlinks=False), names))
        try:
            fields = array("q", chain.from_iterable(map(_FIELDS, stats)))
        except OverflowError:  # an inode number beyond 2**63: no stamp, walked file by file
            return FolderStamp(None, names, [], stats)
    finally:
        os.close(fd)
    table = np.frombuffer(fields, dtype=np.int64).reshape(-1, 4)
    kinds = table[:, 0] & S_IFMT_MASK
    dirs = kinds == S_IFDIR
    folders = [names[i] for i in np.flatnonzero(dirs).tolist()]
    if (kinds == S_IFLNK).any():
        return FolderStamp(None, names, folders, stats)
    if folders:
        table = table.copy()
        table[dirs, 1:] = 0  # a subfolder by name: its own stamp covers what it holds
    digest = hashlib.blake2b("\0".join(names).encode("utf-8", "surrogateescape"), digest_size=16)
    digest.update(table.tobytes())
    return FolderStamp(digest.hexdigest(), names, folders, stats)


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
