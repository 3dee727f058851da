"""The index defsearch creates in OpenSearch: its settings, fields and version.

Our analysis (search.text.analysis) runs in Python; OpenSearch only splits what it is sent.
A text field holds one token per word position, the terms stacked at that position joined
by ``|`` (``стать|=стали``): the ``stacked`` analyzer splits on spaces and then on ``|``
with a pattern_capture filter, which emits every part at the same position. So lemmas,
stems, ``=`` exact forms, ``~`` name keys and hyphen parts share their word's position as in
the Whoosh index, and phrases over lemmas work. Queries are sent one term per word, split
on spaces only.

The mapping's ``_meta`` holds the mapping version (an index of another version is refused
with the same "rebuild" message as a Whoosh index of another schema) and the last sync.
"""

from __future__ import annotations

from search.errors import IndexMissingError, IndexVersionError

# Bump when the mapping or what goes into the fields changes.
MAPPING_VERSION = 1
TEXT_FIELDS = ("title", "body")
ALT_SUFFIX = "_alt"  # the field of a text field's unlikely lemmas (see search.opensearch.fields)
SHARDS = 1  # one machine's worth; a cluster sets its own (DEFSEARCH_OPENSEARCH_SHARDS)
REPLICAS = 0

_STACKED = {"type": "text", "analyzer": "stacked", "search_analyzer": "whitespace"}
_KEYWORD = {"type": "keyword"}


def index_body(shards: int = SHARDS, replicas: int = REPLICAS) -> dict:
    """Return the settings and mappings of a new defsearch index."""
    text_fields = {}
    for name in TEXT_FIELDS:
        text_fields[name] = dict(_STACKED)
        text_fields[name + ALT_SUFFIX] = {"type": "text", "analyzer": "whitespace"}
    return {
        "settings": {
            "number_of_shards": shards,
            "number_of_replicas": replicas,
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
            # The analyzed streams are long and rebuilt from the corpus: not kept in _source.
            "_source": {"excludes": [*text_fields]},
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
