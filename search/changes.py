"""What changed in the corpus since the last sync: the files to read, the ids to delete.

A file whose size and modification time are as indexed is not read at all; any other is
hashed, so a touched but unchanged file is not indexed again.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from search.engine.columns import iter_text_columns
from search.errors import DocumentError
from search.ingest.kinds import container_of
from search.ingest.read import fingerprint
from search.ingest.walk import ArticleFile, SkippedPath, display_path, iter_article_files
from search.model import SyncReport


class IndexedFile(NamedTuple):
    hash: str  # fingerprint() of the article and its sidecar
    stat: str  # stat_signature() when it was indexed
    docnum: int  # its Whoosh document number until the sync's final, merging commit


def indexed_files(ix) -> dict[str, IndexedFile]:
    """Return id -> IndexedFile of every indexed article, from the index's columns."""
    columns = iter_text_columns(ix, ("id", "hash", "stat"))
    return {doc_id: IndexedFile(digest, stat, docnum) for docnum, (doc_id, digest, stat) in columns}


def stat_signature(article: ArticleFile) -> str:
    """Size and modification time of an article and its sidecar: unchanged means unread."""
    parts = []
    for entry in (article.entry, article.sidecar):
        try:
            st = entry.stat() if entry is not None else None
        except FileNotFoundError:  # removed since its folder was listed
            st = None
        parts.append("-" if st is None else f"{st.st_size}:{st.st_mtime_ns}")
    return "/".join(parts)


def find_changes(corpus: Path, indexed: dict[str, IndexedFile], report: SyncReport):
    """Return (path, id, stat signature) to (re)index and the ids to delete.

    A file whose size and modification time are as indexed is not read at all; any other
    is hashed, so a touched but unchanged file is not indexed again. What the walk cannot
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

    def skipped(item: SkippedPath) -> None:
        report.failed.append({"path": item.path, "error": item.error})
        if item.keep is None:
            return
        if item.keep == "" or item.keep.endswith("/"):
            kept_folders.append(item.keep)
        else:
            seen.add(item.keep)

    for article in iter_article_files(corpus, skipped):
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
            report.failed.append({"path": display_path(article.path), "error": str(exc)})
            continue
        except OSError as exc:
            reason = f"cannot read: {(exc.strerror or type(exc).__name__).lower()}"
            report.failed.append({"path": display_path(article.path), "error": reason})
            continue
        if known_hash == digest:
            report.unchanged += count
        else:
            todo.append((path, doc_id, signature))
    kept = tuple(kept_folders)
    removed = [
        doc_id
        for doc_id in indexed
        if doc_id not in seen and not (kept and doc_id.startswith(kept))
    ]
    return todo, removed, members
