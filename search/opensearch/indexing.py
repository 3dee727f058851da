"""Keep the OpenSearch index in sync with the corpus: the same changes as the Whoosh sync.

What changed is found as for Whoosh (search.changes: size and time, then the content hash),
against the hash and stat each indexed article carries. A sync writes into the live index
with the bulk helper; a rebuild (or a first build, or an index of another mapping version)
writes a new index ``<alias>-<n>`` and then moves the alias to it in one atomic alias
update, so searches see the old index until the new one is complete. Stories are grouped by
our code (search.stories) after the writes, from the story keys stored with each article,
and every article whose story changed is updated.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from opensearchpy import OpenSearch, helpers

from search.changes import IndexedFile, find_changes
from search.config import lock_wait
from search.errors import (
    DocumentError,
    IndexUnusableError,
    IndexVersionError,
    StopRequested,
    UsageError,
)
from search.ingest.read import read_documents
from search.ingest.walk import display_path
from search.model import SyncReport
from search.opensearch.connect import Cluster, make_client, speaking
from search.opensearch.fields import document_source
from search.opensearch.lock import sync_lease
from search.opensearch.mapping import check_meta, index_body
from search.stories import StoryKeys, group_stories
from search.sync import stop_requested

BULK_DOCS = 200  # articles per bulk request: a few MB of term streams
SCAN_PAGE = 1000  # documents per page when reading what is indexed
_INDEXED_FIELDS = ["id", "hash", "stat", "story", "article.story_keys", "article.date",
                   "article.lang", "article.source"]  # fmt: skip


def live_index(client: OpenSearch, cluster: Cluster) -> tuple[str | None, dict | None]:
    """Return the index behind the alias and its _meta (None, None: there is none)."""
    if not client.indices.exists_alias(name=cluster.alias):
        if client.indices.exists(index=cluster.alias):
            raise IndexUnusableError(
                f"{cluster.alias} on {cluster.url} is an index, not defsearch's alias; "
                "set DEFSEARCH_OPENSEARCH_INDEX to another name"
            )
        return None, None
    name = next(iter(client.indices.get_alias(name=cluster.alias)))
    mapping = client.indices.get_mapping(index=name)[name]["mappings"]
    return name, mapping.get("_meta") or {}


def sync_opensearch(
    corpus: Path,
    cluster: Cluster,
    rebuild: bool = False,
    progress: Callable[[int], object] | None = None,
    notify: Callable[[str], object] | None = None,
    shards: int | None = None,
    replicas: int | None = None,
) -> SyncReport:
    """Bring the OpenSearch index in line with the corpus (see the module's docstring)."""
    if not corpus.is_dir():
        raise IndexUnusableError(f"corpus folder {corpus} does not exist")
    shards = shards if shards is not None else _env_count("DEFSEARCH_OPENSEARCH_SHARDS", 1)
    replicas = replicas if replicas is not None else _env_count("DEFSEARCH_OPENSEARCH_REPLICAS", 0)
    client = make_client(cluster)
    try:
        with speaking(cluster), sync_lease(client, cluster.alias, lock_wait(), notify) as lease:
            sync = _Sync(client, cluster, corpus, progress, notify, lease)
            return sync.run(rebuild, shards, replicas)
    finally:
        client.close()


class _Sync:
    def __init__(self, client, cluster, corpus, progress, notify, lease):
        self.client, self.cluster, self.corpus = client, cluster, corpus
        self.progress, self.notify, self.lease = progress, notify, lease
        self.keys = StoryKeys()
        self.stories: dict[str, str] = {}  # id -> story id as indexed

    def run(self, rebuild: bool, shards: int | None, replicas: int | None) -> SyncReport:
        live, meta = live_index(self.client, self.cluster)
        if live is not None and not rebuild:
            try:
                check_meta(meta, self.cluster.where())
            except IndexVersionError:
                self._tell("index was built by another version of defsearch: rebuilding")
                rebuild = True
        fresh = live is None or rebuild
        if fresh:
            target = self._create(shards, replicas)
            indexed: dict[str, IndexedFile] = {}
        else:
            target, indexed = live, self._read_indexed(live)
        # A sync stopped between its writes and its regrouping leaves articles out of their
        # stories: the next one regroups every article.
        regroup_all = fresh or (meta or {}).get("stories_complete") is False
        try:
            report = SyncReport()
            todo, removed, members = find_changes(self.corpus, indexed, report)
            if not fresh and (todo or removed):
                unfinished = {**meta, "stories_complete": False}
                self.client.indices.put_mapping(index=target, body={"_meta": unfinished})
            changed = self._write(target, indexed, todo, removed, members, report)
            self.client.indices.refresh(index=target)
            self._regroup(target, changed, regroup_all)
            self.client.indices.refresh(index=target)
            stamp = datetime.now(UTC).isoformat(timespec="seconds")
            meta = {
                **index_body()["mappings"]["_meta"],
                "last_sync": stamp,
                "stories_complete": True,
            }
            self.client.indices.put_mapping(index=target, body={"_meta": meta})
        except BaseException:
            if fresh:  # a half-built index never goes live
                self.client.indices.delete(index=target, ignore_unavailable=True)
            raise
        if fresh:
            self._swap(target, live)
        return report

    def _tell(self, message: str) -> None:
        if self.notify:
            self.notify(message)

    def _create(self, shards: int | None, replicas: int | None) -> str:
        pattern = f"{self.cluster.alias}-*"
        numbers = [0]
        for name in self.client.indices.get(index=pattern, ignore_unavailable=True) or {}:
            tail = name[len(self.cluster.alias) + 1 :]
            numbers.append(int(tail) if tail.isdigit() else 0)
        name = f"{self.cluster.alias}-{max(numbers) + 1}"
        sizes = {"shards": shards, "replicas": replicas}
        body = index_body(**{k: v for k, v in sizes.items() if v is not None})
        self.client.indices.create(index=name, body=body)
        return name

    def _swap(self, target: str, old: str | None) -> None:
        actions = [{"add": {"index": target, "alias": self.cluster.alias}}]
        if old is not None:
            actions.insert(0, {"remove": {"index": old, "alias": self.cluster.alias}})
        self.client.indices.update_aliases(body={"actions": actions})
        if old is not None:
            self.client.indices.delete(index=old, ignore_unavailable=True)

    def _read_indexed(self, index: str) -> dict[str, IndexedFile]:
        indexed = {}
        for hit in helpers.scan(
            self.client, index=index, _source=_INDEXED_FIELDS, size=SCAN_PAGE, query={}
        ):
            self.lease.renew()
            doc = hit["_source"]
            article = doc.get("article") or {}
            indexed[doc["id"]] = IndexedFile(doc.get("hash", ""), doc.get("stat", ""), 0)
            self.keys[doc["id"]] = _story_record(article)
            if doc.get("story"):
                self.stories[doc["id"]] = doc["story"]
        return indexed

    def _write(self, target, indexed, todo, removed, members, report) -> set[str]:
        """Send the changes in bulk; return the ids written or deleted."""
        changed: set[str] = set()
        advance = self.progress(len(todo)) if self.progress and todo else None
        paths: dict[str, str] = {}

        def actions() -> Iterator[dict]:
            for doc_id in removed:
                changed.add(doc_id)
                self.keys.pop(doc_id)
                report.removed += 1
                yield {"_op_type": "delete", "_index": target, "_id": doc_id}
            for path, doc_id, signature in todo:
                if stop_requested():
                    raise StopRequested()  # what was sent stays; the next sync goes on
                yield from self._read(target, path, doc_id, signature, indexed, members, report,
                                      changed, paths)  # fmt: skip
                if advance:
                    advance(1)

        for ok, item in helpers.streaming_bulk(
            self.client, actions(), chunk_size=BULK_DOCS, raise_on_error=False,
            raise_on_exception=True, max_retries=3,
        ):  # fmt: skip
            self.lease.renew()
            if not ok:
                ((op, info),) = item.items()
                if op == "delete" and info.get("status") == 404:
                    continue
                reason = info.get("error", {})
                reason = reason.get("reason", str(reason)) if isinstance(reason, dict) else reason
                path = paths.get(info.get("_id", ""), info.get("_id", ""))
                report.failed.append({"path": path, "error": f"not indexed: {reason}"[:300]})
        return changed

    def _read(self, target, path, doc_id, signature, indexed, members, report, changed, paths):
        try:
            found = read_documents(path, self.corpus)
        except DocumentError as exc:
            report.failed.append({"path": display_path(str(path)), "error": str(exc)})
            return
        except (ImportError, MemoryError):
            raise
        except Exception as exc:  # a file no rule foresaw must not stop the sync
            reason = " ".join(f"cannot read: {exc.__class__.__name__}: {exc}".split())
            report.failed.append({"path": display_path(str(path)), "error": reason[:300]})
            return
        new_ids = {doc.id for doc in found.documents}
        for old_id in (doc_id, *members.get(doc_id, ())):
            if old_id in indexed and old_id not in new_ids:
                changed.add(old_id)
                self.keys.pop(old_id)
                report.removed += 1
                yield {"_op_type": "delete", "_index": target, "_id": old_id}
        for doc in found.documents:
            source = document_source(doc, signature)
            self.keys[doc.id] = _story_record(source["article"])
            changed.add(doc.id)
            paths[doc.id] = display_path(str(path))
            report.written[doc.id] = doc.hash
            if doc.id in indexed:
                report.updated += 1
            else:
                report.added += 1
            yield {"_op_type": "index", "_index": target, "_id": doc.id, "_source": source}
        for item in found.failed:
            where = display_path(str(path)) + item["id"][len(doc_id) :]
            report.failed.append({"path": where, "error": item["error"]})

    def _regroup(self, target: str, changed: set[str], regroup_all: bool) -> None:
        """Group the stories again (only around ``changed`` articles unless ``regroup_all``)
        and update every article whose story changed."""
        if regroup_all:
            groups = group_stories(self.keys)
        else:
            groups = group_stories(self.keys, self.stories, changed)
        updates = []
        for doc_id in self.keys.keys():
            story = groups.get(doc_id)
            # A rewritten article lost its story fields: set them again if it has a story.
            if story != self.stories.get(doc_id) or (story and doc_id in changed):
                updates.append(
                    {
                        "_op_type": "update",
                        "_index": target,
                        "_id": doc_id,
                        "doc": {"story": story, "group": story or doc_id},
                    }
                )
        if updates:
            helpers.bulk(self.client, updates, chunk_size=SCAN_PAGE, raise_on_error=False)


def _env_count(name: str, least: int) -> int | None:
    """Return a whole number of at least ``least`` from the environment (None: unset)."""
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < least:
        raise UsageError(f"${name} must be a whole number of at least {least}, not {value!r}")
    return int(value)


def _story_record(article: dict) -> dict:
    return {
        "date": article.get("date") or None,
        "lang": article.get("lang", ""),
        "source": article.get("source") or None,
        "keys": article.get("story_keys") or [],
    }
