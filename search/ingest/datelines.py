"""Read the wire dateline that opens a story, in Russian or English.

A dateline names the place, the day and often the agency, and wire copy writes it in a few
fixed shapes:

    ИРКУТСК, 10 августа. /ТАСС/.            МОСКВА, 10 авг - РИА Новости.
    БИШКЕК, 5 августа /Новости-Грузия/.     Москва. 7 мая. INTERFAX.RU -
    ТАСС, 10 августа.                        MOSCOW, March 12 (Reuters) -
    WASHINGTON (AP) —                        (Reuters) -
    SALVADOR, Feb 26 -                       KYIV, Ukraine, March 3, 2022 (AP) —

An agency in slashes or in brackets after a place is read whatever its name; one after a
dash, or without a place, only when it is a listed outlet (search/data/outlets.tsv), so
that "МОСКВА, 10 авг - Президент..." never makes "Президент" an outlet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from search.ingest.dates import DAY_RE, MONTHS
from search.ingest.outlets import distinctive_outlet, known_outlet

DATELINE_MAX_CHARS = 160  # a dateline sits in the first characters of its paragraph
AGENCY_MAX_CHARS = 40  # "/Новости-Грузия/", "(Reuters)": short names, never a clause

_DAY = (  # case-insensitive inside a case-sensitive pattern: "Feb 26", "10 АВГУСТА"
    rf"(?i:(?:[0-3]?\d\s+(?:{MONTHS})|(?:{MONTHS})\.?\s+[0-3]?\d(?!\d))(?![a-zа-яё])\.?"
    r"(?:,?\s+\d{4}(?:\s*(?:г\.|года))?)?)"
)
_DASH = r"\s*[-–—]+\s*"
# A place in capitals, with a country after a comma as AP writes it: "KYIV, Ukraine".
_CAPS_PLACE = (
    r"[A-ZА-ЯЁ][A-ZА-ЯЁ'’.-]+(?:\s[A-ZА-ЯЁ][A-ZА-ЯЁ'’.-]+){0,3}"
    r"(?:,\s[A-ZА-ЯЁ][a-zа-яё]+(?:\s[A-ZА-ЯЁ][a-zа-яё]+)?)?"
)
# Any one to four words, for datelines whose agency is a listed outlet ("Москва. 7 мая.").
_ANY_PLACE = r"[^\W\d_][\w'’.-]*(?:[\s-][^\W\d_][\w'’.-]*){0,3}"

_PLACE_DAY_RE = re.compile(rf"(?P<place>{_CAPS_PLACE})[,.]\s*(?P<day>{_DAY})")
_ANY_PLACE_DAY_RE = re.compile(rf"(?P<place>{_ANY_PLACE})[,.]\s*(?P<day>{_DAY})", re.IGNORECASE)
_PLACE_AGENCY_RE = re.compile(rf"(?P<place>{_CAPS_PLACE})\s*\((?P<agency>[^()\d]{{2,40}})\){_DASH}")
_ANY_PLACE_AGENCY_RE = re.compile(
    rf"(?P<place>{_ANY_PLACE})\s*\((?P<agency>[^()\d]{{2,40}})\){_DASH}"
)
# "ASTANA. KAZINFORM -", "НУР-СУЛТАН. КАЗИНФОРМ –": a place and a listed agency, no day.
_PLACE_DOT_AGENCY_RE = re.compile(
    rf"(?P<place>{_CAPS_PLACE})[.,]\s*(?P<agency>\S+(?:\s\S+){{0,2}}?){_DASH}"
)
_LEAD_AGENCY_RE = re.compile(rf"\((?P<agency>[^()\d]{{2,40}})\){_DASH}")
_AGENCY_DAY_RE = re.compile(rf"(?P<agency>[^,\d]{{2,40}}),\s*(?P<day>{_DAY})[.:]?(?=\s|$)")
# What may follow the place and day.
_SLASHED_RE = re.compile(r"\.?\s*/(?P<agency>[^/\d]{2,40})/\.?")
_BRACKETED_RE = re.compile(rf"\s*\((?P<agency>[^()\d]{{2,40}})\){_DASH}")
# "New Delhi, Dec 12 (PTI) India has ...": no dash, so the agency must be listed.
_BRACKETED_BARE_RE = re.compile(r"\s*\((?P<agency>[^()\d]{2,40})\)\s+(?=[A-ZА-ЯЁ«\"“])")
# An agency after a dash ends at a stop or at another dash with a space before it: the
# hyphen of "Новости-Армения" is part of the name.
_SPACED_DASH = r"(?:\s+[-–—]+\s*|\s*[–—]+\s*)"
_DASHED_RE = re.compile(rf"{_DASH}(?P<agency>[^.,:;/()]{{2,40}}?)(?:[.,:;/]|{_SPACED_DASH}|$)")
_COMMA_AGENCY_RE = re.compile(r"[,.]\s*(?P<agency>[^.,:;/()]{2,40}?)[.:]\s")  # ", ARMENPRESS."
_DOTTED_RE = re.compile(rf"\.?\s*(?P<agency>\S+(?:\s\S+){{0,2}}?){_DASH}")
_BARE_DASH_RE = re.compile(_DASH)
_BARE_STOP_RE = re.compile(r"\.\s+(?=[A-ZА-ЯЁ«\"„“])")
_NAME_RE = re.compile(r"[A-ZА-ЯЁ][\w.&'’ -]*")


@dataclass(frozen=True)
class Dateline:
    place: str | None
    day: int | None
    month: str | None  # as written: "августа", "Feb"
    year: int | None  # only when the dateline writes one
    outlet: str | None
    end: int  # where the story text starts after it


def read_dateline(paragraph: str) -> Dateline | None:
    """Return the dateline opening a paragraph, or None."""
    text = paragraph[:DATELINE_MAX_CHARS]
    if m := _LEAD_AGENCY_RE.match(text):  # "(Reuters) - ..."
        outlet = known_outlet(m["agency"])
        return Dateline(None, None, None, None, outlet, m.end()) if outlet else None
    if m := _PLACE_AGENCY_RE.match(text):  # "WASHINGTON (AP) — ..."
        outlet = _bracketed_outlet(m["agency"])
        return Dateline(m["place"], None, None, None, outlet, m.end()) if outlet else None
    for pattern in (_ANY_PLACE_AGENCY_RE, _PLACE_DOT_AGENCY_RE):  # "Paris (AFP) -"
        if (m := pattern.match(text)) and (outlet := _listed_in(m["agency"])):
            return Dateline(m["place"], None, None, None, outlet, m.end())
    if m := _AGENCY_DAY_RE.match(text):  # "ТАСС, 10 августа. ..."
        outlet = distinctive_outlet(m["agency"])
        if outlet:
            return _with_day(m["day"], None, outlet, m.end())
    strict = _PLACE_DAY_RE.match(text)
    m = strict or _ANY_PLACE_DAY_RE.match(text)
    if not m:
        return None
    place, day, rest = m["place"], m["day"], m.end()
    if t := _SLASHED_RE.match(text, rest):  # "ИРКУТСК, 10 августа. /ТАСС/."
        agency = t["agency"].strip()
        outlet = _listed_in(agency)
        if not outlet and _NAME_RE.fullmatch(agency) and len(agency.split()) <= 3:
            outlet = agency
        if outlet:
            return _with_day(day, place, outlet, t.end())
    if t := _BRACKETED_RE.match(text, rest):  # "MOSCOW, March 12 (Reuters) -"
        outlet = _bracketed_outlet(t["agency"])
        if outlet:
            return _with_day(day, place, outlet, t.end())
    if (t := _BRACKETED_BARE_RE.match(text, rest)) and (outlet := _listed_in(t["agency"])):
        return _with_day(day, place, outlet, t.end())
    for pattern in (_DASHED_RE, _DOTTED_RE, _COMMA_AGENCY_RE):  # "МОСКВА, 10 авг - РИА Новости."
        t = pattern.match(text, rest)
        if t and (outlet := known_outlet(t["agency"])):
            return _with_day(day, place, outlet, t.end())
    if not strict:
        return None  # a lower-case place needs a listed agency to be a dateline
    if t := _BARE_DASH_RE.match(text, rest):  # "SALVADOR, Feb 26 - Showers continued"
        return _with_day(day, place, None, t.end())
    if t := _BARE_STOP_RE.match(text, rest - 1 if day.endswith(".") else rest):
        return _with_day(day, place, None, t.end())  # "МОСКВА, 9 августа. Ученые ..."
    return None


def _listed_in(agency: str) -> str | None:
    """A listed outlet named by the whole text or by one to three of its words.

    "/Корр. ТАСС Иван Петров/" names ТАСС; "/Новости-Грузия/" is the whole name.
    """
    words = agency.strip(" .").split()
    for size in range(min(len(words), 3), 0, -1):
        for start in range(len(words) - size + 1):
            if outlet := known_outlet(" ".join(words[start : start + size])):
                return outlet
    return None


def _bracketed_outlet(agency: str) -> str | None:
    """An agency in brackets after a place: a listed one, or a short capitalized name."""
    agency = agency.strip()
    listed = _listed_in(agency)
    if listed:
        return listed
    if len(agency) <= AGENCY_MAX_CHARS and len(agency.split()) <= 3 and _NAME_RE.fullmatch(agency):
        return agency
    return None


def _with_day(day_text: str, place: str | None, outlet: str | None, end: int) -> Dateline:
    m = DAY_RE.match(day_text)
    day, month = (m["d1"], m["m1"]) if m["m1"] else (m["d2"], m["m2"])
    year = int(m["y"]) if m["y"] else None
    return Dateline(place, int(day), month, year, outlet, end)
