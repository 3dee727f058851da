"""Build HTML snippets: escaped text with the matched words wrapped in <mark>."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape, unescape

from search.text.analysis import word_terms
from search.text.entities import key_prefixes, phrase_words
from search.text.names import key_initials
from search.text.words import CHARACTER_FOLDS, WORD_RE

FRAGMENT_CHARS = 220  # longest fragment, matches included
CONTEXT_CHARS = 70  # text kept on each side of a match
MAX_FRAGMENTS = 3
ELLIPSIS = "…"
MAX_SPANS = 24  # matches looked for in one text; snippets show a few of them
PREFIX_CHARS = 3  # a word is analyzed only if it starts like a query term (cheap first test)
NEAR = 3  # characters between a number and the matched word it belongs to (Stream 2, «Поток» — 2)
HEADLINE_SEPARATOR = "—"  # between a marked headline and the lead in a headline-only snippet
_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    term: str  # the index term matched, to favour fragments with many distinct terms


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1].end:
            continue  # stacked terms point at the same word
        merged.append(span)
    return merged


def _word_start(text: str, index: int) -> int:
    """Move index back or forward to the start of a word (never past a newline)."""
    if index <= 0:
        return 0
    space = text.find(" ", index, index + 20)
    return space + 1 if space != -1 else index


def _word_end(text: str, index: int) -> int:
    if index >= len(text):
        return len(text)
    space = text.rfind(" ", index - 20, index)
    return space if space != -1 else index


def _marked(text: str, start: int, end: int, spans: list[Span]) -> str:
    """Return text[start:end] as one line of safe HTML with the spans inside it marked."""
    inside = [
        Span(s.start - start, s.end - start, s.term)
        for s in spans
        if start <= s.start < s.end <= end
    ]
    return _SPACE_RE.sub(" ", mark_all(text[start:end], inside)).strip()


def _windows(spans: list[Span]) -> list[tuple[int, int, list[Span]]]:
    """Group neighbouring matches into windows no longer than FRAGMENT_CHARS."""
    windows = []
    group: list[Span] = []
    for span in spans:
        if group and span.end - group[0].start > FRAGMENT_CHARS - 2 * CONTEXT_CHARS:
            windows.append(group)
            group = []
        group.append(span)
    if group:
        windows.append(group)
    return [(g[0].start, g[-1].end, g) for g in windows]


def make_snippet(text: str, spans: list[Span], max_fragments: int = MAX_FRAGMENTS) -> str:
    """Return up to max_fragments fragments of text around the spans, as safe HTML."""
    spans = _merge([s for s in spans if 0 <= s.start < s.end <= len(text)])
    if not spans:
        end = _word_end(text, FRAGMENT_CHARS) if len(text) > FRAGMENT_CHARS else len(text)
        lead = _SPACE_RE.sub(" ", escape(text[:end])).strip()
        return lead + (ELLIPSIS if end < len(text) else "")
    windows = _windows(spans)
    # Best windows first: most distinct terms, then most matches, then earliest.
    ranked = sorted(
        range(len(windows)),
        key=lambda i: (-len({s.term for s in windows[i][2]}), -len(windows[i][2]), i),
    )
    chosen = sorted(ranked[:max_fragments])
    ranges: list[list[int]] = []
    for i in chosen:
        first, last, _ = windows[i]
        pad = max(CONTEXT_CHARS, (FRAGMENT_CHARS - (last - first)) // 2)
        start = min(_word_start(text, first - pad) if first - pad > 0 else 0, first)
        end = max(_word_end(text, last + pad) if last + pad < len(text) else len(text), last)
        if ranges and start <= ranges[-1][1]:
            ranges[-1][1] = max(ranges[-1][1], end)  # neighbours overlap: one fragment
        else:
            ranges.append([start, end])
    parts = []
    for start, end in ranges:
        fragment = _marked(text, start, end, spans)
        parts.append(
            (ELLIPSIS if start > 0 else "") + fragment + (ELLIPSIS if end < len(text) else "")
        )
    return " ".join(parts).replace(ELLIPSIS + " " + ELLIPSIS, " " + ELLIPSIS + " ")


def hit_snippet(title: str, body: str, title_spans: list[Span], body_spans: list[Span]) -> str:
    """Return a hit's snippet: the body around its matches, or, when only the headline
    matched, the headline with its matches marked before the lead of the body."""
    if body_spans or not title_spans:
        return make_snippet(body, body_spans)
    return f"{mark_all(title, title_spans)} {HEADLINE_SEPARATOR} {make_snippet(body, [])}"


def number_in_phrase(spans: list[Span], terms) -> list[Span]:
    """Drop the matches of a bare number that stand alone: ``Nord Stream 2`` marks the 2 of
    «Nord Stream 2», not every 2 of the text. A query of numbers only keeps them all."""
    if all(term.isdigit() for term in terms if not term.startswith(("~", "="))):
        return spans
    spans = _merge(spans)
    kept = []
    for i, span in enumerate(spans):
        if not span.term.isdigit():
            kept.append(span)
            continue
        before = spans[i - 1] if i else None
        after = spans[i + 1] if i + 1 < len(spans) else None
        near_before = before and not before.term.isdigit() and span.start - before.end <= NEAR
        near_after = after and not after.term.isdigit() and after.start - span.end <= NEAR
        if near_before or near_after:
            kept.append(span)
    return kept


def mark_all(text: str, spans: list[Span]) -> str:
    """Return the whole text as safe HTML with every span marked; newlines kept."""
    spans = _merge([s for s in spans if 0 <= s.start < s.end <= len(text)])
    out = []
    cursor = 0
    for span in spans:
        out.append(escape(text[cursor : span.start]))
        out.append(f"<mark>{escape(text[span.start : span.end])}</mark>")
        cursor = span.end
    out.append(escape(text[cursor:]))
    return "".join(out)


def match_spans(text: str, terms: set[str]) -> list[Span]:
    """Return the words of text whose index terms include one of terms.

    Only candidate words are analyzed: words (or parts of hyphenated words) that start like
    a query term (inflections keep the first letters of the lemma or stem), and, when a
    name key is searched, words with a capital the key can come from, digits or hyphens.
    Candidates are found with str.find and one character class, which run in C; analysis
    is cached per word. This costs far less than decoding postings or analyzing every word.
    """
    keys = {t for t in terms if t.startswith("~")}
    # A place or body named in several words (Северный поток) carries its key on its last
    # word only: its words are marked as the words of the name.
    terms = terms | phrase_words(keys)
    prefixes = {t.lstrip("=")[:PREFIX_CHARS] for t in terms if not t.startswith("~")}
    prefixes |= key_prefixes(keys, PREFIX_CHARS)  # российский for ~russia, lowercase
    names = _name_hints(key_initials(terms))
    spans = []
    done = 0  # where the last word looked at ends: later hits inside it are skipped
    for index in _candidates(text, prefixes, names):
        if index < done:
            continue
        word = WORD_RE.match(text, _word_start_of(text, index))
        if word is None:
            continue
        done = word.end()
        for term, _, _ in word_terms(word.group()):
            if term in terms:
                spans.append(Span(word.start(), word.end(), term))
                break
        if len(spans) >= MAX_SPANS:
            break  # enough to choose three fragments from
    return spans


_JOINERS = "-\u2010\u2011'\u2019"  # the characters WORD_RE allows inside a word
_WORD_CHAR = re.compile(r"\w").match


@lru_cache(maxsize=256)
def _name_hints(initials: frozenset[str]) -> re.Pattern | None:
    """Return a pattern for where a word carrying a searched name key may start.

    Name keys sit on capitalized words and on designations: the capitals a key can come
    from (search.text.names.key_initials), and digits and joiners for designations.
    """
    if not initials:
        return None
    capitals = "".join(sorted({re.escape(letter.upper()) for letter in initials}))
    return re.compile(f"[{capitals}\\d{re.escape(_JOINERS)}]")


def _candidates(text: str, prefixes: set[str], names: re.Pattern | None) -> list[int]:
    """Return, in order, the indexes where a word that may match starts or is hit inside."""
    # Folded like search.text.words.normalize, keeping every character in place (and
    # str.replace, unlike str.translate, runs at memchr speed).
    folded = text.lower()
    for source, target in CHARACTER_FOLDS.items():
        folded = folded.replace(source, target)
    if len(folded) != len(text):  # a letter whose lowercase is longer: look at every word
        return [word.start() for word in WORD_RE.finditer(text)]
    found = set()
    for prefix in prefixes:
        if not prefix:
            continue
        index = folded.find(prefix)
        while index != -1:
            found.add(index)
            index = folded.find(prefix, index + 1)
    if names is not None:
        found.update(hint.start() for hint in names.finditer(text))
    return sorted(found)


def _word_start_of(text: str, index: int) -> int:
    """Return where the WORD_RE word containing text[index] starts."""
    while index > 0:
        before = text[index - 1]
        if _WORD_CHAR(before):
            index -= 1
        elif before in _JOINERS and index > 1 and _WORD_CHAR(text[index - 2]):
            index -= 1
        else:
            break
    return index


_TAG_RE = re.compile(r"<[^>]+>")


def snippet_text(snippet_html: str) -> str:
    """Return a snippet's HTML (escaped text, <mark> around matches) as plain text."""
    return unescape(_TAG_RE.sub("", snippet_html))
