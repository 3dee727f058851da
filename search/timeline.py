"""Hits over time: the dates of every matched article counted per month, or per day."""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass
from datetime import date

import numpy as np

DAILY_BELOW_DAYS = 92  # a range shorter than about three months is counted per day
YEARLY_ABOVE_MONTHS = 240  # past twenty years, months make bars too thin to see: years


@dataclass
class MatchedSet:
    """Every article a search matched (not only the shown page): ids and dates, taken from
    the index's per-document arrays while the search still holds its reader."""

    raw_ids: np.ndarray  # the matched articles' ids, UTF-8 bytes, in no particular order
    days: dict[str, int]  # day (YYYY-MM-DD) -> matched articles; undated ones left out

    @classmethod
    def of(cls, arrays, docnums: np.ndarray) -> MatchedSet:
        """Read the ids and dates of ``docnums`` from a search's IndexArrays."""
        values, codes = arrays.codes("date")
        found = np.bincount(codes[docnums], minlength=len(values))
        counted = np.flatnonzero(found * _day_mask(values)).tolist()
        days = {values[i]: n for i, n in zip(counted, found[counted].tolist(), strict=True)}
        return cls(arrays.column("id")[docnums], days)

    def __len__(self) -> int:
        return len(self.raw_ids)

    def ids(self) -> list[str]:
        """Return the id of every matched article."""
        return [raw.decode("utf-8") for raw in self.raw_ids.tolist()]


_DAY_MASKS: dict[int, tuple[list[str], np.ndarray]] = {}  # id(values) -> (values, mask)
_DAY_MASKS_KEPT = 4  # an index state's date values each (the live one and older ones)


def _day_mask(values: list[str]) -> np.ndarray:
    """Return which of a date column's distinct values are days, once per list of values."""
    cached = _DAY_MASKS.get(id(values))
    if cached is None or cached[0] is not values:
        while len(_DAY_MASKS) >= _DAY_MASKS_KEPT:
            _DAY_MASKS.pop(next(iter(_DAY_MASKS)))
        mask = np.fromiter(map(_is_day, values), dtype=bool, count=len(values))
        cached = _DAY_MASKS[id(values)] = (values, mask)
    return cached[1]


def _is_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def histogram(days: dict[str, int]) -> list[dict]:
    """Return ``[{"period": "2021-03", "count": 2}, ...]`` in date order, with empty
    periods between the first and the last filled in; periods are days
    (``2021-03-04``) when the dates span less than DAILY_BELOW_DAYS, years past
    YEARLY_ABOVE_MONTHS months."""
    if not days:
        return []
    first, last = date.fromisoformat(min(days)), date.fromisoformat(max(days))
    if (last - first).days < DAILY_BELOW_DAYS:
        counts = Counter(days)
        periods = [
            date.fromordinal(n).isoformat() for n in range(first.toordinal(), last.toordinal() + 1)
        ]
    else:
        periods = _months(first, last)
        width = 4 if len(periods) > YEARLY_ABOVE_MONTHS else 7
        periods = sorted({period[:width] for period in periods})
        counts = Counter()
        for day, n in days.items():
            counts[day[:width]] += n
    return [{"period": period, "count": counts.get(period, 0)} for period in periods]


def _months(first: date, last: date) -> list[str]:
    out, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def period_range(period: str) -> tuple[str, str]:
    """Return the first and last day of a period: ``2021-03`` -> 2021-03-01, 2021-03-31."""
    if len(period) == 4:
        return f"{period}-01-01", f"{period}-12-31"
    if len(period) == 7:
        year, month = int(period[:4]), int(period[5:])
        last = calendar.monthrange(year, month)[1]
        return f"{period}-01", f"{period}-{last:02d}"
    return period, period
