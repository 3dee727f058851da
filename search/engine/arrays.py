"""The index as numpy arrays: per-document lengths and columns, and posting lists decoded
once per index state and shared by a process's threads.

It reads our codec's posting lists (search.engine.codec) and whoosh3's columns, so it is
tied to both: the score-equivalence test (tests/test_ranking.py) catches a change.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

from search.engine.columns import is_varbytes, varbytes_values

# Bytes of decoded postings kept for the newest index state: repeated words are not decoded
# again. The 270 benchmark queries need 85 MB at 100,000 articles (10 million postings and
# phrase words' places); a cache smaller than what a stream of queries cycles through keeps
# almost nothing (least recently used goes first), so warm searches were as slow as cold.
POSTINGS_CACHE_BYTES = 128 * 2**20
# Whoosh stores a field's length per document as one byte; this is its decoding table.
_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


class _Shared:
    """What every thread's IndexArrays over the same segments can share: decoded arrays."""

    def __init__(self):
        self.lock = threading.Lock()
        self.live: np.ndarray | None = None
        self.lengths: dict[str, np.ndarray] = {}
        self.columns: dict[str, np.ndarray] = {}
        self.codes: dict[str, tuple[list[str], np.ndarray]] = {}
        self.postings: OrderedDict[tuple[str, bytes], Postings] = OrderedDict()
        self.cached_bytes = 0

    def forget_postings(self) -> None:
        """Drop the decoded postings (an older index state's, once a newer one is read)."""
        with self.lock:
            self.postings.clear()
            self.cached_bytes = 0


# Each web server thread has its own searcher (Whoosh's file reads are not thread-safe),
# but threads over the same segments share the decoded arrays: a word one thread read is
# cached for all. Keyed by the segments and their deletions, so a sync starts afresh.
_SHARED: OrderedDict[tuple, _Shared] = OrderedDict()
_SHARED_KEPT = 4  # index states kept (the live one, and ones open searchers still use)
_SHARED_LOCK = threading.Lock()


def _shared_for(leaves) -> _Shared:
    key = tuple(
        (leaf.segment().segment_id(), leaf.segment().deleted_count(), offset)
        for leaf, offset in leaves
    )
    with _SHARED_LOCK:
        shared = _SHARED.get(key)
        if shared is None:
            for older in _SHARED.values():  # searches still on them decode what they need
                older.forget_postings()
            shared = _SHARED[key] = _Shared()
            while len(_SHARED) > _SHARED_KEPT:
                _SHARED.popitem(last=False)
        _SHARED.move_to_end(key)
        return shared


class IndexArrays:
    """Per-document arrays of one open searcher, each read once and shared by every query
    (and by other threads' searchers over the same segments)."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.leaves = list(self.reader.leaf_readers())
        self.size = self.reader.doc_count_all()
        self._shared = _shared_for(self.leaves)
        if self._shared.live is None:
            live = np.ones(self.size, dtype=bool)
            for leaf, offset in self.leaves:
                deleted = list(leaf.deleted_docs_set)
                if deleted:
                    live[np.asarray(deleted, dtype=np.int64) + offset] = False
            self._shared.live = live
        self.live = self._shared.live
        self._lengths = self._shared.lengths
        self._columns = self._shared.columns
        self._codes = self._shared.codes

    def lengths(self, fieldname: str) -> np.ndarray:
        """Return the length of a field in every document, as Whoosh's scorer sees it."""
        if fieldname not in self._lengths:
            parts = [_length_bytes(leaf, fieldname) for leaf, _ in self.leaves]
            self._lengths[fieldname] = _LENGTH_OF_BYTE[np.concatenate(parts)]
        return self._lengths[fieldname]

    def column(self, fieldname: str) -> np.ndarray:
        """Return a sortable column's raw value in every document, as a numpy bytes array."""
        if fieldname not in self._columns:
            parts = [_column_bytes(leaf, fieldname) for leaf, _ in self.leaves]
            width = max((part.dtype.itemsize for part in parts), default=1)
            self._columns[fieldname] = np.concatenate([part.astype(f"S{width}") for part in parts])
        return self._columns[fieldname]

    def counts(self, fieldname: str, which: np.ndarray) -> list[tuple[str, int]]:
        """Return (value, documents) of a column over some documents (docnums or a mask)."""
        values, codes = self.codes(fieldname)
        found = np.bincount(codes[which], minlength=len(values)).tolist()
        return [(value, n) for value, n in zip(values, found, strict=True) if n]

    def codes(self, fieldname: str) -> tuple[list[str], np.ndarray]:
        """Return a column's distinct values (sorted, as text) and each document's index."""
        if fieldname not in self._codes:
            values, codes = np.unique(self.column(fieldname), return_inverse=True)
            self._codes[fieldname] = ([v.decode("utf-8") for v in values.tolist()], codes)
        return self._codes[fieldname]


def _length_bytes(leaf, fieldname: str) -> np.ndarray:
    size = leaf.doc_count_all()
    out = np.zeros(size, dtype=np.uint8)
    perdoc = leaf._perdoc
    name = _lenfield(fieldname)
    if perdoc.has_column(name):
        column = perdoc.column_reader(name, LENGTHS_COLUMN)
        count = min(column._count, size)
        raw = column._dbfile.get(column._basepos, count)
        out[:count] = np.frombuffer(raw, dtype=np.uint8)
    return out


def _column_bytes(leaf, fieldname: str) -> np.ndarray:
    """Read a segment's column in one go (search.engine.columns), through the leaf's files."""
    perdoc, count = leaf._perdoc, leaf.doc_count_all()
    if not is_varbytes(leaf.schema[fieldname]) or not count:
        return np.array(list(leaf.column_reader(fieldname, translate=False)), dtype=bytes)
    if fieldname not in perdoc._colfiles:  # opened as column_reader() does: closed with it
        perdoc._colfiles[fieldname] = perdoc._get_column_file(fieldname)
    colfile, base, length = perdoc._colfiles[fieldname]
    return varbytes_values(colfile.get(base, length), count)


class Postings:
    """One term's postings over the whole index.

    ``ids`` are sorted global docnums and ``weights`` Whoosh's term weights. ``places``,
    read only for phrase words, holds every position as ``docnum << 32 | position``: a
    phrase is then an intersection of shifted arrays instead of a loop over documents.
    ``ends`` says where each posting's places end in ``places``, so the places of a few
    documents are cut out without a pass over all of them.
    """

    __slots__ = ("ids", "weights", "places", "ends")

    def __init__(self, ids: np.ndarray, weights: np.ndarray, places: np.ndarray | None, ends=None):
        self.ids, self.weights, self.places, self.ends = ids, weights, places, ends

    @property
    def size(self) -> int:
        """How much it weighs in the cache, in bytes."""
        arrays = (self.ids, self.weights, self.places, self.ends)
        return sum(array.nbytes for array in arrays if array is not None)

    def places_at(self, rows: np.ndarray) -> np.ndarray:
        """Return the places of the postings at ``rows`` (ascending), in order."""
        ends = self.ends[rows]
        starts = np.where(rows > 0, self.ends[rows - 1], 0)  # where the posting before ends
        lengths = ends - starts
        total = int(lengths.sum())
        if not total:
            return self.places[:0]
        # Each wanted posting's places are a run starting at its start: one arange over
        # all of them, shifted by how far each run's start is from where it lands.
        shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        return self.places[np.arange(total) + shift]


def read_postings(arrays: IndexArrays, fieldname: str, btext: bytes, places=False) -> Postings:
    """Return every posting of a term with docnums global to the index, cached per index state."""
    key = (fieldname, btext)
    shared = arrays._shared
    with shared.lock:
        found = shared.postings.get(key)
        if found is not None and (found.places is not None or not places):
            shared.postings.move_to_end(key)
            return found
    postings = _read_postings(arrays, fieldname, btext, places)  # this thread's own files
    with shared.lock:
        old = shared.postings.pop(key, None)
        if old is not None:
            shared.cached_bytes -= old.size
        shared.postings[key] = postings
        shared.cached_bytes += postings.size
        while shared.cached_bytes > POSTINGS_CACHE_BYTES and len(shared.postings) > 1:
            shared.cached_bytes -= shared.postings.popitem(last=False)[1].size
    return postings


def _read_postings(arrays: IndexArrays, fieldname: str, btext: bytes, places: bool) -> Postings:
    """Read every posting of a term from each segment, with docnums global to the index."""
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    positions: list[np.ndarray] = []
    for leaf, offset in arrays.leaves:
        terms = leaf._terms
        entry = terms.entry(fieldname, btext)
        if entry is None:
            continue
        found = terms.postings(entry, positions=places)
        ids.append(found.ids + offset)
        weights.append(found.weights)
        if places:
            has = found.counts is not None
            counts.append(found.counts if has else np.zeros(len(found.ids), dtype=np.int64))
            if has:
                positions.append((np.repeat(found.ids + offset, found.counts) << 32) | found.places)
    if not ids:
        nowhere = np.empty(0, dtype=np.int64) if places else None
        ends = nowhere
        return Postings(np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32), nowhere, ends)
    ids_all = np.concatenate(ids).astype(np.int32)
    weights_all = np.concatenate(weights)  # float32, as Whoosh stores them
    if not places:
        return Postings(ids_all, weights_all, None)
    codes = np.concatenate(positions) if positions else np.empty(0, dtype=np.int64)
    return Postings(ids_all, weights_all, codes, np.cumsum(np.concatenate(counts)))
