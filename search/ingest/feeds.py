"""Follow news feeds (RSS, Atom) with feedparser: each new item's page goes into the corpus.

The feed list lives in the corpus, in ``.defsearch-feeds.json`` (hidden: never indexed),
with each feed's ETag and Last-Modified, so that a pull of an unchanged feed downloads
nothing, and the items already taken.
"""

from __future__ import annotations

import fcntl
import html
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from search.errors import DefsearchError, DocumentError
from search.ingest.fetch import Download, FetchError, check_link, download, utc_stamp
from search.ingest.links import Register, add_link, store_page, write_atomically

FEEDS_FILE = ".defsearch-feeds.json"
LOCK_FILE = ".defsearch-feeds.lock"  # held by the one feeds command that writes the list
MAX_SEEN = 5000  # item keys remembered per feed; a feed lists far fewer at a time


@dataclass
class FeedReport:
    """What one pull did with one feed."""

    url: str
    title: str = ""
    status: str = "pulled"  # "pulled", "unchanged" (304: nothing downloaded) or "failed"
    error: str | None = None
    added: list[dict] = field(default_factory=list)  # {"id", "path", "url", "from"}
    existing: int = 0  # new items whose page the corpus already held
    failed: list[dict] = field(default_factory=list)  # {"url", "error"}

    def to_dict(self) -> dict:
        return self.__dict__.copy()


def load_feeds(corpus: Path) -> list[dict]:
    try:
        data = json.loads((corpus / FEEDS_FILE).read_text("utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise DefsearchError(f"cannot read the feed list {corpus / FEEDS_FILE}: {exc}") from None
    feeds = data.get("feeds") if isinstance(data, dict) else None
    return [f for f in feeds or [] if isinstance(f, dict) and isinstance(f.get("url"), str)]


def save_feeds(corpus: Path, feeds: list[dict]) -> None:
    corpus.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"feeds": feeds}, ensure_ascii=False, indent=1)
    write_atomically(corpus / FEEDS_FILE, text)


@contextmanager
def _feeds_lock(corpus: Path) -> Iterator[None]:
    """Hold the corpus's feed lock; refuse at once when another feeds command holds it."""
    corpus.mkdir(parents=True, exist_ok=True)
    fd = os.open(corpus / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DefsearchError(
                "another `defsearch feeds` command is running on this corpus; try again later"
            ) from None
        yield
    finally:
        os.close(fd)  # releases the lock


def add_feed(corpus: Path, url: str) -> dict:
    """Check that a link is a feed and add it to the list; return its entry."""
    with _feeds_lock(corpus):
        return _add_feed(corpus, url)


def _add_feed(corpus: Path, url: str) -> dict:
    try:
        url = check_link(url)
        feeds = load_feeds(corpus)
        if any(feed["url"] == url for feed in feeds):
            raise DefsearchError(f"{url} is already in the feed list")
        parsed = _parse(download(url))
    except DocumentError as exc:
        raise DefsearchError(f"cannot add feed {url}: {exc}") from None
    entry = {"url": url, "title": _one_line(parsed.feed.get("title")), "added": utc_stamp()}
    save_feeds(corpus, [*feeds, entry])
    return {**entry, "items": len(parsed.entries)}


def pull_feeds(corpus: Path) -> list[FeedReport]:
    """Fetch every feed and add its new items; a feed that fails leaves the others going."""
    with _feeds_lock(corpus):
        return _pull_all(corpus)


def _pull_all(corpus: Path) -> list[FeedReport]:
    feeds = load_feeds(corpus)
    register = Register(corpus)
    reports = []
    for feed in feeds:
        reports.append(_pull(feed, corpus, register))
        save_feeds(corpus, feeds)  # after each feed: a stopped pull keeps what it took
    return reports


def _pull(feed: dict, corpus: Path, register: Register) -> FeedReport:
    report = FeedReport(feed["url"], feed.get("title") or "")
    try:
        got = download(feed["url"], feed.get("etag"), feed.get("modified"))
        if got.not_modified:
            report.status = "unchanged"
            return report
        parsed = _parse(got)
    except DocumentError as exc:
        report.status, report.error = "failed", str(exc)
        return report
    feed["etag"], feed["modified"] = got.etag, got.last_modified
    feed["title"] = report.title = _one_line(parsed.feed.get("title")) or report.title
    feed["pulled"] = utc_stamp()
    seen = feed.setdefault("seen", [])
    for entry in parsed.entries:
        key = entry.get("id") or entry.get("link") or entry.get("title")
        if not key or key in seen:
            continue
        try:
            page, origin = _take(entry, report.title, corpus, register)
        except DocumentError as exc:
            report.failed.append({"url": entry.get("link") or key, "error": str(exc)})
            continue  # tried again at the next pull
        seen.append(key)
        if page.existing:
            report.existing += 1
        else:
            report.added.append(
                {"id": page.id, "path": str(page.path), "url": page.final_url, "from": origin}
            )
    del seen[:-MAX_SEEN]
    return report


def _take(entry, feed_title: str, corpus: Path, register: Register):
    """Add an item's page; when it cannot be fetched, the item's own content."""
    link = entry.get("link") or ""
    try:
        return add_link(link, corpus, register), "page"
    except DocumentError as exc:
        content = _content(entry)
        if not content:
            raise DocumentError(f"{exc}; the feed gives no text for it") from None
    made = Download(
        requested=link,
        url=link,
        content_type="text/html",
        body=_item_page(entry, content, feed_title).encode("utf-8"),
        fetched=utc_stamp(),
    )
    extra = {"title": _one_line(entry.get("title"))} if entry.get("title") else {}
    if day := _entry_date(entry):
        extra["date"] = day
    if not link.startswith(("http://", "https://")):
        raise DocumentError("the item has no http(s) link")
    return store_page(made, corpus, register, extra), "feed"


def _parse(got: Download):
    import feedparser

    parsed = feedparser.parse(got.body)
    if not parsed.get("version") or (parsed.bozo and not parsed.entries):
        reason = parsed.get("bozo_exception")
        detail = f" ({' '.join(str(reason).split())[:120]})" if reason else ""
        raise FetchError(f"not a feed: not RSS or Atom XML{detail}")
    return parsed


def _content(entry) -> str:
    for part in entry.get("content") or []:
        if part.get("value", "").strip():
            return part["value"]
    return entry.get("summary") or ""


def _item_page(entry, content: str, feed_title: str) -> str:
    """A page holding a feed item's own text, to be read like any saved page."""
    title = html.escape(_one_line(entry.get("title")))
    site = html.escape(feed_title)
    if "<" not in content:
        content = "".join(f"<p>{html.escape(p)}</p>" for p in content.split("\n\n"))
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="og:title" content="{title}">'
        f'<meta property="og:site_name" content="{site}"></head>'
        f"<body><article><h1>{title}</h1>{content}</article></body></html>"
    )


def _entry_date(entry) -> str | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return f"{parsed.tm_year:04d}-{parsed.tm_mon:02d}-{parsed.tm_mday:02d}" if parsed else None


def _one_line(value) -> str:
    return " ".join(str(value).split()) if value else ""
