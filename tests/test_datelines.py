"""Wire datelines in Russian and English (search.ingest.datelines)."""

import pytest

from search.ingest.datelines import read_dateline


@pytest.mark.parametrize(
    ("lead", "place", "day", "month", "outlet"),
    [
        (
            "ИРКУТСК, 10 августа. /ТАСС/. Военные завершили работы.",
            "ИРКУТСК",
            10,
            "августа",
            "ТАСС",
        ),
        (
            "МОСКВА, 10 авг - РИА Новости. Правительство заявило.",
            "МОСКВА",
            10,
            "авг",
            "РИА Новости",
        ),
        (
            "БИШКЕК, 5 августа /Новости-Грузия/. Полиция нашла оружие.",
            "БИШКЕК",
            5,
            "августа",
            "Новости-Грузия",
        ),
        (
            "Москва. 7 мая. INTERFAX.RU - Первый канал покажет матчи.",
            "Москва",
            7,
            "мая",
            "Интерфакс",
        ),
        ("Бишкек, 12 марта /Кабар/. Министр обороны прибыл.", "Бишкек", 12, "марта", "Кабар"),
        ("МИНСК, 3 июля (БЕЛТА) – Парад прошел в столице.", "МИНСК", 3, "июля", "БелТА"),
        ("New Delhi, Dec 12 (PTI) India has received radars.", "New Delhi", 12, "Dec", "PTI"),
        (
            "Ереван, 14 января - Новости-Армения. Армения получит",
            "Ереван",
            14,
            "января",
            "Новости-Армения",
        ),
        ("ТАСС, 10 августа. Военнослужащие завершили задачи.", None, 10, "августа", "ТАСС"),
        ("MOSCOW, March 12 (Reuters) - Russia said on Friday.", "MOSCOW", 12, "March", "Reuters"),
        (
            "SEOUL, Aug. 10 (Yonhap) -- North Korea fired two missiles.",
            "SEOUL",
            10,
            "Aug",
            "Yonhap",
        ),
        ("MOSCOW, August 10. /TASS/. The Defense Ministry said.", "MOSCOW", 10, "August", "TASS"),
        ("SALVADOR, Feb 26 - Showers continued throughout the week.", "SALVADOR", 26, "Feb", None),
        ("москва, 31 янв - риа новости. большая часть детей.", "москва", 31, "янв", "РИА Новости"),
        (
            "YEREVAN, AUGUST 10, ARMENPRESS. Prime Minister said.",
            "YEREVAN",
            10,
            "AUGUST",
            "Armenpress",
        ),
        (
            "МОСКВА, 10 авг — РИА Новости/Прайм. Курс доллара вырос.",
            "МОСКВА",
            10,
            "авг",
            "РИА Новости",
        ),
        (
            "МОСКВА, 10 августа. /Корр. ТАСС Иван Петров/. Министр прибыл.",
            "МОСКВА",
            10,
            "августа",
            "ТАСС",
        ),
    ],
)
def test_datelines_give_place_day_and_agency(lead, place, day, month, outlet):
    found = read_dateline(lead)
    assert (found.place, found.day, found.month, found.year, found.outlet) == (
        place,
        day,
        month,
        None,
        outlet,
    )
    assert lead[found.end :].strip()[0].isalpha()  # the story starts right after it


@pytest.mark.parametrize(
    ("lead", "place", "outlet"),
    [
        ("WASHINGTON (AP) — The Pentagon said on Tuesday.", "WASHINGTON", "AP"),
        ("(Reuters) - Lockheed Martin said on Tuesday.", None, "Reuters"),
        ("Paris (AFP) - France said on Tuesday.", "Paris", "AFP"),
        ("НУР-СУЛТАН. КАЗИНФОРМ – Глава государства провел встречу.", "НУР-СУЛТАН", "Kazinform"),
    ],
)
def test_datelines_without_a_day(lead, place, outlet):
    found = read_dateline(lead)
    assert (found.place, found.day, found.outlet) == (place, None, outlet)


def test_a_dateline_with_a_year_keeps_it():
    found = read_dateline("KYIV, Ukraine, March 3, 2022 (AP) — Russian forces advanced.")
    assert (found.place, found.day, found.month, found.year, found.outlet) == (
        "KYIV, Ukraine",
        3,
        "March",
        2022,
        "AP",
    )


@pytest.mark.parametrize(
    "lead",
    [
        "МОСКВА, 10 авг - Президент России подписал указ.",  # a dash and a word, not an agency
        "В Москве, 5 мая, прошел парад.",
        "Тулси Габбард, 12 февраля 2020 года",
        "The minister said on March 12 that talks went on.",
        "(Updated) - the story",
        "London, May 3 (Updated) The talks went on.",  # a bracket with no listed agency
    ],
)
def test_sentences_and_unlisted_names_are_not_agencies(lead):
    found = read_dateline(lead)
    assert found is None or found.outlet is None
