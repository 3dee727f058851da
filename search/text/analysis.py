"""Bilingual analysis: split text into words and reduce them to index terms.

Each word is routed by its script, never by a language detector: Cyrillic words become
pymorphy3 lemmas, Latin words Snowball English stems, words with digits (model designations
such as ``Ми-35М`` or ``S-400``) stay as they are. The output is plain data
(:class:`Term`), independent of Whoosh, so another backend can index the same terms.

At one position the analyzer may emit several terms ("stacked", like synonyms):

* the main form (lemma or stem), weight = the parse probability;
* other lemmas of an ambiguous Russian form, each weighted by pymorphy3's probability.
  ``стали`` is «стать» (0.975) but also «сталь»; an article about steel contains the
  unambiguous ``сталь`` with full weight, so a query ``сталь`` ranks it above an article
  where ``стали`` is the verb, which only carries the small «сталь» weight. At query time a
  word stands for its most likely lemma only, so that phrases stay one term per word;
* the parts of a hyphenated word (``военно-технического`` also yields ``военно`` and
  ``технический``) so that a query for one part finds it — index side only;
* the exact surface form, prefixed with ``=`` (``=поставками``), for ``=word`` queries;
* for capitalized words and designations, a name key prefixed with ``~`` (search.text.names);
* for places, organisations and named systems, the key of the thing in both languages
  (search.text.entities): ``России``, ``российского`` and ``Russia`` all carry ``~russia``; a
  name of several words (``Северный поток``) gets it on its last word — index side only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from search.text.context import is_ambiguous, settled_lemma
from search.text.entities import entity_key, entity_table, longest_phrase
from search.text.name_keys import compound_entity_keys, word_name_keys
from search.text.words import (
    CACHE_SIZE,
    EXACT_PREFIX,
    QUERY_WORD_RE,
    STOP_WORDS,
    WORD_RE,
    main_forms,
    normalize,
    russian_lemmas,
    script_of,
)


@dataclass(frozen=True, slots=True)
class Term:
    """One index term produced from a word of the text."""

    text: str  # what goes into the index
    pos: int  # word position; stacked terms share it
    start: int  # character range of the source word in the text
    end: int
    lang: str  # "ru", "en" or "" (numbers, designations, mixed script)
    boost: float = 1.0


def _parts(word: str, lang: str) -> list[str]:
    """Return the analyzed parts of a hyphenated word, for index-side part matching."""
    out = []
    for part in word.split("-"):
        part_lang = script_of(part)
        if part and part not in STOP_WORDS:
            out.append(main_forms(part, part_lang, query=True)[0][0])
    return out


@lru_cache(maxsize=CACHE_SIZE)
def word_terms(raw: str, query: bool = False, keep_stops: bool = False) -> tuple:
    """Return the stacked (term, weight, lang) triples of one word as written, cached.

    An empty tuple means the word is dropped (a stop word, or nothing left of it).
    """
    exact_only = query and raw.startswith(EXACT_PREFIX)
    word = normalize(raw.lstrip(EXACT_PREFIX)).replace("_", "")
    if not word or (word in STOP_WORDS and not keep_stops and not exact_only):
        return ()
    lang = script_of(word)
    if exact_only:
        return ((EXACT_PREFIX + word, 1.0, lang),)
    forms = main_forms(word, lang, query)
    if query:
        return tuple((form, weight, lang) for form, weight in forms)
    out = [(form, weight, lang) for form, weight in forms]
    seen = {form for form, _ in forms}
    if "-" in word:
        for part in _parts(word, lang):
            if part not in seen:
                seen.add(part)
                out.append((part, 1.0, lang))
    out.append((EXACT_PREFIX + word, 1.0, lang))
    if raw[0].isupper() or (lang == "" and not word.isdigit()):
        # Names and designations also get a spelling-independent key (search.text.names).
        for key in word_name_keys(word, lang):
            out.append((key, 1.0, lang))
        if "-" in word and lang:
            # A double surname (Банкс-Джонсон) also carries the keys of its parts.
            for part in raw.split("-")[1:]:
                if part[:1].isupper():
                    for key in word_name_keys(normalize(part), lang):
                        out.append((key, 1.0, lang))
    elif lang and (key := entity_key(forms[0][0], capitalized=False)):
        out.append((key, 1.0, lang))  # a lowercase adjective of a place: российский
    if "-" in word:
        keys = {term for term, _, _ in out if term.startswith("~")}
        for key in compound_entity_keys(raw.lstrip(EXACT_PREFIX)):
            if key not in keys:
                keys.add(key)
                out.append((key, 1.0, lang))
    return tuple(out)


def query_name_keys(text: str) -> dict[str, tuple[str, ...]]:
    """Return, for each word of a query, its main term -> its name keys."""
    keys = {}
    for match in QUERY_WORD_RE.finditer(text):
        raw = match.group()
        stacked = word_terms(raw, True)
        if stacked and not raw.startswith(EXACT_PREFIX):
            word = normalize(raw).replace("_", "")
            found = word_name_keys(word, stacked[0][2])
            if found:
                keys.setdefault(stacked[0][0], found)
    return keys


def iter_terms(text: str, mode: str = "index", keep_stops: bool = False):
    """Yield (term, weight, position, start, end, lang) tuples: the fast path of analyze()."""
    if mode != "query" and not keep_stops:
        yield from _iter_index_terms(text)
        return
    query = mode == "query"
    pattern = QUERY_WORD_RE if query else WORD_RE
    pos = -1
    recent: list[tuple] = []  # the stacked terms of the last words, for names of several words
    window = 0 if query else longest_phrase()
    matches = list(pattern.finditer(text))
    for i, match in enumerate(matches):
        stacked = word_terms(match.group(), query, keep_stops)
        if stacked:
            pos += 1
            start, end = match.span()
            if not query and _maybe_ambiguous(stacked):
                stacked = _in_context(text, matches, i, stacked)
            for term, weight, lang in stacked:
                yield term, weight, pos, start, end, lang
            if window > 1:
                recent.append(stacked)
                del recent[:-window]
                key = _phrase_ending(recent)
                if key and all(key != term for term, _, _ in stacked):
                    yield key, 1.0, pos, start, end, stacked[0][2]


# -- the index side, word by word from a cache ---------------------------------------------
# Indexing meets the same words again and again: each written form is analyzed once per
# process into an entry (its stacked terms, and whether its neighbours or a name of several
# words can change them), and a text is then a dictionary lookup per word.

# Written forms kept (~0.5 KB each) in each of two generations: when the newer is full it
# becomes the older and the oldest goes; a form found in the older moves to the newer. So
# the forms in use stay, and a corpus of more forms than this is not analyzed afresh.
INDEX_CACHE_SIZE = 60_000
# (the space between a word and the one before it, the word): WORD_RE's words, in order.
_SPACED_WORD_RE = re.compile(r"(\W*)(" + WORD_RE.pattern + ")")
_entries: dict[str, tuple | None] = {}
_older: dict[str, tuple | None] = {}


def _index_entry(raw: str) -> tuple | None:
    """Return (stacked terms, needs context, may end a name, normalized word), or None."""
    stacked = word_terms(raw)
    if not stacked:
        return None
    word = normalize(raw)
    context = _maybe_ambiguous(stacked) and "-" not in word and is_ambiguous(word)
    by_last = entity_table().by_last
    phrase = any(term in by_last for term, _, _ in stacked)
    return stacked, context, phrase, word if context else None


def _entries_of(pairs: list) -> list:
    """Return the cached entry of each (space, word) pair, analyzing new words."""
    global _entries, _older
    cache = _entries
    out = []
    for _, raw in pairs:
        entry = cache.get(raw, False)
        if entry is False:
            if len(cache) >= INDEX_CACHE_SIZE:
                _older, cache = cache, {}
                _entries = cache
            entry = _older.get(raw, False)
            if entry is False:
                entry = _index_entry(raw)
            cache[raw] = entry
        out.append(entry)
    return out


def _settled(pairs: list, i: int, entry: tuple) -> tuple:
    """Return a word's stacked terms once its neighbours had their say (see _in_context)."""
    word = entry[3]
    before = normalize(pairs[i - 1][1]) if i and not pairs[i][0].strip() else None
    after = None
    if i + 1 < len(pairs) and not pairs[i + 1][0].strip():
        after = normalize(pairs[i + 1][1])
    lemma = settled_lemma(before, word, after)
    if lemma is None:
        return entry[0]
    lemmas = {form for form, _ in russian_lemmas(word)}
    return ((lemma, 1.0, "ru"), *(t for t in entry[0] if t[0] not in lemmas))


def _index_words(text: str):
    """Yield (stacked terms, name key or None, position, pair index) for each indexed word."""
    pairs = _SPACED_WORD_RE.findall(text)
    window = longest_phrase()
    stacks: list[tuple] = []  # the stacked terms of every position so far
    pos = -1
    for i, entry in enumerate(_entries_of(pairs)):
        if entry is None:
            continue
        pos += 1
        stacked = _settled(pairs, i, entry) if entry[1] else entry[0]
        stacks.append(stacked)
        key = None
        if entry[2] and window > 1:
            key = _phrase_ending(stacks[-window:])
            if key and any(key == term for term, _, _ in stacked):
                key = None
        yield stacked, key, pos, pairs, i


def _iter_index_terms(text: str):
    offset = 0
    spans_done = -1
    for stacked, key, pos, pairs, i in _index_words(text):
        while spans_done < i:  # character offsets, counted only up to the words yielded
            spans_done += 1
            space, raw = pairs[spans_done]
            offset += len(space)
            start, offset = offset, offset + len(raw)
        end = offset
        for term, weight, lang in stacked:
            yield term, weight, pos, start, end, lang
        if key:
            yield key, 1.0, pos, start, end, stacked[0][2]


def term_positions(text: str) -> tuple[dict[str, list[int]], dict[str, float]]:
    """Return each index term's positions in a text and its summed weight.

    The same as collecting iter_terms(text), without a tuple per term occurrence.
    """
    positions: dict[str, list[int]] = {}
    weights: dict[str, float] = {}
    for stacked, key, pos, _, _ in _index_words(text):
        for term, weight, _ in stacked:
            places = positions.get(term)
            if places is None:
                positions[term] = [pos]
                weights[term] = weight
            else:
                places.append(pos)
                weights[term] += weight
        if key:
            places = positions.get(key)
            if places is None:
                positions[key] = [pos]
                weights[key] = 1.0
            else:
                places.append(pos)
                weights[key] += 1.0
    return positions, weights


def _maybe_ambiguous(stacked: tuple) -> bool:
    """Return whether a Russian word's terms hold several weighted lemmas (стать, сталь)."""
    return (
        len(stacked) > 2
        and stacked[0][2] == "ru"
        and stacked[1][1] < 1.0
        and stacked[1][0][:1] not in (EXACT_PREFIX, "~")
    )


def _neighbour(text: str, matches: list, i: int, step: int) -> str | None:
    """Return the lowercase word next to matches[i] in the same clause, or None."""
    j = i + step
    if not 0 <= j < len(matches):
        return None
    left, right = (matches[j], matches[i]) if step < 0 else (matches[i], matches[j])
    if text[left.end() : right.start()].strip():
        return None  # punctuation between: another clause
    return normalize(matches[j].group())


def _in_context(text: str, matches: list, i: int, stacked: tuple) -> tuple:
    """Keep only the lemma the neighbouring words settle, at full weight (search.text.context)."""
    word = normalize(matches[i].group())
    if "-" in word or not is_ambiguous(word):
        return stacked
    lemma = settled_lemma(_neighbour(text, matches, i, -1), word, _neighbour(text, matches, i, 1))
    if lemma is None:
        return stacked
    lemmas = {form for form, _ in russian_lemmas(word)}
    return ((lemma, 1.0, "ru"), *(t for t in stacked if t[0] not in lemmas))


def _phrase_ending(recent: list[tuple]) -> str | None:
    """Return the key of a multi-word name ending at the last word of recent, if any."""
    by_last = entity_table().by_last
    for term, _, _ in recent[-1]:
        for words, key in by_last.get(term, ()):
            n = len(words)
            if n > len(recent):
                continue
            earlier = recent[-n:-1]
            pairs = zip(words[:-1], earlier, strict=True)
            if all(any(t == w for t, _, _ in stacked) for w, stacked in pairs):
                return key
    return None


def analyze(text: str, mode: str = "index", keep_stops: bool = False) -> Iterator[Term]:
    """Yield the index terms of a text; ``mode="query"`` analyzes a query instead."""
    for term, weight, pos, start, end, lang in iter_terms(text, mode, keep_stops):
        yield Term(term, pos, start, end, lang, weight)


def terms(text: str, mode: str = "index") -> list[str]:
    """Return just the term texts of a text (handy in tests and tools)."""
    return [term.text for term in analyze(text, mode)]
