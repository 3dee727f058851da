"""Soft AND: articles matching all words but one follow the full matches, marked partial."""

import json

import pytest

from search.request import make_request
from search.service import Engine
from search.soft_and import SOFT_AND_BELOW
from search.sync import sync_index

ARTICLES = {
    "full": "Airline merger approved\n\nThe airline merger was approved by the regulator.",
    "reworded": "Carriers combine\n\nThe airline deal passed the regulator without conditions.",
    "other_topic": "Tank tender\n\nThe army opened a tender for tanks; no airline involved.",
    "surname_ru": "Визит Саркози\n\nНиколя Саркози прибыл в Москву с визитом.",
    "first_name_only": "Nicolas Cage film\n\nNicolas Cage starred in a new film.",
    "first_name_other": "Nicolas Maduro speech\n\nNicolas Maduro spoke in Caracas.",
    "first_name_third": "Nicolas Anelka transfer\n\nNicolas Anelka moved clubs.",
    "first_name_fourth": "Nicolas Sarkisov award\n\nNicolas Sarkisov won an award.",
    "first_name_fifth": "Nicolas Bedos premiere\n\nNicolas Bedos opened a play.",
    "frigate_only": "Frigate launched\n\nA frigate was launched at the yard.",
}
# Enough articles with both words that soft AND must stay off for their query.
CROWD = {
    f"crowd_{i}": f"Frigate radar {i}\n\nThe frigate got a new radar, batch {i}."
    for i in range(SOFT_AND_BELOW)
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    root = tmp_path_factory.mktemp("soft-and")
    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in {**ARTICLES, **CROWD}.items():
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
        lang = "ru" if name.endswith("_ru") else "en"
        meta = {"date": "2021-01-01", "source": f"Outlet {name}", "lang": lang}
        (corpus / f"{name}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    sync_index(corpus, root / "index")
    engine = Engine(root / "index")
    yield engine
    engine.close()


def hits(engine, query):
    page = engine.search(make_request(query, group=False, limit=50))
    return [(hit.id, hit.partial) for hit in page.results]


def test_full_matches_come_first_then_partial_ones_marked(engine):
    found = hits(engine, "airline merger regulator")
    assert found[0] == ("full", False)
    assert ("reworded", True) in found
    assert all(partial for _, partial in found[1:])


def test_an_article_missing_two_words_is_not_a_partial_match(engine):
    assert "other_topic" not in dict(hits(engine, "airline merger regulator"))


def test_a_first_name_that_does_not_cross_scripts_no_longer_empties_the_list(engine):
    found = hits(engine, "Nicolas Sarkozy")
    assert found[0] == ("surname_ru", True)


def test_a_partial_match_must_cover_most_of_the_query(engine):
    # «Nicolas» alone (a common first name here) covers too little of «Nicolas Sarkozy».
    assert "first_name_only" not in dict(hits(engine, "Nicolas Sarkozy"))


def test_a_plus_word_is_forced(engine):
    assert "reworded" not in dict(hits(engine, "+merger airline regulator"))


def test_a_quoted_phrase_is_forced(engine):
    found = dict(hits(engine, '"airline merger" regulator tender'))
    assert found == {"full": True}


def test_a_minus_word_still_excludes(engine):
    assert "reworded" not in dict(hits(engine, "airline merger regulator -carriers"))


def test_no_partial_matches_when_enough_articles_match_every_word(engine):
    crowd = hits(engine, "frigate radar")
    assert len(crowd) == SOFT_AND_BELOW and not any(partial for _, partial in crowd)
    assert "frigate_only" not in dict(crowd)


def test_partial_matches_when_few_articles_match_every_word(engine):
    assert ("frigate_only", True) in hits(engine, "frigate launched yard radar")


def test_the_json_marks_partial_hits(engine):
    data = engine.search(make_request("airline merger regulator", group=False)).to_dict()
    assert [hit["partial"] for hit in data["results"]][:2] == [False, True]
