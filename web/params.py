"""Turn the query string of a search page into a SearchRequest, and back into links."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace

from search.model import SearchRequest
from search.request import make_request

DEFAULT_LIMIT = 10  # hits per page when the URL does not say
PAGE_LINKS = 2  # page numbers shown on each side of the current one


@dataclass(frozen=True)
class SearchForm:
    """The raw, unvalidated fields of a search, kept as typed so a form can show them again."""

    q: str = ""
    lang: str = ""
    source: str = ""
    since: str = ""
    until: str = ""
    sort: str = ""
    page: str = ""
    limit: str = ""
    exact: str = ""  # "1": names only as typed
    both: str = ""  # "1": also search the other language via the glossary
    flat: str = ""  # "1": every article, not one hit per story

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> SearchForm:
        """Read the fields from a request's query string; unknown arguments are ignored."""
        return cls(**{f.name: (args.get(f.name) or "").strip() for f in fields(cls)})

    def to_request(self) -> SearchRequest:
        """Validate the fields; raise UsageError (or QueryError) with a one-line message."""
        return make_request(
            self.q,
            limit=self.limit or DEFAULT_LIMIT,
            page=self.page or 1,
            lang=self.lang,
            source=self.source,
            since=self.since,
            until=self.until,
            sort=self.sort or "relevance",
            exact=self.exact,
            both_languages=self.both,
            group=self.flat != "1",
        )

    @property
    def group_on(self) -> bool:
        """True when reports of one story are folded into one hit."""
        return self.flat != "1"

    @property
    def filtered(self) -> bool:
        """True when a language, source or date filter narrows the search."""
        return any((self.lang, self.source, self.since, self.until))

    def args(self, **changes: str | int) -> dict[str, str]:
        """Return the non-empty fields as URL arguments, with changes applied.

        Any change other than ``page`` starts again from the first page.
        """
        if "page" not in changes:
            changes["page"] = ""
        form = replace(self, **{name: str(value) for name, value in changes.items()})
        return {name: value for name, value in asdict(form).items() if value}

    def watch_command(self, name: str = "NAME") -> str:
        """Return the `defsearch watch add` command that saves this search."""
        words = ["defsearch", "watch", "add", name, shlex.quote(self.q)]
        if self.lang:
            words += ["--lang", shlex.quote(self.lang)]
        if self.source:
            words += ["--source", shlex.quote(self.source)]
        if self.exact == "1":
            words.append("--exact")
        if self.both == "1":
            words.append("--both-languages")
        return " ".join(words)

    def year_args(self, year: str) -> dict[str, str]:
        """Return the arguments that narrow the search to one calendar year."""
        return self.args(since=f"{year}-01-01", until=f"{year}-12-31")

    def is_year(self, year: str) -> bool:
        return self.since == f"{year}-01-01" and self.until == f"{year}-12-31"


def page_numbers(current: int, last: int) -> list[int | None]:
    """Return the page numbers to link, None marking a gap: [1, None, 4, 5, 6, None, 20]."""
    window = range(max(1, current - PAGE_LINKS), min(last, current + PAGE_LINKS) + 1)
    numbers: list[int | None] = []
    if window.start > 1:
        numbers.append(1)
        if window.start > 2:
            numbers.append(None)
    numbers.extend(window)
    if window.stop - 1 < last:
        if window.stop < last:
            numbers.append(None)
        numbers.append(last)
    return numbers
