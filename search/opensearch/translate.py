"""Our query tree (search.query.tree) as OpenSearch's query DSL.

Scores add up as in the Whoosh engine: AND and OR are bool queries whose clauses' scores
sum; each term scores Whoosh's BM25F through the index's similarities
(search.opensearch.mapping), the headline's weight included; a phrase matches where its
words follow each other and scores the sum of its words' scores, as in the Whoosh engine;
patterns score the sum of the words they stand for; ranges score their boost.
"""

from __future__ import annotations

from search.opensearch.mapping import ALT_SUFFIX, TEXT_FIELDS
from search.query import tree

# A pattern scores as the OR of the words it stands for (Whoosh's way), at most this many
# (the Whoosh engine refuses a pattern of more than 1000 words: search.engine.scoring).
PATTERN_REWRITE = "top_terms_1000"
# Query fields as the index names them: "source:" matches words of the outlet.
_FIELDS = {"source_name": "source_name", "source": "source"}


def to_dsl(node: tree.Query) -> dict:
    """Return the OpenSearch query of a node of our tree."""
    if isinstance(node, tree.Term):
        return _term(node)
    if isinstance(node, tree.Phrase):
        phrase = {"query": " ".join(node.words), "slop": max(node.slop - 1, 0)}
        words = [_term(tree.Term(node.field, word)) for word in node.words]
        found = {"match_phrase": {node.field: phrase}}
        return {"bool": {"filter": [found], "must": words, "boost": node.boost}}
    if isinstance(node, tree.Prefix):
        pattern = {"value": node.text, "boost": node.boost, "rewrite": PATTERN_REWRITE}
        return {"prefix": {node.field: pattern}}
    if isinstance(node, tree.Wildcard):
        pattern = {"value": node.text, "boost": node.boost, "rewrite": PATTERN_REWRITE}
        return {"wildcard": {node.field: pattern}}
    if isinstance(node, tree.Range):
        return {"range": {node.field: _range(node)}}
    if isinstance(node, tree.Every):
        if node.field is None:
            return {"match_all": {"boost": node.boost}}
        return {"exists": {"field": node.field, "boost": node.boost}}
    if isinstance(node, tree.And | tree.Or):
        if not node.children:
            return {"match_none": {}}
        if len(node.children) == 1:  # as Whoosh: a lone child keeps its own boost only
            return to_dsl(node.children[0])
        clauses = [to_dsl(child) for child in node.children]
        if isinstance(node, tree.And):
            return {"bool": {"must": clauses, "boost": node.boost}}
        return {"bool": {"should": clauses, "minimum_should_match": 1, "boost": node.boost}}
    if isinstance(node, tree.AndNot):
        return {"bool": {"must": [to_dsl(node.positive)], "must_not": [to_dsl(node.negative)]}}
    if isinstance(node, tree.AndMaybe):
        return {"bool": {"must": [to_dsl(node.required)], "should": [to_dsl(node.optional)]}}
    if isinstance(node, tree.Not):
        return {"bool": {"must": [{"match_all": {}}], "must_not": [to_dsl(node.child)]}}
    raise TypeError(f"not a query node: {node!r}")


def _term(node: tree.Term) -> dict:
    field = _FIELDS.get(node.field, node.field)
    if field not in TEXT_FIELDS:
        return {"term": {field: {"value": node.text, "boost": node.boost}}}
    term = {"term": {field: {"value": node.text, "boost": node.boost}}}
    if node.text[:1] in ("=", "~"):
        return term  # exact forms and name keys are never unlikely lemmas
    unlikely = {"term": {field + ALT_SUFFIX: {"value": node.text, "boost": node.boost}}}
    return {"bool": {"should": [term, unlikely], "minimum_should_match": 1}}


def _range(node: tree.Range) -> dict:
    out: dict = {"boost": node.boost}
    if node.start is not None:
        out["gt" if node.start_excl else "gte"] = node.start
    if node.end is not None:
        out["lt" if node.end_excl else "lte"] = node.end
    return out


def filters(request) -> list[dict]:
    """Return the filter clauses of a request's language, outlet and date limits."""
    out: list[dict] = []
    if request.lang:
        out.append({"term": {"lang": request.lang}})
    if request.source:
        out.append({"term": {"source_folded": request.source.casefold()}})
    if request.since or request.until:
        out.append(
            {
                "range": {
                    "date": {"gte": request.since or "0000", "lte": (request.until or "9999") + "~"}
                }
            }
        )
    return out


def highlight_terms(node: tree.Query) -> tuple[dict[str, set[str]], list[tree.Query]]:
    """Return the terms to mark per text field, and the patterns (matched per hit)."""
    terms: dict[str, set[str]] = {name: set() for name in TEXT_FIELDS}
    patterns = []
    for leaf in tree.positive_leaves(node):
        if getattr(leaf, "field", None) not in terms:
            continue
        if isinstance(leaf, tree.Term):
            terms[leaf.field].add(leaf.text)
        elif isinstance(leaf, tree.Phrase):
            terms[leaf.field].update(leaf.words)
        elif isinstance(leaf, tree.PATTERNS):
            patterns.append(leaf)
    return terms, patterns
