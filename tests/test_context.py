"""Ambiguous Russian forms read in context (search.text.context) and what it changes in ranking."""

import json

from measure_context import CASES, STEEL, VERB, accuracy, index_lemma, prior_lemma

from search.request import make_request
from search.service import Engine
from search.sync import sync_index
from search.text.analysis import analyze

MIN_ACCURACY = 0.85


def lemmas(text: str) -> list[tuple[str, float]]:
    return [(t.text, round(t.boost, 3)) for t in analyze(text) if t.text[:1] not in "=~"]


def test_an_agreeing_adjective_makes_stali_the_noun():
    assert lemmas("броневой стали")[-1] == ("сталь", 1.0)


def test_a_governing_preposition_makes_stali_the_noun():
    assert lemmas("из стали") == [("сталь", 1.0)]


def test_an_infinitive_after_makes_stali_the_verb():
    assert lemmas("стали обсуждать")[0] == ("стать", 1.0)


def test_without_a_telling_neighbour_the_prior_weights_stay():
    assert lemmas("Они стали союзниками")[:2] == [("стать", 0.975), ("сталь", 0.025)]


def test_punctuation_cuts_the_context():
    assert ("сталь", 1.0) not in lemmas("новой, стали")


def test_agreement_picks_ships_not_courts():
    assert lemmas("военные суда")[-1] == ("судно", 1.0)
    assert lemmas("решение суда")[-2:] == [("суд", 0.955), ("судно", 0.045)]


def test_context_is_right_on_most_forms_and_better_than_the_prior():
    context, prior = accuracy(index_lemma), accuracy(lambda s, form: prior_lemma(form))
    assert len(CASES) >= 40
    assert context >= MIN_ACCURACY and context > prior + 0.25


def test_query_stal_ranks_the_armour_steel_article_above_the_verb_one(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, body in (("steel", STEEL), ("verb", VERB)):
        (corpus / f"{name}.txt").write_text(f"Новости завода\n\n{body}", encoding="utf-8")
        meta = {"date": "2021-01-01", "source": name, "lang": "ru"}
        (corpus / f"{name}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    sync_index(corpus, tmp_path / "index")
    engine = Engine(tmp_path / "index")
    try:
        hits = engine.search(make_request("сталь", group=False)).results
        assert [hit.id for hit in hits][:2] == ["steel", "verb"]
        assert hits[0].score > 5 * hits[1].score
    finally:
        engine.close()
