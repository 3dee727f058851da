"""The bilingual glossary of defense terms used to search both languages at once.

``data/glossary.tsv`` holds one concept a line: English terms, a tab, Russian terms, each
side separated by ``;`` (``arms; weapons<TAB>оружие; вооружение``). Terms are analyzed like
queries, so any inflection of an entry matches it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from search.config import DATA_DIR
from search.text.analysis import analyze

GLOSSARY_FILE = DATA_DIR / "glossary.tsv"

Phrase = tuple[str, ...]  # analyzed terms of one glossary entry


def _terms(text: str) -> Phrase:
    return tuple(term.text for term in analyze(text, mode="query"))


@cache
def load_glossary(path: Path = GLOSSARY_FILE) -> dict[Phrase, tuple[Phrase, ...]]:
    """Return analyzed phrase -> every other phrase of the same concept, both languages."""
    mapping: dict[Phrase, set[Phrase]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or "\t" not in line:
            continue
        phrases = {
            _terms(term) for side in line.split("\t") for term in side.split(";") if term.strip()
        }
        phrases.discard(())
        for phrase in phrases:
            mapping.setdefault(phrase, set()).update(phrases - {phrase})
    return {phrase: tuple(sorted(others)) for phrase, others in mapping.items()}


def longest_phrase(glossary: dict[Phrase, tuple[Phrase, ...]]) -> int:
    return max((len(phrase) for phrase in glossary), default=1)
