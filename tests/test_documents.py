"""Reading article files into NewsDocument records (search.ingest.read, .extract)."""

import codecs
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.errors import DocumentError
from search.ingest.decode import MAX_BYTES
from search.ingest.read import fingerprint, read_document
from search.ingest.sidecar import sidecar_path
from search.ingest.walk import document_id, iter_article_files, iter_article_paths
from search.model import NewsDocument

# tmp_path is shared by a test's examples: each one overwrites article.txt, which is fine here.
FUZZ = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
DATA = Path(__file__).resolve().parent / "data" / "articles"

STORY_EN = (
    "The Azerbaijani delegation held talks with Rosoboronexport on the sidelines of the forum, "
    "the deputy minister said after the meeting."
)
STORY_RU = (
    "Азербайджанская делегация провела переговоры с Рособоронэкспортом на полях форума, "
    "сообщил заместитель министра после встречи."
)


def read(tmp_path: Path, content: str | bytes, name: str = "article.txt") -> NewsDocument:
    """Write an article into a corpus under tmp_path and read it back."""
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return read_document(path, tmp_path)


def read_error(tmp_path: Path, content: str | bytes) -> str:
    with pytest.raises(DocumentError) as info:
        read(tmp_path, content)
    return str(info.value)


# The shipped corpus -------------------------------------------------------------------------

SHIPPED = [
    (
        "000_219e968d6b8b0e1f",
        "Moscow and Baku are linked by mutual arms supply",
        None,
        "Vestnik Kavkaza",
        None,
        "en",
    ),
    (
        "001_e6ec49ea94417d5f",
        "Вице-премьер правительства Российской Федерации Дмитрий Рогозин, отвечающий за весь "
        "российский ВПК, прибыл с визитом в Азербайджан",
        None,
        None,  # "В интервью Azeri.Today" is inside a sentence: not a credit
        None,
        "ru",
    ),
    (
        "002_7342f1c551cf0f21",
        "Azeri Defense Industry Ministry Says To Sign Cooperation Deal With Rosoboronexport",
        "2019-06-26",
        "UrduPoint.com",
        None,
        "en",
    ),
    (
        "003_1333d49264e5efcb",
        "While exposing to criticism from Armenia, Russian Defense Minister Sergei Shoigu, "
        "welcomed yesterday the military relations “strategic”…",
        None,
        "armenews.com",
        None,
        "en",
    ),
    (
        "004_9f58cf50519153e2",
        "RUSSIA-AZERBAIJAN CO-OP IN MILITARY SPHERE OF STRATEGIC NATURE - POLITICAL ANALYST",
        "2019-10-05",  # the AzerNews credit's date, not the 07.10.2019 repost date
        "AzerNews",
        "https://www.azernews.az/nation/156893.html",
        "en",
    ),
]


def shipped(doc_id: str) -> NewsDocument:
    return read_document(CORPUS / f"{doc_id}.txt", CORPUS)


@pytest.mark.parametrize(("doc_id", "title", "date", "source", "url", "lang"), SHIPPED)
def test_shipped_article_metadata(doc_id, title, date, source, url, lang):
    doc = shipped(doc_id)
    assert (doc.id, doc.title, doc.date, doc.source, doc.url, doc.lang) == (
        doc_id,
        title,
        date,
        source,
        url,
        lang,
    )


@pytest.mark.parametrize("doc_id", [row[0] for row in SHIPPED])
def test_shipped_article_hash_is_its_fingerprint(doc_id):
    assert shipped(doc_id).hash == fingerprint(CORPUS / f"{doc_id}.txt")


def test_search_in_site_is_dropped():
    body = shipped("000_219e968d6b8b0e1f").body
    assert "Search in Site" not in body
    assert body.endswith("Uzeir Jafarov added. (Vestnik Kavkaza)")


def test_repeated_paragraphs_are_collapsed_in_001():
    body = shipped("001_e6ec49ea94417d5f").body
    assert body.count("В интервью Azeri.Today известный российский военный эксперт") == 1
    assert body.count("- Как вы оцениваете текущий уровень") == 1


def test_hard_wrapped_first_paragraph_of_001_is_joined():
    first = shipped("001_e6ec49ea94417d5f").body.split("\n\n")[0]
    assert first == (
        "Вице-премьер правительства Российской Федерации Дмитрий Рогозин, отвечающий за весь "
        "российский ВПК, прибыл с визитом в Азербайджан. Ожидается, что на встрече с "
        "руководством Азербайджана Рогозин обсудит детали военно-технического сотрудничества "
        "двух стран и возможности закупок азербайджанской стороной новейших образцов "
        "российского вооружения."
    )


def test_dialogue_lines_of_001_stay_paragraphs():
    paragraphs = shipped("001_e6ec49ea94417d5f").body.split("\n\n")
    assert paragraphs[2] == (
        "- Как вы оцениваете текущий уровень военного сотрудничества между Россией и Азербайджаном?"
    )


def test_header_byline_and_repeated_headline_leave_the_body_of_002():
    body = shipped("002_7342f1c551cf0f21").body
    assert "date 2019-06-26" not in body
    assert "Sumaira" not in body
    assert "sign cooperation deal with rosoboronexport" not in body.casefold()
    assert body.startswith("Andrei Savenkov - Azerbaijan's Ministry of Defense Industry met")


def test_credit_line_leaves_the_body_of_003():
    body = shipped("003_1333d49264e5efcb").body
    assert "armenews" not in body
    assert body.endswith("“development of military-technical cooperation.”")


def test_metadata_and_separators_leave_the_body_of_004():
    body = shipped("004_9f58cf50519153e2").body
    for consumed in ("07.10.2019", "AzerNews", "https://", "Kaynak", "---", "**"):
        assert consumed not in body
    assert body.startswith("Judging by the words of President İlham Aliyev")


def test_sentence_split_by_a_blank_line_is_rejoined_in_004():
    last = shipped("004_9f58cf50519153e2").body.split("\n\n")[-1]
    assert last.endswith("are of strategic nature and are constantly developing.")


def test_paragraphs_are_separated_by_one_blank_line():
    for doc_id, *_ in SHIPPED:
        body = shipped(doc_id).body
        assert "\n\n\n" not in body
        assert all(paragraph.strip() == paragraph for paragraph in body.split("\n\n"))
        assert all("\n" not in paragraph for paragraph in body.split("\n\n"))


# Test articles under tests/data/articles ----------------------------------------------------


def test_tass_credit_gives_outlet_and_date():
    doc = read_document(DATA / "tass_credit.txt", DATA)
    assert (doc.title, doc.date, doc.source, doc.lang) == (
        "Минобороны получит новые танки Т-90М до конца года",
        "2021-03-12",
        "ТАСС",
        "ru",
    )
    assert "ТАСС" not in doc.body and "Search in Site" not in doc.body
    assert doc.body.split("\n\n")[0].startswith("Министерство обороны России получит партию")
    assert "конца года, сообщил" in doc.body


def test_defense_news_header_and_bare_url():
    doc = read_document(DATA / "defense_news.txt", DATA)
    assert (doc.title, doc.date, doc.source, doc.url) == (
        "Army picks a new rifle for its close-combat troops",
        "2021-03-12",
        "Defense News",
        "https://www.defensenews.com/land/2021/03/12/army-rifle/",
    )
    assert doc.body.split("\n\n") == [
        "WASHINGTON — The U.S. Army has chosen a new rifle for its close-combat units. The "
        "first deliveries are planned for 2022, and the service expects to buy 107,000 rifles.",
        "The program was started in 2019.",
    ]


def test_sidecar_overrides_every_field():
    doc = read_document(DATA / "sidecar_override.txt", DATA)
    assert (doc.title, doc.date, doc.source, doc.url, doc.lang) == (
        "Russia and Azerbaijan sign an air-defense deal",
        "2021-03-13",
        "Interfax",
        "https://www.interfax.ru/russia/756123",
        "en",
    )
    assert doc.body == "The deal, signed on 12 March 2021 in Baku, covers air-defense systems."


def test_sidecar_path_sits_beside_the_article():
    assert sidecar_path(DATA / "sidecar_override.txt") == DATA / "sidecar_override.meta.json"


def test_corpus_walk_order_ids_and_sidecars(tmp_path):
    for name in ["b.txt", "a.txt", "a.meta.json", "x.y.txt", "dot.", "sub/z/c.txt", "sub/d.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("text", encoding="utf-8")
    for hidden in [".h.txt", ".git/e.txt"]:
        (tmp_path / hidden).parent.mkdir(exist_ok=True)
        (tmp_path / hidden).write_text("text", encoding="utf-8")
    (tmp_path / "link").symlink_to(tmp_path / "sub", target_is_directory=True)
    (tmp_path / "alias.txt").symlink_to(tmp_path / "b.txt")
    found = list(iter_article_files(tmp_path))
    ids = ["a", "alias", "b", "dot.", "x.y", "sub/d", "sub/z/c"]
    assert [article.id for article in found] == ids
    assert [article.sidecar and article.sidecar.name for article in found] == [
        "a.meta.json",
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    assert [document_id(Path(article.path), tmp_path) for article in found] == ids
    assert list(iter_article_paths(tmp_path)) == [Path(article.path) for article in found]


# Encodings and characters -------------------------------------------------------------------

SHORT_RUSSIAN = [
    "Рогозин прибыл в Баку",
    "Ёжик в тумане",
    "Минобороны России получило новые танки",
    "Привет, мир!",
    "РОГОЗИН ПРИБЫЛ В БАКУ",
    "Да, это так",
]


@pytest.mark.parametrize("codec", ["cp1251", "koi8_r"])
@pytest.mark.parametrize("text", SHORT_RUSSIAN)
def test_short_russian_legacy_encodings_are_detected(tmp_path, codec, text):
    doc = read(tmp_path, text.encode(codec))
    assert (doc.body, doc.lang) == (text, "ru")


@pytest.mark.parametrize("codec", ["cp1251", "koi8_r"])
def test_russian_article_in_legacy_encoding(tmp_path, codec):
    article = f"Рогозин прибыл в Баку\r\n\r\n{STORY_RU}\r\n\r\nТАСС, 12 марта 2021 г.\r\n"
    doc = read(tmp_path, article.encode(codec))
    assert (doc.title, doc.body, doc.date, doc.source) == (
        "Рогозин прибыл в Баку",
        STORY_RU,
        "2021-03-12",
        "ТАСС",
    )


def test_windows_1252_english_keeps_accents_and_quotes(tmp_path):
    article = f"Army buys “matériel” in bulk\n\nThe café was closed. {STORY_EN}\n"
    doc = read(tmp_path, article.encode("cp1252"))
    assert (doc.title, doc.lang) == ("Army buys “matériel” in bulk", "en")
    assert doc.body.startswith("The café was closed.")


def test_utf8_bom_never_reaches_the_title(tmp_path):
    doc = read(tmp_path, codecs.BOM_UTF8 + f"Рогозин прибыл в Баку\n\n{STORY_RU}".encode())
    assert doc.title == "Рогозин прибыл в Баку"


def test_utf8_bom_before_a_first_sentence_title(tmp_path):
    doc = read(tmp_path, codecs.BOM_UTF8 + STORY_RU.encode())
    assert doc.title.startswith("Азербайджанская делегация")


def test_utf16_with_bom(tmp_path):
    doc = read(tmp_path, f"Рогозин прибыл в Баку\n\n{STORY_RU}".encode("utf-16"))
    assert (doc.title, doc.body) == ("Рогозин прибыл в Баку", STORY_RU)


def test_crlf_and_lone_cr_become_newlines(tmp_path):
    doc = read(tmp_path, f"Moscow and Baku sign a deal\r\n\r\n{STORY_EN}\r\rSecond paragraph.\r\n")
    assert "\r" not in doc.title + doc.body
    assert doc.body == f"{STORY_EN}\n\nSecond paragraph."


def test_control_and_invisible_characters_are_removed(tmp_path):
    doc = read(
        tmp_path, "Moscow\x07 and Baku\u200b sign\xa0a deal\x1b\n\nThe de\xadal was\tsigned.\x0c"
    )
    assert (doc.title, doc.body) == ("Moscow and Baku sign a deal", "The deal was signed.")


def test_decomposed_letters_are_composed(tmp_path):
    doc = read(tmp_path, f"Зенитныи\u0306 комплекс\n\n{STORY_RU}")
    assert doc.title == "Зенитный комплекс"


def test_utf8_with_one_damaged_byte_is_still_utf8(tmp_path):
    raw = f"Рогозин прибыл в Баку\n\n{STORY_RU}".encode() + b"\xff"
    assert read(tmp_path, raw).body == STORY_RU


# Title --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first_line",
    [
        "**Moscow and Baku sign a deal**",
        "# Moscow and Baku sign a deal",
        "- Moscow and Baku sign a deal -",
        "Moscow and Baku sign a deal",
    ],
)
def test_headline_markup_is_stripped(tmp_path, first_line):
    doc = read(tmp_path, f"---\n\n{first_line}\n\n---\n\n{STORY_EN}\n")
    assert (doc.title, doc.body) == ("Moscow and Baku sign a deal", STORY_EN)


def test_first_sentence_is_the_title_without_a_headline(tmp_path):
    doc = read(tmp_path, "Russia will deliver new tanks. The contract was signed in Baku.")
    assert doc.title == "Russia will deliver new tanks"


def test_abbreviations_do_not_end_the_first_sentence(tmp_path):
    doc = read(tmp_path, "The U.S. Army met Gen. Smith in Baku. The talks went well.")
    assert doc.title == "The U.S. Army met Gen. Smith in Baku"


def test_long_first_sentence_is_cut_on_a_word_boundary(tmp_path):
    sentence = "Министерство обороны " + "сообщило о поставках новых бронемашин " * 8 + "войскам."
    title = read(tmp_path, sentence).title
    assert title.endswith("…")
    assert len(title) <= 140
    kept = title[:-1]
    assert sentence.startswith(kept)
    assert sentence[len(kept)] == " "  # the cut falls between words


def test_single_line_article_is_title_and_body(tmp_path):
    doc = read(tmp_path, "Moscow and Baku sign a deal\n")
    assert (doc.title, doc.body) == ("Moscow and Baku sign a deal", "Moscow and Baku sign a deal")


# Dates --------------------------------------------------------------------------------------

DATE_LINES = [
    ("2019-06-26", "2019-06-26"),
    ("date 2019-06-26", "2019-06-26"),
    ("Date: 2019-06-26", "2019-06-26"),
    ("07.10.2019", "2019-10-07"),
    ("05 October 2019", "2019-10-05"),
    ("Wed 26th June 2019", "2019-06-26"),
    ("March 12, 2021", "2021-03-12"),
    ("12 Mar 2021", "2021-03-12"),
    ("12 марта 2021 г.", "2021-03-12"),
    ("28 сентября 2017 года", "2017-09-28"),
    ("Wednesday, June 26, 2019 | 12:19 PM", "2019-06-26"),
]


@pytest.mark.parametrize(("line", "expected"), DATE_LINES)
def test_date_line_in_the_header(tmp_path, line, expected):
    doc = read(tmp_path, f"Moscow and Baku sign a deal\n\n{line}\n\n{STORY_EN}\n")
    assert (doc.date, doc.body) == (expected, STORY_EN)


@pytest.mark.parametrize(("line", "expected"), DATE_LINES)
def test_date_line_in_the_credit(tmp_path, line, expected):
    doc = read(tmp_path, f"Moscow and Baku sign a deal\n\n{STORY_EN}\n\n{line}\n")
    assert (doc.date, doc.body) == (expected, STORY_EN)


def test_dated_byline_under_the_headline(tmp_path):
    article = f"Deal signed\n\nSumaira FH 2 minutes ago Wed 26th June 2019 | 12:19 PM\n\n{STORY_EN}"
    doc = read(tmp_path, article)
    assert (doc.date, doc.body) == ("2019-06-26", STORY_EN)


def test_wire_dateline_opening_the_story(tmp_path):
    doc = read(tmp_path, f"Deal signed\n\nMOSCOW, March 12, 2021 — {STORY_EN}")
    assert doc.date == "2021-03-12"


@pytest.mark.parametrize(
    "story",
    [
        "In comparison with 2009, our cooperation has quadrupled, he said at ADEX-2016.",
        "The contract, signed on 12 March 2021, covers air-defense systems and spare parts.",
        "Контракт, подписанный 12 марта 2021 г., предусматривает поставку зенитных комплексов.",
    ],
)
def test_years_and_dates_in_the_story_are_not_the_date(tmp_path, story):
    doc = read(tmp_path, f"Moscow and Baku sign a deal\n\n{STORY_EN}\n\n{story}\n\n{STORY_EN}.")
    assert doc.date is None


@pytest.mark.parametrize(
    "line",
    ["31.02.2019", "2019-13-01", "June 2019", "03/04/2021", "32 March 2021", "07.10.1019"],
)
def test_impossible_or_ambiguous_dates_give_no_date(tmp_path, line):
    doc = read(tmp_path, f"Moscow and Baku sign a deal\n\n{line}\n\n{STORY_EN}\n")
    assert doc.date is None


def test_outlet_credit_date_wins_over_a_bare_header_date(tmp_path):
    article = f"Deal signed\n\n07.10.2019\n\nAzerNews (05 October 2019)\n\n{STORY_EN}"
    assert read(tmp_path, article).date == "2019-10-05"


def test_dateparser_and_charset_normalizer_are_not_imported_with_the_module():
    code = (
        "import sys, search.ingest.read, search.sync; "
        "print(sorted(m for m in ('dateparser', 'charset_normalizer') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "[]"


# Sources and links --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("article", "source"),
    [
        (f"Deal signed\n\n{STORY_EN} (Vestnik Kavkaza)\n\nSearch in Site", "Vestnik Kavkaza"),
        (f" date 2019-06-26 UrduPoint.com\nDeal signed\n\n{STORY_EN}", "UrduPoint.com"),
        (f"UrduPoint.com\n\nDeal signed\n\n{STORY_EN}", "UrduPoint.com"),
        (f"Deal signed\n\nAzerNews (05 October 2019)\n\n{STORY_EN}", "AzerNews"),
        (f"{STORY_EN}\nClaire © armenews.com", "armenews.com"),
        (f"{STORY_EN}\n\n© 2021 Reuters. All rights reserved.", "Reuters"),
        (f"{STORY_EN}\n\n(c) Defense News 2021", "Defense News"),
        (f"Сделка подписана\n\n{STORY_RU}\n\nИсточник: ТАСС", "ТАСС"),
        (f"Deal signed\n\n{STORY_EN}\n\nKaynak/Source: AzerNews", "AzerNews"),
        (f"Сделка подписана\n\n{STORY_RU}\n\nТАСС, 12 марта 2021 г.", "ТАСС"),
        (f"Deal signed\n\nDefense News | March 12, 2021\n\n{STORY_EN}", "Defense News"),
    ],
)
def test_source_styles(tmp_path, article, source):
    assert read(tmp_path, article).source == source


def test_credit_line_is_not_left_in_the_body(tmp_path):
    doc = read(tmp_path, f"{STORY_EN}\nClaire © armenews.com")
    assert doc.body == STORY_EN


@pytest.mark.parametrize(
    "story",
    [
        "In an interview with Ilham Aliyev, the minister spoke. В интервью Путину он сказал.",
        "Министр в интервью Handelsblatt заявил, что поставки продолжатся.",
        "He said in an interview with the South China Morning Post that talks went on.",
        "В интервью Azeri.Today эксперт сказал, что сделка состоится.",
    ],
)
def test_names_inside_a_sentence_are_not_sources(tmp_path, story):
    doc = read(tmp_path, f"Deal signed\n\n{story}\n\n{STORY_EN}")
    assert doc.source is None


@pytest.mark.parametrize(
    "line",
    ["<https://www.azernews.az/nation/156893.html>", "https://www.azernews.az/nation/156893.html"],
)
def test_url_line_gives_the_url(tmp_path, line):
    doc = read(tmp_path, f"Deal signed\n\n{STORY_EN}\n\n{line}\n\n---\n\nKaynak/Source:\n")
    assert (doc.url, doc.body) == ("https://www.azernews.az/nation/156893.html", STORY_EN)


def test_url_inside_the_story_is_not_the_url(tmp_path):
    doc = read(tmp_path, f"Deal signed\n\nSee https://example.com/deal for details. {STORY_EN}")
    assert doc.url is None


# Body clean-up ------------------------------------------------------------------------------


def test_boilerplate_lines_are_dropped(tmp_path):
    article = f"Deal signed\n-\n---\n\n{STORY_EN}\n* * *\nSearch in Site\nKaynak/Source:\n"
    assert read(tmp_path, article).body == STORY_EN


def test_repeated_paragraphs_collapse_to_the_first(tmp_path):
    article = f"Deal signed\n\n{STORY_EN}\n\n{STORY_RU}\n\n{STORY_EN}\n\n{STORY_RU}\n"
    assert read(tmp_path, article).body == f"{STORY_EN}\n\n{STORY_RU}"


def test_short_repeated_answers_are_kept(tmp_path):
    article = f"Интервью\n\n- {STORY_RU}\n- Да.\n- {STORY_EN}\n- Да.\n"
    assert read(tmp_path, article).body.count("- Да.") == 2


def test_hard_wrapped_lines_are_joined(tmp_path):
    article = (
        "Moscow and Baku sign a deal\n\n"
        "The Azerbaijani delegation held talks with Rosoboronexport on the\n"
        "sidelines of the forum, the deputy minister said after the\n"
        "meeting.\n"
        "Another paragraph follows here.\n"
    )
    assert read(tmp_path, article).body.split("\n\n") == [
        STORY_EN,
        "Another paragraph follows here.",
    ]


def test_long_lines_without_blank_lines_are_paragraphs(tmp_path):
    doc = read(tmp_path, f"{STORY_EN}\n{STORY_RU}\n")
    assert doc.body.split("\n\n") == [STORY_EN, STORY_RU]


@pytest.mark.parametrize(
    ("text", "lang"),
    [(STORY_RU, "ru"), (STORY_EN, "en"), (f"NATO, OSCE, UN, ADEX-2016. {STORY_RU}", "ru")],
)
def test_language_by_script_share(tmp_path, text, lang):
    assert read(tmp_path, text).lang == lang


# Sidecars -----------------------------------------------------------------------------------


def write_sidecar(tmp_path: Path, content: str | bytes) -> None:
    data = content.encode() if isinstance(content, str) else content
    (tmp_path / "article.meta.json").write_bytes(data)


def test_sidecar_sets_only_the_fields_it_names(tmp_path):
    write_sidecar(tmp_path, json.dumps({"date": "2019-06-26"}))
    doc = read(tmp_path, f"Deal signed\n\n{STORY_EN} (Vestnik Kavkaza)")
    assert (doc.title, doc.date, doc.source) == ("Deal signed", "2019-06-26", "Vestnik Kavkaza")


def test_sidecar_null_clears_a_wrong_date(tmp_path):
    write_sidecar(tmp_path, '{"date": null}')
    assert read(tmp_path, f"Deal signed\n\n2019-06-26\n\n{STORY_EN}").date is None


def test_sidecar_change_changes_the_hash(tmp_path):
    before = read(tmp_path, f"Deal signed\n\n{STORY_EN}").hash
    write_sidecar(tmp_path, '{"source": "TASS"}')
    after = read(tmp_path, f"Deal signed\n\n{STORY_EN}")
    assert before != after.hash
    assert after.hash == fingerprint(tmp_path / "article.txt")


@pytest.mark.parametrize(
    ("sidecar", "reason"),
    [
        ('{"date": "2019-06-26",}', "bad sidecar: invalid JSON"),
        ('["title"]', "bad sidecar: expected a JSON object"),
        ('{"titel": "x"}', "bad sidecar: unknown field 'titel'"),
        ('{"date": "26.06.2019"}', "bad sidecar: date must be a real date as YYYY-MM-DD"),
        ('{"date": "2019-02-30"}', "bad sidecar: date must be a real date as YYYY-MM-DD"),
        ('{"lang": "de"}', "bad sidecar: lang must be 'ru' or 'en'"),
        ('{"title": "  "}', "bad sidecar: title must be a non-empty string"),
        ('{"title": null}', "bad sidecar: title must be a non-empty string"),
        ('{"source": 5}', "bad sidecar: source must be a non-empty string"),
        ('{"url": "www.tass.ru"}', "bad sidecar: url must start with http:// or https://"),
        (b'{"source": "\xd2\xc0\xd1\xd1"}', "bad sidecar: not UTF-8"),
    ],
)
def test_bad_sidecar_is_a_document_error(tmp_path, sidecar, reason):
    write_sidecar(tmp_path, sidecar)
    assert read_error(tmp_path, f"Deal signed\n\n{STORY_EN}").startswith(reason)


# Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\r\n\t \n", "empty file (only whitespace)"),
        (codecs.BOM_UTF8 + b"\n \n", "empty file (only whitespace)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file, not text"),
        (bytes(range(1, 32)) * 40, "binary file, not text"),
        (bytes(range(128, 256)) * 20, "undecodable text"),
        (b"12345 678\n---\n", "no text: the file holds no letters"),
        (b"---\n-\n***\n", "no text: the file holds no letters"),
        (b"---\nSearch in Site\n-\n", "no article text, only separators and boilerplate"),
    ],
)
def test_bad_content_is_a_document_error(tmp_path, content, reason):
    assert read_error(tmp_path, content).startswith(reason)


def test_too_large_file_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "huge.txt"
    with path.open("wb") as file:
        file.truncate(MAX_BYTES + 1)  # sparse: costs no disk
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read a huge file"))
    with pytest.raises(DocumentError, match=r"^too large \(5242881 bytes, limit 5242880\)$"):
        read_document(path, tmp_path)


def test_missing_file(tmp_path):
    with pytest.raises(DocumentError, match="^cannot read: no such file or directory$"):
        read_document(tmp_path / "gone.txt", tmp_path)


def test_directory_is_not_an_article(tmp_path):
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(DocumentError, match="^not a regular file$"):
        read_document(tmp_path / "folder.txt", tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    with pytest.raises(DocumentError, match="^not a regular file$"):
        read_document(tmp_path / "pipe.txt", tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path):
    path = tmp_path / "locked.txt"
    path.write_text(STORY_EN)
    path.chmod(0)
    with pytest.raises(DocumentError, match="^cannot read: permission denied$"):
        read_document(path, tmp_path)


def test_reasons_are_one_line_without_the_path(tmp_path):
    for content in (b"", b"\x00\x01", bytes(range(128, 256)) * 20):
        reason = read_error(tmp_path, content)
        assert "\n" not in reason and str(tmp_path) not in reason and "Traceback" not in reason


@FUZZ
@given(content=st.binary(max_size=600))
def test_arbitrary_bytes_give_a_record_or_a_document_error(tmp_path, content):
    try:
        doc = read(tmp_path, content)
    except DocumentError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert doc.title.strip() and "\ufeff" not in doc.title
        assert doc.lang in ("ru", "en")
        assert doc.date is None or len(doc.date) == 10


@FUZZ
@given(content=st.text(max_size=400))
def test_arbitrary_text_gives_a_record_or_a_document_error(tmp_path, content):
    try:
        doc = read(tmp_path, content)
    except DocumentError:
        return
    assert doc.title.strip() and doc.body.strip()
    assert "\r" not in doc.body and "\x00" not in doc.body


@pytest.mark.parametrize(
    ("unit", "count"),
    [
        ("Abc def\n", 62_500),  # one block of short lines, all joined into one paragraph
        ("abc def\n\n", 50_000),  # paragraphs rejoined as split sentences
        (("Министерство обороны получит партию танков. " * 40 + "\n\n").encode("koi8_r"), 500),
    ],
)
def test_large_articles_are_read_in_linear_time(tmp_path, unit, count):
    """Four times the text takes about four times as long, not sixteen (quadratic joins took
    over 15 s on the larger ones). A ratio of two timings of the same machine, so a loaded
    machine does not fail it; how fast reading is, is the benchmark's business."""

    read(tmp_path, unit)  # warm: the first read of a process loads the detectors

    def seconds(n: int, runs: int = 1) -> float:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            read(tmp_path, unit * n)
            times.append(time.perf_counter() - start)
        return min(times)

    assert seconds(4 * count) < 8 * seconds(count, runs=2)
