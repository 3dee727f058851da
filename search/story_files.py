"""The story keys and groups stored beside the index, in each generation's folder.

Keys are arrays and JSON text (``story-keys.npz``), groups a JSON object of article id ->
story id (``groups.json``); search.stories computes both.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np

from search.store import read_file, write_file
from search.stories import StoryKeys, group_stories

KEYS_FILE = "story-keys.npz"
MAX_KEYS_BYTES = 2 * 1024**3  # larger is not a file a sync wrote
GROUPS_FILE = "groups.json"


def _write_json(path: Path, data) -> None:
    write_file(path, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def load_keys(generation: Path) -> StoryKeys:
    """Return the story keys of every indexed article.

    Stored as arrays and JSON text, never as a pickle (loading a pickle runs code). Keys
    that are missing, damaged or in a layout this version does not know come back empty:
    the sync then recomputes them from the index.
    """
    try:
        data = read_file(generation / KEYS_FILE, MAX_KEYS_BYTES)
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            text = json.loads(stored["text"].tobytes().decode("utf-8"))
            numbers, ends = stored["keys"], stored["ends"]
        return StoryKeys.from_columns(text, numbers, ends)
    except (OSError, ValueError, KeyError, TypeError, IndexError, EOFError,
            zipfile.BadZipFile):  # fmt: skip
        return StoryKeys()


def save_stories(generation: Path, keys: StoryKeys, changed: set[str] | None) -> None:
    """Store the story keys and the groups computed from them beside the index.

    ``changed`` lists the ids that changed since the stored groups; None regroups all.
    """
    text, numbers, ends = keys.columns()
    buffer = io.BytesIO()
    np.savez(
        buffer,
        text=np.frombuffer(json.dumps(text, ensure_ascii=False).encode("utf-8"), np.uint8),
        keys=numbers,
        ends=ends,
    )
    write_file(generation / KEYS_FILE, buffer.getvalue())
    previous = load_groups(generation) if changed is not None else None
    _write_json(generation / GROUPS_FILE, group_stories(keys, previous, changed))


def load_groups(generation: Path) -> dict[str, str]:
    try:
        return json.loads((generation / GROUPS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
