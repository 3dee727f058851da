"""Defaults and environment variables shared by the CLI, the web app and the tests."""

import os
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")  # tables shipped with the package
CORPUS_ENV = "DEFSEARCH_CORPUS"
INDEX_ENV = "DEFSEARCH_INDEX"


def default_index() -> Path:
    """Return the index folder: $DEFSEARCH_INDEX or ./index."""
    return Path(os.environ.get(INDEX_ENV, "index"))


def env_number(name: str, default: float) -> float:
    """Return a positive number from the environment, or default when unset or invalid."""
    try:
        value = float(os.environ[name])
    except (KeyError, ValueError):
        return default
    return value if value > 0 else default
