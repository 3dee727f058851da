"""Find the title, date, outlet, link and clean body in the decoded text of one news article.

Metadata is only looked for where news carries it: a crawler's header block, the header
(first lines), the credit and sign-off (last lines), a wire dateline opening the story, and
bylines. A year or a date inside the story is never taken for the publication date, and a
name inside a sentence never becomes the outlet: no value is better than a wrong one.
Each value comes with where it was found (``provenance``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from search.ingest.credits import (
    META_LINE_MAX_CHARS,
    TRAILING_CREDIT_RE,
    clean_line,
    is_boilerplate,
    metadata_line,
    outlet_name,
    read_header_block,
    read_sign_off,
)
from search.ingest.datelines import Dateline, read_dateline
from search.ingest.dates import (
    DATE_RE,
    date_in_url,
    day_with_year,
    find_date,
    parse_date,
    year_in_url,
)
from search.ingest.outlets import outlet_for_url
from search.ingest.paragraphs import (
    drop_repeats,
    join_split_paragraphs,
    split_paragraphs,
    stands_alone,
    wrap_width,
)

HEADER_LINES = 6  # date lines, outlets and links are looked for in the first lines...
CREDIT_LINES = 4  # ...and in the last ones, never in the story between them
BYLINE_PARAGRAPHS = 3  # bylines and datelines sit in the first paragraphs
HEADLINE_MAX_CHARS = 200  # a longer first line is a paragraph, not a headline
TITLE_MAX_CHARS = 140  # a first sentence used as the title is cut on a word boundary
_BYLINE_MARK_RE = re.compile(
    r"\||\bago\b|назад|\d{1,2}:\d{2}|^(?:by|posted|published|updated|опубликовано|автор)\b",
    re.IGNORECASE,
)
# A wire dateline opening the story: "PATRIOT PARK (UrduPoint News / Sputnik - 25th June, 2019)".
_DATELINE_RE = re.compile(
    r"(?P<place>[A-ZА-ЯЁ][A-ZА-ЯЁ .'’-]{1,40}?)\s*(?:,\s*|\((?P<inner>[^()]{0,80})\))"
)
_SENTENCE_END_RE = re.compile(r"[.!?…]+[\"»”’)]*\s+(?=[\"«“„(–—-]?\s*[A-ZА-ЯЁ0-9])")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr gen lt col maj capt sgt st no vs jan feb mar apr jun jul aug sep sept oct nov "
    "dec inc ltd corp г гг т им ул проф ген полк тыс млн млрд руб".split()
)
_WORD_SPLIT_RE = re.compile(r"[\W_]")
# Markdown around a headline, and a wiki's magic words glued to it ("…аварии__NOTOC__").
_HEADLINE_MARKUP_RE = re.compile(r"^(?:#+\s*|\*\*|__)|(?:\*\*|__|__[A-Z]{3,}__)$")
_NOT_ASCII_LETTERS = bytes(b for b in range(256) if not chr(b).isascii() or not chr(b).isalpha())
_ALNUM_RE = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class ArticleText:
    title: str
    body: str  # paragraphs separated by one blank line
    date: str | None  # ISO YYYY-MM-DD
    source: str | None
    url: str | None
    # Where each value was found: {"title": "headline", "date": "dateline", ...}.
    provenance: dict[str, str] = field(default_factory=dict)
    dropped: tuple[str, ...] = ()  # lines dropped as page furniture


@dataclass
class _Found:
    """What the header and credit lines say, with where each value was found."""

    title: tuple[str, str] | None = None  # from a crawler's "title:" line
    url: tuple[str, str] | None = None
    outlet_dates: list[tuple[str, re.Match, str]] = field(default_factory=list)
    sources: list[tuple[str, str]] = field(default_factory=list)  # credit, then header lines
    header_dates: list[re.Match] = field(default_factory=list)
    credit_dates: list[re.Match] = field(default_factory=list)
    sign_off: str | None = None


def detect_lang(text: str) -> str:
    """Return "ru" when Cyrillic letters outnumber Latin ones, else "en"."""
    # Counted on bytes, which is ten times faster than a regex over the text: in UTF-8 every
    # letter of U+0400..U+047F (all of Russian) starts with byte D0 or D1.
    data = text.encode("utf-8")
    cyrillic = data.count(b"\xd0") + data.count(b"\xd1")
    latin = len(data.translate(None, _NOT_ASCII_LETTERS))
    return "ru" if cyrillic > latin else "en"


def extract_article(
    text: str, lang: str | None = None, sidecar_url: str | None = None
) -> ArticleText | None:
    """Split clean text into title, metadata and body; None when no story text is left.

    A link set by the article's sidecar stands in for one the text lacks: it names the
    outlet and gives a dateline its year.
    """
    lang = lang or detect_lang(text)
    raw = text.split("\n")
    indented = [line[:1] in (" ", "\t") for line in raw]  # marks a paragraph's first line
    lines, dropped = [], []
    for line in raw:
        cleaned = clean_line(line)
        if cleaned and is_boilerplate(cleaned):
            dropped.append(cleaned)
            cleaned = ""
        lines.append(cleaned)
    found = _Found()
    if header_title := read_header_block(lines):
        found.title = (header_title, "header line")
    if not any(lines):
        return None
    _read_metadata_lines(lines, raw, found)

    title_where, title = _take_headline(lines, indented)
    paragraphs = split_paragraphs(lines, indented)
    if title is None:
        if not paragraphs:
            return None
        title_where, title = "first sentence", _lead_sentence(paragraphs)
    if found.title:
        title, title_where = found.title
    paragraphs, byline_dates = _drop_bylines(paragraphs)
    headline = title if title_where != "first sentence" else None
    paragraphs = drop_repeats(join_split_paragraphs(paragraphs), headline)
    if not paragraphs:  # only a headline: it is the story too
        paragraphs = [title]
    dateline = next(filter(None, map(read_dateline, paragraphs[:BYLINE_PARAGRAPHS])), None)
    if sidecar_url and not found.url:
        found.url = (sidecar_url, "sidecar")
    url = found.url[0] if found.url else None

    source = next(_sources(found, dateline, paragraphs[-1], url), None)
    day = next(_dates(found, dateline, byline_dates, paragraphs, url, lang), None)
    provenance = {"title": title_where}
    if day:
        provenance["date"] = day[1]
    if source:
        provenance["source"] = source[1]
    if url:
        provenance["url"] = found.url[1]
    return ArticleText(
        title=title,
        body="\n\n".join(paragraphs),
        date=day[0].isoformat() if day else None,
        source=outlet_name(source[0]) if source else None,
        url=url,
        provenance=provenance,
        dropped=tuple(dropped),
    )


def _read_metadata_lines(lines: list[str], raw: list[str], found: _Found) -> None:
    """Read and blank the sign-off and the header and credit lines that hold metadata."""
    filled = [i for i, line in enumerate(lines) if line]
    header, credit = filled[:HEADER_LINES], filled[-CREDIT_LINES:]
    found.sign_off = read_sign_off(lines, raw, filled[-1])
    header_sources = []
    for i in dict.fromkeys(header + credit):
        meta = metadata_line(lines[i], in_header=i in header)
        if meta is None:
            continue
        lines[i] = ""
        where = "header line" if i in header else "credit line"
        if meta.url and not found.url:
            found.url = (meta.url, where)
        if meta.source and meta.date:
            found.outlet_dates.append((meta.source, meta.date, where))
        elif meta.source:
            (header_sources if i in header else found.sources).append((meta.source, where))
        elif meta.date:
            (found.header_dates if i in header else found.credit_dates).append(meta.date)
    found.sources += header_sources  # a credit ending the story outranks a header line


def _sources(
    found: _Found, dateline: Dateline | None, last: str, url: str | None
) -> Iterator[tuple[str, str]]:
    """Outlets, best first: a credit line, an outlet's dated line, a header line, the
    dateline, a sign-off, a closing "(Outlet)", the link. Lazily: the first one is used."""
    yield from (s for s in found.sources if s[1] == "credit line")
    yield from ((src, where) for src, _, where in found.outlet_dates)
    yield from (s for s in found.sources if s[1] == "header line")
    if dateline and dateline.outlet:
        yield dateline.outlet, "dateline"
    if found.sign_off:
        yield found.sign_off, "sign-off"
    if trailing := TRAILING_CREDIT_RE.search(last):
        yield trailing["src"], "credit line"
    if outlet := outlet_for_url(url):
        yield outlet, "url"


def _dates(
    found: _Found,
    dateline: Dateline | None,
    byline_dates: list[re.Match],
    paragraphs: list[str],
    url: str | None,
    lang: str,
) -> Iterator[tuple[date, str]]:
    """Dates, best first; a dateline's day without a year takes one from the link only.
    Lazily: the first one is used, and each parse costs (dateparser)."""
    matches = [(m, where) for _, m, where in found.outlet_dates]
    matches += [(m, "header line") for m in found.header_dates]
    matches += [(m, "byline") for m in byline_dates]
    matches += [(m, "dateline") for m in _datelines(paragraphs)]
    matches += [(m, "credit line") for m in found.credit_dates]
    for m, where in matches:
        if parsed := parse_date(m, lang):
            yield parsed, where
    url_date = date_in_url(url)
    if dateline and dateline.day:
        if dateline.year:
            clue, where = dateline.year, "dateline"
        else:
            clue, where = url_date or year_in_url(url), "dateline, year from url"
        if clue and (day := day_with_year(dateline.day, dateline.month, clue)):
            yield day, where
    if url_date:
        yield url_date, "url"


def _lead_sentence(paragraphs: list[str]) -> str:
    """The first sentence of the story after its dateline: the title when there is no headline."""
    dateline = read_dateline(paragraphs[0])
    lead = paragraphs[0][dateline.end :].strip() if dateline else paragraphs[0]
    if not lead and len(paragraphs) > 1:  # the dateline stands alone on its line
        lead = paragraphs[1]
    return _first_sentence(lead or paragraphs[0])


def _take_headline(lines: list[str], indented: list[bool]) -> tuple[str, str | None]:
    """Take the headline off the first line, blanking it; (where, None) if there is none.

    The headline is the first line alone: a photo caption or the site's name on the next
    line is not part of it. Only in a file hard-wrapped at a fixed width does a headline go
    on over the next lines, as far as they would not have fitted on the line above.
    """
    filled = [i for i, line in enumerate(lines) if line]
    if len(filled) < 2:
        return "first sentence", None
    first = filled[0]
    headline = _strip_markup(lines[first])
    if not _is_headline(headline, headline != lines[first].strip(" -–—")):
        return "first sentence", None
    if read_dateline(lines[first]):  # "WASHINGTON (AP) —" alone on the first line
        return "first sentence", None
    taken = [first]
    width = wrap_width(lines)
    while width and taken[-1] + 1 < len(lines) and len(taken) < 3:
        prev, nxt = lines[taken[-1]], lines[taken[-1] + 1]
        if not nxt or indented[taken[-1] + 1] or stands_alone(nxt) or read_dateline(nxt):
            break
        if len(prev) + 1 + len(nxt.split(" ", 1)[0]) <= width:
            break
        taken.append(taken[-1] + 1)
    headline = _strip_markup(" ".join(lines[i] for i in taken))
    if not any(lines[i] for i in range(taken[-1] + 1, len(lines))):
        return "first sentence", None
    for i in taken:
        lines[i] = ""
    return "headline", headline


def _strip_markup(text: str) -> str:
    return _HEADLINE_MARKUP_RE.sub("", text.strip(" -–—")).strip(" -–—*_#")


def _is_headline(text: str, marked: bool) -> bool:
    if not _ALNUM_RE.search(text) or len(text) > HEADLINE_MAX_CHARS:
        return False
    return marked or (" " in text and not text.endswith((".", ",", ";", ":")))


def _first_sentence(paragraph: str) -> str:
    text = paragraph.lstrip(" -–—•*#")
    end = len(text)
    for m in _SENTENCE_END_RE.finditer(text):
        word = _WORD_SPLIT_RE.split(text[max(0, m.start() - 20) : m.start()])[-1]
        if len(word) == 1 or word.casefold() in _ABBREVIATIONS:
            continue  # "U.S. Army", "Gen. Smith", "А. Иванов", "в 2021 г. Москва"
        end = m.end()
        break
    sentence = text[:end].strip()
    if sentence.endswith(".") and not sentence.endswith(".."):
        sentence = sentence[:-1]
    return _shorten(sentence) or _shorten(text)


def _shorten(text: str) -> str:
    if len(text) <= TITLE_MAX_CHARS:
        return text
    cut = text[: TITLE_MAX_CHARS - 1]
    space = cut.rfind(" ")
    if space > TITLE_MAX_CHARS // 2:
        cut = cut[:space]
    return cut.rstrip(' ,;:-–—(«"“') + "…"


def _drop_bylines(paragraphs: list[str]) -> tuple[list[str], list[re.Match]]:
    """Drop dated bylines near the top and return their dates."""
    kept, dates = [], []
    for i, paragraph in enumerate(paragraphs):
        m = None
        if i < BYLINE_PARAGRAPHS and len(paragraph) <= META_LINE_MAX_CHARS:
            m = find_date(paragraph)
        # A weekday marks a byline only right at its start ("Sumaira FH Wed 26th June 2019"),
        # not in a sentence ("…, выпущенном в воскресенье, 1 мая 2016 года, говорится:").
        by_weekday = m and m["weekday"] and len(paragraph[: m.start()].split()) <= 3
        if (
            m
            and not paragraph.endswith((".", ":", ","))
            and (by_weekday or _BYLINE_MARK_RE.search(paragraph))
        ):
            dates.append(m)
        else:
            kept.append(paragraph)
    return kept, dates


def _datelines(paragraphs: list[str]) -> list[re.Match]:
    """Dates of wire datelines opening the first paragraphs ("MOSCOW, March 12, 2021 -")."""
    found = []
    for paragraph in paragraphs[:BYLINE_PARAGRAPHS]:
        m = _DATELINE_RE.match(paragraph)
        if not m or sum(ch.isalpha() for ch in m["place"]) < 2:
            continue
        if m["inner"] is not None:
            date_match = find_date(m["inner"])
        else:
            date_match = DATE_RE.match(paragraph, m.end())
        if date_match:
            found.append(date_match)
    return found
