"""An article as an OpenSearch document: its stacked term streams and its stored record.

Whoosh stores a term's weight with each occurrence, so an unlikely lemma of an ambiguous
Russian word (``стали``: «стать» 0.975, «сталь» 0.025) adds little to a score. OpenSearch
counts occurrences only. A lemma weighing less than ``ALT_BELOW`` therefore goes to a field
of its own (``body_alt``), whose similarity counts an occurrence as ALT_WEIGHT
(search.opensearch.mapping): a query ``сталь`` still finds the article about «стали» the
verb, but ranks it far below one about steel. Lemmas above it (the likely ones) are stacked
at their word's position with full weight.
"""

from __future__ import annotations

from search.model import NewsDocument
from search.opensearch.mapping import ALT_SUFFIX
from search.stories import story_keys
from search.text.analysis import iter_terms

ALT_BELOW = 0.5  # a lemma less likely than this is indexed apart, with a small weight
# Stacked where an unlikely lemma was taken out, so that the field's length counts it as
# Whoosh's does (BM25 normalizes by length); no query term is ever this.
PLACE_HOLDER = "_"
_UNSAFE = str.maketrans({"|": "_", " ": "_", "\t": "_", "\n": "_"})


def term_streams(text: str) -> tuple[str, str]:
    """Return a text's stacked stream (a token per position, its terms joined by ``|``) and
    its unlikely lemmas (space-separated)."""
    positions: list[list[str]] = []
    unlikely: list[str] = []
    last = -1
    for term, weight, pos, _, _, _ in iter_terms(text):
        term = term.translate(_UNSAFE)
        if pos != last:
            positions.append([term])  # the main form, whatever its weight
            last = pos
        elif weight < ALT_BELOW:
            unlikely.append(term)
            positions[-1].append(PLACE_HOLDER)  # counted in the length, as Whoosh counts it
        else:
            positions[-1].append(term)
    return " ".join("|".join(terms) for terms in positions), " ".join(unlikely)


def stored_record(doc: NewsDocument, stat: str) -> dict:
    """Return what is kept of an article to show it and to regroup stories."""
    return {**doc.record(), "stat": stat, "story_keys": story_keys(doc.title, doc.body)}


def document_source(doc: NewsDocument, stat: str) -> dict:
    """Return the OpenSearch document of an article (its story set later by the sync)."""
    out = {
        "id": doc.id,
        "source": doc.source or "",
        "source_name": doc.source or "",
        "source_folded": doc.source or "",
        "lang": doc.lang,
        "hash": doc.hash,
        "stat": stat,
        "group": doc.id,
        "article": stored_record(doc, stat),
    }
    if doc.date:
        out["date"] = doc.date
        out["year"] = doc.date[:4]
    for name, text in (("title", doc.title), ("body", doc.body)):
        out[name], out[name + ALT_SUFFIX] = term_streams(text)
    return out
