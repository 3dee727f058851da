"""Shared fixtures: an index built once from the test corpus, and the test lanes."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpora import build_test_corpus

from search.sync import sync_index

# Fixtures that start real OpenSearch nodes (skipped, with the reason, without Java or Maven).
pytest_plugins = ("opensearch_node",)

# Modules that start real processes, servers or a browser: left out of `make check`.
SLOW_MODULES = {
    "test_api_contract",
    "test_bench",
    "test_browser",
    "test_browser_analyst",
    "test_cli",
    "test_ingest_faults",
    "test_opensearch",
    "test_opensearch_cluster",
    "test_opensearch_engine",
    "test_reliability",
    "test_robustness",
}


def pytest_collection_modifyitems(items):
    for item in items:
        if item.module.__name__ in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def news_index(tmp_path_factory) -> Path:
    """Return an index folder built once from the test corpus; tests must not change it."""
    root = tmp_path_factory.mktemp("news")
    corpus = build_test_corpus(root / "corpus")
    report = sync_index(corpus, root / "index")
    assert not report.failed, report.failed
    return root / "index"
