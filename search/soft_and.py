"""Soft AND: when few articles match every word, those matching all but one follow.

Every word must match by default, so one word the article does not use (it says
«авиаперевозчик», the query «авиакомпания»; it writes «Николя», the query «Nicolas») drops
it, and a query can end with no hits while its other words find the very article. When
fewer than :data:`SOFT_AND_BELOW` articles match the whole query, articles that match every
word but one are listed after them, ranked by how much of the query they cover (then by
the scores of the words they match), and marked as partial matches. Each word weighs its
inverse document frequency: an article missing only a common word (a first name) covers
most of the query, one missing the rare word (the surname) too little to be listed.

A word the user forces stays required: ``+word`` (an ``AndMaybe``: the other words are
optional already) and a quoted phrase. A ``-word`` still excludes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from search.engine.arrays import IndexArrays
from search.engine.scoring import evaluate
from search.query.tree import And, AndNot, Phrase, Query, children

SOFT_AND_BELOW = 10  # fewer full matches than this: partial matches follow
MIN_WORDS = 2  # a query of one word has no "all but one"
# A partial match must cover this share of the query's weight (each word weighs its idf):
# «Sergei Skripal» lists the articles naming Skripal alone, not every Sergei.
MIN_COVERAGE = 0.4


def _peel_negations(node: Query) -> tuple[Query, list[Query]]:
    """Return the positive core of a query and the nodes it excludes (``-word``)."""
    excluded = []
    while isinstance(node, AndNot):
        excluded.append(node.negative)
        node = node.positive
    return node, excluded


def _has_phrase(node: Query) -> bool:
    return isinstance(node, Phrase) or any(_has_phrase(c) for c in children(node))


@dataclass
class SoftWords:
    """The words of a query that soft AND may drop one of, and what still constrains it."""

    words: list[Query]
    forced: list[bool]  # quoted phrases, which must match
    excluded: list[Query]  # -word


def soft_words(parsed: Query, quoted: bool) -> SoftWords | None:
    """Return the words of a query for soft AND, or None when it has no "all but one"
    (one word, or every word forced). ``quoted``: the user wrote a quoted phrase."""
    core, excluded = _peel_negations(parsed)
    if not isinstance(core, And) or len(core.children) < MIN_WORDS:
        return None
    words = core.children
    forced = [quoted and _has_phrase(word) for word in words]
    if all(forced):
        return None
    return SoftWords(words, forced, excluded)


@dataclass
class PartialMatches:
    """Articles matching every word of a query but one, with what they cover."""

    mask: np.ndarray  # which articles
    scores: np.ndarray  # the summed scores of the words each matches
    coverage: np.ndarray  # the share of the query's weight (idf) each matches, 0..1

    def ranked(self, allowed: np.ndarray) -> np.ndarray:
        """Return the allowed partial matches, most of the query covered first, then best."""
        docnums = np.flatnonzero(self.mask & allowed)
        return docnums[np.lexsort((-self.scores[docnums], -self.coverage[docnums]))]


def partial_matches(
    parsed: Query, arrays: IndexArrays, full: np.ndarray, quoted: bool
) -> PartialMatches:
    """Return the articles matching every word of the query but one.

    ``full`` is the mask of the articles matching the whole query (left out here);
    ``quoted`` says the user wrote a quoted phrase, which must then match.
    """
    scores = np.zeros(arrays.size)
    soft = soft_words(parsed, quoted)
    if soft is None:
        return PartialMatches(np.zeros(arrays.size, dtype=bool), scores, np.zeros(arrays.size))
    words, forced, excluded = soft.words, soft.forced, soft.excluded
    coverage = np.zeros(arrays.size, dtype=np.int32)
    weight = np.zeros(arrays.size)
    required = np.ones(arrays.size, dtype=bool)
    live = max(int(arrays.live.sum()), 1)
    total = 0.0
    for word, is_forced in zip(words, forced, strict=True):
        matched, word_scores = evaluate(word, arrays)
        found = int((matched & arrays.live).sum())
        idf = np.log((live + 1) / (found + 1)) if found else 0.0  # a word no article has: no say
        total += idf
        coverage += matched
        weight += np.where(matched, idf, 0.0)
        scores += np.where(matched, word_scores, 0.0)
        if is_forced:
            required &= matched
    share = weight / total if total > 0 else np.ones(arrays.size)
    mask = (coverage == len(words) - 1) & required & ~full & (share >= MIN_COVERAGE)
    for node in excluded:
        mask &= ~evaluate(node, arrays)[0]
    scores[~mask] = 0.0
    return PartialMatches(mask, scores, share)
