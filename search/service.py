"""Run queries against the index: ranked hits with snippets, facets, documents and stats."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from search.discover import SUGGEST_BELOW, list_stories, related, suggest
from search.engine.arrays import IndexArrays
from search.engine.parse import WEIGHTING, count_matches, parse_syntax, query_terms, source_names
from search.engine.readers import Reader, Readers
from search.engine.scoring import check_wildcards, time_budget
from search.errors import DocumentNotFoundError, NoSearchableWordsError, QueryError
from search.model import ResultPage, SearchRequest
from search.pipeline import (
    empty_page,
    evaluate_request,
    group_stories,
    mark_record,
    page,
    record_of,
    snippets,
)
from search.query.expansion import TEXT_FIELDS
from search.query.parse import filter_query, parse_query
from search.request import parse_day
from search.store import read_meta, verify
from search.story_files import GROUPS_FILE, load_groups

SEARCH_BUDGET_SECONDS = 10.0  # a search still running after this is stopped with a message


class Engine:
    """Searches one index folder; each request holds one reader of the live generation
    (search.engine.readers), so a search sees one state of the index from start to end."""

    def __init__(self, index_dir: Path):
        self.index_dir = Path(index_dir)
        self._readers = Readers(self.index_dir, WEIGHTING)

    def _reading(self):
        return self._readers.reading()

    def close(self) -> None:
        """Close the readers of every thread; the next search opens the index again."""
        self._readers.close()

    def __del__(self):
        readers = getattr(self, "_readers", None)
        if readers is not None:
            readers.close(wait=False)

    def check(self) -> int:
        """Open the index and return its document count (raises if it is unusable)."""
        with self._reading() as reader:
            verify(self.index_dir, reader.generation, read_meta(reader.generation))
            return reader.doc_count()

    # -- searching -------------------------------------------------------------------------

    def searcher(self):
        """Return this thread's searcher of the live generation (to compare with Whoosh)."""
        with self._reading() as reader:
            return reader.searcher

    def parse(self, text: str, exact: bool = False, both_languages: bool = False):
        """Parse a query; add name keys unless exact, and translations when asked."""
        with self._reading() as reader:
            return reader.searcher, self._parse(reader, text, exact, both_languages)

    @staticmethod
    def _parse(reader: Reader, text: str, exact: bool, both_languages: bool):
        parsed = parse_query(text, exact, both_languages, lambda t: parse_syntax(reader, t))
        check_wildcards(parsed, reader.searcher.reader())
        return parsed

    @staticmethod
    def _filter(searcher, request: SearchRequest):
        return filter_query(request, source_names(searcher))

    def search(self, request: SearchRequest) -> ResultPage:
        """Run a search and return one page of hits with snippets and facets."""
        with self._reading() as reader, time_budget(SEARCH_BUDGET_SECONDS):
            return self._search(reader, request)

    def _search(self, reader: Reader, request: SearchRequest) -> ResultPage:
        started = time.perf_counter()
        searcher = reader.searcher
        try:
            parsed = self._parse(reader, request.query, request.exact, request.both_languages)
        except NoSearchableWordsError as exc:
            return empty_page(request, str(exc))
        arrays = self._arrays(reader)
        wanted = self._filter(searcher, request)
        matches = evaluate_request(parsed, wanted, arrays, request)
        codes = self._story_codes(reader, arrays) if request.group else None
        first = (request.page - 1) * request.limit
        groups = group_stories(matches, codes, first + request.limit)
        shown = groups.leaders[first : first + request.limit].tolist()
        terms = query_terms(searcher, parsed)
        hits = snippets(reader.stored_fields, shown, matches, groups, terms)
        suggestion = None
        if matches.full < SUGGEST_BELOW:
            suggestion = self._suggestion(reader, request, matches.full)
        took_ms = (time.perf_counter() - started) * 1000
        return page(request, arrays, matches, groups, hits, took_ms, suggestion)

    @staticmethod
    def _arrays(reader: Reader) -> IndexArrays:
        """Return the per-document arrays of the reader, built once per reader."""
        if "arrays" not in reader.cache:
            reader.cache["arrays"] = IndexArrays(reader.searcher)
        return reader.cache["arrays"]

    def _story_codes(self, reader: Reader, arrays: IndexArrays) -> np.ndarray:
        """Return a story number per docnum (-1: in no story), cached per reader."""
        stories = self._stories(reader)
        cached = reader.cache.get("story_codes")
        if cached is None or cached[0] is not stories:
            numbers: dict[str, int] = {}
            story_of = {doc_id.encode("utf-8"): story for doc_id, story in stories.items()}
            codes = [
                numbers.setdefault(story_of[doc_id], len(numbers)) if doc_id in story_of else -1
                for doc_id in arrays.column("id").tolist()
            ]
            cached = reader.cache["story_codes"] = (stories, np.asarray(codes, dtype=np.int64))
        return cached[1]

    @staticmethod
    def _stories(reader: Reader) -> dict[str, str]:
        """Return doc id -> story id, reloaded when a sync rewrites the groups."""
        try:
            stamp = (reader.generation / GROUPS_FILE).stat().st_mtime_ns
        except OSError:
            return {}
        cached = reader.cache.get("groups")
        if cached is None or cached[0] != stamp:
            cached = reader.cache["groups"] = (stamp, load_groups(reader.generation))
        return cached[1]

    def _suggestion(self, reader: Reader, request: SearchRequest, total: int) -> str | None:
        searcher = reader.searcher
        better = suggest(reader, request.query)
        if not better:
            return None
        try:
            parsed = self._parse(reader, better, request.exact, request.both_languages)
        except QueryError:
            return None
        found = count_matches(searcher, parsed, self._filter(searcher, request))
        return better if found > total else None

    def related(self, doc_id: str, limit: int = 5) -> list[dict]:
        """Return the articles most like one article, with the words they share."""
        with self._reading() as reader:
            docnum = reader.document_number(doc_id)
            if docnum is None:
                raise DocumentNotFoundError(f"no document with id {doc_id!r} in the index")
            return related(reader, docnum, limit)

    def stories(self, since: str | None = None, until: str | None = None, limit: int = 20):
        """Return the largest story groups of a period, with their outlets and dates."""
        since, until = parse_day(since, "since"), parse_day(until, "until")
        with self._reading() as reader:
            return list_stories(reader, self._stories(reader), since, until, limit)

    # -- documents and stats ---------------------------------------------------------------

    def document(
        self, doc_id: str, highlight: str | None = None, with_related: bool = True
    ) -> dict:
        """Return a stored record with its related articles; with ``highlight``, also
        ``title_html``/``body_html`` with the query's words marked."""
        with self._reading() as reader:
            return self._document(reader, doc_id, highlight, with_related)

    def _document(self, reader: Reader, doc_id: str, highlight, with_related: bool) -> dict:
        docnum = reader.document_number(doc_id)
        if docnum is None:
            raise DocumentNotFoundError(f"no document with id {doc_id!r} in the index")
        stored = reader.stored_fields(docnum)
        record = record_of(stored)
        if with_related:
            record["related"] = related(reader, docnum)
        if highlight:
            terms = {name: set() for name in TEXT_FIELDS}
            try:
                terms = query_terms(reader.searcher, self._parse(reader, highlight, False, False))
            except QueryError:
                pass
            mark_record(record, terms)
        return record

    def stats(self) -> dict:
        """Return document counts per language and source, index size and last sync time."""
        with self._reading() as reader:
            generation = reader.generation
            # The facet columns, not the stored records: no article body is unpickled here.
            arrays = self._arrays(reader)
            langs = dict(arrays.counts("lang", arrays.live))
            outlets = arrays.counts("source_name", arrays.live)
            documents = reader.doc_count()
        sources = {outlet or "(unknown)": n for outlet, n in outlets}
        size = sum(p.stat().st_size for p in generation.iterdir() if p.is_file())
        return {
            "documents": documents,
            "languages": dict(sorted(langs.items())),
            "sources": dict(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))),
            "index_bytes": size,
            "index_path": os.fspath(self.index_dir),
            "last_sync": read_meta(generation).get("last_sync"),
        }

    def last_sync(self) -> str | None:
        """Return when the live generation was last synced (ISO 8601, UTC)."""
        with self._reading() as reader:
            return read_meta(reader.generation).get("last_sync")
