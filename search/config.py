"""Defaults and environment variables shared by the CLI, the web app and the tests."""

import os
from pathlib import Path

CORPUS_ENV = "DEFSEARCH_CORPUS"
INDEX_ENV = "DEFSEARCH_INDEX"


def default_corpus() -> Path:
    """Return the corpus folder: $DEFSEARCH_CORPUS or ./corpus."""
    return Path(os.environ.get(CORPUS_ENV, "corpus"))


def default_index() -> Path:
    """Return the index folder: $DEFSEARCH_INDEX or ./index."""
    return Path(os.environ.get(INDEX_ENV, "index"))
