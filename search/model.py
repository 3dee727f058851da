"""Records and results: an article read from the corpus, a search and its page of hits, the
report of a sync. Plain dataclasses, shared by ingest, sync, the service, the CLI and the web."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from search.timeline import MatchedSet, histogram


@dataclass(frozen=True)
class NewsDocument:
    id: str  # path relative to the corpus (see search.ingest.kinds for the extension)
    path: str  # path relative to the corpus, POSIX separators
    title: str
    body: str
    lang: str  # "ru" or "en"
    date: str | None = None  # ISO YYYY-MM-DD
    source: str | None = None
    url: str | None = None
    hash: str = ""  # fingerprint() of the article and its sidecar
    # Where each field was found: {"date": "dateline", "source": "url", ...} (see extract).
    provenance: dict[str, str] = field(default_factory=dict)
    dropped: tuple[str, ...] = ()  # lines dropped as page furniture
    author: str | None = None  # a page's or a message's author (shown by inspect, not indexed)

    def to_dict(self) -> dict:
        return asdict(self)

    def record(self) -> dict:
        """Return what either engine stores of the article to show it (empty, not None)."""
        return {
            "id": self.id,
            "path": self.path,
            "title": self.title,
            "body": self.body,
            "source": self.source or "",
            "date": self.date or "",
            "url": self.url or "",
            "lang": self.lang,
            "hash": self.hash,
            "provenance": self.provenance,
        }


@dataclass
class Hit:
    id: str
    title: str
    source: str | None
    date: str | None
    url: str | None
    lang: str
    score: float
    snippet: str  # HTML: escaped text, matched words in <mark>
    title_html: str = ""  # the title as HTML with matched words marked (web only)
    also: list[dict] = field(default_factory=list)  # same story elsewhere: id, source, date, lang
    partial: bool = False  # matches every word of the query but one (search.soft_and)

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("title_html")
        return data


@dataclass
class ResultPage:
    query: str
    total: int
    page: int
    limit: int
    results: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    took_ms: float = 0.0
    suggestion: str | None = None  # a respelled query that finds more, when this finds little
    articles: int = 0  # matching articles; total counts stories when they are grouped
    stories: int | None = None  # stories the articles make (None: not grouped)
    notice: str | None = None  # why nothing was searched (a query of stop words only)
    matched: MatchedSet | None = field(default=None, repr=False)  # every match (search.timeline)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))

    def to_dict(self) -> dict:
        """Return the JSON shape of ``defsearch search --json`` and ``/api/search``."""
        return {
            "query": self.query,
            "total": self.total,
            "articles": self.articles,
            "stories": self.stories,
            "page": self.page,
            "limit": self.limit,
            "pages": self.pages,
            "results": [hit.to_dict() for hit in self.results],
            "suggestion": self.suggestion,
            "notice": self.notice,
            "histogram": histogram(self.matched.days) if self.matched is not None else [],
            "facets": {
                name: [{"value": value, "count": count} for value, count in values]
                for name, values in self.facets.items()
            },
        }


@dataclass(frozen=True)
class SearchRequest:
    """A validated search: build it with :func:`make_request`."""

    query: str
    limit: int = 10
    page: int = 1
    lang: str | None = None
    source: str | None = None
    since: str | None = None
    until: str | None = None
    sort: str = "relevance"
    exact: bool = False  # no name-key matching: only the words as analyzed
    both_languages: bool = False  # expand terms into the other language via the glossary
    group: bool = True  # fold reports of one story into the best-ranked one


@dataclass
class SyncReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: list[dict] = field(default_factory=list)  # [{"path": ..., "error": ...}]
    watches: dict[str, int] = field(default_factory=dict)  # saved search -> new matches
    # id -> fingerprint of every article this sync (re)indexed: what saved searches check.
    written: dict[str, str] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict:
        data = asdict(self)
        del data["written"]
        return data
