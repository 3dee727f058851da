"""Every hit of a search, not one page: rows for CSV and JSON Lines, written as a stream."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

from search.model import Hit, SearchRequest
from search.request import MAX_LIMIT, MAX_PAGE
from search.service import Engine
from search.snippets import snippet_text

COLUMNS = ("id", "title", "source", "date", "url", "lang", "score", "snippet")


def iter_hits(engine: Engine, request: SearchRequest, every: bool = True) -> Iterator[Hit]:
    """Yield the hits of a search in its order: every page when ``every``, else its own."""
    if not every:
        yield from engine.search(request).results
        return
    request = replace(request, limit=MAX_LIMIT, page=1)
    while True:
        page = engine.search(request)
        yield from page.results
        if request.page >= min(page.pages, MAX_PAGE) or not page.results:
            return
        request = replace(request, page=request.page + 1)


def hit_row(hit: Hit) -> dict:
    """Return the exported fields of a hit, the snippet as plain text."""
    return {
        "id": hit.id,
        "title": hit.title,
        "source": hit.source or "",
        "date": hit.date or "",
        "url": hit.url or "",
        "lang": hit.lang,
        "score": hit.score,
        "snippet": snippet_text(hit.snippet),
    }


def csv_stream(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """Yield CSV text (header first, CRLF line ends as RFC 4180 says), one row at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()  # the header alone when there was no row


def csv_lines(hits: Iterable[Hit]) -> Iterator[str]:
    """Yield the hits as CSV text, header first, one row at a time."""
    rows = (hit_row(hit) for hit in hits)
    return csv_stream(COLUMNS, ([row[column] for column in COLUMNS] for row in rows))


def jsonl_lines(hits: Iterable[Hit]) -> Iterator[str]:
    """Yield one JSON object per hit, one per line."""
    for hit in hits:
        yield json.dumps(hit_row(hit), ensure_ascii=False) + "\n"


def export_lines(fmt: str, hits: Iterable[Hit]) -> Iterator[str]:
    """Yield the lines of an export in ``fmt`` (csv or jsonl)."""
    return csv_lines(hits) if fmt == "csv" else jsonl_lines(hits)
