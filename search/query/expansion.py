"""Rewrite a parsed query into the spellings and translations of its words.

Each word becomes an OR of the word as analyzed and, with a lower weight, its name keys
(other spellings and scripts, search.text.names; renderings, search.text.renderings; the keys of
places and bodies, search.text.entities) and, with ``--both-languages``, its glossary
translations. A run of words that names a place or body in several words (``United
States``, ``Северный поток``) also matches as a phrase and through that thing's key.
"""

from __future__ import annotations

from dataclasses import replace

from search.query.tree import Or, Phrase, Prefix, Query, Term, Wildcard, rebuild
from search.text.analysis import analyze
from search.text.entities import phrase_key
from search.text.glossary import longest_phrase
from search.text.names import name_key
from search.text.words import EXACT_PREFIX

NAME_WEIGHT = 0.35  # a name matched through another spelling counts this much of an exact one
GLOSSARY_WEIGHT = 0.6  # a term matched through its translation in the glossary
TEXT_FIELDS = ("title", "body")  # the fields a query word searches


def expand(node: Query, names: bool, glossary, keys: dict[str, tuple[str, ...]]) -> Query:
    """Rewrite each word of a parsed query into an OR of its spellings and translations.

    ``keys`` maps a query word's main term to the name keys of the word as typed.
    """
    if isinstance(node, Term) and node.field in TEXT_FIELDS:
        alternatives: list[Query] = [node]
        found = keys.get(node.text) or (name_key(node.text),) if names else ()
        for key in dict.fromkeys(k for k in found if k):
            alternatives.append(Term(node.field, key, node.boost * NAME_WEIGHT))
        for other in glossary.get((node.text,), ()) if glossary else ():
            alternatives.append(_phrase(node.field, other, node.boost * GLOSSARY_WEIGHT))
        return Or(tuple(alternatives)) if len(alternatives) > 1 else node
    if isinstance(node, Phrase) and node.field in TEXT_FIELDS:
        others = glossary.get(tuple(node.words), ()) if glossary else ()
        boost = node.boost * GLOSSARY_WEIGHT
        alternatives = [node, *(_phrase(node.field, o, boost) for o in others)]
        if names and (key := phrase_key(node.words)):
            # A place or body named in several words (United States): its key in both languages.
            alternatives.append(Term(node.field, key, node.boost * NAME_WEIGHT))
        return Or(tuple(alternatives)) if len(alternatives) > 1 else node
    return rebuild(node, lambda child: expand(child, names, glossary, keys))


def _phrase(field: str, words: tuple[str, ...], boost: float) -> Query:
    if len(words) == 1:
        return Term(field, words[0], boost)
    return Phrase(field, tuple(words), boost)


def quote_glossary_phrases(text: str, glossary) -> str:
    """Let runs of query words that form a multi-word glossary entry also match as a phrase.

    ``air defense`` becomes ``((air defense) OR "air defense")``: the words still match
    anywhere, and the phrase can be expanded into its translations (``ПВО``).
    """
    if '"' in text or ":" in text:
        return text  # the user already wrote phrases or fields: leave the query alone
    words = list(analyze(text, mode="query"))
    longest = longest_phrase(glossary)
    out, cursor, i = [], 0, 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 1, -1):
            run = words[i : i + size]
            if tuple(t.text for t in run) in glossary:
                phrase = text[run[0].start : run[-1].end]
                out.append(text[cursor : run[0].start] + f'(({phrase}) OR "{phrase}")')
                cursor = run[-1].end
                i += size
                break
        else:
            i += 1
    return "".join(out) + text[cursor:]


def with_word_forms(node: Query) -> Query:
    """Let a prefix or wildcard also match the word forms as written (``=`` terms).

    A stem can be shorter than the word typed (deliveries → deliveri, delivered → deliv):
    ``deliver*`` found nothing among stems alone, while ``=delivered`` starts with it.
    """
    if isinstance(node, Prefix | Wildcard) and node.field in TEXT_FIELDS:
        if node.text.startswith(EXACT_PREFIX):
            return node
        return Or((node, replace(node, text=EXACT_PREFIX + node.text)))
    return rebuild(node, with_word_forms)
