"""Pick the search engine: Whoosh in an index folder (the default) or an OpenSearch cluster.

``--engine`` / ``$DEFSEARCH_ENGINE`` choose, ``--opensearch-url`` /
``$DEFSEARCH_OPENSEARCH_URL`` say where the cluster is. The CLI and the web app call these
two functions and never know which engine answers.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from search.errors import UsageError

if TYPE_CHECKING:
    from search.model import SyncReport

ENGINE_ENV = "DEFSEARCH_ENGINE"
ENGINES = ("whoosh", "opensearch")


@dataclass(frozen=True)
class EngineChoice:
    """Which engine, and for OpenSearch where (None: $DEFSEARCH_OPENSEARCH_URL or local)."""

    name: str = "whoosh"
    url: str | None = None

    @classmethod
    def of(cls, name: str | None = None, url: str | None = None) -> EngineChoice:
        name = (name or os.environ.get(ENGINE_ENV) or "whoosh").strip().lower()
        if name not in ENGINES:
            raise UsageError(f"--engine must be one of {', '.join(ENGINES)}, not {name!r}")
        return cls(name, url or None)

    def cluster(self):
        from search.opensearch.connect import Cluster

        return Cluster.from_env(self.url)


def open_engine(index_dir: Path, choice: EngineChoice | None = None):
    """Return the engine that searches: search.service.Engine or the OpenSearch one."""
    choice = choice or EngineChoice.of()
    if choice.name == "opensearch":
        from search.opensearch.engine import OpenSearchEngine

        return OpenSearchEngine(choice.cluster())
    from search.service import Engine

    return Engine(index_dir)


def sync(
    corpus: Path,
    index_dir: Path,
    choice: EngineChoice | None = None,
    rebuild: bool = False,
    progress: Callable[[int], object] | None = None,
    notify: Callable[[str], object] | None = None,
) -> SyncReport:
    """Bring the chosen engine's index in line with the corpus."""
    choice = choice or EngineChoice.of()
    if choice.name == "opensearch":
        from search.opensearch.indexing import sync_opensearch

        return sync_opensearch(corpus, choice.cluster(), rebuild, progress, notify)
    from search.sync import sync_index

    return sync_index(corpus, index_dir, rebuild=rebuild, progress=progress, notify=notify)
