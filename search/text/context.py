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


def _case(tag) -> str | None:
    case = tag.case
    return _CASE_ALIASES.get(case, case)


def _readings(word: str) -> list:
    from search.text.words import word_parses

    return [p for p in word_parses(word) if p.score >= MIN_PARSE_SCORE]


def _lemma(parse) -> str:
    return parse.normal_form.replace("ё", "е")


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


def _fits_after(before: str, readings: list) -> set[str] | None:
    """Return the lemmas the word before allows, or None if it says nothing."""
    if before in GOVERNS:
        cases = GOVERNS[before]
        return {_lemma(p) for p in readings if p.tag.POS in _DECLINED and _case(p.tag) in cases}
    previous = _readings(before)
    if _share(previous, lambda tag: tag.POS in _AGREEING) < MIN_SHARE:
        # (броневой is read as a surname first, as an adjective half the time)
        return _fits_after_head_noun(previous, readings)
    forms = {
        (_case(p.tag), p.tag.number, p.tag.gender if p.tag.number == "sing" else None)
        for p in previous
        if p.tag.POS in _AGREEING
    }
    out = set()
    for p in readings:
        if p.tag.POS != "NOUN":
            continue
        gender = p.tag.gender if p.tag.number == "sing" else None
        common = "ms-f" in p.tag  # a noun of common gender agrees with either
        if (_case(p.tag), p.tag.number, gender) in forms or (
            common and any(f[:2] == (_case(p.tag), p.tag.number) for f in forms)
        ):
            out.add(_lemma(p))
    return out


def _share(readings: list, test) -> float:
    return sum(p.score for p in readings if test(p.tag))


def _fits_after_head_noun(previous: list, readings: list) -> set[str] | None:
    """Return the genitive noun lemmas after a singular head noun, or None.

    ``выпуск стали``: «выпуск» is only singular, so the plural past «стали» cannot be its
    verb. Said only when the word before reads as a noun in the nominative or accusative
    singular and never as a plural nominative, and the word has a verb reading to rule out.
    """
    if not previous or any(p.tag.POS != "NOUN" for p in previous):
        return None
    if any(p.tag.number == "plur" and _case(p.tag) == "nomn" for p in previous):
        return None
    if not any(_case(p.tag) in ("nomn", "accs") for p in previous):
        return None
    if not any(p.tag.POS == "VERB" and p.tag.number == "plur" for p in readings):
        return None
    return {_lemma(p) for p in readings if p.tag.POS == "NOUN" and _case(p.tag) == "gent"}


def _fits_before(after: str, readings: list) -> set[str] | None:
    """Return the lemmas the word after allows: a verb before an infinitive (стали
    обсуждать), a nominative plural before a plural verb (суда сели), or None."""
    following = _readings(after)
    if _share(following, lambda tag: tag.POS == "INFN") >= MIN_SHARE:
        return {_lemma(p) for p in readings if p.tag.POS == "VERB"} or None
    if _share(following, lambda tag: tag.POS == "VERB" and tag.number == "plur") >= MIN_SHARE:
        subjects = {
            _lemma(p)
            for p in readings
            if p.tag.POS == "NOUN" and p.tag.number == "plur" and _case(p.tag) == "nomn"
        }
        return subjects or None
    return None
