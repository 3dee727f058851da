"""Open and create index generations, and their writers: the only place a Whoosh index
folder is opened.

A generation is a folder of Whoosh segment files (search.store names and swaps them);
``open_index`` checks its schema version and file sizes before opening it for reading.
"""

from __future__ import annotations

import os
from pathlib import Path

from whoosh import index as whoosh_index

from search import store
from search.engine.codec import DefsearchCodec
from search.engine.schema import SCHEMA_VERSION, build_schema
from search.errors import IndexVersionError

PARALLEL_MIN_DOCS = 2000  # below this, starting worker processes costs more than it saves
MAX_PROCS = 4  # worker processes for large jobs (each loads its own dictionaries)
# Postings a writer holds before it writes them out as a run (search.engine.pool); ordering
# a run takes about half as much again for a moment.
WRITER_MEMORY_MB = 32


def open_index(index_dir: Path, generation: Path | None = None):
    """Open a generation (the live one by default) for reading; raise a clear error when it
    is missing, of another schema, or damaged."""
    generation = generation or store.current_generation(index_dir)
    if generation is None:
        raise store.missing(index_dir)
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


def open_writer(ix, documents: int, per_doc=None):
    """Return a Whoosh writer: one process for small jobs, one per core for large ones.

    Segments are written as separate files, not one compound file: Whoosh opens a compound
    segment by copying each of its parts into memory (a BytesIO over the mmap), which cost
    0.3 s and 650 MB for a one-shot search of 20,000 articles; separate files are read in
    place (one-shot search RSS 58 MB).
    """
    procs = min(os.cpu_count() or 1, MAX_PROCS)
    if documents >= PARALLEL_MIN_DOCS and procs > 1:
        from search.engine.workers import ParallelWriter

        # Each worker analyzes and writes its own segment; the analyzer pickles cleanly.
        return ParallelWriter(
            ix,
            procs=procs,
            per_doc=per_doc,
            limitmb=WRITER_MEMORY_MB,
            compound=False,
            codec=DefsearchCodec(),
        )
    from search.engine.writer import PooledWriter

    return PooledWriter(
        ix, limitmb=WRITER_MEMORY_MB, per_doc=per_doc, compound=False, codec=DefsearchCodec()
    )
