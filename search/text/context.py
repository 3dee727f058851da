"""Ambiguous Russian forms read in context: the word before settles the lemma.

``стали`` is the verb «стать» by pymorphy3's prior (0.975) and the noun «сталь» only a
little, so an article about armour steel (``выпуск броневой стали``, ``из новой стали``)
weighed «сталь» at 0.025 a mention. The neighbours often decide:

* an adjective or participle just before that agrees with one reading in case, number and
  (in the singular) gender: ``броневой стали``, ``военные суда`` (судно, not суд);
* a preposition just before that governs the case of only one reading: ``из стали``,
  ``о вести``;
* a noun just before that can only be a singular head (``выпуск стали``, ``качество
  стали``): a plural verb cannot have it as subject, so the genitive noun is meant;
* an infinitive just after a form that may be a verb: ``стали обсуждать`` (стать);
* a plural verb just after: only a reading in the nominative plural can be its subject
  (``суда сели на мель``: судно, not суд).

When exactly one lemma fits, the indexer keeps that lemma at full weight and drops the
others; when the context says nothing (or fits several), the prior weighting stays.
Only index-side: in a query a word stands for its most likely lemma, as before.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

# Cases each preposition governs (pymorphy3 case tags); loc2/gen2 count as loct/gent.
GOVERNS = {
    "без": {"gent"},
    "для": {"gent"},
    "до": {"gent"},
    "из": {"gent"},
    "от": {"gent"},
    "у": {"gent"},
    "около": {"gent"},
    "после": {"gent"},
    "против": {"gent"},
    "вместо": {"gent"},
    "вокруг": {"gent"},
    "к": {"datv"},
    "ко": {"datv"},
    "благодаря": {"datv"},
    "через": {"accs"},
    "про": {"accs"},
    "сквозь": {"accs"},
    "над": {"ablt"},
    "перед": {"ablt"},
    "между": {"ablt"},
    "при": {"loct"},
    "о": {"loct", "accs"},
    "об": {"loct", "accs"},
    "в": {"accs", "loct"},
    "во": {"accs", "loct"},
    "на": {"accs", "loct"},
    "с": {"gent", "ablt", "accs"},
    "со": {"gent", "ablt", "accs"},
    "из-за": {"gent"},
    "под": {"ablt", "accs"},
    "за": {"ablt", "accs"},
    "по": {"datv", "accs", "loct"},
}
_CASE_ALIASES = {"loc2": "loct", "gen2": "gent", "gen1": "gent", "acc2": "accs", "voct": "nomn"}
_AGREEING = ("ADJF", "PRTF")  # words that agree with the noun after them
_DECLINED = ("NOUN", "ADJF", "PRTF", "NPRO")  # readings that have a case
MIN_PARSE_SCORE = 0.001  # readings less likely than this are not considered
MIN_SHARE = 0.2  # a neighbour counts as an adjective, verb … if this much of it reads so
READINGS_CACHE_SIZE = 50_000  # words whose readings are kept, per process


class Reading(NamedTuple):
    """What the rules need of one pymorphy3 parse, kept small enough to cache per word."""

    pos: str | None
    case: str | None
    number: str | None
    gender: str | None  # in the singular only
    common: bool  # a noun of common gender (ms-f) agrees with either
    lemma: str
    score: float


@lru_cache(maxsize=READINGS_CACHE_SIZE)
def _readings(word: str) -> tuple[Reading, ...]:
    """Return a word's likely readings. Cached here, not its parses: a text's neighbouring
    words are the whole vocabulary, and a parse list costs ten times as much to keep."""
    from search.text.words import word_parses

    out = []
    for p in word_parses(word):
        if p.score < MIN_PARSE_SCORE:
            continue
        tag = p.tag
        case = _CASE_ALIASES.get(tag.case, tag.case)
        gender = tag.gender if tag.number == "sing" else None
        lemma = p.normal_form.replace("ё", "е")
        out.append(Reading(tag.POS, case, tag.number, gender, "ms-f" in tag, lemma, p.score))
    return tuple(out)


@lru_cache(maxsize=50_000)
def is_ambiguous(word: str) -> bool:
    """Return whether a lowercase Russian word form has readings of more than one lemma."""
    from search.text.words import russian_lemmas

    return len(russian_lemmas(word)) > 1


@lru_cache(maxsize=50_000)
def settled_lemma(before: str | None, word: str, after: str | None) -> str | None:
    """Return the one lemma of an ambiguous word its neighbours leave, or None.

    ``before`` and ``after`` are the lowercase words next to it in the same clause (None at
    a punctuation mark or the text's edge).
    """
    readings = _readings(word)
    fits: set[str] | None = None
    if before is not None:
        fits = _fits_after(before, readings)
    if fits is None and after is not None:
        fits = _fits_before(after, readings)
    if fits is not None and len(fits) == 1:
        return next(iter(fits))
    return None


def _fits_after(before: str, readings: tuple) -> set[str] | None:
    """Return the lemmas the word before allows, or None if it says nothing."""
    if before in GOVERNS:
        cases = GOVERNS[before]
        return {r.lemma for r in readings if r.pos in _DECLINED and r.case in cases}
    previous = _readings(before)
    if _share(previous, lambda r: r.pos in _AGREEING) < MIN_SHARE:
        # (броневой is read as a surname first, as an adjective half the time)
        return _fits_after_head_noun(previous, readings)
    forms = {(r.case, r.number, r.gender) for r in previous if r.pos in _AGREEING}
    out = set()
    for r in readings:
        if r.pos != "NOUN":
            continue
        if (r.case, r.number, r.gender) in forms or (
            r.common and any(f[:2] == (r.case, r.number) for f in forms)
        ):
            out.add(r.lemma)
    return out


def _share(readings: tuple, test) -> float:
    return sum(r.score for r in readings if test(r))


def _fits_after_head_noun(previous: tuple, readings: tuple) -> set[str] | None:
    """Return the genitive noun lemmas after a singular head noun, or None.

    ``выпуск стали``: «выпуск» is only singular, so the plural past «стали» cannot be its
    verb. Said only when the word before reads as a noun in the nominative or accusative
    singular and never as a plural nominative, and the word has a verb reading to rule out.
    """
    if not previous or any(r.pos != "NOUN" for r in previous):
        return None
    if any(r.number == "plur" and r.case == "nomn" for r in previous):
        return None
    if not any(r.case in ("nomn", "accs") for r in previous):
        return None
    if not any(r.pos == "VERB" and r.number == "plur" for r in readings):
        return None
    return {r.lemma for r in readings if r.pos == "NOUN" and r.case == "gent"}


def _fits_before(after: str, readings: tuple) -> set[str] | None:
    """Return the lemmas the word after allows: a verb before an infinitive (стали
    обсуждать), a nominative plural before a plural verb (суда сели), or None."""
    following = _readings(after)
    if _share(following, lambda r: r.pos == "INFN") >= MIN_SHARE:
        return {r.lemma for r in readings if r.pos == "VERB"} or None
    if _share(following, lambda r: r.pos == "VERB" and r.number == "plur") >= MIN_SHARE:
        subjects = {
            r.lemma for r in readings if r.pos == "NOUN" and r.number == "plur" and r.case == "nomn"
        }
        return subjects or None
    return None
