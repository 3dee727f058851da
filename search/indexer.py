"""Keep the Whoosh index in sync with the corpus, safely.

Layout of an index folder::

    index/
      CURRENT          name of the live generation, replaced atomically
      gen-000002/      a complete Whoosh index plus defsearch.json (schema version, last sync)
      .writelock       held (flock) by the one process that writes

A sync writes into the live generation in batches; every Whoosh commit is atomic, so a
killed run leaves the last committed state searchable and the next run finishes the job.
A rebuild writes a new generation beside the live one and swaps ``CURRENT`` only when it is
complete. The previous generation is kept until the next swap so that open searchers can
finish. Locks are ``flock`` locks: the kernel drops them when a process dies, so a killed
run never leaves a stale lock behind.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from search.codec import DefsearchCodec
from search.config import env_number
from search.documents import (
    MAX_BYTES,
    ArticleFile,
    DocumentError,
    NewsDocument,
    fingerprint,
    iter_article_files,
    read_document,
)
from search.errors import (
    IndexBusyError,
    IndexMissingError,
    IndexUnusableError,
    IndexVersionError,
)
from search.index_columns import iter_text_columns
from search.schema import SCHEMA_VERSION, build_schema
from search.stories import StoryKeys, load_keys, save_stories, story_keys

# Documents per commit: a killed run loses at most one batch of work ($DEFSEARCH_BATCH_SIZE).
BATCH_SIZE = int(env_number("DEFSEARCH_BATCH_SIZE", 5000))
PARALLEL_MIN_DOCS = 2000  # below this, starting worker processes costs more than it saves
MAX_PROCS = 4  # worker processes for large jobs (each loads its own dictionaries)
WRITER_MEMORY_MB = 128  # Whoosh's in-memory pool per writer before it spills a sorted run to disk
# How long a second index run waits for the first ($DEFSEARCH_LOCK_WAIT seconds).
LOCK_WAIT_SECONDS = env_number("DEFSEARCH_LOCK_WAIT", 30.0)
CURRENT_FILE = "CURRENT"
META_FILE = "defsearch.json"
LOCK_FILE = ".writelock"


@dataclass
class SyncReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: list[dict] = field(default_factory=list)  # [{"path": ..., "error": ...}]

    def to_dict(self) -> dict:
        return asdict(self)


# -- generations -------------------------------------------------------------------------


def current_generation(index_dir: Path) -> Path | None:
    """Return the folder of the live generation, or None when there is no index yet."""
    try:
        name = (index_dir / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise IndexUnusableError(f"cannot read index {index_dir}: {exc.strerror}") from None
    if not name.startswith("gen-") or "/" in name:
        raise IndexUnusableError(f"index {index_dir} is damaged; run: defsearch index --rebuild")
    return index_dir / name


def read_meta(generation: Path) -> dict:
    try:
        return json.loads((generation / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_meta(generation: Path, meta: dict) -> None:
    tmp = generation / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(meta), encoding="utf-8")
    os.replace(tmp, generation / META_FILE)


def _swap_current(index_dir: Path, generation: Path) -> None:
    tmp = index_dir / (CURRENT_FILE + ".tmp")
    tmp.write_text(generation.name + "\n", encoding="utf-8")
    os.replace(tmp, index_dir / CURRENT_FILE)


def _new_generation(index_dir: Path) -> Path:
    numbers = [int(p.name[4:]) for p in index_dir.glob("gen-*") if p.name[4:].isdigit()]
    generation = index_dir / f"gen-{max(numbers, default=0) + 1:06d}"
    generation.mkdir()
    return generation


def _remove_old_generations(index_dir: Path, keep: Iterable[Path]) -> None:
    keep_names = {p.name for p in keep}
    for path in index_dir.glob("gen-*"):
        if path.name not in keep_names:
            shutil.rmtree(path, ignore_errors=True)


def _remove_abandoned_generations(index_dir: Path, live: Path | None) -> None:
    """Remove generations newer than the live one: rebuilds that were killed or failed."""
    for path in index_dir.glob("gen-*"):
        if live is None or path.name > live.name:
            shutil.rmtree(path, ignore_errors=True)


def open_whoosh_index(index_dir: Path):
    """Open the live generation for reading; raise a clear error when it is not usable."""
    from whoosh import index as whoosh_index

    generation = current_generation(index_dir)
    if generation is None:
        raise IndexMissingError(f"no index in {index_dir}; build one with: defsearch index")
    version = read_meta(generation).get("schema_version")
    if version != SCHEMA_VERSION:
        raise IndexVersionError(
            f"index in {index_dir} was built by another version of defsearch "
            f"(schema {version}, need {SCHEMA_VERSION}); run: defsearch index --rebuild"
        )
    try:
        return whoosh_index.open_dir(str(generation))
    except Exception as exc:  # Whoosh raises many kinds on a damaged folder
        raise IndexUnusableError(
            f"index in {index_dir} is damaged ({exc.__class__.__name__}); "
            "run: defsearch index --rebuild"
        ) from None


# -- locking -----------------------------------------------------------------------------


@contextmanager
def write_lock(index_dir: Path, wait: float = LOCK_WAIT_SECONDS, notify=None):
    """Hold the index's write lock; wait up to ``wait`` seconds for another run to finish."""
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            if time.monotonic() >= deadline:
                raise IndexBusyError(
                    f"another index run (pid {holder}) is still writing {index_dir}; "
                    "try again when it ends"
                )
            if notify and not told:
                notify(f"waiting for another index run (pid {holder}) to finish...")
                told = True
            time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing drops the flock


# -- sync --------------------------------------------------------------------------------


def _record_fields(doc: NewsDocument) -> dict:
    return {
        "id": doc.id,
        "path": doc.path,
        "title": doc.title,
        "body": doc.body,
        "source": doc.source or "",
        "source_name": doc.source or "",
        "date": doc.date or "",
        "year": (doc.date or "")[:4],
        "url": doc.url or "",
        "lang": doc.lang,
        "hash": doc.hash,
        "provenance": doc.provenance,
    }


class IndexedFile(NamedTuple):
    hash: str  # fingerprint() of the article and its sidecar
    stat: str  # _stat_signature() when it was indexed
    docnum: int  # its Whoosh document number until the sync's final, merging commit


def _indexed_files(ix) -> dict[str, IndexedFile]:
    """Return id -> IndexedFile of every indexed article, from the index's columns."""
    columns = iter_text_columns(ix, ("id", "hash", "stat"))
    return {doc_id: IndexedFile(digest, stat, docnum) for docnum, (doc_id, digest, stat) in columns}


def _stat_signature(article: ArticleFile) -> str:
    """Size and modification time of an article and its sidecar: unchanged means unread."""
    parts = []
    for entry in (article.entry, article.sidecar):
        try:
            st = entry.stat() if entry is not None else None
        except FileNotFoundError:  # removed since its folder was listed
            st = None
        parts.append("-" if st is None else f"{st.st_size}:{st.st_mtime_ns}")
    return "/".join(parts)


def _writer(ix, documents: int):
    """Return a Whoosh writer: one process for small jobs, one per core for large ones.

    Segments are written as separate files, not one compound file: Whoosh opens a compound
    segment by copying each of its parts into memory (a BytesIO over the mmap), which cost
    0.3 s and 650 MB for a one-shot search of 20,000 articles; separate files are read in
    place (one-shot search RSS 58 MB).
    """
    procs = min(os.cpu_count() or 1, MAX_PROCS)
    if documents >= PARALLEL_MIN_DOCS and procs > 1:
        # Each worker analyzes and writes its own segment; the analyzer pickles cleanly.
        return ix.writer(
            procs=procs,
            multisegment=True,
            limitmb=WRITER_MEMORY_MB,
            compound=False,
            codec=DefsearchCodec(),
        )
    return ix.writer(limitmb=WRITER_MEMORY_MB, compound=False, codec=DefsearchCodec())


def sync_index(
    corpus: Path,
    index_dir: Path,
    rebuild: bool = False,
    progress: Callable[[int], object] | None = None,
    notify: Callable[[str], object] | None = None,
    lock_wait: float | None = None,
) -> SyncReport:
    """Bring the index in line with the corpus: add new, update changed, drop removed files.

    ``progress(total)`` may return a callable ``advance(n)`` (a progress bar); ``notify``
    receives one-line messages for the user. Nothing committed before is ever lost: a
    failure leaves the last committed index searchable.
    """
    try:
        return _sync(
            corpus,
            index_dir,
            rebuild,
            progress,
            notify,
            LOCK_WAIT_SECONDS if lock_wait is None else lock_wait,
        )
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise IndexUnusableError(
            f"cannot write the index in {index_dir}: {reason}; "
            "the index keeps what was committed and stays searchable"
        ) from None


def _sync(
    corpus: Path,
    index_dir: Path,
    rebuild: bool,
    progress: Callable[[int], object] | None,
    notify: Callable[[str], object] | None,
    lock_wait: float,
) -> SyncReport:
    from whoosh import index as whoosh_index

    if not corpus.is_dir():
        raise IndexUnusableError(f"corpus folder {corpus} does not exist")
    with write_lock(index_dir, wait=lock_wait, notify=notify):
        try:
            live = current_generation(index_dir)
        except IndexUnusableError:
            if not rebuild:
                raise
            live = None  # a damaged pointer: the rebuild starts afresh
        _remove_abandoned_generations(index_dir, live)
        if live is not None and read_meta(live).get("schema_version") != SCHEMA_VERSION:
            if notify and not rebuild:
                notify("index was built by another version of defsearch: rebuilding")
            rebuild = True
        if live is not None and not rebuild:
            try:
                ix = whoosh_index.open_dir(str(live))
                indexed = _indexed_files(ix)
            except Exception as exc:
                raise IndexUnusableError(
                    f"index in {index_dir} is damaged ({exc.__class__.__name__}); "
                    "run: defsearch index --rebuild"
                ) from None
            target = live
        else:
            # Build beside the live index (a killed rebuild's leftovers are gone already).
            target = _new_generation(index_dir)
            ix = whoosh_index.create_in(str(target), build_schema())
            indexed = {}
        try:
            stories = StoryKeys() if target != live else load_keys(target)
            incremental = bool(stories)  # no cached keys: group everything afresh
            report, written, removed = _apply_changes(
                ix, corpus, indexed, progress, target != live, stories
            )
            ids = (indexed.keys() - removed) | written
            changed = written | removed | _complete_stories(ix, stories, ids)
            if changed or not incremental:  # else the stored keys and groups are current
                save_stories(target, stories, changed if incremental else None)
            _write_meta(
                target,
                {
                    "schema_version": SCHEMA_VERSION,
                    "last_sync": datetime.now(UTC).isoformat(timespec="seconds"),
                },
            )
        except BaseException:
            if target != live:
                shutil.rmtree(target, ignore_errors=True)
            raise
        finally:
            ix.close()
        if target != live:
            _swap_current(index_dir, target)
            _remove_old_generations(index_dir, keep=[target] + ([live] if live else []))
        return report


def _scan(corpus: Path, indexed: dict[str, IndexedFile], report: SyncReport):
    """Return (path, id, stat signature) to (re)index and the ids to delete.

    A file whose size and modification time are as indexed is not read at all; any other
    is hashed, so a touched but unchanged file is not indexed again.
    """
    todo = []
    seen = set()
    for article in iter_article_files(corpus):
        doc_id = article.id
        seen.add(doc_id)
        known_hash, known_stat, _ = indexed.get(doc_id, (None, None, None))
        try:
            signature = _stat_signature(article)
            if signature == known_stat:
                report.unchanged += 1
                continue
            path = Path(article.path)
            if article.entry.stat().st_size > MAX_BYTES:
                raise DocumentError(f"too large (over {MAX_BYTES // (1024 * 1024)} MB)")
            digest = fingerprint(path)
        except DocumentError as exc:
            report.failed.append({"path": article.path, "error": str(exc)})
            continue
        except OSError as exc:
            report.failed.append({"path": article.path, "error": f"cannot read: {exc.strerror}"})
            continue
        if known_hash == digest:
            report.unchanged += 1
        else:
            todo.append((path, doc_id, signature))
    removed = [doc_id for doc_id in indexed if doc_id not in seen]
    return todo, removed


def _apply_changes(
    ix, corpus: Path, indexed: dict[str, IndexedFile], progress, fresh: bool, stories: StoryKeys
) -> tuple[SyncReport, set[str], set[str]]:
    """Write the differences; a fresh generation is written in one commit (it is swapped in
    whole), a live one in batches so that a killed run keeps what it committed. ``stories``
    (id -> story keys) is updated for what changed. Return the report and the ids written
    and removed.

    Old versions are deleted by their document numbers from ``indexed``: deleting by id would
    open a reader of every segment's terms (see search.index_columns). Only the last commit
    may merge segments, so the numbers stay valid from batch to batch.
    """
    report = SyncReport()
    written: set[str] = set()
    todo, removed = _scan(corpus, indexed, report)
    if not todo and not removed:
        return report, written, set()  # no writer: even an empty commit may merge segments
    advance = progress(len(todo)) if progress and todo else None
    batch = max(len(todo), 1) if fresh else BATCH_SIZE
    writer = _writer(ix, min(batch, len(todo)))
    try:
        pending = 0
        for doc_id in removed:
            writer.delete_document(indexed[doc_id].docnum)
            stories.pop(doc_id, None)
            report.removed += 1
            pending += 1
        for path, doc_id, signature in todo:
            try:
                doc = read_document(path, corpus)
            except DocumentError as exc:
                # A damaged file is reported and skipped; an older good version stays indexed.
                report.failed.append({"path": str(path), "error": str(exc)})
            else:
                stories[doc_id] = _story_record(doc.title, doc.body, doc.date, doc.lang, doc.source)
                written.add(doc_id)
                if doc_id in indexed:
                    writer.delete_document(indexed[doc_id].docnum)
                    report.updated += 1
                else:
                    report.added += 1
                writer.add_document(**_record_fields(doc), stat=signature)
                pending += 1
            if advance:
                advance(1)
            if pending >= batch:
                writer.commit(merge=False)  # keeps the document numbers (see above)
                writer = _writer(ix, min(batch, len(todo) - report.added - report.updated))
                pending = 0
        # A fresh generation keeps the workers' segments as they are: merging them would
        # write every posting a second time for little gain in search speed.
        writer.commit(merge=not fresh)
    except BaseException:
        try:
            writer.cancel()
        except Exception:  # a writer broken mid-commit has nothing left to cancel
            pass
        raise
    return report, written, set(removed)


def _story_record(title, body, date, lang, source) -> dict:
    return {"date": date, "lang": lang, "source": source, "keys": story_keys(title, body)}


def _complete_stories(ix, stories: StoryKeys, ids: set[str]) -> set[str]:
    """Make the story keys cover exactly the indexed ids; return the ids added or dropped.

    Normally nothing is missing; after a run killed mid-way, the articles it committed get
    their keys here from the stored records.
    """
    missing = ids - stories.keys()
    if missing:
        with ix.searcher() as searcher:
            for doc_id in missing:
                stored = searcher.stored_fields(searcher.document_number(id=doc_id))
                stories[doc_id] = _story_record(
                    stored.get("title", ""),
                    stored.get("body", ""),
                    stored.get("date") or None,
                    stored.get("lang", ""),
                    stored.get("source") or None,
                )
    extra = stories.keys() - ids
    for doc_id in extra:
        del stories[doc_id]
    return missing | extra


def notify_stderr(message: str) -> None:
    print(message, file=sys.stderr)
