"""The benchmark's vocabularies: Russian and English lexemes ranked for a Zipf-like draw.

Russian lemmas come from pymorphy3's own dictionary and their word forms from its
paradigms, so the corpus carries the morphology the analyzer must undo. English words come
from a small committed list (``search/data/bench_words_en.txt``) inflected by suffix rules.
Both are mixed with function words, synthetic proper names and the defense names and model
designations real articles are full of. Everything is derived in a fixed order from fixed
seeds, so the same installed dictionary always yields the same vocabulary.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from search.text.words import morph_analyzer

RU_LEMMAS = 20_000  # Russian lemmas ranked for the Zipf draw (core list + dictionary)
VOCABULARY_SEED = 20_240_601  # fixed: the corpus seed varies the articles, not the words
ZIPF_EXPONENT = 1.0  # word frequency ~ 1 / (rank + ZIPF_SHIFT) ** ZIPF_EXPONENT
ZIPF_SHIFT = 2.7  # Zipf-Mandelbrot shift: flattens the very top ranks as in real text
HARVEST_SCAN = 400  # dictionary entries looked at per three-letter prefix
HARVEST_PER_PREFIX = 8  # lemmas kept per prefix, so the sample spreads over the alphabet
MIN_LEMMA_CHARS, MAX_LEMMA_CHARS = 4, 14
NAME_COUNT = 3000  # synthetic proper names (people, places, firms) per language
FORM_DECAY = 0.7  # weight of a lexeme's i-th form ~ FORM_DECAY ** i (+ a floor)
FORM_FLOOR = 0.05  # so that rare cases and participles still occur

# pymorphy3 grammemes that mark words an ordinary news text rarely uses as common words.
_SKIP_GRAMMEMES = frozenset(
    "Name Surn Patr Geox Orgn Trad Abbr Infr Slng Arch Litr Erro Dist Init Fixd".split()
)
_RU_POS = frozenset({"NOUN", "INFN", "ADJF"})
_RU_LETTERS = "абвгдежзийклмнопрстуфхцчшщъыьэюяё"
_RU_FIRST_LETTERS = "абвгдежзиклмнопрстуфхцчшэюя"

RU_FUNCTION_WORDS = (
    "в и на с по что не к о из за для от как это до а при но также его их ее то же уже "
    "после только все этот года более может быть было во со об под над около между"
).split()
EN_FUNCTION_WORDS = (
    "the of and to in a that for on is with as by it was said at from has its be have are "
    "will an which this were had not also but their more been after over than its into "
    "about would they new who while two he its other up one"
).split()

# (Russian, English) pairs: designations, organizations, people and places.
DEFENSE_NAMES = (
    ("С-400", "S-400"),
    ("С-300ПМУ-2", "S-300PMU-2"),
    ("С-500", "S-500"),
    ("Су-35", "Su-35"),
    ("Су-57", "Su-57"),
    ("Су-30СМ", "Su-30SM"),
    ("МиГ-29", "MiG-29"),
    ("МиГ-31", "MiG-31"),
    ("Ми-35М", "Mi-35M"),
    ("Ми-17", "Mi-17"),
    ("Ка-52", "Ka-52"),
    ("Ил-76МД", "Il-76MD"),
    ("Ту-160", "Tu-160"),
    ("Як-130", "Yak-130"),
    ("Т-90С", "T-90S"),
    ("Т-72Б3", "T-72B3"),
    ("Т-14", "T-14"),
    ("БМП-3", "BMP-3"),
    ("БТР-82А", "BTR-82A"),
    ("Искандер-М", "Iskander-M"),
    ("Панцирь-С1", "Pantsir-S1"),
    ("Тор-М2", "Tor-M2"),
    ("Бук-М3", "Buk-M3"),
    ("Калибр", "Kalibr"),
    ("Кинжал", "Kinzhal"),
    ("Армата", "Armata"),
    ("Рособоронэкспорт", "Rosoboronexport"),
    ("Ростех", "Rostec"),
    ("Алмаз-Антей", "Almaz-Antey"),
    ("Уралвагонзавод", "Uralvagonzavod"),
    ("ОДК", "UEC"),
    ("ФСВТС", "FSMTC"),
    ("НАТО", "NATO"),
    ("ОДКБ", "CSTO"),
    ("F-35", "F-35"),
    ("F-16", "F-16"),
    ("Patriot", "Patriot"),
    ("HIMARS", "HIMARS"),
    ("Bayraktar TB2", "Bayraktar TB2"),
    ("Шойгу", "Shoigu"),
    ("Путин", "Putin"),
    ("Чемезов", "Chemezov"),
    ("Михеев", "Mikheyev"),
    ("Рогозин", "Rogozin"),
    ("Герасимов", "Gerasimov"),
    ("Алиев", "Aliyev"),
    ("Москва", "Moscow"),
    ("Азербайджан", "Azerbaijan"),
    ("Индия", "India"),
    ("Турция", "Turkey"),
    ("Китай", "China"),
    ("Сирия", "Syria"),
    ("Армения", "Armenia"),
    ("Египет", "Egypt"),
    ("Алжир", "Algeria"),
    ("Вьетнам", "Vietnam"),
    ("Баку", "Baku"),
    ("Кубинка", "Kubinka"),
    ("МАКС", "MAKS"),
    ("АДЕКС-2016", "ADEX-2016"),
    ("Армия-2021", "Army-2021"),
)

# Syllables of the synthetic proper names, with a Cyrillic spelling for Russian texts.
_NAME_SYLLABLES = (
    ("ka", "ка"), ("ro", "ро"), ("vin", "вин"), ("tel", "тел"), ("mar", "мар"), ("sa", "са"),
    ("no", "но"), ("dor", "дор"), ("li", "ли"), ("bek", "бек"), ("zan", "зан"), ("ta", "та"),
    ("gor", "гор"), ("mi", "ми"), ("ras", "рас"), ("ve", "ве"), ("lan", "лан"), ("ko", "ко"),
    ("dar", "дар"), ("sel", "сел"), ("tu", "ту"), ("ban", "бан"), ("ri", "ри"), ("ol", "ол"),
    ("pet", "пет"), ("ga", "га"), ("nis", "нис"), ("bor", "бор"), ("ya", "я"), ("khan", "хан"),
    ("dim", "дим"), ("sur", "сур"), ("al", "ал"), ("mer", "мер"), ("on", "он"), ("fel", "фел"),
)  # fmt: skip


@dataclass
class Vocabulary:
    """The words of one language, ranked: ``lemmas[0]`` is the most frequent."""

    lang: str
    lemmas: list[str]
    cum_weights: list[float]  # Zipf weights over lemmas, cumulative (for random.choices)
    function_words: list[str]
    names: list[str]  # synthetic proper names
    defense_names: list[str]
    inflect: Callable[[str], list[str]] = field(repr=False)
    # Per rank, the lemma's forms as a draw table (see _draw_table); filled on first use.
    tables: list[tuple[str, ...] | None] = field(default_factory=list, repr=False)

    def __post_init__(self):
        self.tables = [None] * len(self.lemmas)

    def forms(self, rank: int) -> tuple[str, ...]:
        """Return the draw table of the lemma at a Zipf rank."""
        table = self.tables[rank]
        if table is None:
            table = self.tables[rank] = _draw_table(self.inflect(self.lemmas[rank]))
        return table


def zipf_cum_weights(n: int) -> list[float]:
    """Return cumulative Zipf-Mandelbrot weights for ranks 0..n-1."""
    return list(
        itertools.accumulate(1.0 / (rank + ZIPF_SHIFT) ** ZIPF_EXPONENT for rank in range(n))
    )


def _draw_table(forms: list[str]) -> tuple[str, ...]:
    """Repeat forms by weight so that a uniform pick favours the first (commonest) ones."""
    table = []
    for i, form in enumerate(forms):
        copies = max(1, round((FORM_DECAY**i + FORM_FLOOR) * 10))
        table.extend([form] * copies)
    return tuple(table)


def _data_words(name: str) -> dict[str, list[str]]:
    """Read a committed word list: ``[section]`` headers, words separated by blanks."""
    text = (Path(__file__).with_name("data") / name).read_text(encoding="utf-8")
    sections: dict[str, list[str]] = {"": []}
    current = ""
    seen: set[str] = set()
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections.setdefault(current, [])
            continue
        for word in line.split():
            if word not in seen:
                seen.add(word)
                sections[current].append(word)
    return sections


def _names(rng: random.Random, cyrillic: bool) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < NAME_COUNT:
        parts = rng.choices(_NAME_SYLLABLES, k=rng.randint(2, 3))
        name = "".join(part[1] if cyrillic else part[0] for part in parts).capitalize()
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


# -- Russian ------------------------------------------------------------------------------


def harvest_russian_lemmas() -> dict[str, int]:
    """Return ordinary nouns, verbs and adjectives of pymorphy3's dictionary with their
    paradigm ids, in a fixed order.

    The dictionary holds about five million forms; reading all of them takes half a minute,
    so a few lemmas are taken under every three-letter prefix instead (about four seconds).
    """
    dictionary = morph_analyzer().dictionary
    lemmas: dict[str, int] = {}
    for a in _RU_FIRST_LETTERS:
        for b, c in itertools.product(_RU_LETTERS, repeat=2):
            kept = 0
            for word, (para_id, idx) in itertools.islice(
                dictionary.words.iteritems(a + b + c), HARVEST_SCAN
            ):
                if idx != 0 or not MIN_LEMMA_CHARS <= len(word) <= MAX_LEMMA_CHARS:
                    continue
                if not word.isalpha():
                    continue
                tag = dictionary.build_tag_info(para_id, 0)
                if tag.POS not in _RU_POS or _SKIP_GRAMMEMES & tag.grammemes:
                    continue
                lemmas.setdefault(word, para_id)
                kept += 1
                if kept >= HARVEST_PER_PREFIX:
                    break
    return lemmas


def paradigm_forms(lemma: str, para_id: int) -> list[str]:
    """Return the distinct word forms of a lemma from its pymorphy3 paradigm.

    This is what ``Parse.lexeme`` computes, read straight from the paradigm tables: without
    building a tag per form it is about five times faster.
    """
    dictionary = morph_analyzer().dictionary
    paradigm = dictionary.paradigms[para_id]
    n = len(paradigm) // 3
    prefixes, suffixes = dictionary.paradigm_prefixes, dictionary.suffixes
    prefix, suffix = prefixes[paradigm[2 * n]], suffixes[paradigm[0]]
    stem = lemma[len(prefix) : len(lemma) - len(suffix)]
    forms = (prefixes[paradigm[2 * n + i]] + stem + suffixes[paradigm[i]] for i in range(n))
    return list(dict.fromkeys(forms))


def russian_forms(lemma: str) -> list[str]:
    """Return the distinct word forms of a Russian lemma, from pymorphy3's paradigm."""
    parses = morph_analyzer().parse(lemma)
    best = next((p for p in parses if p.normal_form == lemma), parses[0])
    return list(dict.fromkeys(form.word for form in best.lexeme)) or [lemma]


@cache  # the draw tables it fills are the same for every corpus: share them
def russian_vocabulary() -> Vocabulary:
    """Return the Russian vocabulary: core news lemmas first, then the dictionary sample."""
    rng = random.Random(VOCABULARY_SEED)
    core = _data_words("bench_words_ru.txt")[""]
    paradigms = harvest_russian_lemmas()
    in_core = set(core)
    sample = [w for w in paradigms if w not in in_core]
    rng.shuffle(sample)
    lemmas = (core + sample)[:RU_LEMMAS]

    def inflect(lemma: str) -> list[str]:
        if lemma in paradigms:
            return paradigm_forms(lemma, paradigms[lemma])
        return russian_forms(lemma)

    return Vocabulary(
        lang="ru",
        lemmas=lemmas,
        cum_weights=zipf_cum_weights(len(lemmas)),
        function_words=RU_FUNCTION_WORDS,
        names=_names(random.Random(VOCABULARY_SEED + 1), cyrillic=True),
        defense_names=[ru for ru, _ in DEFENSE_NAMES],
        inflect=inflect,
    )


# -- English ------------------------------------------------------------------------------


def _plural(noun: str) -> str:
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def _verb_forms(verb: str) -> list[str]:
    if verb.endswith("e"):
        return [verb, verb + "s", verb + "d", verb[:-1] + "ing"]
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return [verb, verb[:-1] + "ies", verb[:-1] + "ied", verb + "ing"]
    third = verb + "es" if verb.endswith(("s", "x", "ch", "sh")) else verb + "s"
    return [verb, third, verb + "ed", verb + "ing"]


def english_forms(word: str, pos: str) -> list[str]:
    """Return a base word with its regular inflections (the rules are simple, not exact)."""
    if pos == "noun":
        return [word, _plural(word)]
    if pos == "verb":
        return _verb_forms(word)
    if pos == "adjective" and word.endswith(("al", "ive", "ful", "ous", "ent", "ant", "ar")):
        return [word, word + "ly"]
    return [word]


@cache
def english_vocabulary() -> Vocabulary:
    """Return the English vocabulary: the committed list, interleaved by part of speech."""
    sections = _data_words("bench_words_en.txt")
    pos_of: dict[str, str] = {}
    ordered: list[str] = []
    # Interleave the sections so every part of speech has frequent and rare members.
    for group in itertools.zip_longest(*(sections[name] for name in sections if name)):
        for pos, word in zip((name for name in sections if name), group, strict=True):
            if word is not None and word not in pos_of:
                pos_of[word] = pos
                ordered.append(word)
    return Vocabulary(
        lang="en",
        lemmas=ordered,
        cum_weights=zipf_cum_weights(len(ordered)),
        function_words=EN_FUNCTION_WORDS,
        names=_names(random.Random(VOCABULARY_SEED + 2), cyrillic=False),
        defense_names=[en for _, en in DEFENSE_NAMES],
        inflect=lambda word: english_forms(word, pos_of[word]),
    )
