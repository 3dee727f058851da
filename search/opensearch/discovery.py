"""Did-you-mean, related articles and story listings on OpenSearch, by our own rules
(search.discover): only the lookups of the index are OpenSearch's.

* Did-you-mean: search.discover.suggest over a vocabulary whose candidates come from
  OpenSearch's term suggester on the ``=`` exact forms (the same prefix and edit limits).
* Related: the article's distinctive terms weighted as search.discover.related weighs them
  (document frequencies from one term-vectors request), asked as a bool query of boosted
  terms on the lemma field; the words two articles share come back as named clauses.
* Stories: the stories stored with each article (a terms aggregation), then their articles.
"""

from __future__ import annotations

from search.discover import (
    _profile,
    distinctive_terms,
    shared_words,
    story_summary,
    suggest,
)
from search.errors import QueryError
from search.opensearch.translate import filters, to_dsl
from search.text.words import QUERY_WORD_RE, normalize

SUGGEST_CANDIDATES = 25  # spellings the term suggester offers per word
MAX_STORIES = 10_000  # stories looked at by a listing
MAX_STORY_DAYS = 100  # distinct days one story's articles carry


class _Vocabulary:
    """The two questions search.discover.suggest asks of an index, answered by OpenSearch."""

    def __init__(self, client, index: str, text: str):
        self.client, self.index = client, index
        self.df: dict[str, int] = {}
        self.candidates: list[str] = []
        words = {"=" + normalize(m.group()) for m in QUERY_WORD_RE.finditer(text)}
        words = [w for w in words if len(w) > 3]
        if not words:
            return
        body = {
            "suggest": {
                f"w{i}": {
                    "text": word,
                    "term": {
                        "field": "body",
                        "suggest_mode": "always",
                        "max_edits": 2,
                        "prefix_length": 3,
                        "min_word_length": 3,
                        "size": SUGGEST_CANDIDATES,
                    },
                }
                for i, word in enumerate(words)
            },
            "size": 0,
        }
        found = client.search(index=index, body=body)["suggest"]
        for entries in found.values():
            for entry in entries:
                for option in entry["options"]:
                    self.df[option["text"]] = option["freq"]
                    self.candidates.append(option["text"])

    def doc_frequency(self, fieldname: str, term: str) -> int:
        if term not in self.df:
            query = {"query": {"term": {fieldname: term}}}
            self.df[term] = self.client.count(index=self.index, body=query)["count"]
        return self.df[term]

    def words_starting(self, fieldname: str, prefix: str):
        return sorted({c for c in self.candidates if c.startswith(prefix)})


def suggestion(searching, request, total: int) -> str | None:
    """Return a respelled query that finds more than ``total`` articles, or None."""
    index = searching.cluster.alias
    better = suggest(_Vocabulary(searching.client, index, request.query), request.query)
    if not better:
        return None
    try:
        parsed = searching.parse(better, request.exact, request.both_languages)
    except QueryError:
        return None
    query = {"bool": {"must": [to_dsl(parsed)], "filter": filters(request)}}
    found = searching.client.count(index=index, body={"query": query})["count"]
    return better if found > total else None


def related(client, index: str, record: dict, limit: int = 5) -> list[dict]:
    """Return the articles most like one article, each with the words they share."""
    counts, surface = _profile(record.get("title", ""), record.get("body", ""))
    if not counts:
        return []
    n = max(client.count(index=index)["count"], 1)
    vectors = client.termvectors(
        index=index,
        body={
            "doc": {"body": " ".join(counts)},
            "fields": ["body"],
            "term_statistics": True,
            "field_statistics": False,
            "positions": False,
            "offsets": False,
        },
    )
    stats = vectors.get("term_vectors", {}).get("body", {}).get("terms", {})
    top = distinctive_terms(counts, n, lambda term: stats.get(term, {}).get("doc_freq", 0))
    if not top:
        return []
    query = {
        "bool": {
            "should": [
                {"term": {"body": {"value": t, "boost": w, "_name": t}}} for t, w in top.items()
            ],
            "must_not": [{"ids": {"values": [record["id"]]}}],
        }
    }
    body = {
        "query": query,
        "size": limit,
        "_source": ["article.id", "article.title", "article.lang"],
    }
    out = []
    for hit in client.search(index=index, body=body)["hits"]["hits"]:
        why = shared_words(set(hit.get("matched_queries", [])), top, surface)
        article = hit["_source"]["article"]
        out.append(
            {
                "id": article["id"],
                "title": article.get("title", ""),
                "score": round(float(hit["_score"]), 4),
                "lang": article.get("lang", ""),
                "why": why,
            }
        )
    return out


def list_stories(client, index: str, since: str | None, until: str | None, limit: int):
    """Return the largest stories dated within [since, until], largest first."""
    body = {
        "size": 0,
        "query": {"exists": {"field": "story"}},
        "aggs": {
            "stories": {
                "terms": {"field": "story", "size": MAX_STORIES},
                "aggs": {"days": {"terms": {"field": "date", "size": MAX_STORY_DAYS}}},
            }
        },
    }
    buckets = client.search(index=index, body=body)["aggregations"]["stories"]["buckets"]
    chosen = []
    for bucket in buckets:
        days = sorted(b["key"] for b in bucket["days"]["buckets"] if b["key"])
        if days and not ((since and days[-1] < since) or (until and days[0] > until)):
            chosen.append((bucket["key"], bucket["doc_count"], days))
    chosen.sort(key=lambda c: c[2][-1], reverse=True)
    chosen.sort(key=lambda c: c[1], reverse=True)  # stable: newest first within a size
    chosen = chosen[:limit]
    if not chosen:
        return []
    members: dict[str, list[dict]] = {story: [] for story, _, _ in chosen}
    query = {"terms": {"story": list(members)}}
    fields = ["story", "article.id", "article.title", "article.source", "article.date",
              "article.lang"]  # fmt: skip
    size = sum(count for _, count, _ in chosen)
    for hit in client.search(index=index, body={"query": query, "size": size, "_source": fields})[
        "hits"
    ]["hits"]:
        article = hit["_source"]["article"]
        members[hit["_source"]["story"]].append(
            {
                "id": article["id"],
                "title": article.get("title", ""),
                "source": article.get("source") or None,
                "date": article.get("date") or None,
                "lang": article.get("lang", ""),
            }
        )
    stories = []
    for story, _, days in chosen:
        articles = list(members[story])
        if articles:
            stories.append(story_summary(story, articles, days))
    return stories
