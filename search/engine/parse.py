"""Today's query parsing: Whoosh's MultifieldParser, and what reads and rewrites its nodes.

The parser's syntax is the README's "Query syntax"; search.engine.expansion rewrites the
parsed words into their name keys and translations, and search.engine.scoring evaluates them.
"""

from __future__ import annotations

from whoosh import qparser, query, scoring

from search.engine.expansion import TEXT_FIELDS, expand, quote_glossary_phrases, with_word_forms
from search.engine.scoring import check_wildcards
from search.errors import NoSearchableWordsError, QueryError
from search.text.analysis import query_name_keys
from search.text.entities import entity_table
from search.text.glossary import load_glossary

WEIGHTING = scoring.BM25F(B=0.75, K1=1.2)
STOP_WORDS_NOTICE = (
    "the query has no searchable words: words such as «the», «which», «и», «после» are not indexed"
)


def _parser(schema) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(list(TEXT_FIELDS), schema, group=qparser.AndGroup)
    # "-" excludes a word only at the start of it: ADEX-2016 and S-400 stay whole.
    parser.add_plugin(qparser.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+", minusexpr=r"(?<![^\s(])-"))
    # Fuzzy "~" and "every" "*:*" syntax only surprise people typing designations.
    parser.remove_plugin_class(qparser.FuzzyTermPlugin)
    return parser


def parse_query(reader, text: str, exact: bool, both_languages: bool):
    """Parse a user's query with the reader's parser; add name keys unless exact, and
    glossary translations when asked. Raise QueryError or NoSearchableWordsError."""
    if "parser" not in reader.cache:
        reader.cache["parser"] = _parser(reader.searcher.schema)
    glossary = load_glossary() if both_languages else None
    phrases = {} if exact else entity_table().phrases
    if glossary or phrases:
        text = quote_glossary_phrases(text, {**phrases, **(glossary or {})})
    try:
        parsed = reader.cache["parser"].parse(text)
    except Exception as exc:  # Whoosh's parser raises assorted errors on odd input
        raise QueryError(f"cannot parse the query: {exc}") from None
    if parsed is query.NullQuery or not list(parsed.leaves()):
        raise NoSearchableWordsError(STOP_WORDS_NOTICE)
    parsed = with_word_forms(parsed)
    check_wildcards(parsed, reader.searcher.reader())
    if not exact or glossary:
        keys = {} if exact else query_name_keys(text)
        parsed = expand(parsed, names=not exact, glossary=glossary, keys=keys)
    return parsed


def request_filter(searcher, request):
    """Return the query of a request's language, outlet and date limits (None: no limits)."""
    parts = []
    if request.lang:
        parts.append(query.Term("lang", request.lang))
    if request.source:
        wanted = request.source.casefold()
        names = [
            name
            for name in searcher.lexicon("source_name")
            if name.decode("utf-8").casefold() == wanted
        ]
        parts.append(query.Or([query.Term("source_name", n.decode("utf-8")) for n in names]))
    if request.since or request.until:
        parts.append(
            query.TermRange("date", request.since or "0000", (request.until or "9999") + "~")
        )
    return query.And(parts) if parts else None


def query_terms(searcher, parsed) -> dict[str, set[str]]:
    """Return the terms to highlight per text field, wildcards expanded, negations left out."""
    # Not Query.existing_terms(): in Whoosh 2.7.5 it drops every field but the first.
    reader = searcher.reader()
    out: dict[str, set[str]] = {name: set() for name in TEXT_FIELDS}
    for leaf in _positive_leaves(parsed):
        for fieldname, text in leaf.expanded_terms(reader, phrases=True):
            if fieldname in out:
                term = text.decode("utf-8") if isinstance(text, bytes) else text
                if (fieldname, term) in reader:
                    out[fieldname].add(term)
    return out


def _positive_leaves(node):
    """Yield the leaf queries that must match (not those under NOT)."""
    if isinstance(node, query.Not):
        return
    if isinstance(node, query.AndNot):
        yield from _positive_leaves(node.a)
    elif node.is_leaf():
        yield node
    else:
        for child in node.children():
            yield from _positive_leaves(child)


def count_matches(searcher, parsed, wanted=None) -> int:
    """Return how many live articles match a parsed query within a filter."""
    return len(searcher.search(parsed, limit=1, filter=wanted))
