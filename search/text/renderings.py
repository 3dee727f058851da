"""How English names are written in Russian: Trump → Трамп, Johnson → Джонсон, Biden → Байден.

Russian renders an English name by its sound (practical transcription), not its letters:
``j`` → ``дж``, ``w`` → ``у``, ``th`` → ``т``, ``-son`` → ``-сон``, a ``u`` in a closed
syllable → ``а``, a vowel in an open first syllable as the letter's name (``i`` → ``ай``,
``a`` → ``эй``). Romanizing the Cyrillic cannot meet the English spelling (Tramp,
Dzhonson); rendering the English name into Cyrillic can. Where the sound is ambiguous
both readings are kept (at most four renderings a word: the first vowel as written or
as its name, the other vowels as written or as English says them), and each becomes a name key
beside the word's own: the index then holds the Russian spelling's key for the English
word, and a Russian query meets it.
"""

from __future__ import annotations

import re
from functools import lru_cache

MAX_RENDERINGS = 4
_VOWELS = "aeiouy"
# Letter groups first, then single letters; the order matters (tch before ch).
_GROUPS = (
    ("tch", "ч"),
    ("sch", "ш"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("th", "т"),
    ("ph", "ф"),
    ("ck", "к"),
    ("kh", "х"),
    ("zh", "ж"),
    ("qu", "кв"),
    ("wh", "у"),
    ("dg", "дж"),
    ("gh", ""),
    ("ee", "и"),
    ("ea", "и"),
    ("oo", "у"),
    ("ou", "у"),
    ("aw", "о"),
    ("au", "о"),
    ("ay", "эй"),
    ("ai", "эй"),
    ("ey", "эй"),
    ("oy", "ой"),
)
# The groups by their first letter, in the order above: a position tries only its own.
_GROUPS_BY_FIRST: dict[str, tuple[tuple[str, str], ...]] = {}
for _group in _GROUPS:
    _GROUPS_BY_FIRST[_group[0][0]] = (*_GROUPS_BY_FIRST.get(_group[0][0], ()), _group)
_LETTERS = dict(
    zip(
        "abdefgiklmnopqrstvxz",
        (
            "а",
            "б",
            "д",
            "е",
            "ф",
            "г",
            "и",
            "к",
            "л",
            "м",
            "н",
            "о",
            "п",
            "к",
            "р",
            "с",
            "т",
            "в",
            "кс",
            "з",
        ),
        strict=True,
    )
)
# A vowel's "name" when its syllable is open (Biden, Cameron's «кэ» stays, James).
_OPEN = {"a": "эй", "i": "ай", "e": "и", "o": "о", "u": "ю"}
_WORD_RE = re.compile(r"^[a-z]+$")
MIN_CHARS = 3


def _is_vowel(word: str, i: int) -> bool:
    return 0 <= i < len(word) and word[i] in _VOWELS


def _render(word: str, open_first: bool, english: bool) -> str:
    out = []
    i = 0
    first_vowel = next((k for k, ch in enumerate(word) if ch in "aeiou"), -1)
    while i < len(word):
        if word.endswith("son", i) and i + 3 == len(word):
            out.append("сон")
            break
        if word.endswith("ey", i) and i + 2 == len(word):
            out.append("и")
            break
        if word.startswith("ow", i):
            out.append("ау" if english else "оу")  # Brown: Браун
            i += 2
            continue
        for group, sound in _GROUPS_BY_FIRST.get(word[i], ()):
            if word.startswith(group, i):
                out.append(sound)
                i += len(group)
                break
        else:
            ch = word[i]
            nxt = word[i + 1 : i + 2]
            if ch == "e" and _silent_e(word, i):
                pass  # a final silent e (Mike, James)
            elif ch == "j":
                out.append("дж")
            elif ch == "w":
                out.append("у")
            elif ch == "c":
                out.append("с" if nxt in ("e", "i", "y") else "к")
            elif ch == "h":
                out.append(
                    "х" if i == 0 or _is_vowel(word, i - 1) and _is_vowel(word, i + 1) else ""
                )
            elif ch == "y":
                out.append("й" if i == 0 or _is_vowel(word, i + 1) else "и")
            elif ch in _OPEN and i == first_vowel and open_first and _open_syllable(word, i):
                out.append(_OPEN[ch])
            elif ch == "u" and english and not _is_vowel(word, i + 1):
                out.append("а")  # Trump: Трамп
            elif ch == "u":
                out.append("у")
            elif ch in "ae" and i == 0:
                out.append("э")
            elif ch == "a" and english and i + 1 < len(word) and not _is_vowel(word, i + 1):
                out.append("э")  # Jackson, Cameron: Джексон, Кэмерон
            elif ch == "s" and english and _is_vowel(word, i - 1) and _is_vowel(word, i + 1):
                out.append("з")  # Theresa: Тереза
            else:
                out.append(_LETTERS.get(ch, ch))
            i += 1
    return "".join(out)


def _silent_e(word: str, i: int) -> bool:
    """Return whether the e at i is silent: final (Mike), or before a final s (James)."""
    end = len(word) - 1
    if i == end:
        return i > 1
    return i == end - 1 and word[end] == "s" and not _is_vowel(word, i - 1) and i > 2


def _open_syllable(word: str, i: int) -> bool:
    """Return whether the vowel at i is followed by one consonant and then a vowel."""
    return (
        i + 2 < len(word)
        and word[i + 1] not in _VOWELS
        and word[i + 1] not in "rwx"
        and _is_vowel(word, i + 2)
    )


@lru_cache(maxsize=50_000)
def russian_renderings(word: str) -> tuple[str, ...]:
    """Return the likely Russian spellings of a lowercase English name, most literal first."""
    if len(word) < MIN_CHARS or not _WORD_RE.match(word):
        return ()
    out: list[str] = []
    for open_first in (False, True):
        for english in (False, True):
            rendering = _render(word, open_first, english)
            if rendering not in out:
                out.append(rendering)
    return tuple(out[:MAX_RENDERINGS])
