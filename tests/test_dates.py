"""Dates news carries (search.ingest.dates)."""

from datetime import date

import pytest

from search.ingest.dates import date_in_url, day_with_year, find_date, parse_date, year_in_url


def parsed(text: str, lang: str = "en") -> date | None:
    m = find_date(text)
    return parse_date(m, lang) if m else None


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("26-FEB-1987 15:01:01.79", "en", date(1987, 2, 26)),
        ("05/08/2008 10:35", "ru", date(2008, 8, 5)),  # day first in Russian
        ("26/06/2019", "en", date(2019, 6, 26)),  # a part over 12 is the day
        ("06/26/2019", "en", date(2019, 6, 26)),
        ("03/04/2021", "en", None),  # March or April: no date
        ("31/02/2019", "ru", None),
        ("2019-06-26", "en", date(2019, 6, 26)),
        ("10 августа 2019, 17:12", "ru", date(2019, 8, 10)),
    ],
)
def test_date_forms(text, lang, expected):
    assert parsed(text, lang) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://ria.ru/20190810/1557366398.html", date(2019, 8, 10)),
        ("https://meduza.io/news/2019/08/06/umerla", date(2019, 8, 6)),
        ("https://iz.ru/675449/2017-11-25/chislo-mashin", date(2017, 11, 25)),
        ("https://tass.ru/proisshestviya/6751577", None),
        ("https://example.com/2019/13/45/x", None),
        (None, None),
    ],
)
def test_date_in_url(url, expected):
    assert date_in_url(url) == expected


def test_year_in_url():
    assert (year_in_url("https://x.ru/2019/news/1"), year_in_url("https://x.ru/a/1")) == (
        2019,
        None,
    )


def test_a_day_takes_the_year_of_a_clue_nearby_and_never_a_far_one():
    assert day_with_year(10, "августа", date(2019, 8, 12)) == date(2019, 8, 10)
    assert day_with_year(31, "декабря", date(2020, 1, 2)) == date(2019, 12, 31)
    assert day_with_year(10, "августа", date(2019, 1, 1)) is None
    assert day_with_year(26, "Feb", 1987) == date(1987, 2, 26)
