"""Score a parsed query over the whole index at once, with numpy arrays.

Whoosh's matchers walk postings one document at a time in Python: a word found in half of
20,000 articles costs 25 ms just to list and 90 ms to score. Here each term's postings are
read block by block into arrays, BM25F is computed for all of them at once, and AND, OR,
NOT and phrases combine one score array per query node over every document of the index.
The scores are Whoosh's own (the same formula, idf, average lengths and length bytes; a
test compares them); a query node this module does not know is scored by Whoosh's matcher.

It reads Whoosh's codec-level posting blocks and columns (``whoosh.codec.whoosh3``), so it
is tied to that codec: the equivalence test is what catches a change in it.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import accumulate, islice
from pickle import loads

import numpy as np
from whoosh import query
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.matching import ListMatcher
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length

from search.engine.columns import is_varbytes, varbytes_values
from search.engine.translate import to_whoosh
from search.errors import QueryError, SearchTimeoutError
from search.query import tree

# Decoded postings kept per index state, counted in postings and phrase words' positions
# (8 bytes each): repeated words skip Whoosh's block decoding. The 270 benchmark queries at
# 20k articles need 2.2 million.
POSTINGS_CACHE = 3_000_000
# A wildcard or prefix may stand for at most this many indexed words (per field); beyond
# that the query is refused: one short pattern would otherwise read most of the index.
MAX_WILDCARD_TERMS = 1000
MIN_WILDCARD_PREFIX = 2  # letters a pattern must start with before its first * or ?
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
        self.postings: OrderedDict[tuple[str, bytes], _Postings] = OrderedDict()
        self.cached_postings = 0


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


class _Postings:
    """One term's postings over the whole index.

    ``ids`` are sorted global docnums and ``weights`` Whoosh's term weights. ``places``,
    read only for phrase words, holds every position as ``docnum << 32 | position``: a
    phrase is then an intersection of shifted arrays instead of a loop over documents.
    """

    __slots__ = ("ids", "weights", "places")

    def __init__(self, ids: np.ndarray, weights: np.ndarray, places: np.ndarray | None):
        self.ids, self.weights, self.places = ids, weights, places

    @property
    def size(self) -> int:
        """How much it weighs in the cache, in postings."""
        return len(self.ids) + (0 if self.places is None else len(self.places))


def read_postings(arrays: IndexArrays, fieldname: str, btext: bytes, places=False) -> _Postings:
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
            shared.cached_postings -= old.size
        shared.postings[key] = postings
        shared.cached_postings += postings.size
        while shared.cached_postings > POSTINGS_CACHE and len(shared.postings) > 1:
            shared.cached_postings -= shared.postings.popitem(last=False)[1].size
    return postings


def _read_postings(arrays: IndexArrays, fieldname: str, btext: bytes, places: bool) -> _Postings:
    """Read every posting of a term, block by block, with docnums global to the index."""
    fmt = arrays.searcher.schema[fieldname].format
    ids: list[np.ndarray] = []
    weights: list = []
    encoded: list = []
    for leaf, offset in arrays.leaves:
        if (fieldname, btext) not in leaf:
            continue
        matcher = leaf._terms.matcher(fieldname, btext, fmt)
        leaf_ids: list[int] = []
        for block_ids, block_weights, block_values in _blocks(matcher, places):
            leaf_ids.extend(block_ids)
            weights.extend(block_weights)
            if places:
                encoded.extend(block_values)
        ids.append(np.asarray(leaf_ids, dtype=np.int32) + offset)
    if not ids:
        nowhere = np.empty(0, dtype=np.int64) if places else None
        return _Postings(np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32), nowhere)
    ids = np.concatenate(ids)
    weights = np.asarray(weights, dtype=np.float32)  # as Whoosh stores them
    return _Postings(ids, weights, _places(ids, encoded) if places else None)


def _places(ids: np.ndarray, encoded: list[bytes]) -> np.ndarray:
    """Decode Whoosh's Positions values (a count, then pickled deltas) into place codes."""
    counts = np.empty(len(encoded), dtype=np.int64)
    positions: list[int] = []
    for i, value in enumerate(encoded):
        # Whoosh drops the pickle's final "." when it writes the value.
        deltas = loads(value[_INT_SIZE:] if value.endswith(b".") else value[_INT_SIZE:] + b".")
        counts[i] = len(deltas)
        positions.extend(accumulate(deltas))
    owners = np.repeat(ids, counts).astype(np.int64)
    return (owners << 32) | np.asarray(positions, dtype=np.int64)


def _blocks(matcher, values: bool):
    """Yield (ids, weights, values) per posting block of a leaf matcher."""
    if isinstance(matcher, ListMatcher):  # short lists are inlined in the term info
        ids = matcher._ids
        weights = matcher._weights if matcher._weights is not None else [1.0] * len(ids)
        yield ids, weights, (matcher._values if values else None)
        return
    while not matcher._atend:
        matcher._read_ids()
        matcher._read_weights()
        if values:
            matcher._read_values()
        yield matcher._ids, matcher._weights, (matcher._values if values else None)
        matcher._next_block()


# -- scoring query nodes ----------------------------------------------------------------------
# Each node becomes (mask, scores): which documents match, and their score (0 elsewhere).


_DEADLINE: ContextVar[float | None] = ContextVar("search_deadline", default=None)


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Stop the evaluation of queries in this context after ``seconds`` (SearchTimeoutError)."""
    token = _DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def _check_time() -> None:
    deadline = _DEADLINE.get()
    if deadline is not None and time.monotonic() > deadline:
        raise SearchTimeoutError("the search took too long; make it narrower (fewer wildcards)")


def check_wildcards(node: tree.Query, reader) -> None:
    """Refuse prefixes and wildcards that are too short or stand for too many words."""
    if isinstance(node, tree.PATTERNS):
        pattern = node.text if isinstance(node, tree.Wildcard) else node.text + "*"
        if len(re.split(r"[*?]", pattern, maxsplit=1)[0]) < MIN_WILDCARD_PREFIX:
            raise QueryError(
                f"{pattern!r}: type at least {MIN_WILDCARD_PREFIX} letters before * or ?"
            )
        btexts = to_whoosh(node)._btexts(reader)
        count = sum(1 for _ in islice(btexts, MAX_WILDCARD_TERMS + 1))
        if count > MAX_WILDCARD_TERMS:
            raise QueryError(
                f"{pattern!r} stands for more than {MAX_WILDCARD_TERMS} words; type more letters"
            )
        return
    for child in tree.children(node):
        check_wildcards(child, reader)


def evaluate(node: tree.Query, arrays: IndexArrays) -> tuple[np.ndarray, np.ndarray]:
    """Return which documents match a query and their scores, for every document at once.

    ``node`` is our query tree (search.query.tree); a Whoosh query node is scored by Whoosh."""
    _check_time()
    for kind, handler in _HANDLERS:
        if isinstance(node, kind):
            return handler(node, arrays)
    return _by_whoosh(node, arrays)


def _empty(arrays: IndexArrays) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(arrays.size, dtype=bool), np.zeros(arrays.size)


def _term_scores(arrays: IndexArrays, fieldname: str, text: str, postings: _Postings):
    """Return BM25F scores of a term's postings, exactly as Whoosh's scorer computes them."""
    searcher = arrays.searcher
    field = searcher.schema[fieldname]
    if not field.scorable:
        return postings.weights.astype(np.float64)
    weighting = searcher.weighting
    B = weighting._field_B.get(fieldname, weighting.B)  # noqa: N806 (BM25's own names)
    K1 = weighting.K1  # noqa: N806
    idf = searcher.idf(fieldname, text)
    avgfl = searcher.avg_field_length(fieldname) or 1
    tf = postings.weights.astype(np.float64)  # Whoosh scores in double precision
    fl = arrays.lengths(fieldname)[postings.ids]
    return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))


def _btext(arrays: IndexArrays, fieldname: str, text) -> bytes | None:
    schema = arrays.searcher.schema
    if fieldname not in schema:
        return None
    try:
        return schema[fieldname].to_bytes(text)
    except ValueError:
        return None


def _term(node: tree.Term, arrays: IndexArrays):
    mask, scores = _empty(arrays)
    btext = _btext(arrays, node.field, node.text)
    if btext is None:
        return mask, scores
    postings = read_postings(arrays, node.field, btext)
    if len(postings.ids):
        mask[postings.ids] = True
        scores[postings.ids] = _term_scores(arrays, node.field, node.text, postings) * node.boost
    return mask, scores


def _compound(node, arrays: IndexArrays, combine):
    subs = node.children
    if not subs:
        return _empty(arrays)
    if len(subs) == 1:  # Whoosh uses the child's matcher as is: the boost is not applied
        return evaluate(subs[0], arrays)
    mask, scores = combine([evaluate(sub, arrays) for sub in subs])
    if node.boost != 1.0:
        scores = scores * node.boost
    return mask, scores


def _union(parts):
    mask, scores = parts[0][0].copy(), parts[0][1].copy()
    for m, s in parts[1:]:
        mask |= m
        scores += s
    return mask, scores


def _intersection(parts):
    mask, scores = parts[0][0].copy(), parts[0][1].copy()
    for m, s in parts[1:]:
        mask &= m
        scores += s
    scores[~mask] = 0.0
    return mask, scores


def _or(node, arrays):
    return _compound(node, arrays, _union)


def _and(node, arrays):
    return _compound(node, arrays, _intersection)


def _binary(first, second, arrays, combine):
    # Whoosh's binary queries (AndNot, AndMaybe) carry no boost of their own.
    mask, scores = combine(evaluate(first, arrays), evaluate(second, arrays))
    scores[~mask] = 0.0
    return mask, scores


def _and_not(node: tree.AndNot, arrays):
    return _binary(node.positive, node.negative, arrays, lambda a, b: (a[0] & ~b[0], a[1].copy()))


def _and_maybe(node: tree.AndMaybe, arrays):
    return _binary(node.required, node.optional, arrays, lambda a, b: (a[0].copy(), a[1] + b[1]))


def _phrase(node: tree.Phrase, arrays: IndexArrays):
    """Score a phrase: its words at consecutive positions; the score is their terms' sum."""
    fieldname = node.field
    schema = arrays.searcher.schema
    if fieldname not in schema or not schema[fieldname].format.supports("positions"):
        return _by_whoosh(node, arrays)  # Whoosh's own answer: nothing, or its error
    mask, scores = _empty(arrays)
    words = []
    for word in node.words:
        btext = _btext(arrays, fieldname, word)
        if btext is None:
            return mask, scores
        postings = read_postings(arrays, fieldname, btext, places=True)
        if not len(postings.ids):
            return mask, scores
        words.append((word, postings))
    # Word k of the phrase sits k places after the first: shift each word's places back by
    # k, and the places all words share are where the phrase starts.
    starts = words[0][1].places
    for k, (_, postings) in enumerate(words[1:], start=1):
        starts = np.intersect1d(starts, postings.places - k, assume_unique=True)
    found = np.unique(starts >> 32)
    if not len(found):
        return mask, scores
    mask[found] = True
    for word, postings in words:
        rows = np.searchsorted(postings.ids, found)
        sub = _Postings(found, postings.weights[rows], None)
        scores[found] += _term_scores(arrays, fieldname, word, sub)
    if node.boost != 1.0:
        scores *= node.boost
    return mask, scores


def _term_range(node: tree.Range, arrays: IndexArrays):
    """Match a range of a sortable field by comparing its column, not term by term."""
    schema = arrays.searcher.schema
    field = schema[node.field] if node.field in schema else None
    if field is None or field.column_type is None:
        return _by_whoosh(node, arrays)
    values = arrays.column(node.field)
    mask = values != b""
    if node.start is not None:
        start = node.start.encode("utf-8")
        mask &= (values > start) if node.start_excl else (values >= start)
    if node.end is not None:
        end = node.end.encode("utf-8")
        mask &= (values < end) if node.end_excl else (values <= end)
    return mask, mask * float(node.boost)


def _by_whoosh(node, arrays: IndexArrays):
    """Score a node this module does not know (wildcards, Not alone…) with Whoosh's matcher."""
    if not isinstance(node, query.Query):
        node = to_whoosh(node)
    mask, scores = _empty(arrays)
    searcher = arrays.searcher
    for leaf, offset in searcher.leaf_searchers():  # as Whoosh's collectors do
        matcher = node.matcher(leaf, searcher.context())
        steps = 0
        while matcher.is_active():
            steps += 1
            if steps % 4096 == 0:
                _check_time()
            docnum = offset + matcher.id()
            mask[docnum] = True
            scores[docnum] = matcher.score()
            matcher.next()
    return mask, scores


_HANDLERS = (
    (tree.Term, _term),
    (tree.Phrase, _phrase),
    (tree.And, _and),
    (tree.Or, _or),
    (tree.AndNot, _and_not),
    (tree.AndMaybe, _and_maybe),
    (tree.Range, _term_range),
)
