"""The stages of one search, each passed once: evaluate → group → snippets → page.

Parsing is search.query's; the service (search.service) opens a reader, parses, and hands
each stage's result to the next. A stage takes what it needs as arguments and keeps nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from search.engine.arrays import IndexArrays
from search.engine.scoring import evaluate
from search.model import Hit, ResultPage, SearchRequest
from search.query.expansion import TEXT_FIELDS
from search.query.tree import Query
from search.ranking import Ranking, order
from search.snippets import hit_snippet, mark_all, match_spans, number_in_phrase
from search.soft_and import SOFT_AND_BELOW, partial_matches
from search.timeline import MatchedSet

FACETS = {"lang": "lang", "source": "source_name", "year": "year"}


@dataclass
class Matches:
    """Every article a search matched, ranked: full matches, then partial ones."""

    ranked: np.ndarray  # docnums in the order shown; with ``ranking``, in no particular order
    scores: np.ndarray  # a score per docnum of the index
    full: int  # how many match the whole query (the rest are partial matches)
    partial: set[int]  # the docnums of partial matches
    ranking: Ranking | None = None  # the order, worked out only as far as it is read

    def first(self, n: int) -> np.ndarray:
        """Return the first ``n`` matches in the order shown."""
        return self.ranked[:n] if self.ranking is None else self.ranking.first(n)


@dataclass
class Groups:
    """The best-ranked article of each story, and the others of its story."""

    leaders: np.ndarray  # in the order shown: all of them, or at least the ones asked for
    folded_of: Callable[[int], list[int]]
    count: int | None = None  # how many leaders in all (None: len(leaders))

    @property
    def total(self) -> int:
        """Return how many leaders (stories and articles in none) the search found."""
        return len(self.leaders) if self.count is None else self.count


def evaluate_request(
    parsed: Query, wanted: Query | None, arrays: IndexArrays, request: SearchRequest
) -> Matches:
    """Score every article for a query within a filter, and rank the matches.

    Every match is scored at once over arrays (search.engine.scoring): the count, the facets
    and the story grouping all need every match, not only the shown page. The order is
    worked out as far as the page needs (search.ranking).
    """
    mask, scores = evaluate(parsed, arrays)
    allowed = arrays.live.copy()
    if wanted is not None:
        allowed &= evaluate(wanted, arrays)[0]
    mask &= allowed
    docnums = np.flatnonzero(mask)
    partial = docnums[:0]
    if len(docnums) < SOFT_AND_BELOW:
        # Few articles match every word: those matching all but one follow (soft AND).
        soft = partial_matches(parsed, arrays, mask, '"' in request.query)
        scores = np.where(soft.mask, soft.scores, scores)
        partial = soft.ranked(allowed)
        if request.sort == "date":
            partial = order(arrays, partial, scores, request.sort)
    ranking = Ranking(arrays, docnums, partial, scores, request.sort)
    return Matches(ranking.matches(), scores, len(docnums), set(partial.tolist()), ranking)


def group_stories(matches: Matches, codes: np.ndarray | None, wanted: int) -> Groups:
    """Keep the best-ranked article of each story (``codes``: a story number per docnum,
    -1 for none; None: no grouping); at least the first ``wanted`` leaders are in order."""
    ranking = matches.ranking
    if ranking is None:
        return _group_ranked(matches.ranked, codes)
    if codes is None:
        return Groups(ranking.first(wanted), lambda docnum: [], len(ranking))
    # The leaders of the first n matches are the first leaders of all: look at more
    # matches until enough leaders are among them.
    every = matches.ranked
    n = wanted
    while True:
        leaders = _group_ranked(ranking.first(n), codes).leaders
        if len(leaders) >= wanted or n >= len(every):
            break
        n *= 4
    story = codes[every]
    count = int((story < 0).sum()) + int(np.count_nonzero(np.bincount(story[story >= 0])))

    def folded_of(docnum: int) -> list[int]:
        code = codes[docnum]
        if code < 0:
            return []
        return ranking.among(np.sort(every[story == code]))[1:].tolist()

    return Groups(leaders, folded_of, count)


def _group_ranked(ranked: np.ndarray, codes: np.ndarray | None) -> Groups:
    if codes is None:
        return Groups(ranked, lambda docnum: [])
    story = codes[ranked]
    grouped = np.flatnonzero(story >= 0)
    _, first = np.unique(story[grouped], return_index=True)
    leading = story < 0
    leading[grouped[first]] = True

    def folded_of(docnum: int) -> list[int]:
        code = codes[docnum]
        if code < 0:
            return []
        return ranked[(story == code) & ~leading].tolist()

    return Groups(ranked[leading], folded_of)


def snippets(
    stored_fields: Callable[[int], dict],
    docnums: list[int],
    matches: Matches,
    groups: Groups,
    terms: dict[str, set[str]],
) -> list[Hit]:
    """Build the hits of the shown page: metadata, marked snippet, the story's others."""
    hits = []
    for docnum in docnums:
        hit = _hit(stored_fields(docnum), matches.scores[docnum], terms)
        hit.also = [
            metadata(stored_fields(other), "id", "source", "date", "lang")
            for other in groups.folded_of(docnum)
        ]
        hit.partial = docnum in matches.partial
        hits.append(hit)
    return hits


def _hit(stored: dict, score, terms: dict[str, set[str]]) -> Hit:
    body = stored.get("body", "")
    title = stored.get("title", "")
    searched = terms["title"] | terms["body"]
    title_spans = number_in_phrase(match_spans(title, terms["title"]), searched)
    body_spans = number_in_phrase(match_spans(body, terms["body"]), searched)
    return Hit(
        **metadata(stored, "id", "source", "date", "url", "lang"),
        title=title,
        score=round(float(score or 0.0), 4),
        snippet=hit_snippet(title, body, title_spans, body_spans),
        title_html=mark_all(title, title_spans),
    )


def metadata(stored: dict, *names: str) -> dict:
    """Return the named metadata of a stored record, empty values as None (lang as "")."""
    out = {}
    for name in names:
        value = stored.get(name)
        out[name] = value or ("" if name == "lang" else None)
    return out


def record_of(stored: dict) -> dict:
    """Return what `show` prints of a stored record (either engine's)."""
    return {
        "id": stored["id"],
        "title": stored.get("title", ""),
        **metadata(stored, "source", "date", "url", "lang"),
        "path": stored.get("path", ""),
        "body": stored.get("body", ""),
        "provenance": stored.get("provenance") or {},
    }


def mark_record(record: dict, terms: dict[str, set[str]]) -> None:
    """Add ``title_html``/``body_html`` to a record: its text with the query's words marked."""
    for name in TEXT_FIELDS:
        record[f"{name}_html"] = mark_all(record[name], match_spans(record[name], terms[name]))


def facets(arrays: IndexArrays, docnums: np.ndarray) -> dict[str, list[tuple[str, int]]]:
    """Count the matching articles per language, source and year."""
    counted = {}
    for name, fieldname in FACETS.items():
        pairs = [(v, n) for v, n in arrays.counts(fieldname, docnums) if v]
        counted[name] = sorted(pairs, key=lambda kv: (-kv[1], kv[0]))
    counted["year"].sort(key=lambda kv: kv[0], reverse=True)
    return counted


def page(
    request: SearchRequest,
    arrays: IndexArrays,
    matches: Matches,
    groups: Groups,
    hits: list[Hit],
    took_ms: float,
    suggestion: str | None,
) -> ResultPage:
    """Return the page of results: the hits, counts, facets and every match's dates."""
    return ResultPage(
        query=request.query,
        total=groups.total,
        page=request.page,
        limit=request.limit,
        results=hits,
        facets=facets(arrays, matches.ranked),
        took_ms=took_ms,
        suggestion=suggestion,
        articles=len(matches.ranked),
        stories=groups.total if request.group else None,
        matched=MatchedSet.of(arrays, matches.ranked),
    )


def empty_page(request: SearchRequest, notice: str) -> ResultPage:
    """Return the page of a query that searches nothing, saying why."""
    nothing = {name: [] for name in FACETS}
    return ResultPage(request.query, 0, request.page, request.limit, [], nothing, notice=notice)
