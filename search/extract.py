"""Find the title, date, outlet, link and clean body in the decoded text of one news article.

Metadata is only looked for where news carries it: the header (first lines), the credit
(last lines), a wire dateline opening the story, and bylines. A year or a date inside the
story is never taken for the publication date: no date is better than a wrong one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

HEADER_LINES = 6  # date lines, outlets and links are looked for in the first lines...
CREDIT_LINES = 4  # ...and in the last ones, never in the story between them
META_LINE_MAX_CHARS = 100  # a longer line is story text, even in the header or credit
BYLINE_PARAGRAPHS = 3  # bylines, datelines and "В интервью X" sit in the first paragraphs
WRAP_MAX_CHARS = 100  # only lines up to this long can be hard-wrapped parts of a paragraph
HEADLINE_MAX_CHARS = 200  # a longer first line is a paragraph, not a headline
TITLE_MAX_CHARS = 140  # a first sentence used as the title is cut on a word boundary
DEDUP_MIN_CHARS = 20  # shorter paragraphs ("- Да.") may repeat on purpose; longer ones do not
MIN_YEAR = 1900  # a date before this is a typo, not a news date

# Whole lines that carry nothing of the story (compared case-insensitively).
BOILERPLATE_LINES = frozenset(
    {"search in site", "kaynak/source:", "kaynak:", "source:", "источник:", "advertisement"}
)

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec"
    "|января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
    "|янв|фев|мар|апр|июн|июл|авг|сент|сен|окт|нояб|ноя|дек"
)
_WEEKDAYS = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    "|mon|tues|tue|wed|thurs|thu|fri|sat|sun"
    "|понедельник|вторник|среда|четверг|пятница|суббота|воскресенье|пн|вт|ср|чт|пт|сб|вс"
)
# A full date (day, month and year) in one of the forms news uses; a bare year never matches.
_DATE_RE = re.compile(
    rf"""(?<![\w.-])
    (?:
        (?P<weekday>(?:{_WEEKDAYS})\.?,?\s+)?
        (?:
            (?P<d1>[0-3]?\d)(?:st|nd|rd|th)?\s+(?P<m1>{_MONTHS})\.?,?\s+(?P<y1>\d{{4}})
          | (?P<m2>{_MONTHS})\.?\s+(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y2>\d{{4}})
        )
      | (?P<y3>\d{{4}})-(?P<m3>[01]?\d)-(?P<d3>[0-3]?\d)
      | (?P<d4>[0-3]?\d)\.(?P<m4>[01]?\d)\.(?P<y4>\d{{4}})
    )
    (?:\s*(?:г\.|года|год)(?!\w))?
    (?![\w-])""",
    re.IGNORECASE | re.VERBOSE,
)
_YEAR_RE = re.compile(r"\d{4}")  # every full date has one; checked first as it is much cheaper
_TIME_RE = re.compile(
    r"^\s*(?:[|,–—-]\s*)?\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?(?:\s*(?:gmt|utc|msk))?",
    re.IGNORECASE,
)
# Words a dated line may start with before the date itself.
_DATE_LABEL_RE = re.compile(
    r"(?:(?:date|dated|published|posted|updated|дата|опубликовано)\s*:?)?", re.IGNORECASE
)
_DOMAIN = r"[A-Za-z0-9][\w-]*(?:\.[\w-]+)*\.[A-Za-z]{2,}"  # UrduPoint.com, Azeri.Today
_CAP_WORD = r"[A-ZА-ЯЁ0-9][\w&'’.+-]*"
# An outlet name: a domain, or one to four capitalized words ("Defense News", "РИА Новости").
_OUTLET = rf"(?:{_DOMAIN}|{_CAP_WORD}(?:\s+(?:of|the|de|и)?\s*{_CAP_WORD}){{0,3}})"
_OUTLET_RE = re.compile(_OUTLET)
_DOMAIN_RE = re.compile(_DOMAIN)
_URL_LINE_RE = re.compile(
    r"(?:(?:kaynak/source|kaynak|source|источник|link|ссылка)\s*:\s*)?<?(?P<url>https?://[^\s<>]+)>?",
    re.IGNORECASE,
)
_COPYRIGHT_RE = re.compile(
    r"(?:[^©]{0,40}?\s*)?(?:©|\(c\)|copyright)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*)?"
    r"[«\"“]?(?P<src>[^©«»\"“”]+?)[»\"”]?(?:,?\s*\d{4})?\.?(?:\s*all rights reserved\.?)?",
    re.IGNORECASE,
)
# A labelled credit: "Источник: ТАСС", "Source: Defense News" (alone, the label is boilerplate).
_SOURCE_LABEL_RE = re.compile(
    rf"(?:kaynak/source|kaynak|source|источник)\s*:\s*[«\"“]?(?P<src>{_OUTLET})[»\"”]?\.?",
    re.IGNORECASE,
)
# A byline with a date: "Sumaira FH 2 minutes ago Wed 26th June 2019 | 12:19 PM".
_BYLINE_MARK_RE = re.compile(
    r"\||\bago\b|назад|\d{1,2}:\d{2}|^(?:by|posted|published|updated|опубликовано|автор)\b",
    re.IGNORECASE,
)
# A wire dateline opening the story: "PATRIOT PARK (UrduPoint News / Sputnik - 25th June, 2019)".
_DATELINE_RE = re.compile(
    r"(?P<place>[A-ZА-ЯЁ][A-ZА-ЯЁ .'’-]{1,40}?)\s*(?:,\s*|\((?P<inner>[^()]{0,80})\))"
)
_TRAILING_CREDIT_RE = re.compile(rf"\((?P<src>{_OUTLET})\)$")  # "... he added. (Vestnik Kavkaza)"
# "В интервью Azeri.Today", "in an interview with TASS": only names that cannot be a person
# (a domain, an acronym, or Latin words inside Russian text).
_INTERVIEW_RE = re.compile(
    rf"[Вв] интервью\s+(?P<ru>{_DOMAIN}|[A-ZА-ЯЁ]{{2,}}\b|[A-Z][\w-]*(?:\s+[A-Z][\w-]*){{0,2}})"
    rf"|[Ii]n an interview (?:with|to)(?: the)?\s+(?P<en>{_DOMAIN}|[A-Z]{{2,}}\b)"
)
_SENTENCE_END_RE = re.compile(r"[.!?…]+[\"»”’)]*\s+(?=[\"«“„(–—-]?\s*[A-ZА-ЯЁ0-9])")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr gen lt col maj capt sgt st no vs jan feb mar apr jun jul aug sep sept oct nov "
    "dec inc ltd corp г гг т им ул проф ген полк тыс млн млрд руб".split()
)
_WORD_SPLIT_RE = re.compile(r"[\W_]")
_HEADLINE_MARKUP_RE = re.compile(r"^(?:#+\s*|\*\*|__)|(?:\*\*|__)$")
_NOT_ASCII_LETTERS = bytes(b for b in range(256) if not chr(b).isascii() or not chr(b).isalpha())
_ALNUM_RE = re.compile(r"[^\W_]")
_MONTH_IS_CYRILLIC_RE = re.compile(r"[а-яё]", re.IGNORECASE)
_END_PUNCT = '.!?…:;,»"”)'


@dataclass(frozen=True)
class ArticleText:
    title: str
    body: str  # paragraphs separated by one blank line
    date: str | None  # ISO YYYY-MM-DD
    source: str | None
    url: str | None


@dataclass
class _Meta:
    """What one header or credit line says; the line itself is dropped from the body."""

    date: re.Match | None = None
    source: str | None = None
    url: str | None = None


def detect_lang(text: str) -> str:
    """Return "ru" when Cyrillic letters outnumber Latin ones, else "en"."""
    # Counted on bytes, which is ten times faster than a regex over the text: in UTF-8 every
    # letter of U+0400..U+047F (all of Russian) starts with byte D0 or D1.
    data = text.encode("utf-8")
    cyrillic = data.count(b"\xd0") + data.count(b"\xd1")
    latin = len(data.translate(None, _NOT_ASCII_LETTERS))
    return "ru" if cyrillic > latin else "en"


def extract_article(text: str) -> ArticleText | None:
    """Split clean text into title, metadata and body; None when no story text is left."""
    lines = [_clean_line(line) for line in text.split("\n")]
    filled = [i for i, line in enumerate(lines) if line]
    header, credit = filled[:HEADER_LINES], filled[-CREDIT_LINES:]

    url = None
    outlet_dates: list[tuple[str, re.Match | None]] = []  # "AzerNews (05 October 2019)"
    sources: list[str] = []  # "Claire © armenews.com", a lone "UrduPoint.com"
    header_dates: list[re.Match] = []
    credit_dates: list[re.Match] = []
    for i in dict.fromkeys(header + credit):
        meta = _metadata_line(lines[i], in_header=i in header)
        if meta is None:
            continue
        lines[i] = ""
        url = url or meta.url
        if meta.source and meta.date:
            outlet_dates.append((meta.source, meta.date))
        elif meta.source:
            sources.append(meta.source)
        elif meta.date:
            (header_dates if i in header else credit_dates).append(meta.date)

    paragraphs = _paragraphs(lines)
    if not paragraphs:
        return None
    title, is_headline, paragraphs = _split_title(paragraphs)
    paragraphs, byline_dates = _drop_bylines(paragraphs)
    paragraphs = _drop_repeats(_join_split_paragraphs(paragraphs), title if is_headline else None)
    if not paragraphs:  # only a headline: it is the story too
        paragraphs = [title]

    source_date = None
    if outlet_dates:
        source, source_date = outlet_dates[0]
    else:
        source = next(iter(sources), None) or _credit_source(paragraphs)
    candidates = [source_date, *header_dates, *byline_dates, *_datelines(paragraphs), *credit_dates]
    found = next((d for d in map(_parse_date, filter(None, candidates)) if d), None)
    return ArticleText(
        title=title,
        body="\n\n".join(paragraphs),
        date=found.isoformat() if found else None,
        source=source,
        url=url,
    )


def _clean_line(line: str) -> str:
    line = " ".join(line.split())
    if not _ALNUM_RE.search(line) or (len(line) <= 20 and line.casefold() in BOILERPLATE_LINES):
        return ""  # separators ("-", "---", "* * *") and site furniture
    return line


def _metadata_line(line: str, in_header: bool) -> _Meta | None:
    """Read a header or credit line that holds only metadata; None for a story line."""
    if m := _URL_LINE_RE.fullmatch(line):
        return _Meta(url=m["url"])
    if len(line) > META_LINE_MAX_CHARS:
        return None
    if m := _SOURCE_LABEL_RE.fullmatch(line):
        return _Meta(source=m["src"])
    if "©" in line or "(c)" in line.casefold() or "copyright" in line.casefold():
        m = _COPYRIGHT_RE.fullmatch(line)
        if m and _OUTLET_RE.fullmatch(m["src"].strip()):
            return _Meta(source=m["src"].strip())
        return None
    m = _find_date(line)
    if m is None:
        if in_header and _DOMAIN_RE.fullmatch(line):
            return _Meta(source=line)
        return None
    prefix = line[: m.start()].strip()
    suffix = _TIME_RE.sub("", line[m.end() :], count=1).strip()
    if prefix.endswith("(") and suffix == ")":  # "AzerNews (05 October 2019)"
        outlet = prefix[:-1].strip()
        return _Meta(date=m, source=outlet) if _OUTLET_RE.fullmatch(outlet) else None
    if _DATE_LABEL_RE.fullmatch(prefix):  # "07.10.2019", "date 2019-06-26 UrduPoint.com"
        outlet = suffix.lstrip("|,–—- ")
        if not outlet:
            return _Meta(date=m)
        return _Meta(date=m, source=outlet) if _OUTLET_RE.fullmatch(outlet) else None
    outlet = prefix.rstrip(",|–—- ")  # "ТАСС, 12 марта 2021 г.", "Defense News | March 12, 2021"
    if not suffix and outlet != prefix and _OUTLET_RE.fullmatch(outlet):
        return _Meta(date=m, source=outlet)
    return None


def _paragraphs(lines: list[str]) -> list[str]:
    """Group lines into paragraphs: blank lines separate them, hard-wrapped lines are joined."""
    paragraphs: list[str] = []
    block: list[str] = []
    for line in [*lines, ""]:
        if line:
            block.append(line)
        elif block:
            paragraphs.extend(_unwrap(block))
            block = []
    return paragraphs


def _unwrap(block: list[str]) -> list[str]:
    """Join the lines of a block that were wrapped at a fixed width into paragraphs.

    A line was wrapped when the next line's first word would not have fitted on it, the
    width being the longest line of the run of short lines it belongs to. A line longer
    than WRAP_MAX_CHARS is a paragraph of its own (files saved without blank lines).
    """
    paragraphs: list[list[str]] = []  # lines of each paragraph, joined at the end
    width = 0  # wrap width of the current run of short lines; 0 outside a run
    for i, line in enumerate(block):
        if len(line) > WRAP_MAX_CHARS:
            paragraphs.append([line])
            width = 0
            continue
        if not width:
            width = _run_width(block, i)
            paragraphs.append([line])
            continue
        prev = block[i - 1]
        wrapped = len(prev) + 1 + len(line.split(" ", 1)[0]) > width
        if wrapped and not _is_heading(prev) and not _stands_alone(line):
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    return [" ".join(lines) for lines in paragraphs]


def _run_width(block: list[str], start: int) -> int:
    width = 0
    for line in block[start:]:
        if len(line) > WRAP_MAX_CHARS:
            break
        width = max(width, len(line))
    return width


def _is_heading(line: str) -> bool:
    return line.startswith(("#", "**", "__"))


def _stands_alone(line: str) -> bool:
    """Headings, dialogue and list lines start a paragraph, never continue a wrapped one."""
    return _is_heading(line) or line.startswith(("- ", "– ", "— ", "• ", "* "))


def _split_title(paragraphs: list[str]) -> tuple[str, bool, list[str]]:
    """Take the headline if the text opens with one, else the first sentence.

    Return the title, whether it was a headline, and the paragraphs left for the body.
    """
    first = paragraphs[0]
    headline = _strip_markup(first)
    marked = headline != first.strip(" -–—")
    if len(paragraphs) > 1 and _is_headline(headline, marked):
        return headline, True, paragraphs[1:]
    return _first_sentence(first), False, paragraphs


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
            m = _find_date(paragraph)
        if (
            m
            and not paragraph.endswith(".")
            and (m["weekday"] or _BYLINE_MARK_RE.search(paragraph))
        ):
            dates.append(m)
        else:
            kept.append(paragraph)
    return kept, dates


def _join_split_paragraphs(paragraphs: list[str]) -> list[str]:
    """Rejoin a sentence split by a stray blank line: "... and are" + "constantly developing."."""
    joined = [[paragraphs[0]]] if paragraphs else []
    for paragraph in paragraphs[1:]:
        prev = joined[-1][-1]
        if prev[-1].isalpha() and paragraph[0].islower() and not _stands_alone(paragraph):
            joined[-1].append(paragraph)
        else:
            joined.append([paragraph])
    return [" ".join(parts) for parts in joined]


def _drop_repeats(paragraphs: list[str], headline: str | None) -> list[str]:
    """Drop paragraphs repeated verbatim (copy-paste twice) and a repeat of the headline."""
    seen = {_key(headline)} if headline else set()
    kept = []
    for paragraph in paragraphs:
        key = _key(paragraph)
        if key in seen:
            continue
        if len(paragraph) >= DEDUP_MIN_CHARS:
            seen.add(key)
        kept.append(paragraph)
    return kept


def _key(text: str) -> str:
    return text.strip(" -–—*_#").casefold()  # lines are already whitespace-collapsed


def _credit_source(paragraphs: list[str]) -> str | None:
    """Outlet named in the story's own credit: "(Vestnik Kavkaza)" or "В интервью Azeri.Today"."""
    if m := _TRAILING_CREDIT_RE.search(paragraphs[-1]):
        return m["src"]
    for paragraph in paragraphs[:BYLINE_PARAGRAPHS]:
        if "nterview" not in paragraph and "нтервью" not in paragraph:
            continue
        if m := _INTERVIEW_RE.search(paragraph):
            return (m["ru"] or m["en"]).rstrip(".")
    return None


def _datelines(paragraphs: list[str]) -> list[re.Match]:
    """Dates of wire datelines opening the first paragraphs ("MOSCOW, March 12, 2021 -")."""
    found = []
    for paragraph in paragraphs[:BYLINE_PARAGRAPHS]:
        m = _DATELINE_RE.match(paragraph)
        if not m or sum(ch.isalpha() for ch in m["place"]) < 2:
            continue
        if m["inner"] is not None:
            date_match = _find_date(m["inner"])
        else:
            date_match = _DATE_RE.match(paragraph, m.end())
        if date_match:
            found.append(date_match)
    return found


def _find_date(text: str) -> re.Match | None:
    return _DATE_RE.search(text) if _YEAR_RE.search(text) else None


def _parse_date(m: re.Match) -> date | None:
    """Turn a matched date into a date; None if it is not a real calendar date."""
    if m["y3"] or m["y4"]:
        year, month, day = (m["y3"], m["m3"], m["d3"]) if m["y3"] else (m["y4"], m["m4"], m["d4"])
        try:
            found = date(int(year), int(month), int(day))
        except ValueError:
            return None
    else:
        day, month, year = (m["d1"], m["m1"], m["y1"]) if m["m1"] else (m["d2"], m["m2"], m["y2"])
        found = _parse_month_name_date(int(day), month.casefold(), int(year))
    if found is None or not MIN_YEAR <= found.year <= date.today().year + 1:
        return None
    return found


@lru_cache(maxsize=8192)
def _parse_month_name_date(day: int, month: str, year: int) -> date | None:
    """Ask dateparser about "26 june 2019" or "12 марта 2021"; cached, as dates repeat."""
    lang = "ru" if _MONTH_IS_CYRILLIC_RE.search(month) else "en"
    data = _date_parser(lang).get_date_data(f"{day} {month} {year}")
    if data.date_obj is None or data.period != "day":
        return None
    return data.date_obj.date()


@lru_cache(maxsize=2)
def _date_parser(lang: str):
    # dateparser takes ~150 ms to import: only indexing needs it, never `defsearch search`.
    from dateparser.date import DateDataParser

    return DateDataParser(
        languages=[lang],
        settings={
            "STRICT_PARSING": True,  # day, month and year must all be there: no guessing
            "REQUIRE_PARTS": ["day", "month", "year"],
            "PREFER_DAY_OF_MONTH": "first",
            "RETURN_AS_TIMEZONE_AWARE": False,
            "PARSERS": ["absolute-time"],  # never "2 minutes ago" relative to today
        },
    )
