"""Saved searches that watch the corpus: kept in SQLite beside the index, run after syncs.

The database is ``watches.sqlite3`` in the index folder (search.store counts it as ours),
outside every generation, so it survives ``index --rebuild``. It holds the saved searches,
the matches each has recorded, and a ledger of every article's fingerprint as last seen:
after a sync, only the articles whose fingerprint the ledger does not know are new or
changed; a rebuild or a re-sync of old articles writes the same fingerprints and records
nothing. The ledger, the matches and the check run in one transaction under the index's
write lock, and a match is UNIQUE per saved search and article: it is recorded once.

The database also names the index generation its ledger was last brought up to. A sync
that starts from that generation checks only the articles it wrote; one that does not (a
run stopped between swapping in its generation and the check, or a check that failed)
compares every indexed article with the ledger, so no match is lost.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from search import config, store
from search.errors import (
    DefsearchError,
    DocumentNotFoundError,
    IndexUnusableError,
    QueryError,
    UsageError,
)
from search.model import SearchRequest
from search.request import make_request
from search.service import Engine
from search.snippets import make_snippet, snippet_text
from search.story_files import load_groups

BUSY_SECONDS = 30.0  # how long a connection waits for another one's transaction
NAME_RE = re.compile(r"[^\W_][\w.-]{0,63}")  # letters of any script, digits, . _ -
SCHEMA = """
CREATE TABLE IF NOT EXISTS watches (
    name TEXT PRIMARY KEY,
    query TEXT NOT NULL,
    lang TEXT,
    source TEXT,
    exact INTEGER NOT NULL DEFAULT 0,
    both_languages INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS matches (
    watch TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    found TEXT NOT NULL,
    seen INTEGER NOT NULL DEFAULT 0,
    UNIQUE (watch, doc_id)
);
CREATE TABLE IF NOT EXISTS articles (doc_id TEXT PRIMARY KEY, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass
class Watch:
    name: str
    query: str
    lang: str | None = None
    source: str | None = None
    exact: bool = False
    both_languages: bool = False
    created: str = ""
    matches: int = 0
    unseen: int = 0

    def request(self, **changes) -> SearchRequest:
        """Return the saved search as a request: every article, one hit each."""
        params = {"lang": self.lang, "source": self.source, "group": False, **changes}
        return make_request(
            self.query, exact=self.exact, both_languages=self.both_languages, **params
        )

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class WatchEntry:
    """One matched story of a saved search: its newest matched article, the rest in also."""

    id: str
    title: str
    source: str | None
    date: str | None
    url: str | None
    lang: str
    snippet: str  # plain text
    found: str  # when the sync that recorded it ran (UTC)
    seen: bool
    also: list[str] = field(default_factory=list)  # other matched articles of the story

    def to_dict(self) -> dict:
        return asdict(self)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def check_name(name: str) -> str:
    """Return a valid watch name or raise UsageError in one line."""
    # NAME.atom is the saved search's feed on the web: a name ending so would hide another's.
    if not NAME_RE.fullmatch(name or "") or name.endswith(".atom"):
        raise UsageError(
            f"a watch name is letters, digits, '.', '_' and '-' (at most 64, no slash), "
            f"not {name!r}"
        )
    return name


class WatchList:
    """The saved searches of one index folder."""

    def __init__(self, index_dir: Path, engine: Engine | None = None, readonly: bool = False):
        """``engine``: the Engine to read articles with (a server's own); ``readonly``: open
        the database read-only (the web pages)."""
        self.index_dir = Path(index_dir)
        self.path = self.index_dir / store.WATCHES_FILE
        self.engine = engine
        self.readonly = readonly

    @contextmanager
    def _engine(self) -> Iterator[Engine]:
        if self.engine is not None:
            yield self.engine
            return
        engine = Engine(self.index_dir)
        try:
            yield engine
        finally:
            engine.close()

    @contextmanager
    def _connect(self, create: bool = False) -> Iterator[sqlite3.Connection | None]:
        """``create``: make the database if missing (the caller has claimed the folder)."""
        if not create and not self.path.exists():
            yield None
            return
        try:
            if self.readonly:
                where = self.path.resolve().as_uri() + "?mode=ro"
                conn = sqlite3.connect(where, timeout=BUSY_SECONDS, uri=True)
            else:
                conn = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
        except sqlite3.Error as exc:
            raise IndexUnusableError(f"cannot open the saved searches {self.path}: {exc}") from None
        try:
            conn.row_factory = sqlite3.Row
            if not self.readonly:
                conn.executescript(SCHEMA)
            yield conn
        except sqlite3.DatabaseError as exc:
            raise IndexUnusableError(f"cannot use the saved searches {self.path}: {exc}") from None
        finally:
            conn.close()

    @contextmanager
    def _transaction(self, create: bool = False) -> Iterator[sqlite3.Connection | None]:
        """One write transaction: BEGIN IMMEDIATE takes SQLite's write lock at once."""
        with self._connect(create) as conn:
            if conn is None:
                yield None
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # -- saved searches ----------------------------------------------------------------------

    def add(self, watch: Watch, lock_wait: float | None = None) -> Watch:
        """Save a search; its query is checked against the index now, not at the next sync.

        ``lock_wait``: seconds to wait for a running sync, by default search.config's."""
        check_name(watch.name)
        request = watch.request(limit=1)
        with self._engine() as engine:
            if store.current_generation(self.index_dir) is not None:
                page = engine.search(request)  # raises QueryError on a query that cannot run
                if page.notice:  # stop words or symbols only: it would never match anything
                    raise QueryError(page.notice)
            watch.created = _now()
            store.claim(self.index_dir)
            # Under the index's write lock: no sync runs between reading the index's
            # fingerprints and saving them, so no article is counted new twice or missed.
            wait = config.lock_wait() if lock_wait is None else lock_wait
            with store.write_lock(self.index_dir, wait=wait):
                with self._transaction(create=True) as conn:
                    if conn.execute(
                        "SELECT 1 FROM watches WHERE name = ?", (watch.name,)
                    ).fetchone():
                        raise UsageError(
                            f"a saved search named {watch.name!r} exists; "
                            "remove it first (defsearch watch remove)"
                        )
                    conn.execute(
                        "INSERT INTO watches VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (
                            watch.name,
                            request.query,
                            request.lang,
                            request.source,
                            int(request.exact),
                            int(request.both_languages),
                            watch.created,
                        ),
                    )
                    if not conn.execute("SELECT 1 FROM articles LIMIT 1").fetchone():
                        _save_ledger(conn, indexed_fingerprints(self.index_dir))
                        live = store.current_generation(self.index_dir)
                        _set_checked(conn, live.name if live is not None else "")
        return self.get(watch.name)

    def list(self, name: str | None = None) -> list[Watch]:
        """Return every saved search (or the one named) with its counts of matches and
        unseen matches."""
        with self._connect() as conn:
            if conn is None:
                return []
            rows = conn.execute(
                "SELECT w.*, COUNT(m.doc_id) AS matches, "
                "COALESCE(SUM(m.seen = 0), 0) AS unseen FROM watches w "
                "LEFT JOIN matches m ON m.watch = w.name "
                + ("" if name is None else "WHERE w.name = ? ")
                + "GROUP BY w.name ORDER BY w.name",
                () if name is None else (name,),
            ).fetchall()
        return [_watch(row) for row in rows]

    def get(self, name: str) -> Watch:
        for watch in self.list(name):
            return watch
        raise DocumentNotFoundError(f"no saved search named {name!r}; see: defsearch watch list")

    def remove(self, name: str) -> None:
        self.get(name)
        with self._transaction() as conn:
            conn.execute("DELETE FROM matches WHERE watch = ?", (name,))
            conn.execute("DELETE FROM watches WHERE name = ?", (name,))

    def mark_seen(self, name: str) -> int:
        """Mark every match of a saved search seen; return how many were unseen."""
        self.get(name)
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE matches SET seen = 1 WHERE watch = ? AND seen = 0", (name,)
            )
            return cursor.rowcount

    def entries(self, name: str, every: bool = False, limit: int | None = None) -> list[WatchEntry]:
        """Return the matches of a saved search, unseen ones only unless ``every``: newest
        article first, one entry per story."""
        self.get(name)
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT doc_id, found, seen FROM matches WHERE watch = ?"
                + ("" if every else " AND seen = 0"),
                (name,),
            ).fetchall()
        generation = store.current_generation(self.index_dir)
        groups = load_groups(generation) if generation is not None else {}
        found = []
        with self._engine() as engine:
            for row in rows:
                try:
                    record = engine.document(row["doc_id"], with_related=False)
                except DocumentNotFoundError:
                    continue  # removed from the corpus since
                found.append(_entry(record, row))
        found.sort(key=lambda e: (e.date or "", e.found, e.id), reverse=True)
        entries: list[WatchEntry] = []
        leaders: dict[str, WatchEntry] = {}
        for entry in found:
            story = groups.get(entry.id)
            if story is not None and story in leaders:
                leaders[story].also.append(entry.id)
                continue
            if story is not None:
                leaders[story] = entry
            entries.append(entry)
        return entries[:limit] if limit else entries

    # -- after a sync --------------------------------------------------------------------------

    def record(
        self,
        written: dict[str, str],
        before: str,
        after: str,
        notify: Callable[[str], object] | None = None,
    ) -> dict[str, int]:
        """Run every saved search against the articles a sync wrote (id -> fingerprint) that
        are new or changed; record their matches; return name -> newly recorded matches.

        ``before`` and ``after`` name the live generation when the sync started and ended.
        """
        with self._transaction() as conn:
            if conn is None:
                return {}
            checked = conn.execute("SELECT value FROM state WHERE key = 'generation'").fetchone()
            if checked is None or checked[0] != before:
                written = indexed_fingerprints(self.index_dir)  # catch up on what was missed
            known = dict(conn.execute("SELECT doc_id, hash FROM articles").fetchall())
            fresh = {doc_id for doc_id, digest in written.items() if known.get(doc_id) != digest}
            _save_ledger(conn, {doc_id: written[doc_id] for doc_id in fresh})
            counts = {}
            watches = [_watch(row) for row in conn.execute("SELECT * FROM watches ORDER BY name")]
            engine = Engine(self.index_dir) if fresh and watches else None
            try:
                for watch in watches:
                    counts[watch.name] = 0
                    if engine is None:
                        continue
                    try:
                        page = engine.search(watch.request(limit=1))
                    except DefsearchError as exc:
                        if notify:
                            notify(f"saved search {watch.name!r} did not run: {exc}")
                        continue
                    matched = fresh.intersection(page.matched.ids())
                    found = _now()
                    for doc_id in sorted(matched):
                        cursor = conn.execute(
                            "INSERT OR IGNORE INTO matches (watch, doc_id, found) VALUES (?, ?, ?)",
                            (watch.name, doc_id, found),
                        )
                        counts[watch.name] += cursor.rowcount
            finally:
                if engine is not None:
                    engine.close()
            _set_checked(conn, after)
            return counts


def _watch(row: sqlite3.Row) -> Watch:
    data = dict(row)
    data["exact"], data["both_languages"] = bool(data["exact"]), bool(data["both_languages"])
    return Watch(**data)


def _entry(record: dict, row: sqlite3.Row) -> WatchEntry:
    return WatchEntry(
        id=record["id"],
        title=record["title"],
        source=record["source"],
        date=record["date"],
        url=record["url"],
        lang=record["lang"],
        snippet=snippet_text(make_snippet(record["body"], [])),
        found=row["found"],
        seen=bool(row["seen"]),
    )


def _set_checked(conn: sqlite3.Connection, generation: str) -> None:
    conn.execute(
        "INSERT INTO state (key, value) VALUES ('generation', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (generation,),
    )


def _save_ledger(conn: sqlite3.Connection, fingerprints: dict[str, str]) -> None:
    conn.executemany(
        "INSERT INTO articles (doc_id, hash) VALUES (?, ?) "
        "ON CONFLICT (doc_id) DO UPDATE SET hash = excluded.hash",
        fingerprints.items(),
    )


def indexed_fingerprints(index_dir: Path) -> dict[str, str]:
    """Return id -> fingerprint of every article in the live index (empty: no index)."""
    from search.engine.columns import iter_text_columns
    from search.engine.index import open_index

    if store.current_generation(index_dir) is None:
        return {}
    ix = open_index(index_dir)
    try:
        return {doc_id: digest for _, (doc_id, digest) in iter_text_columns(ix, ("id", "hash"))}
    finally:
        ix.close()
