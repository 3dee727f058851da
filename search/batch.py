"""Batch search: one query per line of a file (a watch list of names), a summary of each."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field

from search.errors import DefsearchError, QueryError
from search.export import csv_stream
from search.request import make_request
from search.service import Engine

TOP_HITS = 3  # best hits listed per query
COLUMNS = ("line", "query", "articles", "stories", "first", "last", "top", "error")


@dataclass
class BatchResult:
    line: int  # line number in the file, from 1
    query: str
    articles: int = 0  # every matching article
    stories: int = 0  # ... with reports of one story counted once
    first: str | None = None  # earliest and latest date among the matches
    last: str | None = None
    top: list[dict] = field(default_factory=list)  # id, title, source, date of the best hits
    error: str | None = None  # why this line could not be searched

    def to_dict(self) -> dict:
        return asdict(self)


def read_queries(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """Yield (line number, query) for each line that is not blank or a # comment."""
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if text and not text.startswith("#"):
            yield number, text


def run_batch(
    engine: Engine, lines: Iterable[str], **filters: str | bool | None
) -> Iterator[BatchResult]:
    """Search each query of ``lines`` with the same filters (lang, source, since, until,
    exact, both_languages); a line that cannot be searched gets its error, the rest run."""
    for number, text in read_queries(lines):
        result = BatchResult(number, text)
        try:
            page = engine.search(make_request(text, limit=TOP_HITS, **filters))
            if page.notice:  # a line of stop words or symbols searches nothing: say so
                raise QueryError(page.notice)
        except DefsearchError as exc:
            result.error = str(exc)
            yield result
            continue
        days = page.matched.days if page.matched is not None else {}
        result.articles = len(page.matched) if page.matched is not None else page.total
        result.stories = page.total
        result.first, result.last = (min(days), max(days)) if days else (None, None)
        result.top = [
            {"id": hit.id, "title": hit.title, "source": hit.source, "date": hit.date}
            for hit in page.results
        ]
        yield result


def batch_csv(results: Iterable[BatchResult]) -> Iterator[str]:
    """Yield CSV text, header first; the top hits are one cell, ' | ' between them."""
    return csv_stream(COLUMNS, (_csv_row(result) for result in results))


def _csv_row(result: BatchResult) -> list:
    top = " | ".join(f"{h['title']} ({h['date'] or 'undated'}, {h['id']})" for h in result.top)
    return [
        result.line,
        result.query,
        result.articles,
        result.stories,
        result.first or "",
        result.last or "",
        top,
        result.error or "",
    ]
