"""Open readers of the live index generation, shared by a process's threads, never leaked.

A reader is one Whoosh searcher of one generation with what is built over it (score
arrays, story numbers, the query parser), and the lease that keeps its generation on disk
(search.store). Each thread uses its own reader (Whoosh's file reads are not thread-safe).
When a sync swaps in a new generation, the next request opens a reader of it and every
reader of an older generation is closed as soon as no request is using it: a server's open
files stay flat over any number of syncs, and no reader outlives the files it reads.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from search import store
from search.errors import IndexUnusableError


class Reader:
    """One open searcher of one generation; ``cache`` holds what is built over it."""

    def __init__(self, index_dir: Path, weighting):
        from search.engine.index import open_index

        generation, lease = store.lease(index_dir)
        if generation is None:
            raise store.missing(index_dir)
        try:
            self.ix = open_index(index_dir, generation)
            self.searcher = self.ix.searcher(weighting=weighting)
        except BaseException:
            os.close(lease)
            raise
        self.generation = generation
        self._lease = lease
        self.users = 0  # requests using it now
        self.cache: dict = {}

    def close(self) -> None:
        if self._lease < 0:
            return
        try:
            self.searcher.close()
            self.ix.close()
        finally:
            os.close(self._lease)
            self._lease = -1
            self.cache.clear()

    @property
    def closed(self) -> bool:
        return self._lease < 0

    # -- what the search service and discovery read (search.service, search.discover) ---

    def doc_count(self) -> int:
        """Return how many live articles the generation holds."""
        return self.searcher.doc_count()

    def stored_fields(self, docnum: int) -> dict:
        """Return an article's stored record."""
        return self.searcher.stored_fields(docnum)

    def document_number(self, doc_id: str) -> int | None:
        """Return the document number of an article id (None: not indexed)."""
        return self.searcher.document_number(id=doc_id)

    def doc_numbers(self) -> Iterator[int]:
        """Yield the document number of every live article."""
        return self.searcher.reader().all_doc_ids()

    def column(self, fieldname: str):
        """Return a field's per-document values, indexed by document number."""
        return self.searcher.reader().column_reader(fieldname)

    def doc_frequency(self, fieldname: str, term: str) -> int:
        """Return how many articles have a term in a field."""
        return self.searcher.reader().doc_frequency(fieldname, term)

    def words_starting(self, fieldname: str, prefix: str) -> Iterator[str]:
        """Yield the terms of a field that start with ``prefix``, in order."""
        for raw in self.searcher.reader().expand_prefix(fieldname, prefix):
            yield raw.decode("utf-8") if isinstance(raw, bytes) else raw


class Readers:
    """The readers of one index folder in this process."""

    def __init__(self, index_dir: Path, weighting):
        self.index_dir = Path(index_dir)
        self.weighting = weighting
        self._local = threading.local()
        self._open: set[Reader] = set()
        self._lock = threading.Lock()
        self._live: Path | None = None  # the generation CURRENT named at the last request

    @contextmanager
    def reading(self) -> Iterator[Reader]:
        """Hold this thread's reader of the live generation for one request."""
        reader = self._acquire()
        try:
            yield reader
        finally:
            with self._lock:
                reader.users -= 1
                self._close_unused()

    def _acquire(self) -> Reader:
        mine: Reader | None = getattr(self._local, "reader", None)
        if mine is not None and mine.users:  # a nested call in the same request
            with self._lock:
                mine.users += 1
            return mine
        generation = store.current_generation(self.index_dir)
        if generation is None:
            raise store.missing(self.index_dir)
        with self._lock:
            if mine is not None and not mine.closed and mine.generation == generation:
                return self._use(mine)
        try:
            mine = Reader(self.index_dir, self.weighting)
        except IndexUnusableError:
            raise
        except Exception as exc:  # Whoosh raises many kinds on damaged files
            raise store.damaged(self.index_dir, exc.__class__.__name__) from None
        self._local.reader = mine
        with self._lock:
            self._open.add(mine)
            return self._use(mine)

    def _use(self, reader: Reader) -> Reader:
        """Count a request on the reader and close the readers it makes old (locked)."""
        reader.users += 1
        self._live = reader.generation  # CURRENT as last read
        self._close_unused()
        return reader

    def _close_unused(self) -> None:
        """Close every reader of an older generation that no request is using (locked)."""
        for reader in list(self._open):
            if reader.users == 0 and (reader.closed or reader.generation != self._live):
                reader.close()
                self._open.discard(reader)

    def close(self, wait: bool = True) -> None:
        """Close every reader of every thread; the next request opens the index again.

        ``wait=False`` (at interpreter exit) gives up if a thread that is no more holds the
        lock, instead of waiting for it forever.
        """
        if not self._lock.acquire(timeout=-1 if wait else 0.1):
            return
        try:
            readers, self._open = list(self._open), set()
        finally:
            self._lock.release()
        for reader in readers:
            reader.close()
        self._local = threading.local()
