"""The OpenSearch engine's pure parts, without a node: term streams, query translation,
settings and the mapping check (the engine against a real node: test_opensearch_engine)."""

from __future__ import annotations

import pytest

pytest.importorskip("opensearchpy", reason="opensearch-py is a dependency of defsearch")

from search.engines import EngineChoice  # noqa: E402
from search.errors import IndexMissingError, IndexVersionError, UsageError  # noqa: E402
from search.opensearch.connect import Cluster  # noqa: E402
from search.opensearch.fields import term_streams  # noqa: E402
from search.opensearch.mapping import MAPPING_VERSION, check_meta, index_body  # noqa: E402
from search.opensearch.translate import filters, to_dsl  # noqa: E402
from search.query.tree import And, AndNot, Phrase, Prefix, Term  # noqa: E402
from search.request import make_request


def test_stacked_terms_share_their_word_position():
    stacked, _ = term_streams("Военно-технического сотрудничества")
    first, second = stacked.split(" ")
    assert first.split("|")[:3] == ["военно-технический", "военный", "технический"]
    assert "=военно-технического" in first.split("|")
    assert second == "сотрудничество|=сотрудничества"


def test_unlikely_lemmas_go_to_their_own_field():
    stacked, unlikely = term_streams("Цены стали выше")
    # Its place keeps the field's length as Whoosh counts it.
    assert stacked.split(" ")[1] == "стать|_|=стали"
    assert "сталь" in unlikely.split() and "сталь" not in stacked


def test_terms_never_carry_the_separators():
    stacked, _ = term_streams("a|b")
    assert all(token for token in stacked.split(" "))


def test_a_word_searches_its_lemma_in_both_fields_and_keys_in_one():
    assert to_dsl(Term("body", "сталь")) == {
        "bool": {
            "should": [
                {"term": {"body": {"value": "сталь", "boost": 1.0}}},
                {"term": {"body_alt": {"value": "сталь", "boost": 1.0}}},
            ],
            "minimum_should_match": 1,
        }
    }
    assert to_dsl(Term("body", "~rusia", 0.35)) == {
        "term": {"body": {"value": "~rusia", "boost": 0.35}}
    }
    assert to_dsl(Term("lang", "ru")) == {"term": {"lang": {"value": "ru", "boost": 1.0}}}


def test_a_phrase_matches_in_order_and_scores_its_words():
    query = to_dsl(Phrase("title", ("air", "defens")))["bool"]
    assert query["filter"] == [{"match_phrase": {"title": {"query": "air defens", "slop": 0}}}]
    assert len(query["must"]) == 2


def test_boolean_nodes():
    node = AndNot(And((Term("lang", "ru"), Prefix("body", "пост"))), Term("lang", "en"))
    query = to_dsl(node)["bool"]
    assert query["must_not"] == [{"term": {"lang": {"value": "en", "boost": 1.0}}}]
    inner = query["must"][0]["bool"]["must"]
    assert inner[1]["prefix"]["body"]["value"] == "пост"


def test_request_filters():
    request = make_request("x", lang="en", source="Reuters", since="2021-01-01")
    assert filters(request) == [
        {"term": {"lang": "en"}},
        {"term": {"source_folded": "reuters"}},
        {"range": {"date": {"gte": "2021-01-01", "lte": "9999~"}}},
    ]


def test_mapping_version_is_checked():
    assert check_meta({"defsearch_mapping": MAPPING_VERSION}, "here")
    assert index_body()["mappings"]["_meta"]["defsearch_mapping"] == MAPPING_VERSION
    with pytest.raises(IndexVersionError, match=r"^index in here was built by another version"):
        check_meta({"defsearch_mapping": MAPPING_VERSION - 1}, "here")
    with pytest.raises(IndexMissingError, match="defsearch index$"):
        check_meta(None, "here")


def test_settings_are_checked(monkeypatch):
    assert Cluster.from_env("https://a:9200,https://b:9200").url == "https://a:9200,https://b:9200"
    with pytest.raises(UsageError, match="must be an http"):
        Cluster.from_env("a:9200")
    monkeypatch.setenv("DEFSEARCH_OPENSEARCH_INDEX", "Bad Name")
    with pytest.raises(UsageError, match="DEFSEARCH_OPENSEARCH_INDEX"):
        Cluster.from_env("http://a:9200")
    assert EngineChoice.of("OpenSearch").name == "opensearch"
    with pytest.raises(UsageError, match="--engine must be one of whoosh, opensearch"):
        EngineChoice.of("solr")
