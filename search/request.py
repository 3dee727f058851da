"""A search as asked: raw parameters from the CLI or a web form checked into a
SearchRequest, with the limits every engine shares."""

from __future__ import annotations

from datetime import date

from search.errors import QueryError, UsageError
from search.model import SearchRequest
from search.text.safe import strip_controls

MAX_QUERY_CHARS = 1000  # longer input is almost certainly pasted text, not a query
MAX_LIMIT = 100  # hits per page
MAX_PAGE = 1000
SORTS = ("relevance", "date")
LANGS = ("ru", "en")


def parse_day(value: str | None, name: str) -> str | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise UsageError(f"--{name} must be a date as YYYY-MM-DD, not {value!r}") from None


def make_request(
    query: str,
    limit: int | str = 10,
    page: int | str = 1,
    lang: str | None = None,
    source: str | None = None,
    since: str | None = None,
    until: str | None = None,
    sort: str | None = "relevance",
    exact: bool | str | None = False,
    both_languages: bool | str | None = False,
    group: bool | str | None = True,
) -> SearchRequest:
    """Validate raw search parameters (from the CLI or a web form) into a SearchRequest."""
    query = strip_controls(query or "").strip()
    if not query:
        raise QueryError("the query is empty")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the query is too long ({len(query)} characters, limit {MAX_QUERY_CHARS})"
        )
    try:
        limit, page = int(limit), int(page)
    except (TypeError, ValueError):
        raise UsageError("limit and page must be whole numbers") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"limit must be between 1 and {MAX_LIMIT}")
    if not 1 <= page <= MAX_PAGE:
        raise UsageError(f"page must be between 1 and {MAX_PAGE}")
    lang = (lang or "").strip().lower() or None
    if lang is not None and lang not in LANGS:
        raise UsageError(f"language must be one of {', '.join(LANGS)}, not {lang!r}")
    sort = (sort or "relevance").strip().lower()
    if sort not in SORTS:
        raise UsageError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    since, until = parse_day(since, "since"), parse_day(until, "until")
    if since and until and since > until:
        raise UsageError(f"--since {since} is after --until {until}")
    source = strip_controls(source or "").strip() or None
    return SearchRequest(
        query,
        limit,
        page,
        lang,
        source,
        since,
        until,
        sort,
        exact=_flag(exact),
        both_languages=_flag(both_languages),
        group=_flag(group),
    )


def _flag(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "on", "yes")
    return bool(value)
