"""Query edge cases: stop words only, story and article counts, headline-only matches,
bare numbers, and places across languages through the real engine."""

import json

import pytest

from search.request import make_request
from search.service import Engine
from search.snippets import Span, number_in_phrase
from search.sync import sync_index

ARTICLES = {
    "pipeline_en": (
        "Nord Stream 2 completed\n\n"
        "Gazprom finished laying the pipeline across the Baltic. Only 2 vessels took part; "
        "the 2 companies involved declined to comment.",
        {"date": "2021-09-10", "source": "Evening Review", "lang": "en"},
    ),
    "pipeline_ru": (
        "«Северный поток — 2» достроен\n\n"
        "В Газпроме сообщили о завершении укладки труб. В работе участвовали 2 судна.",
        {"date": "2021-09-10", "source": "Вечерний обзор", "lang": "ru"},
    ),
    "poland_ru": (
        "Польша получила танки\n\n"
        "Варшава приняла первую партию машин; польские экипажи начнут обучение.",
        {"date": "2022-09-01", "source": "Вечерний обзор", "lang": "ru"},
    ),
    "poland_en": (
        "Poland receives tanks\n\n"
        "Warsaw took delivery of the first batch; Polish crews start training.",
        {"date": "2022-09-01", "source": "Evening Review", "lang": "en"},
    ),
    "headline_only": (
        "Frigate trials postponed\n\n"
        "The navy said sea tests of the new ship will start next spring instead.",
        {"date": "2020-03-03", "source": "Evening Review", "lang": "en"},
    ),
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    root = tmp_path_factory.mktemp("edges")
    corpus = root / "corpus"
    corpus.mkdir()
    for name, (text, meta) in ARTICLES.items():
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
        (corpus / f"{name}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    sync_index(corpus, root / "index")
    engine = Engine(root / "index")
    yield engine
    engine.close()


def ids(engine, query, **params):
    return [hit.id for hit in engine.search(make_request(query, group=False, **params)).results]


@pytest.mark.parametrize("query", ["the", "после", "which и"])
def test_stop_words_only_finds_nothing_with_a_notice(engine, query):
    page = engine.search(make_request(query))
    assert page.total == 0 and page.results == [] and "no searchable words" in page.notice
    assert page.to_dict()["notice"] == page.notice


def test_a_searchable_query_has_no_notice(engine):
    assert engine.search(make_request("Poland")).notice is None


def test_the_page_counts_stories_and_articles(engine):
    grouped = engine.search(make_request("Poland"))
    assert grouped.articles == 2 and grouped.stories == grouped.total
    ungrouped = engine.search(make_request("Poland", group=False))
    assert ungrouped.total == ungrouped.articles == 2 and ungrouped.stories is None


def test_a_place_finds_both_languages_and_the_typed_form_ranks_first(engine):
    assert ids(engine, "Poland") == ["poland_en", "poland_ru"]
    assert ids(engine, "Польша") == ["poland_ru", "poland_en"]
    assert ids(engine, "польский") == ["poland_ru", "poland_en"]


def test_a_name_of_several_words_finds_its_other_language(engine):
    assert set(ids(engine, "Nord Stream")) == {"pipeline_en", "pipeline_ru"}
    assert ids(engine, "Северный поток")[0] == "pipeline_ru"


def test_a_headline_only_match_marks_the_headline_in_the_snippet(engine):
    (hit,) = engine.search(make_request("frigate")).results
    assert hit.snippet.startswith("<mark>Frigate</mark> trials postponed —")
    assert "sea tests" in hit.snippet


def test_a_bare_number_is_marked_only_inside_its_phrase(engine):
    hits = engine.search(make_request("Nord Stream 2", group=False)).results
    snippet = next(hit.snippet for hit in hits if hit.id == "pipeline_en")
    assert "<mark>2</mark>" not in snippet.replace("<mark>Stream</mark> <mark>2</mark>", "")


def test_a_number_next_to_a_matched_word_stays_marked():
    text = "Nord Stream 2 and 2 ships"
    spans = [Span(5, 11, "stream"), Span(12, 13, "2"), Span(18, 19, "2")]
    assert number_in_phrase(spans, {"nord", "stream", "2"}) == spans[:2]
    assert text[12:13] == "2"


def test_a_query_of_numbers_only_marks_them_all():
    spans = [Span(0, 1, "2"), Span(10, 11, "2")]
    assert number_in_phrase(spans, {"2", "=2"}) == spans
