"""The bilingual analyzer: routing by script, lemmas, stems, designations, stop words."""

import pickle

from hypothesis import given
from hypothesis import strategies as st

from search.engine.schema import BilingualTokenizer
from search.text.analysis import analyze, terms
from search.text.words import english_stem, script_of


def main_terms(text, mode="query"):
    return terms(text, mode)


def test_russian_inflections_share_a_lemma():
    assert main_terms("поставками") == main_terms("поставки") == main_terms("поставок")
    assert main_terms("поставками") == ["поставка"]


def test_english_forms_share_a_stem():
    assert main_terms("deliveries") == main_terms("delivered") == main_terms("delivery")
    assert main_terms("supplies") == main_terms("supply")


def test_armies_stay_apart_from_arms():
    assert english_stem("armies") != english_stem("arms")


def test_hyphenated_words_and_designations_stay_whole():
    assert main_terms("военно-технического") == ["военно-технический"]
    assert main_terms("Ми-35М") == ["ми-35м"]
    assert main_terms("С-400") == ["с-400"]
    assert main_terms("S-400") == ["s-400"]
    assert main_terms("Su-35") == ["su-35"]
    assert main_terms("ADEX-2016") == ["adex-2016"]


def test_index_side_also_has_parts_of_hyphenated_words():
    indexed = terms("военно-технического")
    assert {"военно-технический", "технический", "=военно-технического"} <= set(indexed)


def test_designations_are_not_lemmatized():
    assert "ми-35мый" not in terms("Ми-35М")


def test_yo_folds_to_ye():
    assert main_terms("вертолёт") == main_terms("вертолет") == ["вертолет"]


def test_numbers_are_kept():
    assert main_terms("2019") == ["2019"]


def test_stop_words_are_dropped_in_both_languages():
    assert main_terms("the arms and и оружие") == ["arm", "оружие"]


def test_positions_skip_stop_words_so_phrases_still_match():
    positions = [t.pos for t in analyze("cooperation of the countries", "query")]
    assert positions == [0, 1]


def test_ambiguous_form_keeps_every_lemma_weighted_by_probability():
    weights = {t.text: t.boost for t in analyze("стали", "index")}
    assert weights["стать"] > 0.9
    assert 0 < weights["сталь"] < 0.1


def test_query_uses_the_most_likely_lemma_only():
    assert main_terms("стали") == ["стать"]
    assert main_terms("сталь") == ["сталь"]


def test_exact_form_query_and_index_terms():
    assert main_terms("=Рогозиным") == ["=рогозиным"]
    assert "=рогозиным" in terms("Рогозиным")


def test_offsets_point_at_the_original_word():
    text = "Поставки С-400 и deliveries"
    for term in analyze(text):
        word = text[term.start : term.end]
        assert word.lower().replace("ё", "е") in (term.text.lstrip("="), word.lower())


def test_turkish_dotted_i_folds():
    assert main_terms("İlham") == main_terms("Ilham")


def test_script_routing():
    assert (script_of("поставка"), script_of("supply"), script_of("Ми-35М")) == ("ru", "en", "")


def test_tokenizer_pickles_without_heavy_state():
    tokenizer = BilingualTokenizer()
    data = pickle.dumps(tokenizer)
    assert len(data) < 200
    assert [t.text for t in pickle.loads(data)("поставками", mode="query")] == ["поставка"]


@given(st.text(max_size=200))
def test_analyze_never_raises_and_offsets_stay_inside(text):
    for term in analyze(text):
        assert 0 <= term.start < term.end <= len(text)
        assert term.text


_WORDS = st.sampled_from(
    ["стали", "броневой", "из", "суда", "военные", "Россия", "польские", "Nord", "Stream",
     "Скрипаля", "Trump", "Северный", "поток-2", "российско-азербайджанский", ",", "2"]
)  # fmt: skip


@given(st.lists(_WORDS, max_size=12))
def test_context_names_and_places_never_raise_and_offsets_stay_inside(words):
    text = " ".join(words)
    for term in analyze(text):
        assert 0 <= term.start < term.end <= len(text)
        assert 0 < term.boost <= 1.0 + 1e-9


@given(st.lists(_WORDS, max_size=12), st.text(max_size=60))
def test_index_terms_sit_on_whole_words_and_term_positions_agree(words, tail):
    from search.text.analysis import iter_terms, term_positions
    from search.text.words import WORD_RE

    text = " ".join(words) + tail
    spans = {m.span() for m in WORD_RE.finditer(text)}
    positions, weights = {}, {}
    for term, weight, pos, start, end, _ in iter_terms(text):
        assert (start, end) in spans
        positions.setdefault(term, []).append(pos)
        weights[term] = weights.get(term, 0.0) + weight
    assert term_positions(text) == (positions, weights)


def test_context_settles_a_word_between_punctuation_only_by_its_clause():
    from search.text.analysis import term_positions

    # «выпуск стали»: the noun; after a comma the word before says nothing.
    assert "стать" not in term_positions("выпуск стали")[0]
    assert "стать" in term_positions("выпуск, стали")[0]


def test_the_index_word_cache_turning_over_changes_no_terms(monkeypatch):
    from search.text import analysis

    text = "Поставки С-400 в Индию начнутся; deliveries of S-400 to India, стали и сталь. " * 3
    expected = analysis.term_positions(text)
    monkeypatch.setattr(analysis, "INDEX_CACHE_SIZE", 3)
    monkeypatch.setattr(analysis, "_entries", {})
    monkeypatch.setattr(analysis, "_older", {})
    assert analysis.term_positions(text) == expected
    assert len(analysis._entries) <= 3 and analysis._older  # it did turn over
