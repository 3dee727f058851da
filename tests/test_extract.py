"""Metadata and body from real news layouts (search.ingest: extract, credits, paragraphs).

The fixtures are written here in the shapes real files come in: crawler header blocks, saved
pages with captions and furniture, wire copy with datelines and sign-offs.
"""

import pytest

from search.ingest.extract import extract_article
from search.ingest.read import read_document

LEAD_RU = (
    "Военнослужащие Центрального военного округа завершили восстановление дамбы на реке Ия, "
    "сообщили журналистам в военном ведомстве."
)
LEAD_EN = (
    "Lockheed Martin said on Tuesday it had delivered the first F-35 fighters of the order, "
    "two months ahead of the schedule agreed with the ministry."
)


STORY_RU = "\n\n".join([LEAD_RU] * 6)  # long enough for its last line to be a credit, not header


def extract(text: str):
    return extract_article(text)


# Titles -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "second_line",
    [
        "Сергей Шойгу",  # a caption naming a person
        "Фото: Reuters",  # a photo credit
        "Министр обороны на учениях в 2019 году",
        "left|Барак Обама",  # a wiki image caption
    ],
)
def test_a_caption_after_the_headline_is_not_part_of_it(second_line):
    article = extract(f"Шойгу проверил готовность войск\n{second_line}\n{LEAD_RU}\n")
    assert article.title == "Шойгу проверил готовность войск"
    assert article.provenance["title"] == "headline"


def test_a_site_name_after_the_headline_is_not_part_of_it():
    article = extract(f"The First Map of Saturn\nScienceAlert\n\n{LEAD_EN}\n")
    assert article.title == "The First Map of Saturn"


def test_a_headline_wrapped_in_a_hard_wrapped_file_is_joined():
    body = (
        "    WASHINGTON, March 2 - The U.S. Army awarded a contract to\n"
        "General Dynamics for the upgrade of its armored vehicles, the\n"
        "Pentagon said in its daily list of contracts on Tuesday and\n"
        "added that work would be done in Michigan and in Ohio by the\n"
        "end of the next fiscal year, with the first deliveries in\n"
        "spring.\n"
    )
    article = extract(
        "GENERAL DYNAMICS WINS ARMY CONTRACT FOR THE UPGRADE OF STRYKER\nVEHICLES\n\n" + body
    )
    assert (
        article.title == "GENERAL DYNAMICS WINS ARMY CONTRACT FOR THE UPGRADE OF STRYKER VEHICLES"
    )


def test_a_crawler_header_block_is_metadata_not_the_title():
    article = extract(
        f"100148_text\nru\n2019-08-10\nhttps://tass.ru/armiya-i-opk/6751577\n"
        f"Военные завершили работы\n\n{LEAD_RU}\n"
    )
    assert (article.title, article.date, article.url, article.source) == (
        "Военные завершили работы",
        "2019-08-10",
        "https://tass.ru/armiya-i-opk/6751577",
        "ТАСС",
    )
    assert article.provenance == {
        "title": "headline",
        "date": "header line",
        "source": "url",
        "url": "header line",
    }
    assert "100148_text" not in article.body


def test_a_title_field_of_a_header_block_is_the_title():
    article = extract(f"id: 42\ntitle: Поставки С-400 завершены\nlang: ru\n\n{LEAD_RU}\n")
    assert (article.title, article.provenance["title"]) == (
        "Поставки С-400 завершены",
        "header line",
    )


@pytest.mark.parametrize(
    "furniture",
    [
        "Регистрация пройдена успешно!",
        "Отправить еще раз",
        "Ваш регион",
        "Мы используем файлы cookie, чтобы сайт работал лучше. Продолжая, вы соглашаетесь.",
        "This website uses cookies to improve your experience. By continuing you accept them.",
        "Accept all",
    ],
)
def test_page_furniture_is_dropped_not_the_title(furniture):
    article = extract(f"{furniture}\nШойгу проверил готовность войск\n\n{LEAD_RU}\n")
    assert article.title == "Шойгу проверил готовность войск"
    assert article.dropped == (furniture,) and furniture not in article.body


def test_without_a_headline_the_title_is_the_first_sentence_after_the_dateline():
    article = extract(f"МОСКВА, 9 августа. /ТАСС/. {LEAD_RU} Работы шли месяц.\n")
    assert article.title == LEAD_RU.rstrip(".")
    assert article.provenance["title"] == "first sentence"


# Outlets ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "source", "where"),
    [
        (f"Учения завершены\n\nИРКУТСК, 10 августа. /ТАСС/. {LEAD_RU}", "ТАСС", "dateline"),
        (f"Учения завершены\n\nМОСКВА, 10 авг - РИА Новости. {LEAD_RU}", "РИА Новости", "dateline"),
        (f"F-35 deliveries\n\nWASHINGTON (AP) — {LEAD_EN}", "AP", "dateline"),
        (f"F-35 deliveries\n\n    (Reuters) - {LEAD_EN}\n Reuter\n", "Reuters", "dateline"),
        (
            f"F-35 DELIVERIES\n\n    FORT WORTH, Feb 26 - {LEAD_EN}\n Reuter\n",
            "Reuters",
            "sign-off",
        ),
        (
            f"Учения завершены\n\n{STORY_RU}\n\nИсточник: Газета.Ru",
            "Газета.Ru",
            "credit line",
        ),
        (
            f"Учения завершены\nRT на русском, 26.06.2019\n\n{LEAD_RU}",
            "RT на русском",
            "header line",
        ),
        (
            f"Учения завершены\n\n{STORY_RU}\n\nИсточник: RT на русском",
            "RT на русском",
            "credit line",
        ),
        (
            f"Учения завершены\n\n{LEAD_RU}\nhttps://www.gazeta.ru/army/2019/08/10/1.shtml",
            "Газета.Ru",
            "url",
        ),
        (f"F-35 deliveries\nhttps://news.example.co.uk/a/1\n\n{LEAD_EN}", "example.co.uk", "url"),
        (f"F-35 deliveries\nBy Jane Doe, Reuters\n\n{LEAD_EN}", "Reuters", "header line"),
        (f"F-35 deliveries\n\nParis (AFP) - {LEAD_EN}", "AFP", "dateline"),
    ],
)
def test_outlet_and_where_it_was_found(text, source, where):
    article = extract(text)
    assert (article.source, article.provenance.get("source")) == (source, where)


def test_a_sign_off_is_dropped_from_the_body():
    article = extract(f"F-35 DELIVERIES\n\n    FORT WORTH, Feb 26 - {LEAD_EN}\n Reuter\n")
    assert not article.body.endswith("Reuter")


@pytest.mark.parametrize(
    "header_line",
    [
        "Тулси Габбард, 12 февраля 2020 года",  # a photo caption naming a person
        "14 января 2019, 17:43 168",  # a view counter
        "(21.12.2020)",
        "By Mike Stone, staff writer",
    ],
)
def test_captions_counters_and_dates_are_not_outlets(header_line):
    article = extract(f"Учения завершены\n{header_line}\n\n{LEAD_RU}\n")
    assert article.source is None


# Dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "where"),
    [
        (f"BAHIA COCOA REVIEW\n26-FEB-1987 15:01:01.79\n\n{LEAD_EN}", "1987-02-26", "header line"),
        (f"Оружие изъято в Бишкеке\n\n05/08/2008 10:35\n\n{LEAD_RU}", "2008-08-05", "header line"),
        (
            "Учения завершены\nhttps://tass.ru/2019/08/11/1\n\n"
            f"ИРКУТСК, 10 августа. /ТАСС/. {LEAD_RU}",
            "2019-08-10",
            "dateline, year from url",
        ),
        (f"Учения завершены\nhttps://ria.ru/20190810/1.html\n\n{LEAD_RU}", "2019-08-10", "url"),
        (
            f"F-35 deliveries\nMarch 12, 2021 at 10:35 a.m. ET\n\n{LEAD_EN}",
            "2021-03-12",
            "header line",
        ),
        (f"Учения завершены\n12:34, 5 марта 2019\n\n{LEAD_RU}", "2019-03-05", "header line"),
        (f"Учения завершены\n(21.12.2020)\n\n{LEAD_RU}", "2020-12-21", "header line"),
    ],
)
def test_date_and_where_it_was_found(text, expected, where):
    article = extract(text)
    assert (article.date, article.provenance.get("date")) == (expected, where)


@pytest.mark.parametrize(
    "text",
    [
        f"Учения завершены\n\nИРКУТСК, 10 августа. /ТАСС/. {LEAD_RU}",  # no year anywhere
        f"F-35 DELIVERIES\n\n    FORT WORTH, Feb 26 - {LEAD_EN}\n Reuter\n",
        f"Учения завершены\n\n{LEAD_RU} В сообщении, выпущенном в воскресенье, 1 мая 2016 года, "
        "говорится о новых поставках.",
        f"Обама прибыл в Гарвард\nСемья Обама\n\n{LEAD_RU}\n\nВ сообщении Белого дома, "
        "выпущенном в воскресенье, 1 мая 2016 года, говорится:\n\n«Мы рады».",
    ],
)
def test_no_year_means_no_date_and_story_dates_are_never_taken(text):
    assert extract(text).date is None


# Body ---------------------------------------------------------------------------------------


def test_indented_wire_paragraphs_are_joined_by_their_indent():
    article = extract(
        "STANDARD OIL TO FORM FINANCIAL UNIT\n\n"
        "    CLEVELAND, Feb 26 - Standard Oil Co and BP North America\n"
        "Inc said they plan to form a venture to manage the money market\n"
        "borrowing and investment activities of both companies.\n"
        "    BP North America is a subsidiary of British Petroleum Co\n"
        "Plc, which also owns a 55 pct interest in Standard Oil.\n"
    )
    assert article.body.split("\n\n") == [
        "CLEVELAND, Feb 26 - Standard Oil Co and BP North America Inc said they plan to form a "
        "venture to manage the money market borrowing and investment activities of both "
        "companies.",
        "BP North America is a subsidiary of British Petroleum Co Plc, which also owns a 55 pct "
        "interest in Standard Oil.",
    ]


# Sidecars -----------------------------------------------------------------------------------


def test_a_value_set_by_the_sidecar_has_the_sidecar_as_provenance(tmp_path):
    (tmp_path / "a.txt").write_text(f"Учения завершены\n\nИРКУТСК, 10 августа. /ТАСС/. {LEAD_RU}")
    (tmp_path / "a.meta.json").write_text('{"date": "2019-08-10"}')
    doc = read_document(tmp_path / "a.txt", tmp_path)
    assert doc.provenance == {
        "title": "headline",
        "date": "sidecar",
        "source": "dateline",
        "lang": "text",
    }


def test_a_wrapped_word_that_looks_like_a_button_stays_in_the_story():
    article = extract(
        "AMEX PROFIT RISES\n\n"
        "    NEW YORK, Feb 26 - American Express Co said its profit rose\n"
        "to 1.20 dlrs a share from 98 cts in the quarter, or 12 cts a\n"
        "share.\n"
        "    The company said revenue rose in every region of the world.\n"
    )
    assert "12 cts a share." in article.body and article.dropped == ()


def test_a_link_from_the_sidecar_names_the_outlet_and_the_dateline_year(tmp_path):
    (tmp_path / "a.txt").write_text(f"Учения завершены\n\nИРКУТСК, 10 августа. {LEAD_RU}")
    (tmp_path / "a.meta.json").write_text('{"url": "https://www.kommersant.ru/2019/08/10/1"}')
    doc = read_document(tmp_path / "a.txt", tmp_path)
    assert (doc.source, doc.date) == ("Коммерсантъ", "2019-08-10")
    assert doc.provenance == {
        "title": "headline",
        "date": "dateline, year from url",
        "source": "url",
        "url": "sidecar",
        "lang": "text",
    }


@pytest.mark.parametrize(
    "text",
    [
        f"Власть\nДума приняла закон о поставках\n\n{LEAD_RU}",  # a rubric, not the outlet
        f"Дума приняла закон о поставках\n\nСегодня, 10 августа, {LEAD_RU}",
    ],
)
def test_an_outlet_named_like_an_ordinary_word_needs_a_credit(text):
    assert extract(text).source is None


def test_a_dateline_alone_on_the_first_line_is_not_the_headline():
    article = extract(f"WASHINGTON (AP) —\n{LEAD_EN}\n\n{LEAD_EN} Talks went on.\n")
    assert article.title.startswith("Lockheed Martin said") and article.source == "AP"


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("12 марта 2021, 14:05 | Политика", "2021-03-12"),
        ("Политика | 12 марта 2021", "2021-03-12"),
        ("Posted On: Friday, March 12, 2021", "2021-03-12"),
        ("Last updated on March 12, 2021", "2021-03-12"),
    ],
)
def test_a_rubric_beside_the_date_is_not_the_outlet(line, date):
    article = extract(f"Учения завершены\n{line}\n\n{LEAD_RU}\n")
    assert (article.date, article.source) == (date, None)
    assert "|" not in article.body and "Posted" not in article.body
