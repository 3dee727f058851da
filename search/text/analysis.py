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
from search.text.names import name_key
from search.text.renderings import russian_renderings

# A word: letters/digits, joined by hyphens or apostrophes (Ми-35М, military-technical, Russia's).
WORD_RE = re.compile(r"\w+(?:[-\u2010\u2011'\u2019]\w+)*")
# In queries a leading "=" asks for the exact word form.
QUERY_WORD_RE = re.compile(r"=?\w+(?:[-\u2010\u2011'\u2019]\w+)*")
EXACT_PREFIX = "="
CACHE_SIZE = 100_000  # distinct word forms kept per process (each of four caches)
PARSE_CACHE_SIZE = 10_000  # pymorphy3 parse lists kept (heavy; word_terms caches most uses)
# Index-side lemmas below this probability are dropped: they only add noise.
INDEX_MIN_SCORE = 0.005
MAX_WORD_CHARS = 60  # longer "words" are junk (base64, URLs): kept, but not analyzed

# Typographic hyphens and apostrophes to ASCII, ё to е, and the combining dot that
# lowercasing the Turkish/Azerbaijani İ leaves behind (İlham -> ilham).
# One character for another, so folded text keeps every character in place (snippets rely
# on that); normalize() also drops the combining dot of "й" written as "и" + U+0307.
CHARACTER_FOLDS = {"\u2010": "-", "\u2011": "-", "\u2019": "'", "ё": "е"}
_FOLD = str.maketrans({**CHARACTER_FOLDS, "\u0307": None})

STOP_WORDS = frozenset(
    """
    a an and are as at be but by for from had has have he her his i if in into is it its of
    on or our she so than that the their them then there these they this those to was we were
    what when which who will with would you your not no can do did been being also
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее
    мне было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть
    был него до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть
    надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж тогда
    кто этот того потому этого какой совсем ним здесь этом один почти мой тем чтобы нее сейчас
    были куда зачем всех никогда можно при наконец два об другой хоть после над больше тот
    через эти нас про всего них какая много разве три эту моя впрочем хорошо свою этой перед
    иногда лучше чуть том нельзя такой им более всегда конечно всю между это также
    """.split()
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


_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
_LATIN_RE = re.compile(r"[A-Za-z]")
_DIGIT_RE = re.compile(r"\d")


def script_of(word: str) -> str:
    """Return "ru" for Cyrillic words, "en" for Latin ones, "" for anything else."""
    if _DIGIT_RE.search(word):
        return ""
    cyrillic = _CYRILLIC_RE.search(word) is not None
    latin = _LATIN_RE.search(word) is not None
    if cyrillic != latin:
        return "ru" if cyrillic else "en"
    return ""


_morph = None


def morph_analyzer():
    """Return the process's pymorphy3 analyzer, created on first use.

    Kept out of any pickled state: loading the dictionaries is slow.
    """
    global _morph
    if _morph is None:
        import pymorphy3

        _morph = pymorphy3.MorphAnalyzer()
    return _morph


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def _parses(word: str) -> tuple:
    """Return pymorphy3's parses of a word; lemmas and name readings share them."""
    return tuple(morph_analyzer().parse(word))


@lru_cache(maxsize=CACHE_SIZE)
def russian_lemmas(word: str) -> tuple[tuple[str, float], ...]:
    """Return the lemmas of a lowercase Russian word with their probabilities, best first."""
    scores: dict[str, float] = {}
    for parse in _parses(word):
        lemma = parse.normal_form.replace("ё", "е")
        scores[lemma] = scores.get(lemma, 0.0) + parse.score
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    return tuple((lemma, score) for lemma, score in ranked if score >= INDEX_MIN_SCORE)


_stemmer = None


def _stem_word(word: str) -> str:
    global _stemmer
    if _stemmer is None:
        import snowballstemmer

        _stemmer = snowballstemmer.stemmer("english")
    return _stemmer.stemWord(word)


@lru_cache(maxsize=CACHE_SIZE)
def english_stem(word: str) -> str:
    """Return the Snowball stem of a lowercase English word, hyphenated parts stemmed apart.

    Porter2 stems ``deliveries`` to ``deliveri`` but ``delivered`` to ``deliv``: when a stem
    ends in ``i`` and dropping it leaves a word that stems further, the shorter stem is used,
    so nouns in -ery/-ary meet their verbs (``discoveries``/``discovered``) while ``armies``
    (``armi``) stays apart from ``arms`` (``arm``).
    """
    if "-" in word:
        return "-".join(english_stem(part) for part in word.split("-"))
    stem = _stem_word(word)
    if stem.endswith("i") and len(stem) > 4:
        shorter = _stem_word(stem[:-1])
        if shorter != stem[:-1]:
            return shorter
    return stem


def normalize(word: str) -> str:
    """Lowercase a word, fold ё to е and typographic hyphens and apostrophes to ASCII."""
    return word.lower().translate(_FOLD)


def _main_forms(word: str, lang: str, query: bool) -> list[tuple[str, float]]:
    if lang == "ru" and len(word) <= MAX_WORD_CHARS:
        lemmas = russian_lemmas(word)
        if not lemmas:
            return [(word, 1.0)]
        return [(lemmas[0][0], 1.0)] if query else list(lemmas)
    if lang == "en" and len(word) <= MAX_WORD_CHARS:
        return [(english_stem(word), 1.0)]
    return [(word, 1.0)]


def _parts(word: str, lang: str) -> list[str]:
    """Return the analyzed parts of a hyphenated word, for index-side part matching."""
    out = []
    for part in word.split("-"):
        part_lang = script_of(part)
        if part and part not in STOP_WORDS:
            out.append(_main_forms(part, part_lang, query=True)[0][0])
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
    forms = _main_forms(word, lang, query)
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
        for key in _compound_entity_keys(raw.lstrip(EXACT_PREFIX)):
            if key not in keys:
                keys.add(key)
                out.append((key, 1.0, lang))
    return tuple(out)


def _compound_entity_keys(raw: str) -> list[str]:
    """Return the place keys of the parts of a compound: российско-азербайджанский, U.S.-led.

    A Russian compound joins adjectives by their stem + «о» (российско-, американо-);
    that part is read as the adjective it comes from.
    """
    keys = []
    for part in raw.split("-"):
        lang = script_of(part)
        word = normalize(part)
        if not word or lang not in ("ru", "en"):
            continue
        candidates = [_main_forms(word, lang, query=True)[0][0]]
        if lang == "ru" and word.endswith("о"):
            stem = word[:-1]
            candidates.append(stem + ("ий" if stem.endswith(("ск", "цк")) else "ский"))
        for term in candidates:
            key = entity_key(term, capitalized=part[:1].isupper())
            if key:
                keys.append(key)
                break
    return keys


_SURNAME_ENDINGS = ("ов", "ев", "ин", "ян", "ын")
# Case endings of a surname the dictionary does not know (Скрипаля, Скрипалем, Скрипалей),
# longest first; what is left, without a final ь or й, is its stem.
_CASE_ENDINGS = (
    "ями",
    "ами",
    "ях",
    "ах",
    "ям",
    "ам",
    "ом",
    "ем",
    "ей",
    "а",
    "я",
    "у",
    "ю",
    "ь",
    "й",
)
MIN_STEM_CHARS = 4
_VOWELS_RU = "аеиоуыэюяё"


@lru_cache(maxsize=CACHE_SIZE)
def word_name_keys(word: str, lang: str) -> tuple[str, ...]:
    """Return every name key of a normalized name: its own, then the cross-script ones.

    An English name also carries the keys of its likely Russian renderings (Trump: Трамп,
    search.text.renderings). A Russian word the dictionary does not know also carries the key of
    its stem without the case ending, so ``Скрипаля`` and ``Скрипалей`` meet ``Скрипаль``
    and ``Skripal``.
    """
    key = word_name_key(word, lang)
    if key is None:
        return ()
    keys = [key]
    if lang == "en" and not key_is_entity(key):
        keys += [name_key(rendering) for rendering in russian_renderings(word)]
    elif lang == "ru" and (stem := _unknown_surname_stem(word)):
        keys.append(name_key(stem))
    return tuple(dict.fromkeys(k for k in keys if k))


def key_is_entity(key: str) -> bool:
    return key in entity_table().keys


def _unknown_surname_stem(word: str) -> str | None:
    """Return the stem of a Russian word the dictionary does not know, or None.

    Indeclinable names (Помпео, Гарибашвили: pymorphy3 guesses them as ``Fixd``) and
    words ending in a vowel the stem would lose (Нетаньяху) keep only their own key.
    """
    parses = _parses(word)
    if not parses or parses[0].is_known or any("Fixd" in p.tag for p in parses[:2]):
        return None
    for ending in _CASE_ENDINGS:
        stem = word.removesuffix(ending)
        if stem != word:
            stem = stem.rstrip("ьй")
            if len(stem) >= MIN_STEM_CHARS and stem[-1] not in _VOWELS_RU:
                return stem
            return None
    return None


_NAME_TAGS = ("Surn", "Name", "Patr")


@lru_cache(maxsize=CACHE_SIZE)
def word_name_key(word: str, lang: str) -> str | None:
    """Return the name key of a normalized word, the same at index and at query time.

    English keys come from the word itself, not its stem (the stem of Iskander is
    "iskand"). Russian keys come from the name reading of the word when pymorphy3 has one
    («Песков» the surname, not «песок»), else from its lemma; a plural surname-like word
    that pymorphy3 takes for a plural noun (Джафаров → «джафар») keeps its own form.
    """
    if lang in ("ru", "en") and len(word) <= MAX_WORD_CHARS:
        key = entity_key(_main_forms(word, lang, query=True)[0][0])
        if key:
            return key
    if lang == "en":
        return name_key(word.removesuffix("'s").rstrip("'"))
    if lang != "ru" or len(word) > MAX_WORD_CHARS:
        return name_key(word)
    parses = _parses(word)
    names: dict[str, float] = {}
    for parse in parses:
        if any(tag in parse.tag for tag in _NAME_TAGS) and "sing" in parse.tag:
            lemma = parse.normal_form.replace("ё", "е")
            names[lemma] = names.get(lemma, 0.0) + parse.score
    if names:
        return name_key(max(names, key=names.get))
    top = parses[0] if parses else None
    if (
        top is not None
        and "plur" in top.tag
        and (word.endswith(_SURNAME_ENDINGS) or "Name" in top.tag or not top.is_known)
    ):
        return name_key(word)
    return name_key(_main_forms(word, lang, query=True)[0][0])


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
