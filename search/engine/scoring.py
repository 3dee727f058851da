"""Score our query tree (search.query.tree) over the whole index at once, with numpy arrays.

Whoosh's matchers walk postings one document at a time in Python: a word found in half of
20,000 articles costs 25 ms just to list and 90 ms to score. Here each term's postings are
read as arrays (search.engine.arrays), BM25F is computed for all of them at once, and AND,
OR, NOT and phrases combine one score array per query node over every document of the index.
The scores are Whoosh's own (the same formula, idf, average lengths and length bytes; a
test compares them); a node this module does not score (patterns, ``Not`` alone) is
translated to Whoosh's (search.engine.translate) and scored by Whoosh's matcher.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import islice

import numpy as np
from whoosh import query

from search.engine.arrays import IndexArrays, Postings, read_postings
from search.engine.translate import to_whoosh
from search.errors import QueryError, SearchTimeoutError
from search.query import tree

# A wildcard or prefix may stand for at most this many indexed words (per field); beyond
# that the query is refused: one short pattern would otherwise read most of the index.
MAX_WILDCARD_TERMS = 1000
MIN_WILDCARD_PREFIX = 2  # letters a pattern must start with before its first * or ?


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


def _term_scores(arrays: IndexArrays, fieldname: str, text: str, postings: Postings):
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
    # Only documents with every word can hold the phrase: narrow them down, rarest word
    # first, before any position is looked at.
    by_size = sorted(words, key=lambda pair: len(pair[1].ids))
    docs = by_size[0][1].ids
    for _, postings in by_size[1:]:
        docs = docs[_within(docs, postings.ids)]
    if not len(docs):
        return mask, scores
    # Word k of the phrase sits k places after the first: the places (docnum << 32 | position)
    # of the word with the fewest of them, moved back to where the phrase would start, are
    # kept where every other word sits k places after that start.
    places = [_places_in(postings, docs) for _, postings in words]
    rarest = min(range(len(words)), key=lambda k: len(places[k]))
    starts = places[rarest] - rarest
    for k, word_places in enumerate(places):
        if k != rarest:
            starts = _common(starts + k, word_places) - k
    owners = starts >> 32  # ascending: a document's first start is where its number changes
    found = owners[np.flatnonzero(np.diff(owners, prepend=-1))]
    if not len(found):
        return mask, scores
    mask[found] = True
    for word, postings in words:
        rows = np.searchsorted(postings.ids, found)
        sub = Postings(found, postings.weights[rows], None)
        scores[found] += _term_scores(arrays, fieldname, word, sub)
    if node.boost != 1.0:
        scores *= node.boost
    return mask, scores


def _places_in(postings: Postings, docs: np.ndarray) -> np.ndarray:
    """Return a word's places in some of its documents (``docs``: ascending, all its own)."""
    if 2 * len(docs) > len(postings.ids):  # most of them: cutting out costs more than it saves
        return postings.places
    return postings.places_at(np.searchsorted(postings.ids, docs))


def _within(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Return which of ``values`` are in ``sorted_set`` (ascending, no repeats)."""
    if not len(sorted_set):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return sorted_set[at] == values


def _common(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Return the values two ascending arrays without repeats share, ascending."""
    # A stable sort finds the two sorted runs and merges them in one pass (np.intersect1d's
    # quicksort takes ten times as long on the hundreds of thousands of places of a
    # common word); a value in both then sits next to itself.
    merged = np.sort(np.concatenate((first, second)), kind="stable")
    return merged[1:][merged[1:] == merged[:-1]]


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
