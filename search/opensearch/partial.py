"""Soft AND on OpenSearch: the articles matching every word of a query but one.

search.soft_and's rule, asked of the cluster: each word of the query is a named clause, at
least all but one must match, the full matches and the excluded words are left out; each
word weighs its idf (from one count per word), and a partial match must cover
MIN_COVERAGE of the query's weight. They rank by coverage, then score (newest first for
the date sort).
"""

from __future__ import annotations

import math

from search.opensearch.translate import filters, to_dsl
from search.soft_and import MIN_COVERAGE, soft_words

CANDIDATES = 200  # partial matches looked at (only the first pages of them are ever shown)


def partial_hits(searching, parsed, request, full_ids: list[str]) -> list[dict]:
    """Return the partial matches of a query as search hits, best first."""
    soft = soft_words(parsed, '"' in request.query)
    if soft is None:
        return []
    words, forced, excluded = soft.words, soft.forced, soft.excluded
    client, index = searching.client, searching.cluster.alias
    live = max(client.count(index=index)["count"], 1)
    idfs = []
    for word in words:
        found = client.count(index=index, body={"query": to_dsl(word)})["count"]
        idfs.append(math.log((live + 1) / (found + 1)) if found else 0.0)
    total = sum(idfs)
    named = [
        {"bool": {"must": [to_dsl(word)], "_name": f"w{i}"}}
        for i, (word, is_forced) in enumerate(zip(words, forced, strict=True))
        if not is_forced
    ]
    query = {
        "bool": {
            "must": [to_dsl(w) for w, f in zip(words, forced, strict=True) if f],
            "should": named,
            "minimum_should_match": len(words) - 1 - sum(forced),
            "must_not": [to_dsl(node) for node in excluded] + [{"ids": {"values": full_ids}}],
            "filter": filters(request),
        }
    }
    body = {"query": query, "size": CANDIDATES, "_source": ["article", "group"]}
    hits = client.search(index=index, body=body)["hits"]["hits"]
    kept = []
    for hit in hits:
        matched = {int(name[1:]) for name in hit.get("matched_queries", [])}
        matched |= {i for i, f in enumerate(forced) if f}
        if len(matched) != len(words) - 1:
            continue  # matches every word after all: a full match left out by the filter
        share = sum(idfs[i] for i in matched) / total if total > 0 else 1.0
        if share >= MIN_COVERAGE:
            kept.append((share, hit))
    if request.sort == "date":
        kept.sort(key=lambda sh: -(sh[1].get("_score") or 0.0))
        kept.sort(key=lambda sh: sh[1]["_source"]["article"].get("date") or "", reverse=True)
    else:
        kept.sort(key=lambda sh: (-sh[0], -(sh[1].get("_score") or 0.0)))
    return [hit for _, hit in kept]
