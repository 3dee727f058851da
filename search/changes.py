"""What changed in the corpus since the last sync: the files to read, the ids to delete.

A file whose size and modification time are as indexed is not read at all; any other is
hashed, so a touched but unchanged file is not indexed again.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

from search.engine.columns import iter_segment_columns
from search.errors import DocumentError
from search.ingest.kinds import container_of
from search.ingest.read import fingerprint
from search.ingest.stamps import WalkStamps, folder_of
from search.ingest.walk import ArticleFile, SkippedPath, display_path, iter_article_files
from search.model import SyncReport


class IndexedFile(NamedTuple):
    hash: str  # fingerprint() of the article and its sidecar
    stat: str  # stat_signature() when it was indexed
    docnum: int  # its Whoosh document number until the sync's final, merging commit


class IndexedFiles(Mapping[str, IndexedFile]):
    """id -> IndexedFile of every indexed article, read from the index's columns.

    Every id is decoded up front (a sync needs them all), a hash and a stat signature only
    when asked for: a sync that passes over unchanged folders asks for a few of them.
    """

    def __init__(self, ix):
        self._rows: dict[str, tuple[int, int]] = {}  # id -> (segment, row)
        self._segments = []  # (first document number, hash column, stat column)
        for number, (base, deleted, (ids, hashes, stats)) in enumerate(
            iter_segment_columns(ix, ("id", "hash", "stat"))
        ):
            self._segments.append((base, hashes, stats))
            for row, doc_id in enumerate(ids.values()):
                if row not in deleted:
                    self._rows[doc_id] = (number, row)

    def __getitem__(self, doc_id: str) -> IndexedFile:
        number, row = self._rows[doc_id]
        base, hashes, stats = self._segments[number]
        return IndexedFile(hashes.value(row), stats.value(row), base + row)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def indexed_files(ix) -> Mapping[str, IndexedFile]:
    """Return id -> IndexedFile of every indexed article, from the index's columns."""
    return IndexedFiles(ix)


def stat_signature(article: ArticleFile) -> str:
    """Size and modification time of an article and its sidecar: unchanged means unread."""
    parts = []
    for entry, known in zip((article.entry, article.sidecar), article.stats, strict=True):
        try:
            st = known or (entry.stat() if entry is not None else None)
        except FileNotFoundError:  # removed since its folder was listed
            st = None
        parts.append("-" if st is None else f"{st.st_size}:{st.st_mtime_ns}")
    return "/".join(parts)


def find_changes(
    corpus: Path,
    indexed: Mapping[str, IndexedFile],
    report: SyncReport,
    stamps: WalkStamps | None = None,
):
    """Return (path, id, stat signature) to (re)index and the ids to delete.

    A file whose size and modification time are as indexed is not read at all; any other
    is hashed, so a touched but unchanged file is not indexed again. A folder whose stamp
    is as before is not looked at file by file (search.ingest.stamps). What the walk cannot
    take is reported in ``failed``; what is indexed of it stays, unless the walk says it
    must go (a link out of the corpus).
    """
    todo = []
    seen = set()
    kept_folders: list[str] = []  # id prefixes of folders that could not be listed
    members: dict[str, list[str]] = {}  # file id -> the ids of the articles inside it
    for doc_id in indexed:
        if "#" in doc_id and (container := container_of(doc_id)):
            members.setdefault(container, []).append(doc_id)

    def failed(doc_id: str, path: str, error: str) -> None:
        report.failed.append({"path": display_path(path), "error": error})
        if stamps is not None:
            stamps.spoil(folder_of(doc_id))

    def skipped(item: SkippedPath) -> None:
        report.failed.append({"path": item.path, "error": item.error})
        if item.keep is None:
            return
        if item.keep == "" or item.keep.endswith("/"):
            kept_folders.append(item.keep)
        else:
            seen.add(item.keep)

    for article in iter_article_files(corpus, skipped, stamps):
        doc_id = article.id
        seen.add(doc_id)
        inside = members.get(doc_id, ())
        seen.update(inside)  # read again with their file, if it changed
        known = indexed.get(doc_id) or (indexed[inside[0]] if inside else None)
        known_hash, known_stat, _ = known or (None, None, None)
        count = (doc_id in indexed) + len(inside)
        try:
            signature = stat_signature(article)
            if signature == known_stat:
                report.unchanged += count
                continue
            path = Path(article.path)
            digest = fingerprint(path)  # refuses a file too large before reading it
        except DocumentError as exc:
            failed(doc_id, article.path, str(exc))
            continue
        except OSError as exc:
            reason = (exc.strerror or type(exc).__name__).lower()
            failed(doc_id, article.path, f"cannot read: {reason}")
            continue
        if known_hash == digest:
            report.unchanged += count
        else:
            todo.append((path, doc_id, signature))
    kept = tuple(kept_folders)
    # Folders whose stamp is as before: their articles are there and unchanged.
    passed = set(stamps.unchanged) if stamps is not None else set()
    removed = []
    for doc_id in indexed:
        if doc_id in seen:
            continue
        if passed:
            file_id = (container_of(doc_id) or doc_id) if "#" in doc_id else doc_id
            if file_id[: file_id.rfind("/") + 1] in passed:  # folder_of(), inline
                report.unchanged += 1
                continue
        if not (kept and doc_id.startswith(kept)):
            removed.append(doc_id)
    return todo, removed, members
