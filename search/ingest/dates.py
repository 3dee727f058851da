"""Find and read the dates news carries: full dates, wire days without a year, URL dates.

A date must name day, month and year; a date that is ambiguous, incomplete or impossible
gives no date, since a wrong date is worse than none.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

MIN_YEAR = 1900  # a date before this is a typo, not a news date
YEAR_GUESS_MAX_DAYS = 60  # a dateline's day takes a year only this close to a dated clue

MONTHS = (
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
DATE_RE = re.compile(
    rf"""(?<![\w.-])
    (?:
        (?P<weekday>(?:{_WEEKDAYS})\.?,?\s+)?
        (?:
            (?P<d1>[0-3]?\d)(?:st|nd|rd|th)?\s+(?P<m1>{MONTHS})\.?,?\s+(?P<y1>\d{{4}})
          | (?P<m2>{MONTHS})\.?\s+(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y2>\d{{4}})
        )
      | (?P<y3>\d{{4}})-(?P<m3>[01]?\d)-(?P<d3>[0-3]?\d)(?:T[\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?
      | (?P<d4>[0-3]?\d)\.(?P<m4>[01]?\d)\.(?P<y4>\d{{4}})
      | (?P<d5>[0-3]?\d)-(?P<m5>{MONTHS})-(?P<y5>\d{{4}})
      | (?P<a6>[0-3]?\d)/(?P<b6>[0-3]?\d)/(?P<y6>\d{{4}})
    )
    (?:\s*(?:г\.|года|год)(?!\w))?
    (?![\w-])""",
    re.IGNORECASE | re.VERBOSE,
)
_YEAR_RE = re.compile(r"\d{4}")  # every full date has one; checked first as it is much cheaper
# A day without a year, as wire datelines give it: "10 августа", "10 авг", "Feb 26", "26 Feb".
DAY_RE = re.compile(
    rf"(?:(?P<d1>[0-3]?\d)\s+(?P<m1>{MONTHS})|(?P<m2>{MONTHS})\.?\s+(?P<d2>[0-3]?\d)(?!\d))"
    rf"\.?(?:,?\s+(?P<y>\d{{4}})(?:\s*(?:г\.|года))?)?",
    re.IGNORECASE,
)
# Dates in links: /2019/08/10/, /20190810/, /2017-11-25/.
_URL_DATE_RE = re.compile(
    r"/(?P<y>(?:19|20)\d\d)(?:/|-)?(?P<m>[01]\d)(?:/|-)?(?P<d>[0-3]\d)(?=[/_.-]|$)"
)
_URL_YEAR_RE = re.compile(r"/(?P<y>(?:19|20)\d\d)/")
_MONTH_IS_CYRILLIC_RE = re.compile(r"[а-яё]", re.IGNORECASE)


def find_date(text: str) -> re.Match | None:
    """Return the first full date in text, as a match for parse_date."""
    return DATE_RE.search(text) if _YEAR_RE.search(text) else None


def parse_date(m: re.Match, lang: str = "en") -> date | None:
    """Turn a matched date into a date; None if it is not a real, unambiguous calendar date.

    Slashed dates are day-first in Russian (05/08/2008 is 5 August); in English they are
    read only when one part cannot be a month (26/06/2019, 06/26/2019).
    """
    if m["y5"]:
        found = parse_day_month(int(m["d5"]), m["m5"], int(m["y5"]))
    elif m["y6"]:
        a, b = int(m["a6"]), int(m["b6"])
        if lang == "ru" or (a > 12 >= b):
            day, month = a, b
        elif b > 12 >= a:
            day, month = b, a
        else:
            return None  # 03/04/2021 in English: March or April?
        found = _real_date(int(m["y6"]), month, day)
    elif m["y3"] or m["y4"]:
        year, month, day = (m["y3"], m["m3"], m["d3"]) if m["y3"] else (m["y4"], m["m4"], m["d4"])
        found = _real_date(int(year), int(month), int(day))
    else:
        day, month, year = (m["d1"], m["m1"], m["y1"]) if m["m1"] else (m["d2"], m["m2"], m["y2"])
        found = parse_day_month(int(day), month, int(year))
    if found is None or not MIN_YEAR <= found.year <= date.today().year + 1:
        return None
    return found


def parse_day_month(day: int, month: str, year: int) -> date | None:
    """Return the date of "26 june" or "12 марта" in year; None if there is no such day."""
    return _parse_month_name_date(day, month.casefold().rstrip("."), year)


def date_in_url(url: str | None) -> date | None:
    """Return the publication date written in a link (/2019/08/10/, /20190810/)."""
    if not url:
        return None
    m = _URL_DATE_RE.search(url)
    if not m:
        return None
    found = _real_date(int(m["y"]), int(m["m"]), int(m["d"]))
    return found if found and MIN_YEAR <= found.year <= date.today().year + 1 else None


def year_in_url(url: str | None) -> int | None:
    """Return a year standing alone as a folder of a link (/2019/)."""
    m = _URL_YEAR_RE.search(url or "")
    return int(m["y"]) if m else None


def day_with_year(day: int, month: str, clue: date | int) -> date | None:
    """Give a dateline's day and month the year of a clue: a date near it, or a bare year.

    Near the turn of a year, "31 декабря" next to a clue of 2 January belongs to the year
    before; a day further than YEAR_GUESS_MAX_DAYS from a dated clue takes no year at all.
    """
    if isinstance(clue, int):
        return parse_day_month(day, month, clue)
    best = None
    for year in (clue.year - 1, clue.year, clue.year + 1):
        found = parse_day_month(day, month, year)
        if found and (best is None or abs(found - clue) < abs(best - clue)):
            best = found
    if best is None or abs((best - clue).days) > YEAR_GUESS_MAX_DAYS:
        return None
    return best


def _real_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


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
