"""Names in any spelling or script, ranked below exact matches; the bilingual glossary."""

import pytest

from search.request import make_request
from search.service import Engine
from search.sync import sync_index
from search.text.glossary import load_glossary
from search.text.names import name_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("шойгу", "shoigu"),
        ("шойгу", "shoygu"),
        ("рогозин", "rogozin"),
        ("рособоронэкспорт", "rosoboronexport"),
        ("гасанов", "hasanov"),
        ("ростех", "rostec"),
        ("алиев", "aliyev"),
        ("джафаров", "jafarov"),
        ("ми-35м", "mi-35m"),
        ("сергеев", "sergeyev"),
        ("михеев", "mikheyev"),
        ("гусейнов", "huseynov"),
    ],
)
def test_spellings_share_a_name_key(a, b):
    assert name_key(a) == name_key(b) is not None


@pytest.mark.parametrize(
    ("a", "b"), [("сергеев", "сергиев"), ("armies", "arms"), ("иванов", "ivanova")]
)
def test_different_names_keep_different_keys(a, b):
    assert name_key(a) != name_key(b)


ARTICLES = {
    "shoigu_en": "Shoigu meets Hasanov\n\nSergei Shoigu met Zakir Hasanov in Moscow.",
    "shoygu_en": "Minister visit\n\nShoygu said the partnership is strategic.",
    "shoigu_ru": "Шойгу встретился с Гасановым\n\nСергей Шойгу провел переговоры с Гасановым.",
    "rogozin_ru": (
        "Визит Рогозина\n\nВице-премьер Дмитрий Рогозин прибыл в Баку. С Рогозиным приехали."
    ),
    "roe_ru": "Рособоронэкспорт подписал контракт\n\nРособоронэкспорт поставит вертолеты.",
    "roe_en": "Rosoboronexport signs deal\n\nRosoboronexport will supply helicopters.",
    "sergeev": "Сергеев назначен\n\nГенерал Сергеев возглавил штаб.",
    "sergiev": "Сергиев Посад\n\nВ Сергиев Посаде прошла выставка.",
    "mi35_ru": "Поставка Ми-35М\n\nАзербайджан получил Ми-35М.",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    root = tmp_path_factory.mktemp("names")
    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in ARTICLES.items():
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    sync_index(corpus, root / "index")
    engine = Engine(root / "index")
    yield engine
    engine.close()


def ids(engine, q, **params):
    return [hit.id for hit in engine.search(make_request(q, **params)).results]


def test_one_spelling_finds_all_in_both_scripts(engine):
    assert set(ids(engine, "Shoygu")) == {"shoigu_en", "shoygu_en", "shoigu_ru"}
    assert set(ids(engine, "Шойгу")) == {"shoigu_en", "shoygu_en", "shoigu_ru"}


def test_exact_spelling_ranks_first(engine):
    assert ids(engine, "Shoygu")[0] == "shoygu_en"
    assert ids(engine, "Shoigu")[0] == "shoigu_en"
    assert ids(engine, "Шойгу")[0] == "shoigu_ru"


def test_inflected_russian_names_are_found_from_latin(engine):
    assert ids(engine, "Rogozin") == ["rogozin_ru"]
    assert set(ids(engine, "Rosoboronexport")) == {"roe_en", "roe_ru"}
    assert ids(engine, "Рособоронэкспорт")[0] == "roe_ru"
    assert set(ids(engine, "Hasanov")) == {"shoigu_en", "shoigu_ru"}


def test_designations_across_scripts(engine):
    assert ids(engine, "Mi-35M") == ["mi35_ru"]


def test_close_names_do_not_flood(engine):
    assert ids(engine, "Сергеев") == ["sergeev"]


def test_exact_turns_name_matching_off(engine):
    assert ids(engine, "Shoygu", exact=True) == ["shoygu_en"]


def test_snippet_highlights_the_matched_variant(engine):
    hit = next(h for h in engine.search(make_request("Shoygu")).results if h.id == "shoigu_ru")
    assert "<mark>Шойгу</mark>" in hit.snippet


def test_glossary_links_both_languages():
    glossary = load_glossary()
    assert ("оружие",) in glossary[("arm",)]
    assert ("пво",) in glossary[("air", "defens")]
    assert ("вертолет",) in glossary[("helicopt",)]


def test_both_languages_expands_a_query(engine):
    assert ids(engine, "helicopters") == ["roe_en"]
    assert set(ids(engine, "helicopters", both_languages=True)) == {"roe_en", "roe_ru"}
