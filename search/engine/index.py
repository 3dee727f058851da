"""Open and create index generations: the only place a Whoosh index folder is opened.

A generation is a folder of Whoosh segment files (search.store names and swaps them);
``open_index`` checks its schema version and file sizes before opening it for reading.
"""

from __future__ import annotations

from pathlib import Path

from whoosh import index as whoosh_index

from search import store
from search.engine.schema import SCHEMA_VERSION, build_schema
from search.errors import IndexMissingError, IndexVersionError


def open_index(index_dir: Path, generation: Path | None = None):
    """Open a generation (the live one by default) for reading; raise a clear error when it
    is missing, of another schema, or damaged."""
    generation = generation or store.current_generation(index_dir)
    if generation is None:
        raise IndexMissingError(f"no index in {index_dir}; build one with: defsearch index")
    meta = store.read_meta(generation)
    version = meta.get("schema_version")
    if version != SCHEMA_VERSION:
        raise IndexVersionError(
            f"index in {index_dir} was built by another version of defsearch "
            f"(schema {version}, need {SCHEMA_VERSION}); run: defsearch index --rebuild"
        )
    store.verify(index_dir, generation, meta)
    try:
        return whoosh_index.open_dir(str(generation))
    except Exception as exc:  # Whoosh raises many kinds on a damaged folder
        raise store.damaged(index_dir, exc.__class__.__name__) from None


def open_dir(generation: Path):
    """Open a generation's Whoosh index as it is (no checks): for writing and sync."""
    return whoosh_index.open_dir(str(generation))


def create_generation(generation: Path):
    """Create an empty Whoosh index of today's schema in a new generation folder."""
    return whoosh_index.create_in(str(generation), build_schema())
