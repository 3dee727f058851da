"""More like this: the articles that best match a weighted set of an article's body terms."""

from __future__ import annotations

from dataclasses import dataclass

from whoosh import query


@dataclass
class SimilarHit:
    stored: dict  # the article's stored fields
    score: float
    shared: set[str]  # the body terms of the weighted set this article has


def more_like_this(searcher, weights: dict[str, float], exclude_id: str, limit: int):
    """Return up to ``limit`` articles ranked by the weighted body terms they have, leaving
    out the article ``exclude_id``."""
    like = query.Or([query.Term("body", term, boost=weight) for term, weight in weights.items()])
    results = searcher.search(like, limit=limit + 1, mask=query.Term("id", exclude_id), terms=True)
    return [
        SimilarHit(
            dict(hit.fields()),
            float(hit.score),
            {text.decode("utf-8") for field, text in hit.matched_terms() if field == "body"},
        )
        for hit in results[:limit]
    ]
