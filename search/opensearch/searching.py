"""Searches on OpenSearch with the Whoosh engine's output: the same ResultPage and records.

One search is one request when it finds many articles: the query (search.opensearch.translate)
within the request's filters, results collapsed on their story (the best-ranked article of
each story leads, the others that matched come as inner hits), facets, days and the number
of stories as aggregations. When it finds fewer than SOFT_AND_BELOW, the articles matching
all words but one follow (search.soft_and's rule, asked of OpenSearch with named clauses)
and the few matches are grouped here. Snippets are ours (search.pipeline), made from the
stored text of the shown articles.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass
from fnmatch import fnmatchcase

import numpy as np

from search.discover import SUGGEST_BELOW
from search.engine.parse import parse_text
from search.engine.scoring import MIN_WILDCARD_PREFIX
from search.errors import IndexUnusableError, NoSearchableWordsError, QueryError
from search.model import ResultPage, SearchRequest
from search.opensearch.connect import Cluster, make_client, speaking
from search.opensearch.indexing import live_index
from search.opensearch.mapping import check_meta
from search.opensearch.partial import partial_hits
from search.opensearch.translate import filters, highlight_terms, to_dsl
from search.pipeline import FACETS, Groups, Matches, empty_page, snippets
from search.query.parse import parse_query
from search.query.tree import PATTERNS, Prefix, leaves
from search.soft_and import SOFT_AND_BELOW
from search.text.analysis import iter_terms
from search.timeline import MatchedSet

MAX_ALSO = 50  # other matched articles of a story listed under its leader
MAX_FACET_VALUES = 1000  # outlets (and years) counted per search
MAX_DAYS = 50_000  # days counted for the histogram (over a century of days)
# A search that some shards failed is asked again for this long (a replica taking over for
# a node that died), every FAILOVER_RETRY_SECONDS, before it is an error.
FAILOVER_SECONDS = 10.0
FAILOVER_RETRY_SECONDS = 0.25
INDEX_CHECK_SECONDS = 5.0  # how long a search trusts the last check of the index's mapping
_STORED = ["article"]
_BRIEF = ["article.id", "article.source", "article.date", "article.lang"]


@dataclass
class CountedSet(MatchedSet):
    """Every match's days, and how many matched; their ids stay on the cluster."""

    count: int = 0

    def __len__(self) -> int:
        return self.count


class Searching:
    """The search part of the OpenSearch engine (search.opensearch.engine adds the rest)."""

    def __init__(self, cluster: Cluster):
        self.cluster = cluster
        self.client = make_client(cluster)
        self._checked: tuple[float, str, dict] | None = None

    def close(self) -> None:
        self.client.close()

    def _index(self, fresh: bool = False) -> tuple[str, dict]:
        """Return the index behind the alias and its _meta, checked at most every
        INDEX_CHECK_SECONDS (two requests a search would otherwise spend on it)."""
        now = time.monotonic()
        if not fresh and self._checked and now - self._checked[0] < INDEX_CHECK_SECONDS:
            return self._checked[1], self._checked[2]
        name, meta = live_index(self.client, self.cluster)
        meta = check_meta(meta, self.cluster.where())
        self._checked = (now, name, meta)
        return name, meta

    def parse(self, text: str, exact: bool = False, both_languages: bool = False):
        parsed = parse_query(text, exact, both_languages, parse_text)
        for leaf in _patterns(parsed):
            pattern = leaf.text + "*" if isinstance(leaf, Prefix) else leaf.text
            if len(re.split(r"[*?]", pattern.lstrip("="), maxsplit=1)[0]) < MIN_WILDCARD_PREFIX:
                raise QueryError(
                    f"{pattern!r}: type at least {MIN_WILDCARD_PREFIX} letters before * or ?"
                )
        return parsed

    def search(self, request: SearchRequest) -> ResultPage:
        """Run a search and return one page of hits with snippets and facets."""
        started = time.perf_counter()
        with speaking(self.cluster):
            self._index()
            try:
                parsed = self.parse(request.query, request.exact, request.both_languages)
            except NoSearchableWordsError as exc:
                return empty_page(request, str(exc))
            query = {"bool": {"must": [to_dsl(parsed)], "filter": filters(request)}}
            found = self._collapsed(query, request)
            full = found["hits"]["total"]["value"]  # articles matching the whole query
            if full < SOFT_AND_BELOW:
                page = self._few(parsed, query, request)
            else:
                page = self._many(found, parsed, request)
            if full < SUGGEST_BELOW:
                from search.opensearch.discovery import suggestion

                page.suggestion = suggestion(self, request, full)
        page.took_ms = (time.perf_counter() - started) * 1000
        return page

    def _sort(self, request: SearchRequest) -> list:
        if request.sort == "date":
            return [{"date": {"order": "desc", "missing": "_last"}}, "_score", {"id": "asc"}]
        return ["_score", {"id": "asc"}]

    def _collapsed(self, query: dict, request: SearchRequest) -> dict:
        body = {
            "query": query,
            "track_total_hits": True,
            "track_scores": True,
            "from": (request.page - 1) * request.limit,
            "size": request.limit,
            "sort": self._sort(request),
            "_source": _STORED,
            "aggs": {
                "lang": {"terms": {"field": "lang", "size": 10}},
                "source": {"terms": {"field": "source_name", "size": MAX_FACET_VALUES}},
                "year": {"terms": {"field": "year", "size": MAX_FACET_VALUES}},
                "days": {"terms": {"field": "date", "size": MAX_DAYS}},
                "stories": {"cardinality": {"field": "group", "precision_threshold": 40000}},
            },
        }
        if request.group:
            body["collapse"] = {
                "field": "group",
                "inner_hits": {
                    "name": "story",
                    "size": MAX_ALSO + 1,
                    "sort": self._sort(request),
                    "_source": _BRIEF,
                },
            }
        return self._search(body)

    def _many(self, found: dict, parsed, request: SearchRequest) -> ResultPage:
        aggs = found["aggregations"]
        records, scores, leaders, others = [], [], [], {}
        for hit in found["hits"]["hits"]:
            leader = len(records)
            leaders.append(leader)
            records.append(hit["_source"]["article"])
            scores.append(hit.get("_score") or 0.0)
            story = hit.get("inner_hits", {}).get("story", {}).get("hits", {}).get("hits", [])
            others[leader] = []
            for other in story:
                if other["_id"] != hit["_id"]:
                    others[leader].append(len(records))
                    records.append(other["_source"]["article"])
                    scores.append(0.0)
        articles = found["hits"]["total"]["value"]
        stories = aggs["stories"]["value"] if request.group else None
        matches = Matches(np.arange(len(records)), np.asarray(scores), articles, set())
        groups = Groups(np.asarray(leaders), lambda n: others.get(n, []))
        facets = {name: [(b["key"], b["doc_count"]) for b in aggs[name]["buckets"]]
                  for name in FACETS}  # fmt: skip
        days = {b["key"]: b["doc_count"] for b in aggs["days"]["buckets"]}
        hits = snippets(records.__getitem__, leaders, matches, groups, self._terms(parsed, records))
        return _page(request, hits, facets, days, articles, stories if stories else articles)

    def _few(self, parsed, query: dict, request: SearchRequest) -> ResultPage:
        body = {"query": query, "size": SOFT_AND_BELOW, "sort": self._sort(request),
                "track_scores": True, "_source": ["article", "group"]}  # fmt: skip
        full = self._search(body)["hits"]["hits"]
        partial = partial_hits(self, parsed, request, [hit["_id"] for hit in full])
        ranked = full + partial
        records = [hit["_source"]["article"] for hit in ranked]
        scores = np.asarray([hit.get("_score") or 0.0 for hit in ranked])
        first: dict[str, int] = {}
        members: dict[str, list[int]] = {}
        for n, hit in enumerate(ranked):
            group = hit["_source"].get("group") or hit["_id"] if request.group else hit["_id"]
            first.setdefault(group, n)
            if first[group] != n:
                members.setdefault(group, []).append(n)
        leaders = list(first.values())
        group_of = {n: g for g, n in first.items()}
        groups = Groups(np.asarray(leaders), lambda n: members.get(group_of.get(n), []))
        matches = Matches(
            np.arange(len(ranked)), scores, len(full), set(range(len(full), len(ranked)))
        )
        shown = leaders[(request.page - 1) * request.limit :][: request.limit]
        hits = snippets(records.__getitem__, shown, matches, groups, self._terms(parsed, records))
        facets = {name: _count(records, name) for name in FACETS}
        days = _count_values(r.get("date") for r in records)
        stories = len(leaders) if request.group else None
        return _page(request, hits, facets, days, len(ranked), stories or len(ranked))

    def _search(self, body: dict) -> dict:
        """Run a search on every shard. While a node that held some dies, its shards fail
        until their replicas take over (a second or two): asked again until then."""
        deadline = time.monotonic() + FAILOVER_SECONDS
        while True:
            found = self.client.search(index=self.cluster.alias, body=body)
            if not found.get("_shards", {}).get("failed") or time.monotonic() > deadline:
                return _complete(found)
            time.sleep(FAILOVER_RETRY_SECONDS)

    def _terms(self, parsed, records: list[dict]) -> dict[str, set[str]]:
        """Return the terms to mark; the patterns' words are taken from the shown texts."""
        terms, patterns = highlight_terms(parsed)
        for leaf in patterns:
            for record in records:
                for term, *_ in iter_terms(record.get(leaf.field, "")):
                    if _matches(leaf, term):
                        terms[leaf.field].add(term)
        return terms


def _complete(found: dict) -> dict:
    """Return a search response, or raise when some shards did not answer: a count or a
    ranking from part of the index would look right and be wrong."""
    shards = found.get("_shards", {})
    if shards.get("failed"):
        raise IndexUnusableError(
            f"{shards['failed']} of {shards['total']} shards of the index did not answer; "
            "try again when the cluster has recovered"
        )
    return found


def _patterns(node):
    return [leaf for leaf in leaves(node) if isinstance(leaf, PATTERNS)]


def _matches(leaf, term: str) -> bool:
    if isinstance(leaf, Prefix):
        return term.startswith(leaf.text)
    return fnmatchcase(term, leaf.text)


def _count_values(values) -> dict[str, int]:
    return Counter(value for value in values if value)


def _count(records: list[dict], facet: str) -> list[tuple[str, int]]:
    if facet == "year":
        return list(_count_values((r.get("date") or "")[:4] for r in records).items())
    return list(_count_values(r.get(facet) for r in records).items())


def _page(request, hits, facets, days, articles: int, total: int) -> ResultPage:
    ordered = {}
    for name, pairs in facets.items():
        ordered[name] = sorted(((v, n) for v, n in pairs if v), key=lambda kv: (-kv[1], kv[0]))
    ordered["year"].sort(key=lambda kv: kv[0], reverse=True)
    real_days = {day: n for day, n in days.items() if _is_day(day)}
    return ResultPage(
        query=request.query,
        total=total,
        page=request.page,
        limit=request.limit,
        results=hits,
        facets=ordered,
        articles=articles,
        stories=total if request.group else None,
        matched=CountedSet(np.asarray([], dtype="S1"), real_days, articles),
    )


def _is_day(text: str) -> bool:
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text))
