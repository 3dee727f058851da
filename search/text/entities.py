"""Places, organisations and named systems: one key for every name of one thing, both languages.

``Russia``, ``Russian``, ``России`` and ``российского`` all carry the key ``~russia``;
``Польша`` and ``Poland`` carry ``~poland``; ``НАТО`` and ``NATO`` carry ``~nato``. A
transliteration key cannot link these (Russia/Rossiya, Germany/Германия/немецкий), so the
names come from tables:

* country names in both languages from CLDR, through Babel (``Locale.territories``);
* city names from CLDR's time-zone exemplar cities (Москва/Moscow, Киев/Kyiv …);
* ``data/entities.tsv``: what CLDR lacks — adjectives and demonyms (российский, Polish),
  short forms (США, UK), alliances and bodies (NATO/НАТО, OSCE/ОБСЕ, Pentagon/Пентагон) and
  named projects and systems (Nord Stream/Северный поток, Iskander/Искандер).

Every name goes through the same analysis as the text (search.text.analysis), so any inflection
of it finds the key. A name of several words (Соединенные Штаты, Nord Stream) is a phrase:
the indexer stacks its key on the phrase's last word. The key lives beside the name keys
(same ``~`` prefix), so the searcher adds it to a query word with the lower name weight and
the spelling typed ranks first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from search.config import DATA_DIR
from search.text.names import NAME_PREFIX, skeleton

ENTITY_FILE = DATA_DIR / "entities.tsv"
# CLDR region codes worth a key besides the two-letter countries; "001" (World, Russian
# «Мир» = also "peace") and the unknown region are left out on purpose.
REGION_CODES = ("002", "009", "019", "142", "150")
SKIP_TERRITORIES = frozenset({"ZZ", "QO", "EZ", "UN", "EU"})  # the file names these
# Time zones whose exemplar city is a city people write about; Antarctic stations, "Etc/"
# zones and the county seats of America/Indiana/... (three-part ids) are left out.
CITY_ZONE_AREAS = ("Europe", "Asia", "Africa", "America", "Australia", "Pacific", "Atlantic")
# pymorphy3 tags that mark a one-word Russian name as a proper name: a CLDR name the
# dictionary reads as a common word (Того = «тот», Чад = «чад») would key every such word.
PROPER_TAGS = ("Geox", "Orgn", "Abbr", "Name", "Surn", "Fixd")
_PARENS_RE = re.compile(r"\(.*?\)|\bо-в[а]?\b")

Phrase = tuple[str, ...]


@dataclass
class EntityTable:
    """Analyzed names -> key, for one-word names and for phrases."""

    words: dict[str, str] = field(default_factory=dict)
    lowercase: set[str] = field(default_factory=set)  # carry the key also without a capital
    phrases: dict[Phrase, str] = field(default_factory=dict)
    by_last: dict[str, list[tuple[Phrase, str]]] = field(default_factory=dict)
    forms: dict[str, set[str]] = field(default_factory=dict)  # key -> its one-word names
    phrase_words: dict[str, frozenset[str]] = field(default_factory=dict)  # key -> words
    keys: set[str] = field(default_factory=set)  # every key in the table
    places: set[str] = field(default_factory=set)  # keys of countries, regions and cities

    def add(self, key: str, name: str, trusted: bool) -> None:
        """Register one written name of the thing with this key (first come, first kept)."""
        from search.text.words import script_of

        name = _PARENS_RE.sub(" ", name).strip()
        words = _analyzed(name)
        if not words:
            return
        self.keys.add(key)
        if len(words) > 1:
            if words not in self.phrases:
                self.phrases[words] = key
                self.by_last.setdefault(words[-1], []).append((words, key))
                self.phrase_words[key] = self.phrase_words.get(key, frozenset()) | set(words)
            return
        term = words[0]
        if not trusted and not _proper_name(name, script_of(name.lower())):
            return
        if term not in self.words:
            self.words[term] = key
            self.forms.setdefault(key, set()).add(term)
            if name[:1].islower():
                self.lowercase.add(term)


def _analyzed(name: str) -> Phrase:
    from search.text.analysis import word_terms
    from search.text.words import WORD_RE

    out = []
    for word in WORD_RE.finditer(name):
        stacked = word_terms(word.group(), True)
        if stacked:
            out.append(stacked[0][0])
    return tuple(out)


def _proper_name(name: str, lang: str) -> bool:
    """Return whether a one-word CLDR name is safe to key: not a common word's form."""
    from search.text.words import STOP_WORDS, word_parses

    word = name.lower()
    if word in STOP_WORDS or len(word) < 3:
        return False
    if lang != "ru":
        return True
    parses = word_parses(word)
    top = parses[0] if parses else None
    return top is None or not top.is_known or any(tag in top.tag for tag in PROPER_TAGS)


def entity_key_of(name: str) -> str:
    """Return the key of a thing from its English name: ``United States`` -> ``~united-states``."""
    return NAME_PREFIX + skeleton(name.lower().replace(" ", "-"))


_table: EntityTable | None = None  # the process's table: built, or installed from a record


def entity_table() -> EntityTable:
    """Return the table: built from CLDR (Babel) and data/entities.tsv once per process,
    unless a record of it was installed (install_table) before."""
    global _table
    if _table is None:
        _table = _build_table()
    return _table


def table_built() -> bool:
    """Whether this process holds the table (built or installed)."""
    return _table is not None


def table_record() -> dict:
    """Return the table as JSON-able lists (search.entity_cache stores it)."""
    table = entity_table()
    return {
        "words": table.words,
        "lowercase": sorted(table.lowercase),
        "phrases": [[list(words), key] for words, key in table.phrases.items()],
        "forms": {key: sorted(forms) for key, forms in table.forms.items()},
        "keys": sorted(table.keys),
        "places": sorted(table.places),
    }


def install_table(record: dict) -> None:
    """Use a table_record() of this version instead of building the table; raise
    ValueError, KeyError or TypeError when it is not one."""
    global _table
    phrases = {tuple(map(str, words)): str(key) for words, key in record["phrases"]}
    table = EntityTable(
        words={str(term): str(key) for term, key in record["words"].items()},
        lowercase=set(map(str, record["lowercase"])),
        forms={str(key): set(map(str, forms)) for key, forms in record["forms"].items()},
        keys=set(map(str, record["keys"])),
        places=set(map(str, record["places"])),
    )
    for words, key in phrases.items():  # in the order add() registered them
        if not words:
            raise ValueError("a phrase of no words")
        table.phrases[words] = key
        table.by_last.setdefault(words[-1], []).append((words, key))
        table.phrase_words[key] = table.phrase_words.get(key, frozenset()) | set(words)
    if _table is None:
        _table = table


def _build_table() -> EntityTable:
    from babel import Locale

    english, russian = Locale("en"), Locale("ru")
    table = EntityTable()
    rows = _file_rows()
    codes = [code for code in english.territories if len(code) == 2 and code.isalpha()]
    for code in (*codes, *REGION_CODES):
        if code in SKIP_TERRITORIES:
            continue
        key = entity_key_of(english.territories[code])
        table.places.add(key)
        en_extra, ru_extra = rows.pop(code, ((), ()))
        for name in (english.territories[code], *en_extra):
            table.add(key, name, trusted=name in en_extra)
        for name in (russian.territories.get(code, ""), *ru_extra):
            table.add(key, name, trusted=name in ru_extra)
    for zone, names in russian.time_zones.items():
        area, _, city = zone.partition("/")
        if area not in CITY_ZONE_AREAS or "/" in city or "city" not in names:
            continue
        english_city = english.time_zones.get(zone, {}).get("city") or city.replace("_", " ")
        key = entity_key_of(english_city)
        table.places.add(key)
        table.add(key, english_city, trusted=False)
        table.add(key, names["city"], trusted=False)
    for first, (en_names, ru_names) in rows.items():
        key = entity_key_of(en_names[0] if en_names else first)
        for name in (*en_names, *ru_names):
            table.add(key, name, trusted=True)
    return table


def _file_rows() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Return KEY -> (English names, Russian names) from data/entities.tsv, in file order."""
    rows = {}
    for line in ENTITY_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, en_side, ru_side = (line.split("\t") + ["", ""])[:3]
        rows[key.strip()] = (_names(en_side), _names(ru_side))
    return rows


def _names(side: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in side.split(";") if name.strip())


def entity_key(term: str, capitalized: bool = True) -> str | None:
    """Return the key of an analyzed one-word name, or None.

    A name written in lowercase in the table (российский) counts in any case; the others
    only when the word has a capital, so ``калибр`` and ``бук`` stay common words.
    """
    table = entity_table()
    key = table.words.get(term)
    if key is None or not (capitalized or term in table.lowercase):
        return None
    return key


def phrase_key(words: Phrase) -> str | None:
    """Return the key of a name of several analyzed words (``("северный", "поток")``)."""
    return entity_table().phrases.get(tuple(words))


def is_place(key: str) -> bool:
    """Return whether a key names a country, region or city (not a body or a system)."""
    return key in entity_table().places


@cache
def longest_phrase() -> int:
    """Return the most words a name of several words has (the table is built once)."""
    return max((len(words) for words in entity_table().phrases), default=1)


def key_prefixes(keys, chars: int) -> set[str]:
    """Return the first letters of every one-word name of these keys (snippet candidates)."""
    forms = entity_table().forms
    return {form[:chars] for key in keys for form in forms.get(key, ())}


def phrase_words(keys) -> frozenset[str]:
    """Return the analyzed words of the names of several words these keys have."""
    table = entity_table().phrase_words
    return frozenset().union(*(table.get(key, ()) for key in keys))
