"""From the user's text to our query tree: phrases of names and glossary entries quoted,
the syntax read, prefixes widened to written forms, words expanded into their name keys and
translations; and a request's limits (language, outlet, dates) as a filter query."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from search.errors import NoSearchableWordsError
from search.query.expansion import expand, quote_glossary_phrases, with_word_forms
from search.query.tree import And, Or, Query, Range, Term
from search.text.analysis import query_name_keys
from search.text.entities import entity_table
from search.text.glossary import load_glossary

STOP_WORDS_NOTICE = (
    "the query has no searchable words: words such as «the», «which», «и», «после» are not indexed"
)


def parse_query(
    text: str, exact: bool, both_languages: bool, syntax: Callable[[str], Query | None]
) -> Query:
    """Parse a user's query; add name keys unless exact, and translations when asked.

    ``syntax`` reads the query syntax into a tree (the engine's parser). Raise QueryError on
    a query it cannot read, NoSearchableWordsError on one of stop words only.
    """
    glossary = load_glossary() if both_languages else None
    phrases = {} if exact else entity_table().phrases
    if glossary or phrases:
        text = quote_glossary_phrases(text, {**phrases, **(glossary or {})})
    parsed = syntax(text)
    if parsed is None:
        raise NoSearchableWordsError(STOP_WORDS_NOTICE)
    parsed = with_word_forms(parsed)
    if not exact or glossary:
        keys = {} if exact else query_name_keys(text)
        parsed = expand(parsed, names=not exact, glossary=glossary, keys=keys)
    return parsed


def filter_query(request, source_names: Iterable[str]) -> Query | None:
    """Return the query of a request's language, outlet and date limits (None: no limits).

    ``source_names`` are the outlet names in the index; the request's matches any case."""
    parts: list[Query] = []
    if request.lang:
        parts.append(Term("lang", request.lang))
    if request.source:
        wanted = request.source.casefold()
        names = [name for name in source_names if name.casefold() == wanted]
        parts.append(Or(tuple(Term("source_name", name) for name in names)))
    if request.since or request.until:
        parts.append(Range("date", request.since or "0000", (request.until or "9999") + "~"))
    return And(tuple(parts)) if parts else None
