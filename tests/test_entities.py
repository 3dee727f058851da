"""Places, bodies and systems across languages (search.text.entities), English names in Russian
(search.text.renderings) and surnames the dictionary does not know."""

import pytest

from search.text.analysis import terms
from search.text.entities import entity_table
from search.text.name_keys import word_name_keys
from search.text.names import name_key
from search.text.renderings import russian_renderings


def keys(text: str) -> list[str]:
    return [term for term in terms(text) if term.startswith("~")]


def test_country_names_in_both_languages_share_a_key():
    assert keys("Russia") == keys("России") == keys("Россия") == ["~rusia"]


def test_adjectives_and_demonyms_carry_the_country_key():
    assert keys("российского") == keys("Russian") == keys("россиянин") == ["~rusia"]


def test_a_lowercase_adjective_counts_but_a_lowercase_common_word_does_not():
    assert keys("польские танки") == ["~poland"]
    assert keys("калибр орудия") == []
    assert keys("Калибр") == ["~kalibr"]


def test_country_names_come_from_cldr_not_only_the_data_file():
    # Neither name is in data/entities.tsv: Babel supplies both.
    assert keys("Мозамбика") == keys("Mozambique") != []


def test_cldr_names_the_dictionary_reads_as_common_words_are_left_out():
    assert keys("Того") == []  # Togo in Russian, but also the pronoun «того»
    assert "тот" not in entity_table().words


def test_capital_cities_come_from_cldr():
    assert keys("Варшаве") == keys("Warsaw") != []


def test_alliances_and_bodies_across_languages():
    assert keys("НАТО") == keys("NATO")
    assert keys("ОБСЕ") == keys("OSCE")
    assert keys("Пентагона") == keys("Pentagon")
    assert keys("Кремлю") == keys("Kremlin")


def test_a_name_of_several_words_gets_its_key_on_the_last_word():
    assert keys("Соединенных Штатов")[-1] == keys("США")[0] == keys("United States")[-1]
    assert keys("Северного потока")[-1] == keys("Nord Stream")[-1] == "~nord-stream"


def test_the_words_of_a_multi_word_name_must_be_next_to_each_other():
    assert "~nord-stream" not in keys("Nord Pool said the stream")


@pytest.mark.parametrize(
    ("english", "russian"),
    [
        ("trump", "трамп"),
        ("johnson", "джонсон"),
        ("merkel", "меркель"),
        ("biden", "байден"),
        ("williams", "уильямс"),
        ("jackson", "джексон"),
        ("theresa", "тереза"),
        ("brown", "браун"),
        ("stevenson", "стивенсон"),
        ("james", "джеймс"),
    ],
)
def test_english_names_meet_their_russian_renderings(english, russian):
    assert word_name_keys(russian, "ru")[0] in word_name_keys(english, "en")


def test_renderings_are_few_and_cyrillic():
    renderings = russian_renderings("trump")
    assert 1 <= len(renderings) <= 4 and "трамп" in renderings
    assert russian_renderings("s-400") == ()


@pytest.mark.parametrize("form", ["Скрипаля", "Скрипалем", "Скрипалей", "Скрипаль"])
def test_an_unknown_surname_reaches_the_key_of_its_nominative(form):
    assert name_key("skripal") in keys(form)


def test_names_that_differ_in_a_letter_stay_apart():
    assert set(word_name_keys("ivanov", "en")).isdisjoint(word_name_keys("ivanova", "en"))


def test_indeclinable_names_keep_their_own_key():
    assert keys("Гарибашвили") == ["~garibashvili"]
