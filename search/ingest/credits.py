"""Read the lines around a story that carry metadata instead of story text.

A crawler's header block (an id, a language code, "title: ..."), header and credit lines
(a date line, "Источник: ТАСС", "Interfax, 07.05.2019", a link, a copyright), a wire's
sign-off ("Reuter"), and page furniture listed in search/data/boilerplate.txt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from search.ingest.dates import find_date
from search.ingest.outlets import distinctive_outlet, known_outlet
from search.ingest.outlets import table as outlet_table

HEADER_BLOCK_LINES = 8  # a crawler's id / lang / title: lines stand before the headline
META_LINE_MAX_CHARS = 100  # a longer line is story text, even in the header or credit
BOILERPLATE_MAX_CHARS = 600  # a longer line is never furniture, whatever it says
SIGN_OFF_MAX_CHARS = 40  # "Reuter", "/ТАСС/": a sign-off is a name, never a sentence
_TIME_RE = re.compile(
    r"^\s*(?:[|,–—-]\s*)?(?:at\s+|в\s+)?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[ap]\.?m\.?)?"
    r"(?:\s*(?:gmt|utc|msk|мск|et|edt|est|bst|cet))?",
    re.IGNORECASE,
)
# Words a dated line may start with before the date itself.
# A time may come first: "12:34, 5 марта 2019", "Updated: 14:05, 12 March 2021".
_DATE_LABEL_RE = re.compile(
    r"(?:(?:date|dated|published|posted|updated|last updated|дата|дата публикации|опубликовано"
    r"|обновлено)(?:\s+on)?\s*:?)?\s*(?:\d{1,2}:\d{2},?)?",
    re.IGNORECASE,
)
_DOMAIN = r"[A-Za-z0-9][\w-]*(?:\.[\w-]+)*\.[A-Za-z]{2,}"  # UrduPoint.com, Azeri.Today
_CAP_WORD = r"[A-ZА-ЯЁ0-9][\w&'’.+-]*"
# An outlet name: a domain, or one to four capitalized words ("Defense News", "РИА Новости").
_OUTLET = rf"(?:{_DOMAIN}|{_CAP_WORD}(?:\s+(?:of|the|de|и)?\s*{_CAP_WORD}){{0,3}})"
_OUTLET_RE = re.compile(_OUTLET)
_DOMAIN_RE = re.compile(_DOMAIN)
_URL_LINE_RE = re.compile(
    r"(?:(?:kaynak/source|kaynak|source|источник|link|url|ссылка)\s*:\s*)?<?(?P<url>https?://[^\s<>]+)>?",
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
TRAILING_CREDIT_RE = re.compile(rf"\((?P<src>{_OUTLET})\)$")  # "... he added. (Vestnik Kavkaza)"
# A labelled credit of any spelling: "Источник: RT на русском" (a short name, not a clause).
_ANY_SOURCE_LABEL_RE = re.compile(
    r"(?:kaynak/source|kaynak|source|источник|по материалам)\s*:?\s*"
    r"[«\"“]?(?P<src>[^\W\d_][^:;!?«»\"“”]{1,59}?)"
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
# A byline naming the writer's outlet after a comma or a bar: "By Jane Doe, Reuters".
_BYLINE_OUTLET_RE = re.compile(r"(?:by|автор:?)\s+[^,|]{2,50}[,|]\s*(?P<src>[^,|]{2,40})", re.I)
_ALNUM_RE = re.compile(r"[^\W_]")
_LETTER_RE = re.compile(r"[^\W\d_]")
_SIGN_OFF_STRIP = " ()/-–—.«»\"'"
_WIDE_GAP_RE = re.compile(r"\s{3,}")  # "total 55.8 (33.7).        REUTER"


@dataclass
class Meta:
    """What one header or credit line says; the line itself is dropped from the body."""

    date: re.Match | None = None
    source: str | None = None
    url: str | None = None


def clean_line(line: str) -> str:
    line = " ".join(line.split())
    return line if _ALNUM_RE.search(line) else ""  # separators: "-", "---", "* * *"


def is_boilerplate(line: str) -> bool:
    """Site furniture, cookie banners, photo credits: the lines of search/data/boilerplate.txt."""
    if len(line) > BOILERPLATE_MAX_CHARS:
        return False
    exact, patterns = _boilerplate()
    # A lower-case line ending in a period is the end of a wrapped sentence ("…earnings per"
    # / "share."), however much it looks like a button.
    if not (line[0].islower() and line.endswith(".")):
        if line.casefold() in exact or line.casefold().rstrip(" .!:") in exact:
            return True
    return bool(patterns.fullmatch(line))


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


def read_header_block(lines: list[str]) -> str | None:
    """Blank a crawler's header block (id, language, "title: ...") before the headline.

    Return the title it names, if any.
    """
    seen, title = 0, None
    for i, line in enumerate(lines):
        if not line:
            continue
        seen += 1
        if seen > HEADER_BLOCK_LINES:
            break
        m = _HEADER_FIELD_RE.fullmatch(line)
        if m:
            key = m["key"].casefold()
            if key in ("title", "headline", "заголовок") and m["value"].strip():
                title = m["value"].strip()
        elif not (_HEADER_LANG_RE.fullmatch(line) or _is_header_id(line)):
            if not (find_date(line) or _URL_LINE_RE.fullmatch(line)):
                break  # the headline or the story: the block has ended
            continue  # a date or a link: read with the header lines below
        lines[i] = ""
    return title


def _is_header_id(line: str) -> bool:
    return bool(_HEADER_ID_RE.fullmatch(line)) and not find_date(line)


def read_sign_off(lines: list[str], raw: list[str], last: int) -> str | None:
    """A wire's sign-off ending the story ("Reuter", "/ТАСС/", "(AP)") names the outlet.

    It stands on the last line, or at its end after a wide gap, as old wire copy sets it;
    return the outlet and blank it.
    """
    line = lines[last]
    tail = _WIDE_GAP_RE.split(raw[last].strip())[-1]
    if outlet := _sign_off_outlet(line):
        lines[last] = ""
    elif tail != line and (outlet := _sign_off_outlet(tail)):
        lines[last] = clean_line(raw[last].strip()[: -len(tail)])
    else:
        return None
    return outlet


def _sign_off_outlet(text: str) -> str | None:
    return known_outlet(text.strip(_SIGN_OFF_STRIP)) if len(text) <= SIGN_OFF_MAX_CHARS else None


def outlet_name(name: str) -> str:
    """Spell a credited outlet the way the table does ("Reuter" → "Reuters", "ria.ru")."""
    if listed := known_outlet(name):
        return listed
    if _DOMAIN_RE.fullmatch(name) and (listed := outlet_table().for_host(name)):
        return listed
    return name


def metadata_line(line: str, in_header: bool) -> Meta | None:
    """Read a header or credit line that holds only metadata; None for a story line."""
    if m := _URL_LINE_RE.fullmatch(line):
        return Meta(url=m["url"])
    if len(line) > META_LINE_MAX_CHARS:
        return None
    if m := _SOURCE_LABEL_RE.fullmatch(line) or _ANY_SOURCE_LABEL_RE.fullmatch(line):
        return Meta(source=m["src"].strip())
    if "©" in line or "(c)" in line.casefold() or "copyright" in line.casefold():
        m = _COPYRIGHT_RE.fullmatch(line)
        if m and _OUTLET_RE.fullmatch(m["src"].strip()):
            return Meta(source=m["src"].strip())
        return None
    m = find_date(line)
    if m is None:
        if in_header and (_DOMAIN_RE.fullmatch(line) or distinctive_outlet(line)):
            return Meta(source=line)
        if in_header and (by := _BYLINE_OUTLET_RE.fullmatch(line)) and known_outlet(by["src"]):
            return Meta(source=by["src"])  # "By Jane Doe, Reuters"
        return None
    prefix = line[: m.start()].strip()
    suffix = _TIME_RE.sub("", line[m.end() :], count=1).strip()
    if prefix.endswith("(") and suffix == ")":  # "AzerNews (05 October 2019)", "(21.12.2020)"
        outlet = prefix[:-1].strip()
        if not outlet:
            return Meta(date=m)
        return Meta(date=m, source=outlet) if _is_outlet_name(outlet) else None
    if _DATE_LABEL_RE.fullmatch(prefix):  # "07.10.2019", "date 2019-06-26 UrduPoint.com"
        outlet = suffix.lstrip("|,–—- ")
        if not outlet or not _LETTER_RE.search(outlet):  # a view counter: "17:43 168"
            return Meta(date=m) if not outlet or outlet.isdigit() else None
        if known_outlet(outlet) or _DOMAIN_RE.fullmatch(outlet):
            return Meta(date=m, source=outlet)
        # "12 марта 2021, 14:05 | Политика": a rubric or an author after a bar, no outlet.
        return Meta(date=m) if suffix.startswith(("|", "·", "•")) else None
    outlet = prefix.rstrip(",|–—- ")  # "ТАСС, 12 марта 2021 г.", "Defense News | March 12, 2021"
    if suffix or outlet == prefix:
        return None
    if known_outlet(outlet) or _DOMAIN_RE.fullmatch(outlet):
        return Meta(date=m, source=outlet)
    if "|" in prefix:  # "Политика | 12 марта 2021": a rubric may stand there, no outlet
        return Meta(date=m)
    return None  # "Тулси Габбард, 12 февраля 2020 года": a photo caption, not a credit


def _is_outlet_name(name: str) -> bool:
    return bool(_OUTLET_RE.fullmatch(name) and _LETTER_RE.search(name) and not find_date(name))
