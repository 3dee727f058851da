"""Find the title, date, outlet, link and clean body in the decoded text of one news article.

Metadata is only looked for where news carries it: a crawler's header block, the header
(first lines), the credit and sign-off (last lines), a wire dateline opening the story, and
bylines. A year or a date inside the story is never taken for the publication date, and a
name inside a sentence never becomes the outlet: no value is better than a wrong one.
Each value comes with where it was found (``provenance``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib.resources import files

from search.datelines import read_dateline
from search.dates import (
    DATE_RE,
    date_in_url,
    day_with_year,
    find_date,
    parse_date,
    year_in_url,
)
from search.outlets import known_outlet, outlet_for_url

HEADER_LINES = 6  # date lines, outlets and links are looked for in the first lines...
CREDIT_LINES = 4  # ...and in the last ones, never in the story between them
HEADER_BLOCK_LINES = 8  # a crawler's id / lang / title: lines stand before the headline
META_LINE_MAX_CHARS = 100  # a longer line is story text, even in the header or credit
BYLINE_PARAGRAPHS = 3  # bylines and datelines sit in the first paragraphs
WRAP_MAX_CHARS = 100  # only lines up to this long can be hard-wrapped parts of a paragraph
WRAPPED_FILE_MIN_LINES = 5  # a file is hard-wrapped when this many lines...
WRAPPED_FILE_SHARE = 0.5  # ...and this share of its lines are 40 to WRAP_MAX_CHARS long
HEADLINE_MAX_CHARS = 200  # a longer first line is a paragraph, not a headline
TITLE_MAX_CHARS = 140  # a first sentence used as the title is cut on a word boundary
DEDUP_MIN_CHARS = 20  # shorter paragraphs ("- Да.") may repeat on purpose; longer ones do not
BOILERPLATE_MAX_CHARS = 600  # a longer line is never furniture, whatever it says
_TIME_RE = re.compile(
    r"^\s*(?:[|,–—-]\s*)?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[ap]\.?m\.?)?(?:\s*(?:gmt|utc|msk))?",
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
# A labelled credit of any spelling: "Источник: RT на русском" (a short name, not a clause).
_ANY_SOURCE_LABEL_RE = re.compile(
    r"(?:kaynak/source|kaynak|source|источник)\s*:\s*[«\"“]?(?P<src>[^\W\d_][^:;!?«»\"“”]{1,59}?)"
    r"[»\"”]?\.?",
    re.IGNORECASE,
)
# A crawler's header block: an id, a language code, "title: ...", "id: ...".
_HEADER_ID_RE = re.compile(r"(?=[\w.:-]*[\d_])[\w.:-]{1,80}")  # "10086_text", "doc-000123"
_HEADER_LANG_RE = re.compile(r"(?:lang(?:uage)?\s*:?\s*|язык\s*:?\s*)?(?:ru|en|rus|eng)", re.I)
_HEADER_FIELD_RE = re.compile(
    r"(?P<key>id|doc_?id|title|headline|заголовок|author|автор|category|рубрика|tags|теги)"
    r"\s*:\s*(?P<value>.*)",
    re.IGNORECASE,
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
_LETTER_RE = re.compile(r"[^\W\d_]")
_SIGN_OFF_STRIP = " ()/-–—.«»\"'"
_END_PUNCT = '.!?…:;,»"”)'
_WIDE_GAP_RE = re.compile(r"\s{3,}")  # "total 55.8 (33.7).        REUTER"


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
class _Meta:
    """What one header or credit line says; the line itself is dropped from the body."""

    date: re.Match | None = None
    source: str | None = None
    url: str | None = None


@dataclass
class _Found:
    """Candidates for each field, best first, with where each was found."""

    dates: list[tuple[date, str]] = field(default_factory=list)
    sources: list[tuple[str, str]] = field(default_factory=list)
    title: tuple[str, str] | None = None
    url: tuple[str, str] | None = None


def detect_lang(text: str) -> str:
    """Return "ru" when Cyrillic letters outnumber Latin ones, else "en"."""
    # Counted on bytes, which is ten times faster than a regex over the text: in UTF-8 every
    # letter of U+0400..U+047F (all of Russian) starts with byte D0 or D1.
    data = text.encode("utf-8")
    cyrillic = data.count(b"\xd0") + data.count(b"\xd1")
    latin = len(data.translate(None, _NOT_ASCII_LETTERS))
    return "ru" if cyrillic > latin else "en"


def extract_article(text: str, lang: str | None = None) -> ArticleText | None:
    """Split clean text into title, metadata and body; None when no story text is left."""
    lang = lang or detect_lang(text)
    raw = text.split("\n")
    indented = [line[:1] in (" ", "\t") for line in raw]  # marks a paragraph's first line
    lines, dropped = [], []
    for line in raw:
        cleaned = _clean_line(line)
        if cleaned and _is_boilerplate(cleaned):
            dropped.append(cleaned)
            cleaned = ""
        lines.append(cleaned)
    found = _Found()
    _read_header_block(lines, found)
    filled = [i for i, line in enumerate(lines) if line]
    if not filled:
        return None
    header, credit = filled[:HEADER_LINES], filled[-CREDIT_LINES:]
    _read_sign_off(lines, raw, filled[-1], found)

    outlet_dates, header_dates, credit_dates, plain_sources = [], [], [], []
    for i in dict.fromkeys(header + credit):
        meta = _metadata_line(lines[i], in_header=i in header)
        if meta is None:
            continue
        lines[i] = ""
        where = "header line" if i in header else "credit line"
        if meta.url and not found.url:
            found.url = (meta.url, where)
        if meta.source and meta.date:
            outlet_dates.append((meta.source, meta.date, where))
        elif meta.source:
            plain_sources.append((meta.source, where))
        elif meta.date:
            (header_dates if i in header else credit_dates).append(meta.date)

    title_where, title = _take_headline(lines, indented)
    paragraphs = _paragraphs(lines, indented)
    if title is None:
        if not paragraphs:
            return None
        dateline = read_dateline(paragraphs[0])
        lead = paragraphs[0][dateline.end :].strip() if dateline else paragraphs[0]
        if not lead and len(paragraphs) > 1:  # the dateline stands alone on its line
            lead = paragraphs[1]
        title = _first_sentence(lead or paragraphs[0])
        title_where = "first sentence"
    if found.title:
        title, title_where = found.title
    paragraphs, byline_dates = _drop_bylines(paragraphs)
    headline = title if title_where != "first sentence" else None
    paragraphs = _drop_repeats(_join_split_paragraphs(paragraphs), headline)
    if not paragraphs:  # only a headline: it is the story too
        paragraphs = [title]
    dateline = next(filter(None, map(read_dateline, paragraphs[:BYLINE_PARAGRAPHS])), None)
    url = found.url[0] if found.url else None

    # Outlets, best first: a credit line, an outlet's dated line, the dateline, a sign-off or
    # closing "(Outlet)", the link.
    sources = [s for s in plain_sources if s[1] == "credit line"]
    sources += [(src, where) for src, _, where in outlet_dates]
    sources += [s for s in plain_sources if s[1] == "header line"]
    if dateline and dateline.outlet:
        sources.append((dateline.outlet, "dateline"))
    sources += found.sources
    if trailing := _TRAILING_CREDIT_RE.search(paragraphs[-1]):
        sources.append((trailing["src"], "credit line"))
    if outlet := outlet_for_url(url):
        sources.append((outlet, "url"))

    # Dates, best first; a dateline's day without a year takes one from the link only.
    dates = [(m, where) for _, m, where in outlet_dates]
    dates += [(m, "header line") for m in header_dates]
    dates += [(m, "byline") for m in byline_dates]
    dates += [(m, "dateline") for m in _datelines(paragraphs)]
    dates += [(m, "credit line") for m in credit_dates]
    for m, where in dates:
        if parsed := parse_date(m, lang):
            found.dates.append((parsed, where))
    url_date = date_in_url(url)
    if dateline and dateline.day:
        if dateline.year:
            clue, where = dateline.year, "dateline"
        else:
            clue, where = url_date or year_in_url(url), "dateline, year from url"
        if clue and (day := day_with_year(dateline.day, dateline.month, clue)):
            found.dates.append((day, where))
    if url_date:
        found.dates.append((url_date, "url"))

    provenance = {"title": title_where}
    if found.dates:
        provenance["date"] = found.dates[0][1]
    if sources:
        provenance["source"] = sources[0][1]
    if url:
        provenance["url"] = found.url[1]
    return ArticleText(
        title=title,
        body="\n\n".join(paragraphs),
        date=found.dates[0][0].isoformat() if found.dates else None,
        source=_outlet_name(sources[0][0]) if sources else None,
        url=url,
        provenance=provenance,
        dropped=tuple(dropped),
    )


def _clean_line(line: str) -> str:
    line = " ".join(line.split())
    return line if _ALNUM_RE.search(line) else ""  # separators: "-", "---", "* * *"


def _is_boilerplate(line: str) -> bool:
    """Site furniture, cookie banners, photo credits: the lines of search/data/boilerplate.txt."""
    if len(line) > BOILERPLATE_MAX_CHARS:
        return False
    exact, patterns = _boilerplate()
    key = line.casefold().rstrip(" .!:")
    return key in exact or line.casefold() in exact or bool(patterns.fullmatch(line))


@lru_cache(maxsize=1)
def _boilerplate() -> tuple[frozenset[str], re.Pattern]:
    text = files("search.data").joinpath("boilerplate.txt").read_text("utf-8")
    exact, patterns = set(), []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("re:"):
            patterns.append(f"(?:{line[3:]})")
        else:
            exact.add(line.casefold())
    return frozenset(exact), re.compile("|".join(patterns) or "(?!)", re.IGNORECASE)


def _read_header_block(lines: list[str], found: _Found) -> None:
    """Blank a crawler's header block (id, language, "title: ...") before the headline."""
    seen = 0
    for i, line in enumerate(lines):
        if not line:
            continue
        seen += 1
        if seen > HEADER_BLOCK_LINES:
            return
        m = _HEADER_FIELD_RE.fullmatch(line)
        if m:
            key = m["key"].casefold()
            if key in ("title", "headline", "заголовок") and m["value"].strip():
                found.title = (m["value"].strip(), "header line")
        elif not (_HEADER_LANG_RE.fullmatch(line) or _is_header_id(line)):
            if not (find_date(line) or _URL_LINE_RE.fullmatch(line)):
                return  # the headline or the story: the block has ended
            continue  # a date or a link: read with the header lines below
        lines[i] = ""


def _is_header_id(line: str) -> bool:
    return bool(_HEADER_ID_RE.fullmatch(line)) and not find_date(line)


def _read_sign_off(lines: list[str], raw: list[str], last: int, found: _Found) -> None:
    """A wire's sign-off ending the story ("Reuter", "/ТАСС/", "(AP)") names the outlet.

    It stands on the last line, or at its end after a wide gap, as old wire copy sets it.
    """
    line = lines[last]
    tail = _WIDE_GAP_RE.split(raw[last].strip())[-1]
    if len(line) <= 40 and (outlet := known_outlet(line.strip(_SIGN_OFF_STRIP))):
        lines[last] = ""
    elif tail != line and len(tail) <= 40 and (outlet := known_outlet(tail.strip(_SIGN_OFF_STRIP))):
        lines[last] = _clean_line(raw[last].strip()[: -len(tail)])
    else:
        return
    found.sources.append((outlet, "sign-off"))


def _outlet_name(name: str) -> str:
    """Spell a credited outlet the way the table does ("Reuter" → "Reuters")."""
    return known_outlet(name) or name


def _metadata_line(line: str, in_header: bool) -> _Meta | None:
    """Read a header or credit line that holds only metadata; None for a story line."""
    if m := _URL_LINE_RE.fullmatch(line):
        return _Meta(url=m["url"])
    if len(line) > META_LINE_MAX_CHARS:
        return None
    if m := _SOURCE_LABEL_RE.fullmatch(line) or _ANY_SOURCE_LABEL_RE.fullmatch(line):
        return _Meta(source=m["src"].strip())
    if "©" in line or "(c)" in line.casefold() or "copyright" in line.casefold():
        m = _COPYRIGHT_RE.fullmatch(line)
        if m and _OUTLET_RE.fullmatch(m["src"].strip()):
            return _Meta(source=m["src"].strip())
        return None
    m = find_date(line)
    if m is None:
        if in_header and (_DOMAIN_RE.fullmatch(line) or known_outlet(line)):
            return _Meta(source=line)
        return None
    prefix = line[: m.start()].strip()
    suffix = _TIME_RE.sub("", line[m.end() :], count=1).strip()
    if prefix.endswith("(") and suffix == ")":  # "AzerNews (05 October 2019)"
        outlet = prefix[:-1].strip()
        return _Meta(date=m, source=outlet) if _is_outlet_name(outlet) else None
    if _DATE_LABEL_RE.fullmatch(prefix):  # "07.10.2019", "date 2019-06-26 UrduPoint.com"
        outlet = suffix.lstrip("|,–—- ")
        if not outlet or not _LETTER_RE.search(outlet):  # a view counter: "17:43 168"
            return _Meta(date=m) if not outlet or outlet.isdigit() else None
        return _Meta(date=m, source=outlet) if _is_outlet_name(outlet) else None
    outlet = prefix.rstrip(",|–—- ")  # "ТАСС, 12 марта 2021 г.", "Defense News | March 12, 2021"
    if suffix or outlet == prefix:
        return None
    if known_outlet(outlet) or _DOMAIN_RE.fullmatch(outlet):
        return _Meta(date=m, source=outlet)
    if "|" in prefix and _is_outlet_name(outlet):  # an unlisted "Outlet | date"
        return _Meta(date=m, source=outlet)
    return None  # "Тулси Габбард, 12 февраля 2020 года": a photo caption, not a credit


def _is_outlet_name(name: str) -> bool:
    return bool(_OUTLET_RE.fullmatch(name) and _LETTER_RE.search(name) and not find_date(name))


def _paragraphs(lines: list[str], indented: list[bool]) -> list[str]:
    """Group lines into paragraphs: blank lines separate them, hard-wrapped lines are joined."""
    paragraphs: list[str] = []
    block: list[str] = []
    starts: list[bool] = []
    for line, indent in zip([*lines, ""], [*indented, False], strict=True):
        if line:
            block.append(line)
            starts.append(indent)
        elif block:
            paragraphs.extend(_unwrap(block, starts))
            block, starts = [], []
    return paragraphs


def _unwrap(block: list[str], indented: list[bool]) -> list[str]:
    """Join the lines of a block that were wrapped at a fixed width into paragraphs.

    Where the block marks its paragraphs by indenting their first line (wire copy), every
    line that is not indented continues the one above. Otherwise a line was wrapped when the
    next line's first word would not have fitted on it, the width being the longest line of
    the run of short lines it belongs to. A line longer than WRAP_MAX_CHARS is a paragraph
    of its own (files saved without blank lines).
    """
    by_indent = indented[0] and not all(indented)
    paragraphs: list[list[str]] = []  # lines of each paragraph, joined at the end
    width = 0  # wrap width of the current run of short lines; 0 outside a run
    for i, line in enumerate(block):
        if len(line) > WRAP_MAX_CHARS:
            paragraphs.append([line])
            width = 0
            continue
        if by_indent and i:
            if indented[i] or _stands_alone(line):
                paragraphs.append([line])
            else:
                paragraphs[-1].append(line)
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
    taken = [first]
    width = _wrap_width(lines)
    while width and taken[-1] + 1 < len(lines) and len(taken) < 3:
        prev, nxt = lines[taken[-1]], lines[taken[-1] + 1]
        if not nxt or indented[taken[-1] + 1] or _stands_alone(nxt) or read_dateline(nxt):
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


def _wrap_width(lines: list[str]) -> int:
    """The width a hard-wrapped file was wrapped at; 0 when it is not hard-wrapped."""
    filled = [line for line in lines if line]
    # Lines of a wrapping width that stop mid-sentence: a file of one sentence a line is not
    # wrapped, however alike its line lengths are.
    wrapped = [len(x) for x in filled if 40 <= len(x) <= WRAP_MAX_CHARS and x[-1] not in _END_PUNCT]
    if len(wrapped) < WRAPPED_FILE_MIN_LINES or len(wrapped) < WRAPPED_FILE_SHARE * len(filled):
        return 0
    return max(wrapped)


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
