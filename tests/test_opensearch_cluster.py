"""defsearch on a three-node OpenSearch cluster that loses a node while searches run.

The index is built by defsearch with 3 shards and 1 replica, so every shard has a copy on two
of the three nodes. The node killed (SIGKILL, as a machine failing) is the elected cluster
manager, the harder case: the other two must elect a new one while they answer searches.
Every search, before, during and after, must answer with the full count; a sync afterwards
adds a new article and loses none.
"""

from __future__ import annotations

import threading
import time

import pytest
from corpora import build_test_corpus

pytest.importorskip("opensearchpy", reason="opensearch-py is a dependency of defsearch")
from search.opensearch.connect import Cluster, make_client  # noqa: E402
from search.opensearch.engine import OpenSearchEngine  # noqa: E402
from search.opensearch.indexing import sync_opensearch  # noqa: E402
from search.request import make_request

QUERIES = [("поставки", 14), ("deliveries", 12), ("поставки OR deliveries", 26)]
ARTICLES = 31  # in the test corpus


def _wait_for(done, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        time.sleep(0.1)


def test_searches_keep_the_full_count_while_a_node_dies(opensearch_cluster, tmp_path):
    nodes = opensearch_cluster.nodes
    corpus = build_test_corpus(tmp_path / "corpus")
    everyone = Cluster(",".join(n.url for n in nodes), "news")
    report = sync_opensearch(corpus, everyone, shards=3, replicas=1)
    assert report.added == ARTICLES and not report.failed
    client = make_client(everyone)
    assert client.cluster.health(index="news", wait_for_status="green")["status"] == "green"
    manager = client.cat.cluster_manager(format="json")[0]["node"]
    victim = next(n for n in nodes if n.settings["node.name"] == manager)
    survivors = [n for n in nodes if n is not victim]
    index = next(iter(client.indices.get_alias(name="news")))
    on_victim = [s for s in client.cat.shards(index=index, format="json") if s["node"] == manager]
    assert on_victim, "the node to kill holds no shard copy"
    client.close()

    # The engine knows only the two nodes that stay: the cluster, not the client, must cope.
    remaining = Cluster(",".join(n.url for n in survivors), "news")
    engine = OpenSearchEngine(remaining)
    answers: list[tuple[float, str, int, int]] = []  # (time, query, articles, expected)
    errors: list[str] = []
    stop = threading.Event()

    def search_loop() -> None:
        i = 0
        while not stop.is_set():
            query, expected = QUERIES[i % len(QUERIES)]
            i += 1
            try:
                page = engine.search(make_request(query))
            except Exception as exc:  # every failure is a finding: record it
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            answers.append((time.monotonic(), query, page.articles, expected))
            time.sleep(0.02)

    thread = threading.Thread(target=search_loop)
    thread.start()
    try:
        _wait_for(lambda: len(answers) >= 3 or errors)
        killed_at = time.monotonic()
        victim.kill()
        deadline = killed_at + 90
        survivor = make_client(Cluster(survivors[0].url))
        while time.monotonic() < deadline:
            try:
                health = survivor.cluster.health()
                if health["number_of_nodes"] == 2 and health["discovered_cluster_manager"]:
                    break
            except Exception:
                pass  # no cluster manager yet
            time.sleep(0.5)
        rejoined = time.monotonic() - killed_at
        # And a little longer on the new cluster.
        _wait_for(lambda: sum(a[0] > killed_at + rejoined for a in answers) >= 5 or errors)
    finally:
        stop.set()
        thread.join(60)

    assert not errors, errors[:5]
    before = [a for a in answers if a[0] < killed_at]
    after = [a for a in answers if a[0] >= killed_at]
    assert len(before) >= 3 and len(after) >= 5, (len(before), len(after))
    wrong = [a for a in answers if a[2] != a[3]]
    assert not wrong, wrong[:5]
    print(
        f"killed {manager} (cluster manager, {len(on_victim)} shard copies); "
        f"{len(before)} searches before, {len(after)} after, all full; "
        f"two-node cluster agreed {rejoined:.1f} s after the kill"
    )
    assert survivor.cluster.health()["status"] in ("yellow", "green")

    # A sync on the two nodes adds the new article and loses nothing indexed before.
    (corpus / "new.txt").write_text(
        "Фрегат спущен на воду\n\nНовый фрегат спустили на воду в Калининграде.", encoding="utf-8"
    )
    report = sync_opensearch(corpus, remaining)
    assert (report.added, report.removed, report.unchanged) == (1, 0, ARTICLES)
    assert engine.check() == ARTICLES + 1
    for query, expected in QUERIES:
        assert engine.search(make_request(query)).articles == expected
    assert "new" in [hit.id for hit in engine.search(make_request("фрегат")).results]
    engine.close()
    survivor.close()
