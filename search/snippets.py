"""Build HTML snippets: escaped text with the matched words wrapped in <mark>."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from search.analysis import WORD_RE, normalize, word_terms

FRAGMENT_CHARS = 220  # longest fragment, matches included
CONTEXT_CHARS = 70  # text kept on each side of a match
MAX_FRAGMENTS = 3
ELLIPSIS = "…"
MAX_SPANS = 24  # matches looked for in one text; snippets show a few of them
PREFIX_CHARS = 3  # a word is analyzed only if it starts like a query term (cheap first test)
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

    A word is analyzed only when it could match: it starts like a query term (inflections
    keep the first letters of the lemma or stem), or it may carry a name key. Analysis is
    cached per word, so this costs far less than decoding postings.
    """
    prefixes = {t.lstrip("=")[:PREFIX_CHARS] for t in terms if not t.startswith("~")}
    names = any(t.startswith("~") for t in terms)
    spans = []
    for match in WORD_RE.finditer(text):
        raw = match.group()
        if "-" in raw:
            maybe = any(part[:PREFIX_CHARS] in prefixes for part in normalize(raw).split("-"))
        else:
            maybe = raw[:PREFIX_CHARS].lower().replace("ё", "е") in prefixes
        if not maybe and names:
            maybe = raw[0].isupper() or raw[-1].isdigit() or "-" in raw
        if maybe:
            for term, _, _ in word_terms(raw):
                if term in terms:
                    spans.append(Span(match.start(), match.end(), term))
                    break
            if len(spans) >= MAX_SPANS:
                break  # enough to choose three fragments from
    return spans
