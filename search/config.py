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


# Read when used, not at import: a test or a long-running process may set them later.


def batch_size() -> int:
    """Documents per commit of a sync ($DEFSEARCH_BATCH_SIZE): a killed run loses at most one
    batch of work."""
    return int(env_number("DEFSEARCH_BATCH_SIZE", 5000))


def lock_wait() -> float:
    """Seconds a second index run waits for the first ($DEFSEARCH_LOCK_WAIT)."""
    return env_number("DEFSEARCH_LOCK_WAIT", 30.0)


def idle_timeout() -> float:
    """Seconds before the server closes an idle connection ($DEFSEARCH_IDLE_TIMEOUT)."""
    return env_number("DEFSEARCH_IDLE_TIMEOUT", 30.0)
