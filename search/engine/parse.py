"""Whoosh's side of queries: its parser reads the user's syntax into our tree, and what only
an index can answer about a query (the terms a pattern stands for, the outlets' names).

The syntax is the README's "Query syntax": Whoosh's MultifieldParser over the title and the
body, AND by default, with ``-`` and ``+`` only at a word's start.
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh import qparser, query, scoring

from search.engine.translate import from_whoosh, to_whoosh
from search.errors import QueryError
from search.query.expansion import TEXT_FIELDS
from search.query.tree import Query, positive_leaves

WEIGHTING = scoring.BM25F(B=0.75, K1=1.2)


def _parser(schema) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(list(TEXT_FIELDS), schema, group=qparser.AndGroup)
    # "-" excludes a word only at the start of it: ADEX-2016 and S-400 stay whole.
    parser.add_plugin(qparser.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+", minusexpr=r"(?<![^\s(])-"))
    # Fuzzy "~" and "every" "*:*" syntax only surprise people typing designations.
    parser.remove_plugin_class(qparser.FuzzyTermPlugin)
    return parser


def parse_syntax(reader, text: str) -> Query | None:
    """Read the user's query syntax into our tree; None when it has no searchable words."""
    if "parser" not in reader.cache:
        reader.cache["parser"] = _parser(reader.searcher.schema)
    try:
        parsed = reader.cache["parser"].parse(text)
    except Exception as exc:  # Whoosh's parser raises assorted errors on odd input
        raise QueryError(f"cannot parse the query: {exc}") from None
    if parsed is query.NullQuery or not list(parsed.leaves()):
        return None
    return from_whoosh(parsed)


_SCHEMA_PARSER: list = []  # the parser over build_schema(), made once per process


def parse_text(text: str) -> Query | None:
    """Read the user's query syntax without an index (for another engine, search.opensearch):
    the same parser over the schema every index is built with."""
    if not _SCHEMA_PARSER:
        from search.engine.schema import build_schema

        _SCHEMA_PARSER.append(_parser(build_schema()))
    try:
        parsed = _SCHEMA_PARSER[0].parse(text)
    except Exception as exc:  # Whoosh's parser raises assorted errors on odd input
        raise QueryError(f"cannot parse the query: {exc}") from None
    if parsed is query.NullQuery or not list(parsed.leaves()):
        return None
    return from_whoosh(parsed)


def source_names(searcher) -> Iterator[str]:
    """Yield every outlet name in the index, as indexed (read only when iterated)."""
    for name in searcher.lexicon("source_name"):
        yield name.decode("utf-8")


def query_terms(searcher, parsed: Query) -> dict[str, set[str]]:
    """Return the terms to highlight per text field, wildcards expanded, negations left out."""
    # Not Query.existing_terms(): in Whoosh 2.7.5 it drops every field but the first.
    reader = searcher.reader()
    out: dict[str, set[str]] = {name: set() for name in TEXT_FIELDS}
    for leaf in positive_leaves(parsed):
        for fieldname, text in to_whoosh(leaf).expanded_terms(reader, phrases=True):
            if fieldname in out:
                term = text.decode("utf-8") if isinstance(text, bytes) else text
                if (fieldname, term) in reader:
                    out[fieldname].add(term)
    return out


def count_matches(searcher, parsed: Query, wanted: Query | None = None) -> int:
    """Return how many live articles match a query within a filter."""
    limits = to_whoosh(wanted) if wanted is not None else None
    return len(searcher.search(to_whoosh(parsed), limit=1, filter=limits))
