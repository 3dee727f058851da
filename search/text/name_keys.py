"""The name keys of a word as the analyzer emits them (``~`` terms): a name's own key,
its Russian renderings, an unknown surname's stem, the keys of a compound's places.

The keys themselves are search.text.names' (spelling) and search.text.entities' (places
and bodies); this module decides which a word carries, the same at index and query time.
"""

from __future__ import annotations

from functools import lru_cache

from search.text.entities import entity_key, entity_table
from search.text.names import name_key
from search.text.renderings import russian_renderings
from search.text.words import (
    CACHE_SIZE,
    MAX_WORD_CHARS,
    main_forms,
    normalize,
    script_of,
    word_parses,
)


def compound_entity_keys(raw: str) -> list[str]:
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
        candidates = [main_forms(word, lang, query=True)[0][0]]
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
    parses = word_parses(word)
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
        key = entity_key(main_forms(word, lang, query=True)[0][0])
        if key:
            return key
    if lang == "en":
        return name_key(word.removesuffix("'s").rstrip("'"))
    if lang != "ru" or len(word) > MAX_WORD_CHARS:
        return name_key(word)
    parses = word_parses(word)
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
    return name_key(main_forms(word, lang, query=True)[0][0])
