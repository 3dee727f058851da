"""A real OpenSearch node, driven through the official client: what the engine will rely on.

Indexing (bulk helper), search, phrases over whitespace-split terms (the pre-analyzed streams),
aggregations, more_like_this, the common analysis module, and an alias swap.
"""

from __future__ import annotations

import pytest

opensearchpy = pytest.importorskip("opensearchpy", reason="opensearch-py is in the test extras")
from opensearchpy import OpenSearch, helpers  # noqa: E402

ARTICLES = [
    ("1", "2024-03-01", "reuters", "корабль флот учение балтийский", "Baltic fleet drills"),
    ("2", "2024-03-02", "tass", "флот корабль ракета запуск", "Fleet missile launch"),
    ("3", "2024-03-15", "reuters", "танк армия поставка украина", "Tank deliveries"),
    ("4", "2024-04-01", "interfax", "корабль флот учение северный", "Northern fleet drills"),
    ("5", "2024-04-20", "tass", "самолёт истребитель поставка индия", "Fighter jets for India"),
]


@pytest.fixture(scope="module")
def client(opensearch_url) -> OpenSearch:
    os_client = OpenSearch(opensearch_url, timeout=30)
    yield os_client
    os_client.close()


def _create(client: OpenSearch, name: str, alias: str | None = None) -> None:
    body = {
        "settings": {"number_of_shards": 1, "number_of_replicas": 0},
        "mappings": {
            "properties": {
                # Terms made by defsearch's own analysis, joined by spaces: split, never stemmed.
                "lemmas": {"type": "text", "analyzer": "whitespace", "term_vector": "yes"},
                "title": {"type": "text", "analyzer": "english"},
                "outlet": {"type": "keyword"},
                "date": {"type": "date"},
            }
        },
    }
    if alias:
        body["aliases"] = {alias: {}}
    client.indices.create(index=name, body=body)


def _load(client: OpenSearch, index: str, rows=ARTICLES) -> None:
    actions = (
        {
            "_index": index,
            "_id": doc_id,
            "_source": {"date": date, "outlet": outlet, "lemmas": lemmas, "title": title},
        }
        for doc_id, date, outlet, lemmas, title in rows
    )
    ok, errors = helpers.bulk(client, actions, refresh="wait_for")
    assert ok == len(rows) and not errors


@pytest.fixture(scope="module")
def news(client) -> str:
    _create(client, "news-test")
    _load(client, "news-test")
    return "news-test"


def test_node_answers(client, opensearch_url):
    info = client.info()
    assert info["version"]["number"].startswith("2.19.")
    health = client.cluster.health(wait_for_status="green")
    assert health["status"] == "green" and health["number_of_nodes"] == 1
    assert opensearch_url.startswith("http://127.0.0.1:")


def test_search_and_phrase_over_whitespace_terms(client, news):
    hits = client.search(index=news, body={"query": {"match": {"lemmas": "флот"}}})["hits"]
    assert hits["total"]["value"] == 3
    phrase = {"query": {"match_phrase": {"lemmas": "корабль флот учение"}}}
    ids = {h["_id"] for h in client.search(index=news, body=phrase)["hits"]["hits"]}
    assert ids == {"1", "4"}
    # "флот корабль" in that order is only in article 2.
    phrase = {"query": {"match_phrase": {"lemmas": "флот корабль"}}}
    ids = {h["_id"] for h in client.search(index=news, body=phrase)["hits"]["hits"]}
    assert ids == {"2"}


def test_filters_sort_and_pages(client, news):
    body = {
        "query": {"bool": {"filter": [{"term": {"outlet": "tass"}}]}},
        "sort": [{"date": "desc"}],
        "from": 1,
        "size": 1,
    }
    hits = client.search(index=news, body=body)["hits"]
    assert hits["total"]["value"] == 2
    assert [h["_id"] for h in hits["hits"]] == ["2"]


def test_aggregations(client, news):
    body = {
        "size": 0,
        "aggs": {
            "outlets": {"terms": {"field": "outlet"}},
            "months": {"date_histogram": {"field": "date", "calendar_interval": "month"}},
        },
    }
    aggs = client.search(index=news, body=body)["aggregations"]
    outlets = {b["key"]: b["doc_count"] for b in aggs["outlets"]["buckets"]}
    assert outlets == {"reuters": 2, "tass": 2, "interfax": 1}
    months = [(b["key_as_string"][:7], b["doc_count"]) for b in aggs["months"]["buckets"]]
    assert months == [("2024-03", 3), ("2024-04", 2)]


def test_more_like_this(client, news):
    body = {
        "query": {
            "more_like_this": {
                "fields": ["lemmas"],
                "like": [{"_index": news, "_id": "1"}],
                "min_term_freq": 1,
                "min_doc_freq": 1,
            }
        }
    }
    ids = [h["_id"] for h in client.search(index=news, body=body)["hits"]["hits"]]
    assert ids[0] == "4"  # shares корабль, флот, учение
    assert "1" not in ids and "5" not in ids


def test_common_analysis_module_is_loaded(client, news):
    # The english analyzer and the russian stemmer live in the analysis-common module.
    tokens = client.indices.analyze(body={"analyzer": "english", "text": "fleets drilling"})
    assert [t["token"] for t in tokens["tokens"]] == ["fleet", "drill"]
    tokens = client.indices.analyze(
        body={"tokenizer": "standard", "filter": ["lowercase", "russian_stem"], "text": "Кораблями"}
    )
    assert [t["token"] for t in tokens["tokens"]] == ["корабл"]


def test_alias_swap(client):
    _create(client, "swap-v1", alias="swap")
    _load(client, "swap-v1", ARTICLES[:2])
    assert client.count(index="swap")["count"] == 2
    _create(client, "swap-v2")
    _load(client, "swap-v2", ARTICLES)
    client.indices.update_aliases(
        body={
            "actions": [
                {"remove": {"index": "swap-v1", "alias": "swap"}},
                {"add": {"index": "swap-v2", "alias": "swap"}},
            ]
        }
    )
    assert client.count(index="swap")["count"] == len(ARTICLES)
    assert list(client.indices.get_alias(name="swap")) == ["swap-v2"]
    client.indices.delete(index="swap-v1")
    assert client.count(index="swap")["count"] == len(ARTICLES)


def test_other_modules(client):
    """Percolator, painless, reindex and mapper-extras, loaded from the classpath too."""
    client.indices.create(
        index="modules",
        body={
            "mappings": {
                "properties": {
                    "query": {"type": "percolator"},
                    "lemmas": {"type": "text", "analyzer": "whitespace"},
                    "weight": {"type": "float"},
                    "rank": {"type": "rank_feature"},
                }
            }
        },
    )
    client.index(
        index="modules",
        id="watch",
        body={"query": {"match": {"lemmas": "флот"}}, "lemmas": "флот", "weight": 2.0, "rank": 3},
        refresh=True,
    )
    found = client.search(
        index="modules",
        body={"query": {"percolate": {"field": "query", "document": {"lemmas": "северный флот"}}}},
    )
    assert [h["_id"] for h in found["hits"]["hits"]] == ["watch"]
    script = {
        "script_score": {
            "query": {"match": {"lemmas": "флот"}},
            "script": {"source": "doc['weight'].value * 10"},
        }
    }
    hits = client.search(index="modules", body={"query": script})["hits"]["hits"]
    assert hits[0]["_score"] == pytest.approx(20.0)
    hits = client.search(index="modules", body={"query": {"rank_feature": {"field": "rank"}}})
    assert hits["hits"]["total"]["value"] == 1
    done = client.reindex(
        body={"source": {"index": "modules"}, "dest": {"index": "modules-copy"}}, refresh=True
    )
    assert done["created"] == 1
    assert client.count(index="modules-copy")["count"] == 1
