"""Both engines, one behaviour: the same searches, documents and stats on Whoosh and on a real
OpenSearch node (fixture opensearch_url), built from the same test corpus; then what only the
OpenSearch engine does (sync into the live index, rebuild behind an alias, its errors)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from corpora import build_test_corpus

from search.engines import EngineChoice, open_engine, sync
from search.errors import (
    DocumentNotFoundError,
    IndexBusyError,
    IndexUnusableError,
    IndexVersionError,
    QueryError,
    UsageError,
)
from search.request import make_request
from search.service import Engine

pytest.importorskip("opensearchpy", reason="opensearch-py is a dependency of defsearch")
from search.opensearch.connect import Cluster, make_client  # noqa: E402
from search.opensearch.engine import OpenSearchEngine  # noqa: E402
from search.opensearch.indexing import sync_opensearch  # noqa: E402

DEFSEARCH = Path(sys.executable).with_name("defsearch")


@pytest.fixture(scope="module")
def cluster(opensearch_url, tmp_path_factory) -> Cluster:
    """The test corpus indexed into OpenSearch once for this module (tests must not change it)."""
    corpus = build_test_corpus(tmp_path_factory.mktemp("os-news") / "corpus")
    found = Cluster(opensearch_url, "news")
    report = sync_opensearch(corpus, found)
    assert not report.failed, report.failed
    return found


@pytest.fixture(scope="module", params=["whoosh", "opensearch"])
def engine(request, news_index):
    if request.param == "whoosh":
        found = Engine(news_index)
    else:
        found = OpenSearchEngine(request.getfixturevalue("cluster"))
    yield found
    found.close()


@pytest.fixture(scope="module")
def whoosh(news_index):
    found = Engine(news_index)
    yield found
    found.close()


def search(engine, query, **options):
    return engine.search(make_request(query, **options))


def ids(page):
    return [hit.id for hit in page.results]


# -- the same behaviour on both engines ------------------------------------------------------


def test_inflected_forms_match_and_are_marked(engine):
    page = search(engine, "поставки")
    assert page.total == 14 and page.pages == 2
    assert any("<mark>Поставками</mark>" in hit.snippet for hit in page.results)


def test_phrase_matches_over_lemmas_and_hyphen_parts(engine):
    page = search(engine, '"военно-техническое сотрудничество"')
    assert page.articles == 15
    assert search(engine, '"техническое сотрудничество"').articles == 15


def test_exact_form_query(engine):
    assert {hit.id for hit in search(engine, "=Поставками").results} == {"ru_02"}


def test_filters_sort_and_pages(engine):
    english = search(engine, "deliveries", lang="en")
    assert english.articles == 12 and all(h.lang == "en" for h in english.results)
    reuters = search(engine, "deliveries", source="reuters")
    assert reuters.results and all(h.source == "Reuters" for h in reuters.results)
    dated = search(engine, "поставки", sort="date", limit=20)
    days = [h.date for h in dated.results]
    assert days == sorted(days, reverse=True)
    spring = search(engine, "поставки", since="2020-01-01", until="2020-12-31")
    assert spring.articles and all(h.date.startswith("2020") for h in spring.results)
    first, second = search(engine, "поставки"), search(engine, "поставки", page=2)
    assert len(second.results) == 4 and not set(ids(first)) & set(ids(second))


def test_facets_and_histogram(engine, whoosh):
    page, same = search(engine, "поставки OR deliveries"), search(whoosh, "поставки OR deliveries")
    assert page.facets == same.facets
    assert page.to_dict()["histogram"] == same.to_dict()["histogram"]


def test_soft_and_lists_partial_matches(engine):
    page = search(engine, "поставки С-400")
    assert ids(page)[0] == "ru_01" and not page.results[0].partial
    assert [h.id for h in page.results if h.partial] == ["en_02"]


def test_did_you_mean(engine):
    assert search(engine, "Азербайджн").suggestion == "Азербайджан"


def test_stop_words_only_and_bad_patterns(engine):
    assert search(engine, "the which").notice
    with pytest.raises(QueryError):
        search(engine, "п*")


def test_top_hits_agree_with_whoosh(engine, whoosh):
    for query in ("поставки С-400", "Азербайджан", "S-400 Turkey", "Ми-35М"):
        assert ids(search(engine, query))[:1] == ids(search(whoosh, query))[:1], query


def test_document_with_related_and_highlight(engine):
    record = engine.document("ru_01", highlight="поставки")
    assert record["title"].startswith("Рособоронэкспорт") and record["lang"] == "ru"
    assert "<mark>поставку</mark>" in record["title_html"]
    assert record["related"] and all(r["id"] != "ru_01" and r["why"] for r in record["related"])
    with pytest.raises(DocumentNotFoundError):
        engine.document("no-such-article")


def test_related_agrees_with_whoosh(engine, whoosh):
    mine = [r["id"] for r in engine.related("en_02")]
    theirs = [r["id"] for r in whoosh.related("en_02")]
    assert mine[:1] == theirs[:1]


def test_stats_and_stories(engine, whoosh):
    stats, same = engine.stats(), whoosh.stats()
    assert stats["documents"] == same["documents"] == 31
    assert stats["languages"] == same["languages"]
    assert stats["sources"] == same["sources"]
    assert stats["last_sync"]
    assert engine.stories(limit=50) == whoosh.stories(limit=50)


# -- the OpenSearch engine's own -----------------------------------------------------------


def _article(corpus: Path, name: str, text: str, date: str | None = None) -> None:
    (corpus / name).write_text(text, encoding="utf-8")
    if date:
        meta = corpus / (Path(name).stem + ".meta.json")
        meta.write_text(f'{{"date": "{date}"}}', encoding="utf-8")


def test_sync_adds_updates_and_deletes(opensearch_url, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _article(
        corpus, "a.txt", "Фрегат спущен на воду\n\nНовый фрегат спустили на воду в Калининграде."
    )
    _article(corpus, "b.txt", "Frigate launched\n\nA new frigate was launched in Kaliningrad.")
    here = Cluster(opensearch_url, "syncs")
    first = sync_opensearch(corpus, here)
    assert (first.added, first.updated, first.removed) == (2, 0, 0)
    _article(corpus, "a.txt", "Фрегат спущен на воду\n\nКорвет и фрегат спустили на воду.")
    (corpus / "b.txt").unlink()
    _article(corpus, "c.txt", "Corvette ordered\n\nThe navy ordered a corvette.")
    second = sync_opensearch(corpus, here)
    assert (second.added, second.updated, second.removed, second.unchanged) == (1, 1, 1, 0)
    engine = OpenSearchEngine(here)
    assert engine.check() == 2
    assert set(ids(search(engine, "корвет"))) == {"a", "c"}
    third = sync_opensearch(corpus, here)
    assert (third.added, third.updated, third.removed, third.unchanged) == (0, 0, 0, 2)
    engine.close()


def test_rebuild_swaps_the_alias_and_drops_the_old_index(opensearch_url, tmp_path):
    corpus = build_test_corpus(tmp_path / "corpus")
    here = Cluster(opensearch_url, "rebuilt")
    sync_opensearch(corpus, here)
    client = make_client(here)
    before = list(client.indices.get_alias(name="rebuilt"))
    report = sync_opensearch(corpus, here, rebuild=True)
    after = list(client.indices.get_alias(name="rebuilt"))
    assert report.added == 31 and before != after and len(after) == 1
    assert not client.indices.exists(index=before[0])
    assert client.count(index="rebuilt")["count"] == 31
    client.close()


def test_an_index_of_another_mapping_version_asks_for_a_rebuild(opensearch_url, tmp_path):
    here = Cluster(opensearch_url, "old")
    client = make_client(here)
    client.indices.create(
        index="old-1",
        body={"mappings": {"_meta": {"defsearch_mapping": 0}}, "aliases": {"old": {}}},
    )
    engine = OpenSearchEngine(here)
    with pytest.raises(IndexVersionError, match=r"run: defsearch index --rebuild$"):
        engine.search(make_request("фрегат"))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _article(corpus, "a.txt", "Фрегат спущен на воду\n\nНовый фрегат спустили на воду.")
    notes = []
    report = sync_opensearch(corpus, here, notify=notes.append)
    assert report.added == 1 and "rebuilding" in notes[0]
    assert ids(search(engine, "фрегат")) == ["a"]
    engine.close()
    client.close()


def test_one_sync_at_a_time_and_a_dead_one_is_taken_over(opensearch_url, tmp_path, monkeypatch):
    import time

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _article(corpus, "a.txt", "Frigate launched\n\nA new frigate was launched.")
    here = Cluster(opensearch_url, "locked")
    client = make_client(here)
    client.indices.create(index="locked-lock")
    held = {"owner": "pid 1 on elsewhere", "renewed": time.time()}
    client.index(index="locked-lock", id="sync", body=held, refresh=True)
    monkeypatch.setenv("DEFSEARCH_LOCK_WAIT", "0.5")
    with pytest.raises(IndexBusyError, match=r"another index run \(pid 1 on elsewhere\)"):
        sync_opensearch(corpus, here)
    held["renewed"] = time.time() - 3600  # a sync that died an hour ago
    client.index(index="locked-lock", id="sync", body=held, refresh=True)
    assert sync_opensearch(corpus, here).added == 1
    assert not client.exists(index="locked-lock", id="sync")  # released
    client.close()


def test_a_missing_index_and_an_unreachable_cluster_are_one_line_errors(opensearch_url):
    with pytest.raises(IndexUnusableError, match="no index in"):
        OpenSearchEngine(Cluster(opensearch_url, "never-built")).check()
    with pytest.raises(IndexUnusableError, match="cannot reach OpenSearch at"):
        OpenSearchEngine(Cluster("http://127.0.0.1:9", "news")).check()


def test_the_factory_picks_the_engine_from_the_environment(monkeypatch, opensearch_url, tmp_path):
    monkeypatch.setenv("DEFSEARCH_ENGINE", "opensearch")
    monkeypatch.setenv("DEFSEARCH_OPENSEARCH_URL", opensearch_url)
    monkeypatch.setenv("DEFSEARCH_OPENSEARCH_INDEX", "factory")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _article(corpus, "a.txt", "Frigate launched\n\nA new frigate was launched.")
    assert sync(corpus, tmp_path / "index").added == 1
    engine = open_engine(tmp_path / "index")
    assert isinstance(engine, OpenSearchEngine) and engine.check() == 1
    assert not (tmp_path / "index").exists()  # nothing written beside the corpus
    engine.close()
    monkeypatch.setenv("DEFSEARCH_ENGINE", "solr")
    with pytest.raises(UsageError, match="--engine must be one of"):
        EngineChoice.of()


def _cli(*args, env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEFSEARCH_")}
    env.update(env_extra)
    result = subprocess.run(
        [str(DEFSEARCH), *args], capture_output=True, text=True, env=env, timeout=120
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_cli_on_opensearch(opensearch_url, tmp_path):
    corpus = build_test_corpus(tmp_path / "corpus")
    env = {"DEFSEARCH_OPENSEARCH_INDEX": "cli", "DEFSEARCH_CORPUS": str(corpus)}
    where = ["--engine", "opensearch", "--opensearch-url", opensearch_url]
    built = _cli(*where, "index", env_extra=env)
    assert built.returncode == 0 and "31 added" in built.stdout
    found = _cli(*where, "search", "поставки", env_extra=env)
    assert found.returncode == 0 and "14 results" in found.stdout
    shown = _cli(*where, "show", "ru_01", env_extra=env)
    assert shown.returncode == 0 and "Рособоронэкспорт" in shown.stdout
    stats = _cli(*where, "stats", env_extra=env)
    assert stats.returncode == 0 and "31" in stats.stdout
    new = tmp_path / "frigate.txt"
    new.write_text("Фрегат спущен на воду\n\nНовый фрегат спустили на воду.", encoding="utf-8")
    added = _cli(*where, "add", str(new), env_extra=env)
    assert added.returncode == 0 and "[id frigate]" in added.stdout
    found = _cli(*where, "search", "--json", "фрегат", env_extra=env)
    assert '"id": "frigate"' in found.stdout
    down = _cli("--engine", "opensearch", "--opensearch-url", "http://127.0.0.1:9", "search",
                "x", env_extra=env)  # fmt: skip
    assert down.returncode != 0 and len(down.stderr.strip().splitlines()) == 1
    assert "cannot reach OpenSearch" in down.stderr


def test_web_app_on_opensearch(cluster, news_index):
    from web.app import create_app

    choice = EngineChoice("opensearch", cluster.url)
    os.environ["DEFSEARCH_OPENSEARCH_INDEX"] = cluster.alias
    try:
        client = create_app({"ENGINE": choice, "TESTING": True}).test_client()
        same = create_app({"INDEX_DIR": news_index, "TESTING": True}).test_client()
        mine = client.get("/api/search?q=поставки").get_json()
        theirs = same.get("/api/search?q=поставки").get_json()
    finally:
        del os.environ["DEFSEARCH_OPENSEARCH_INDEX"]
    assert set(mine) == set(theirs) and mine["total"] == theirs["total"] == 14
    assert client.get("/search?q=поставки").status_code == 200
    assert client.get("/doc/ru_01").status_code == 200


def test_both_engines_agree_on_the_test_queries(cluster, whoosh):
    from bench.opensearch import agreement
    from bench.queries import BenchQuery

    queries = [
        BenchQuery("mixed", q)
        for q in (
            "поставки", "deliveries", "поставки С-400", "Азербайджан", "S-400 Turkey", "Ми-35М",
            '"военно-техническое сотрудничество"', "=Поставками", "Reuters", "танков",
            "вертолётов Азербайджан", "fleet", "ПВО", "drones OR беспилотников",
        )
    ] + [BenchQuery("filtered", "поставки", lang="ru", sort="date")]  # fmt: skip
    engine = OpenSearchEngine(cluster)
    found = agreement(whoosh, engine, queries)
    engine.close()
    assert found["overlap"] >= 0.8 and found["top"] >= 0.9, found["worst"][:3]


def test_an_unlikely_lemma_counts_little_on_both_engines(opensearch_url, tmp_path):
    from search.sync import sync_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _article(corpus, "steel.txt", "Цены на сталь\n\nЗавод выплавил сталь для брони.")
    _article(
        corpus,
        "verb.txt",
        "Поставки стали быстрее\n\nПоставки стали быстрее, а сроки стали короче. Они стали лучше.",
    )
    sync_index(corpus, tmp_path / "index")
    here = Cluster(opensearch_url, "lemmas")
    sync_opensearch(corpus, here)
    for engine in (Engine(tmp_path / "index"), OpenSearchEngine(here)):
        # «стали» is «стать» here; «сталь» is its unlikely lemma: found, but ranked last.
        assert ids(search(engine, "сталь")) == ["steel", "verb"]
        engine.close()


def _story_state(engine):
    page = search(engine, "фрегат")
    stories = [sorted(a["id"] for a in s["articles"]) for s in engine.stories(limit=10)]
    return page.total, page.articles, sorted(len(hit.also) for hit in page.results), stories


def test_stories_group_results_and_follow_syncs_on_both_engines(opensearch_url, tmp_path):
    from search.sync import sync_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = "Фрегат спущен на воду\n\nНовый фрегат «Адмирал Исаков» спустили на воду в Калининграде."
    _article(corpus, "a.txt", text, "2024-05-01")
    _article(corpus, "b.txt", text, "2024-05-02")  # a copy: one story with a.txt
    other = "Фрегат вышел в море\n\nДругой фрегат вышел на испытания в Балтийск."
    _article(corpus, "c.txt", other, "2024-05-01")
    here = Cluster(opensearch_url, "stories")

    def both():
        sync_index(corpus, tmp_path / "index")
        sync_opensearch(corpus, here)
        whoosh, other = Engine(tmp_path / "index"), OpenSearchEngine(here)
        states = _story_state(whoosh), _story_state(other)
        whoosh.close()
        other.close()
        return states

    mine, theirs = both()
    assert mine == theirs == (2, 3, [0, 1], [["a", "b"]])
    _article(corpus, "d.txt", text, "2024-05-02")  # a third copy joins the story
    mine, theirs = both()
    assert mine == theirs == (2, 4, [0, 2], [["a", "b", "d"]])
    _article(
        corpus,
        "a.txt",
        "Фрегат спущен на воду\n\nСовсем другой текст о фрегате и верфи.",
        "2024-05-01",
    )
    mine, theirs = both()
    assert mine == theirs == (3, 4, [0, 0, 1], [["b", "d"]])
