"""A three-node OpenSearch cluster on loopback ports loses a node while searches run.

The index has 3 shards and 1 replica, so every shard has a copy on two of the three nodes. The
node killed (SIGKILL, as a machine failing) is the elected cluster manager, the harder case: the
other two must elect a new one while they answer searches. Every search, before, during and
after, must answer with the full count and no failed shard; writes go on afterwards.
"""

from __future__ import annotations

import threading
import time

import pytest

pytest.importorskip("opensearchpy", reason="opensearch-py is in the test extras")
from opensearchpy import OpenSearch, helpers  # noqa: E402

DOCS = 600
GROUPS = 6  # every document has group = its number % GROUPS


def _load(client: OpenSearch, start: int, stop: int) -> None:
    actions = (
        {"_index": "fleet", "_id": str(i), "_source": {"n": i, "group": i % GROUPS}}
        for i in range(start, stop)
    )
    ok, errors = helpers.bulk(client, actions, refresh="wait_for")
    assert ok == stop - start and not errors


def test_searches_keep_the_full_count_while_a_node_dies(opensearch_cluster):
    nodes = opensearch_cluster.nodes
    client = OpenSearch([n.url for n in nodes], timeout=30)
    client.indices.create(
        index="fleet",
        body={
            "settings": {"number_of_shards": 3, "number_of_replicas": 1},
            "mappings": {"properties": {"n": {"type": "integer"}, "group": {"type": "integer"}}},
        },
    )
    _load(client, 0, DOCS)
    assert client.cluster.health(index="fleet", wait_for_status="green")["status"] == "green"

    manager = client.cat.cluster_manager(format="json")[0]["node"]
    victim = next(n for n in nodes if n.settings["node.name"] == manager)
    survivors = [n for n in nodes if n is not victim]
    on_victim = [s for s in client.cat.shards(index="fleet", format="json") if s["node"] == manager]
    assert on_victim, "the node to kill holds no shard copy"
    client.close()

    # Searches go to the two nodes that stay, with no client-side retry: each must answer.
    searcher = OpenSearch([n.url for n in survivors], timeout=20, max_retries=0)
    queries = [
        ({"query": {"match_all": {}}}, DOCS),
        ({"query": {"term": {"group": 2}}}, DOCS // GROUPS),
        ({"query": {"range": {"n": {"gte": 100, "lt": 400}}}}, 300),
    ]
    answers: list[tuple[float, int, int, int]] = []  # (time, total, expected, failed shards)
    errors: list[str] = []
    stop = threading.Event()

    def search_loop() -> None:
        i = 0
        while not stop.is_set():
            body, expected = queries[i % len(queries)]
            i += 1
            try:
                result = searcher.search(
                    index="fleet", body={**body, "size": 0, "track_total_hits": True}
                )
            except Exception as e:  # every failure is a finding: record it
                errors.append(f"{type(e).__name__}: {e}")
                continue
            total = result["hits"]["total"]["value"]
            answers.append((time.monotonic(), total, expected, result["_shards"]["failed"]))
            time.sleep(0.02)

    thread = threading.Thread(target=search_loop)
    thread.start()
    try:
        time.sleep(2)
        killed_at = time.monotonic()
        victim.kill()
        # Go on searching until the two nodes have agreed on a new cluster without it.
        deadline = killed_at + 90
        survivor = OpenSearch(survivors[0].url, timeout=10, max_retries=0)
        while time.monotonic() < deadline:
            try:
                health = survivor.cluster.health()
                if health["number_of_nodes"] == 2 and health["discovered_cluster_manager"]:
                    break
            except Exception:
                pass  # no cluster manager yet: the health API waits for one
            time.sleep(0.5)
        rejoined = time.monotonic() - killed_at
        time.sleep(3)  # and a little longer on the new cluster
    finally:
        stop.set()
        thread.join(60)

    assert not errors, errors[:5]
    before = [a for a in answers if a[0] < killed_at]
    after = [a for a in answers if a[0] >= killed_at]
    assert len(before) >= 5 and len(after) >= 20, (len(before), len(after))
    wrong = [a for a in answers if a[1] != a[2] or a[3]]
    assert not wrong, wrong[:5]
    print(
        f"killed {manager} (cluster manager, {len(on_victim)} shard copies); "
        f"{len(before)} searches before, {len(after)} after, all full; "
        f"two-node cluster agreed {rejoined:.1f} s after the kill"
    )

    health = survivor.cluster.health()
    assert health["number_of_nodes"] == 2
    assert health["status"] in ("yellow", "green")  # every shard still has a live copy
    assert survivor.cat.cluster_manager(format="json")[0]["node"] != manager

    # Writes go on on the two nodes, and nothing written before is lost.
    _load(survivor, DOCS, DOCS + 60)
    assert survivor.count(index="fleet")["count"] == DOCS + 60
    searcher.close()
    survivor.close()
