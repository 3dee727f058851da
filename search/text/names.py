"""Name keys: one spelling-independent key for a name in either script.

``Шойгу``, ``Shoigu`` and ``Shoygu`` all get the key ``shoigu``: Cyrillic is romanized
with iuliia's WIKIPEDIA scheme (it scored best on real name pairs), then both scripts are
folded to a skeleton that drops the differences romanizations disagree on. Exonyms that no
scheme derives (Гасанов ↔ Hasanov, Ростех ↔ Rostec) come from a small alias table,
``data/name_aliases.tsv``.

The analyzer stacks ``~key`` beside capitalized words and designations at index time; the
searcher adds ``~key`` to each query word with a lower weight, so exact spellings rank first.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from search.config import DATA_DIR

NAME_PREFIX = "~"
ALIAS_FILE = DATA_DIR / "name_aliases.tsv"
MIN_KEY_CHARS = 3  # shorter keys (ап, ми) collide with everything

# Applied in order. Romanizations differ on these: х = kh/h, кс = ks/x, щ = shch/sh,
# дж = dzh/j, й/ы/ь = y/i/'', and e/ye/ie after a vowel (Sergeev/Sergeyev, Aliev/Aliyev).
_FOLDS = (
    ("shch", "sh"),
    ("dzh", "j"),
    ("kh", "h"),
    ("ks", "x"),
    ("'", ""),
)
_Y_BETWEEN_VOWELS = re.compile(r"(?<=[aeiou])[yj](?=[aeiou])")
_DOUBLE = re.compile(r"([a-z])\1+")


def _translit(word: str) -> str:
    import iuliia

    return iuliia.WIKIPEDIA.translate(word)


def skeleton(word: str) -> str:
    """Fold a lowercase word in either script to its spelling-independent skeleton."""
    if any("\u0400" <= ch <= "\u04ff" for ch in word):
        word = _translit(word).lower()
    word = unicodedata.normalize("NFKD", word)
    word = "".join(ch for ch in word if not unicodedata.combining(ch))
    for old, new in _FOLDS:
        word = word.replace(old, new)
    word = _Y_BETWEEN_VOWELS.sub("", word)
    word = word.replace("y", "i").replace("j", "i")
    return _DOUBLE.sub(r"\1", word)


@cache
def _aliases() -> dict[str, str]:
    """Return skeleton -> skeleton for exonyms, read from the alias table."""
    aliases = {}
    for line in ALIAS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        names = [skeleton(name.strip().lower()) for name in line.split("\t") if name.strip()]
        for name in names[1:]:
            aliases[name] = names[0]
    return aliases


@lru_cache(maxsize=200_000)
def name_key(term: str) -> str | None:
    """Return the name key of an analyzed term (lemma, stem or designation), or None."""
    if not term or term[0] in "=~" or term.isdigit():
        return None
    key = skeleton(term)
    key = _aliases().get(key, key)
    if len(key) < MIN_KEY_CHARS:
        return None
    return NAME_PREFIX + key


def key_initials(keys) -> frozenset[str]:
    """Return the lowercase letters a word can start with and still get one of these keys.

    Snippets use it to look only at the capitalized words that may carry a searched name.
    """
    table = _initials_table()
    return frozenset().union(*(table.get(key[1:2], ()) for key in keys if key[:1] == NAME_PREFIX))


@cache
def _initials_table() -> dict[str, frozenset[str]]:
    """Map a key's first letter to the first letters of the words that fold to it."""
    table: dict[str, set[str]] = {}
    letters = [chr(c) for c in (*range(0x61, 0x7B), *range(0xDF, 0x250), *range(0x430, 0x460))]
    for letter in letters:
        if letter.isalpha() and letter.islower():
            initial = skeleton(letter + "a")[:1]
            table.setdefault(initial, set()).add(letter)
    # Folds of two letters change the initial: dzh -> j -> i, kh -> h, ks -> x.
    for initial, extra in (("i", "dд"), ("h", "kк"), ("x", "kк")):
        table.setdefault(initial, set()).update(extra)
    # An alias (Гасанов -> hasanov) gives its key to words starting like the other spelling.
    by_letter = {initial: frozenset(found) for initial, found in table.items()}
    for spelling, key in _aliases().items():
        table.setdefault(key[:1], set()).update(by_letter.get(spelling[:1], ()))
    return {initial: frozenset(found) for initial, found in table.items()}
