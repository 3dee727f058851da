"""Keep the Whoosh index in sync with the corpus, safely.

The index folder, its generations and its locks are search.store's. A sync forks the live
generation (hard links), writes a batch of changes into the fork, commits and swaps it in;
every Whoosh commit is atomic and each batch is a generation of its own, so a killed run
leaves the last swapped-in state searchable and the next run finishes the job, and no
reader ever sees a segment file change or vanish under it. A rebuild writes a new
generation from scratch and swaps it in when complete. The write lock is a POSIX lock: the
kernel drops it when the owner dies, and forked worker processes never hold it.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from search import config, store
from search.changes import IndexedFile, find_changes, indexed_files
from search.engine.index import create_generation, open_dir, open_writer
from search.engine.schema import SCHEMA_VERSION
from search.entity_cache import load_cached_table, save_table
from search.errors import (
    DocumentError,
    IndexUnusableError,
    StopRequested,
)
from search.ingest.read import read_documents
from search.ingest.stamps import WalkStamps, folder_of, load_stamps, save_stamps
from search.ingest.walk import display_path
from search.model import NewsDocument, SyncReport
from search.stories import StoryKeys, story_keys
from search.story_files import load_keys, save_stories

# -- sync --------------------------------------------------------------------------------


def _record_fields(doc: NewsDocument) -> dict:
    return {**doc.record(), "source_name": doc.source or "", "year": (doc.date or "")[:4]}


# Set by request_stop() (the CLI's signal handlers): a sync checks it between documents, so
# that a stop is honoured even when the signal's exception landed where Python swallows it
# (a __del__ method, a finalizer).
_STOP = threading.Event()


def request_stop() -> None:
    """Ask a running sync to stop before its next document."""
    _STOP.set()


def stop_requested() -> bool:
    """Return whether a stop was asked for (a sync of another engine checks it too)."""
    return _STOP.is_set()


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
            config.lock_wait() if lock_wait is None else lock_wait,
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
    if not corpus.is_dir():
        raise IndexUnusableError(f"corpus folder {corpus} does not exist")
    store.claim(index_dir, corpus)
    with store.write_lock(index_dir, wait=lock_wait, notify=notify):
        recorded = store.claim(index_dir, corpus)  # as the last writer left it
        try:
            searchable = store.current_generation(index_dir)
        except IndexUnusableError:
            searchable = None
        # Rebuilds that were killed, and generations readers have let go of since.
        store.remove_unused_generations(index_dir, searchable, recorded)
        live, indexed, stories = _open_live(index_dir, rebuild, notify)
        report = SyncReport()
        stamps = WalkStamps(load_stamps(live) if live is not None else {})
        todo, removed, members = find_changes(corpus, indexed, report, stamps)
        if todo and live is not None:
            load_cached_table(live)  # articles to analyse: no table to build
        sync = _Writing(index_dir, corpus, recorded, live, stories, progress, members)
        sync.stamps = stamps
        sync.apply(indexed, todo, removed, report)
        store.remove_unused_generations(index_dir, sync.live, recorded)
        from search.watches import WatchList  # the search service: loaded only here

        before, after = (g.name if g is not None else "" for g in (searchable, sync.live))
        try:
            report.watches = WatchList(index_dir).record(report.written, before, after, notify)
        except IndexUnusableError as exc:  # the sync stands; the next one catches up
            _tell(notify, f"{exc}; saved searches are checked at the next sync")
        return report


def _open_live(index_dir: Path, rebuild: bool, notify):
    """Return the live generation to sync (None: build afresh), its indexed files and story
    keys. An index of another schema or a damaged one is rebuilt, saying so."""
    try:
        live = store.current_generation(index_dir)
        if live is None or rebuild:
            return None, {}, StoryKeys()
        meta = store.read_meta(live)
        if meta.get("schema_version") != SCHEMA_VERSION:
            _tell(notify, "index was built by another version of defsearch: rebuilding")
            return None, {}, StoryKeys()
        store.verify(index_dir, live, meta)
        ix = open_dir(live)
        try:
            indexed = indexed_files(ix)
        finally:
            ix.close()
    except IndexUnusableError as exc:
        if rebuild:
            return None, {}, StoryKeys()
        reason = str(exc).split("; run:")[0]
        _tell(notify, f"{reason}: rebuilding")
        return None, {}, StoryKeys()
    except Exception as exc:  # Whoosh raises many kinds on damaged files
        _tell(notify, f"index in {index_dir} is damaged ({exc.__class__.__name__}): rebuilding")
        return None, {}, StoryKeys()
    return live, indexed, load_keys(live)


def _tell(notify, message: str) -> None:
    if notify:
        notify(message)


class _Writing:
    """One sync's writes: batches, each forked from the live generation and swapped in."""

    def __init__(self, index_dir, corpus, recorded, live, stories, progress, members):
        self.index_dir, self.corpus, self.recorded = index_dir, corpus, recorded
        self.live, self.stories, self.progress = live, stories, progress
        self.incremental = live is not None and bool(stories)
        self.written: set[str] = set()  # ids (re)indexed by this sync
        self.removed: set[str] = set()  # ids it deleted
        self.ids: set[str] = set()  # every id indexed at the end
        # file id -> ids of the articles inside it (attachments, messages) as indexed
        self.members: dict[str, list[str]] = members
        self.order: list[str] = []  # ids written in the batch under way
        self.stamps = WalkStamps({})  # the folder stamps the walk took (search.ingest.stamps)

    def apply(self, indexed: Mapping[str, IndexedFile], todo, removed, report: SyncReport) -> None:
        """Write the differences; an index built afresh is written in one commit, a live one
        in batches so that a killed run keeps what it committed.

        Old versions are deleted by their document numbers from ``indexed``: deleting by id
        would open a reader of every segment's terms (see search.engine.columns). Only the
        last commit may merge segments, so the numbers stay valid from batch to batch.
        """
        fresh = self.live is None
        self.ids = set(indexed) - set(removed)
        if not todo and not removed and not fresh:
            # No writer, no new generation: only the story keys may need completing.
            self._finish(self.live, final=True, changed=set())
            return
        advance = self.progress(len(todo)) if self.progress and todo else None
        batch = max(len(todo), 1) if fresh else config.batch_size()
        for doc_id in removed:
            self.stories.pop(doc_id, None)
        start = 0
        while True:
            chunk = todo[start : start + batch]
            start += batch
            final = start >= len(todo)
            self._batch(indexed, chunk, removed, report, fresh, final, advance)
            removed = []  # deleted in the first batch
            if final:
                return

    def _batch(self, indexed, chunk, removed, report, fresh, final, advance) -> None:
        if fresh:
            target = store.new_generation(self.index_dir, self.recorded)
        else:
            target = store.fork_generation(self.index_dir, self.live, self.recorded)
        try:
            if fresh:
                ix = create_generation(target)
            else:
                ix = open_dir(target)
            try:
                self._write(ix, indexed, chunk, removed, report, fresh, final, advance)
                self._finish(target, final, self.written | self.removed, ix)
            finally:
                ix.close()
        except BaseException:
            store.remove_generation(self.index_dir, target, self.recorded)
            raise
        store.swap_current(self.index_dir, target)
        self.live = target

    def _write(self, ix, indexed, chunk, removed, report, fresh, final, advance) -> None:
        writer = open_writer(ix, len(chunk), per_doc=_story_of)
        self.order = []
        try:
            for doc_id in removed:
                writer.delete_document(indexed[doc_id].docnum)
                self.removed.add(doc_id)
                report.removed += 1
            for path, doc_id, signature in chunk:
                if _STOP.is_set():
                    raise StopRequested()
                try:
                    found = read_documents(path, self.corpus)
                except DocumentError as exc:
                    # A damaged file is reported and skipped; an older good version stays.
                    report.failed.append({"path": display_path(str(path)), "error": str(exc)})
                    self.stamps.spoil(folder_of(doc_id))
                except (ImportError, MemoryError):
                    raise  # a broken install or a full machine, not a bad file
                except Exception as exc:  # a file no rule foresaw must not stop the sync
                    reason = " ".join(f"cannot read: {exc.__class__.__name__}: {exc}".split())
                    report.failed.append({"path": display_path(str(path)), "error": reason[:300]})
                    self.stamps.spoil(folder_of(doc_id))
                else:
                    self._replace(writer, indexed, doc_id, found.documents, signature, report)
                    for item in found.failed:  # an attachment or a message that is bad
                        where = display_path(str(path)) + item["id"][len(doc_id) :]
                        report.failed.append({"path": where, "error": item["error"]})
                        self.stamps.spoil(folder_of(doc_id))
                if advance:
                    advance(1)
            if _STOP.is_set():
                raise StopRequested()
            # The last commit merges small segments; an index built afresh keeps the workers'
            # segments as they are (merging would write every posting a second time).
            writer.commit(merge=final and not fresh)
            for doc_id in self.order:  # in the order the articles were read
                self.stories[doc_id] = writer.per_doc_results[doc_id]
        except BaseException:
            try:
                writer.cancel()
            except Exception:  # a writer broken mid-commit has nothing left to cancel
                pass
            raise

    def _replace(self, writer, indexed, doc_id, documents, signature, report) -> None:
        """Index a file's articles in place of what was indexed of it."""
        new_ids = {doc.id for doc in documents}
        for old_id in (doc_id, *self.members.get(doc_id, ())):
            if old_id not in indexed or old_id in self.removed:
                continue
            writer.delete_document(indexed[old_id].docnum)
            if old_id not in new_ids:  # an attachment or a message no longer there
                self.removed.add(old_id)
                self.ids.discard(old_id)
                self.stories.pop(old_id, None)
                report.removed += 1
        for doc in documents:
            self.order.append(doc.id)  # its story keys come from the writer (_story_of)
            self.written.add(doc.id)
            report.written[doc.id] = doc.hash
            if doc.id in indexed:
                report.updated += 1
            else:
                report.added += 1
            writer.add_document(**_record_fields(doc), stat=signature)

    def _finish(self, generation: Path, final: bool, changed: set[str], ix=None) -> None:
        """Complete a generation before it goes live: story groups (on the last batch) and
        the metadata with every file's size."""
        if final:
            own = ix is None
            ix = ix or open_dir(generation)
            try:
                ids = self.ids | self.written
                changed = changed | _complete_stories(ix, self.stories, ids)
            finally:
                if own:
                    ix.close()
            if changed or not self.incremental:  # else the stored groups are current
                save_stories(generation, self.stories, changed if self.incremental else None)
            # Only the last batch takes the new stamps: the stamps of the live generation
            # stay true in the batches before it (a stamp changes with any change).
            if self.stamps.new != self.stamps.old:
                save_stamps(generation, self.stamps.new)
            save_table(generation)
        store.write_meta(
            generation,
            {
                "schema_version": SCHEMA_VERSION,
                "last_sync": datetime.now(UTC).isoformat(timespec="seconds"),
                "files": store.file_sizes(generation),
            },
        )


def _story_of(fields: dict) -> tuple[str, dict]:
    """Return an article's id and story record from its index fields (runs in the writer,
    so that a build's workers find the keys with their warm analysis caches)."""
    return fields["id"], _story_record(
        fields["title"],
        fields["body"],
        fields["date"] or None,
        fields["lang"],
        fields["source"] or None,
    )


def _story_record(title, body, date, lang, source) -> dict:
    return {"date": date, "lang": lang, "source": source, "keys": story_keys(title, body)}


def _complete_stories(ix, stories: StoryKeys, ids: set[str]) -> set[str]:
    """Make the story keys cover exactly the indexed ids; return the ids added or dropped.

    Normally nothing is missing; after a run killed mid-way, the articles it committed get
    their keys here from the stored records.
    """
    have = stories.ids()
    missing = ids - have
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
    extra = have - ids
    for doc_id in extra:
        del stories[doc_id]
    return missing | extra


def notify_stderr(message: str) -> None:
    print(message, file=sys.stderr)
