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
from search.snippets import hit_snippet, mark_all, match_spans, number_in_phrase
from search.soft_and import SOFT_AND_BELOW, partial_matches
from search.timeline import MatchedSet

FACETS = {"lang": "lang", "source": "source_name", "year": "year"}


@dataclass
class Matches:
    """Every article a search matched, ranked: full matches, then partial ones."""

    ranked: np.ndarray  # docnums in the order shown
    scores: np.ndarray  # a score per docnum of the index
    full: int  # how many match the whole query (the rest are partial matches)
    partial: set[int]  # the docnums of partial matches


@dataclass
class Groups:
    """The best-ranked article of each story, and the others of its story."""

    leaders: np.ndarray
    folded_of: Callable[[int], list[int]]


def evaluate_request(
    parsed: Query, wanted: Query | None, arrays: IndexArrays, request: SearchRequest
) -> Matches:
    """Score every article for a query within a filter, and rank the matches.

    Every match is scored at once over arrays (search.engine.scoring): the count, the facets
    and the story grouping all need every match, not only the shown page.
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
    ranked = np.concatenate([order(arrays, docnums, scores, request.sort), partial])
    return Matches(ranked, scores, len(docnums), set(partial.tolist()))


def order(arrays: IndexArrays, docnums: np.ndarray, scores: np.ndarray, sort: str) -> np.ndarray:
    """Return docnums best first, or newest first (then best) for the date sort."""
    if sort == "date":
        _, days = arrays.codes("date")
        return docnums[np.lexsort((-scores[docnums], -days[docnums]))]
    return docnums[np.argsort(-scores[docnums], kind="stable")]  # ties: index order


def group_stories(ranked: np.ndarray, codes: np.ndarray | None) -> Groups:
    """Keep the best-ranked article of each story (``codes``: a story number per docnum,
    -1 for none; None: no grouping)."""
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
        total=len(groups.leaders),
        page=request.page,
        limit=request.limit,
        results=hits,
        facets=facets(arrays, matches.ranked),
        took_ms=took_ms,
        suggestion=suggestion,
        articles=len(matches.ranked),
        stories=len(groups.leaders) if request.group else None,
        matched=MatchedSet.of(arrays, matches.ranked),
    )


def empty_page(request: SearchRequest, notice: str) -> ResultPage:
    """Return the page of a query that searches nothing, saying why."""
    nothing = {name: [] for name in FACETS}
    return ResultPage(request.query, 0, request.page, request.limit, [], nothing, notice=notice)
