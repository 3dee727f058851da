"""One word's forms: its script, its normal spelling, its Russian lemmas or English stem,
and the stop words; the pieces search.text.analysis builds index terms from."""

from __future__ import annotations

import re
from functools import lru_cache

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
def word_parses(word: str) -> tuple:
    """Return pymorphy3's parses of a word; lemmas and name readings share them."""
    return tuple(morph_analyzer().parse(word))


@lru_cache(maxsize=CACHE_SIZE)
def russian_lemmas(word: str) -> tuple[tuple[str, float], ...]:
    """Return the lemmas of a lowercase Russian word with their probabilities, best first."""
    scores: dict[str, float] = {}
    for parse in word_parses(word):
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


def main_forms(word: str, lang: str, query: bool) -> list[tuple[str, float]]:
    if lang == "ru" and len(word) <= MAX_WORD_CHARS:
        lemmas = russian_lemmas(word)
        if not lemmas:
            return [(word, 1.0)]
        return [(lemmas[0][0], 1.0)] if query else list(lemmas)
    if lang == "en" and len(word) <= MAX_WORD_CHARS:
        return [(english_stem(word), 1.0)]
    return [(word, 1.0)]
