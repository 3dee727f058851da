"""The index defsearch creates in OpenSearch: its settings, fields and version.

Our analysis (search.text.analysis) runs in Python; OpenSearch only splits what it is sent.
A text field holds one token per word position, the terms stacked at that position joined
by ``|`` (``стать|=стали``): the ``stacked`` analyzer splits on spaces and then on ``|``
with a pattern_capture filter, which emits every part at the same position. So lemmas,
stems, ``=`` exact forms, ``~`` name keys and hyphen parts share their word's position as in
the Whoosh index, and phrases over lemmas work. Queries are sent one term per word, split
on spaces only.

Scores are Whoosh's BM25F, computed by a scripted similarity (see ``similarities``): the
same idf (log(N / (df + 1)) + 1), every stacked term counted in a field's length as Whoosh
counts it (``discount_overlaps`` off), a headline's occurrences weighing TITLE_BOOST each.

The mapping's ``_meta`` holds the mapping version (an index of another version is refused
with the same "rebuild" message as a Whoosh index of another schema) and the last sync.
"""

from __future__ import annotations

from search.engine.schema import TITLE_BOOST
from search.errors import IndexMissingError, IndexVersionError
from search.request import MAX_LIMIT, MAX_PAGE

# Bump when the mapping or what goes into the fields changes.
MAPPING_VERSION = 1
TEXT_FIELDS = ("title", "body")
ALT_SUFFIX = "_alt"  # the field of a text field's unlikely lemmas (see search.opensearch.fields)
# One machine's worth; a cluster sets its own with $DEFSEARCH_OPENSEARCH_SHARDS and
# $DEFSEARCH_OPENSEARCH_REPLICAS when the index is built (search.opensearch.indexing).
SHARDS = 1
REPLICAS = 0

RESULT_WINDOW = MAX_PAGE * MAX_LIMIT  # the last page a search may ask for
K1, B = 1.2, 0.75  # Whoosh's BM25F (search.engine.parse.WEIGHTING)
# An unlikely lemma (search.opensearch.fields) counts as this much of an occurrence: Whoosh
# counts its probability, 0.02 to 0.45 (pymorphy3); one number stands for them all.
ALT_WEIGHT = 0.15
_KEYWORD = {"type": "keyword"}
_IDF = "return query.boost * (Math.log(field.docCount / (term.docFreq + 1.0)) + 1.0);"
_BM25 = (
    "double tf = doc.freq * {tf};"
    "double avg = field.sumTotalTermFreq / (double) Math.max(field.docCount, 1);"
    "return weight * tf * {k1p1} / (tf + {k1} * ({one_b} + {b} * doc.length / avg));"
)
_SATURATED = "double tf = doc.freq * {tf}; return weight * tf * {k1p1} / (tf + {k1});"


def _similarity(script: str, tf: float) -> dict:
    source = script.format(tf=tf, k1=K1, k1p1=K1 + 1, b=B, one_b=1 - B)
    return {
        "type": "scripted",
        "discount_overlaps": False,
        "weight_script": {"source": _IDF},
        "script": {"source": source},
    }


def similarities() -> dict:
    """Return Whoosh's BM25F per field: the headline's weights times TITLE_BOOST; unlikely
    lemmas at ALT_WEIGHT, without length normalization (their field holds them alone)."""
    return {
        "whoosh_title": _similarity(_BM25, TITLE_BOOST),
        "whoosh_body": _similarity(_BM25, 1.0),
        "whoosh_title_alt": _similarity(_SATURATED, TITLE_BOOST * ALT_WEIGHT),
        "whoosh_body_alt": _similarity(_SATURATED, ALT_WEIGHT),
    }


def index_body(shards: int = SHARDS, replicas: int = REPLICAS) -> dict:
    """Return the settings and mappings of a new defsearch index."""
    text_fields = {}
    for name in TEXT_FIELDS:
        text_fields[name] = {
            "type": "text",
            "analyzer": "stacked",
            "search_analyzer": "whitespace",
            "similarity": f"whoosh_{name}",
        }
        text_fields[name + ALT_SUFFIX] = {
            "type": "text",
            "analyzer": "whitespace",
            "similarity": f"whoosh_{name}{ALT_SUFFIX}",
        }
    return {
        "settings": {
            "number_of_shards": shards,
            "number_of_replicas": replicas,
            "max_result_window": RESULT_WINDOW,
            "similarity": similarities(),
            "analysis": {
                "filter": {
                    "stack": {
                        "type": "pattern_capture",
                        "preserve_original": False,
                        "patterns": ["([^|]+)"],
                    }
                },
                "analyzer": {
                    "stacked": {"type": "custom", "tokenizer": "whitespace", "filter": ["stack"]}
                },
                "normalizer": {"folded": {"type": "custom", "filter": ["lowercase"]}},
            },
        },
        "mappings": {
            "dynamic": "strict",
            "_meta": {"defsearch_mapping": MAPPING_VERSION},
            # The analyzed streams stay in _source: a story update re-indexes the document
            # from it (an update is a delete and an add of the whole document).
            "properties": {
                **text_fields,
                "id": _KEYWORD,
                "source": {"type": "text", "analyzer": "simple"},  # "source:" in queries
                "source_name": _KEYWORD,  # facets
                "source_folded": {"type": "keyword", "normalizer": "folded"},  # the filter
                "date": _KEYWORD,  # YYYY-MM-DD or absent: compared as text, like Whoosh's
                "year": _KEYWORD,
                "lang": _KEYWORD,
                "hash": _KEYWORD,
                "stat": {"type": "keyword", "index": False},
                "group": _KEYWORD,  # the story id, or the article's own: results collapse on it
                "story": _KEYWORD,  # the story id of an article in a story of several
                # The stored record: what is shown, snippets and story keys. Not searched.
                "article": {"type": "object", "enabled": False},
            },
        },
    }


def check_meta(meta: dict | None, where: str) -> dict:
    """Return the index's _meta, or raise the message a Whoosh index of another schema gets."""
    if meta is None:
        raise IndexMissingError(f"no index in {where}; build one with: defsearch index")
    if meta.get("defsearch_mapping") != MAPPING_VERSION:
        raise IndexVersionError(
            f"index in {where} was built by another version of defsearch "
            f"(mapping {meta.get('defsearch_mapping')}, need {MAPPING_VERSION}); "
            "run: defsearch index --rebuild"
        )
    return meta
