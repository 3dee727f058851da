"""The story keys and groups stored beside the index, in each generation's folder.

Keys are stored as a base (``story-keys.bin``: a JSON header with the text fields, then
every article's key numbers as one little-endian array, read with one read and no copy)
and a delta (``story-keys-delta.json``: the articles set or removed since the base was
written, with their keys as text). A sync that changes a few articles rewrites the delta
alone; the base, a hard link shared by the generations, is written again only when the
delta has grown to ``MAX_DELTA_SHARE`` of the articles. Groups are a JSON object of
article id -> story id (``groups.json``); search.stories computes both.

Nothing is a pickle (loading a pickle runs code). Keys that are missing, damaged, in a
layout this version does not know, or a delta that belongs to another base load empty:
the sync then recomputes them from the index.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import struct
import zipfile
from pathlib import Path

import numpy as np

from search.store import read_file, write_file
from search.stories import StoryKeys, group_stories

KEYS_FILE = "story-keys.bin"
DELTA_FILE = "story-keys-delta.json"
LEGACY_KEYS_FILE = "story-keys.npz"  # the layout of earlier versions: read, then replaced
MAX_KEYS_BYTES = 2 * 1024**3  # larger is not a file a sync wrote
MAX_DELTA_SHARE = 0.02  # a delta of more articles than this share is folded into the base
MIN_DELTA_CAP = 500  # ... but a delta of this many articles always stays a delta
GROUPS_FILE = "groups.json"
_MAGIC = b"DSKEYS01"
_HEAD = struct.Struct("<8s16sQQQ")  # magic, token, header bytes, key numbers, articles
_LOAD_ERRORS = (OSError, ValueError, KeyError, TypeError, IndexError, EOFError,
                AttributeError, struct.error, zipfile.BadZipFile)  # fmt: skip


def _write_json(path: Path, data) -> None:
    write_file(path, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def _aligned(n: int) -> int:
    return (n + 7) // 8 * 8


def load_keys(generation: Path) -> StoryKeys:
    """Return the story keys of every indexed article; empty when they cannot be trusted."""
    try:
        if os.path.lexists(generation / KEYS_FILE):
            keys = _load_base(read_file(generation / KEYS_FILE, MAX_KEYS_BYTES))
        else:
            return _load_legacy(generation)
        delta = json.loads(read_file(generation / DELTA_FILE, MAX_KEYS_BYTES))
        if delta["base"] != keys.token:
            raise ValueError("a delta of another base")
        for doc_id, record in delta["docs"].items():
            if record is None:
                keys.pop(doc_id)
            else:
                keys[doc_id] = {name: record[name] for name in ("date", "lang", "source")} | {
                    "keys": [str(key) for key in record["keys"]]
                }
        return keys
    except _LOAD_ERRORS:
        return StoryKeys()


def _load_base(data: bytes) -> StoryKeys:
    magic, token, header_bytes, count, docs = _HEAD.unpack_from(data)
    if magic != _MAGIC:
        raise ValueError("not a story keys file")
    start = _aligned(_HEAD.size + header_bytes)
    numbers_end = start + 4 * count
    ends_start = _aligned(numbers_end)
    if ends_start + 8 * docs != len(data):
        raise ValueError("story keys file of another length")
    text = json.loads(data[_HEAD.size : _HEAD.size + header_bytes].decode("utf-8"))
    numbers = np.frombuffer(data, dtype="<u4", count=count, offset=start)
    ends = np.frombuffer(data, dtype="<i8", count=docs, offset=ends_start)
    keys = StoryKeys.from_columns(text, numbers, ends)
    keys.token = token.hex()
    return keys


def _load_legacy(generation: Path) -> StoryKeys:
    data = read_file(generation / LEGACY_KEYS_FILE, MAX_KEYS_BYTES)
    with np.load(io.BytesIO(data), allow_pickle=False) as stored:
        text = json.loads(stored["text"].tobytes().decode("utf-8"))
        numbers, ends = stored["keys"], stored["ends"]
    return StoryKeys.from_columns(text, numbers, ends)  # no token: saved as a base


def save_stories(generation: Path, keys: StoryKeys, changed: set[str] | None) -> None:
    """Store the story keys and the groups computed from them beside the index.

    ``changed`` lists the ids that changed since the stored groups; None regroups all.
    """
    cap = max(MIN_DELTA_CAP, int(len(keys) * MAX_DELTA_SHARE))
    if keys.token is None or len(keys.changed) > cap or not _save_delta(generation, keys):
        _save_base(generation, keys)
    previous = load_groups(generation) if changed is not None else None
    _write_json(generation / GROUPS_FILE, group_stories(keys, previous, changed))


def _save_base(generation: Path, keys: StoryKeys) -> None:
    text, numbers, ends = keys.columns()
    token = secrets.token_bytes(16)
    header = json.dumps(text, ensure_ascii=False).encode("utf-8")
    numbers = numbers.astype("<u4")
    head = _HEAD.pack(_MAGIC, token, len(header), len(numbers), len(ends))
    buffer = bytearray(head + header)
    buffer.extend(bytes(_aligned(len(buffer)) - len(buffer)))
    buffer.extend(numbers.tobytes())
    buffer.extend(bytes(_aligned(len(buffer)) - len(buffer)))
    buffer.extend(ends.astype("<i8").tobytes())
    # The delta first: a base without its delta loads empty (recomputed), never wrong.
    _write_json(generation / DELTA_FILE, {"base": token.hex(), "docs": {}})
    write_file(generation / KEYS_FILE, bytes(buffer))
    keys.changed, keys.token = set(), token.hex()
    try:
        os.unlink(generation / LEGACY_KEYS_FILE)
    except FileNotFoundError:
        pass


def _save_delta(generation: Path, keys: StoryKeys) -> bool:
    """Store the articles changed since the base as its delta; return False when the
    generation holds another base than the one the keys were loaded from."""
    try:
        fd = os.open(generation / KEYS_FILE, os.O_RDONLY | os.O_NOFOLLOW)
        try:
            magic, token, *_ = _HEAD.unpack(os.read(fd, _HEAD.size))
        finally:
            os.close(fd)
    except (OSError, struct.error):
        return False
    if magic != _MAGIC or token.hex() != keys.token:
        return False
    docs = {d: keys[d] if d in keys else None for d in sorted(keys.changed)}
    _write_json(generation / DELTA_FILE, {"base": keys.token, "docs": docs})
    return True


def load_groups(generation: Path) -> dict[str, str]:
    try:
        return json.loads((generation / GROUPS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
