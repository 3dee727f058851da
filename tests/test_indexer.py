"""Sync in place: old versions are deleted by document number (search.sync, index_columns)."""

from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from search.engine.columns import iter_text_columns
from search.store import current_generation
from search.sync import sync_index

TOPICS = [
    "Рособоронэкспорт подписал контракт на поставку вертолётов Ми-35М",
    "Azerbaijan signs an S-400 air defense deal with Rosoboronexport",
]


def write(corpus: Path, i: int, version: int = 1) -> None:
    corpus.mkdir(parents=True, exist_ok=True)
    text = f"Headline {i} version{version}\n\n{TOPICS[i % 2]}, marker{i}.\n"
    (corpus / f"art{i:03d}.txt").write_text(text, encoding="utf-8")


def indexed(index: Path) -> list[tuple[str, str]]:
    """Return (id, title) of every live document, in index order."""
    ix = whoosh_index.open_dir(str(current_generation(index)))
    try:
        with ix.searcher() as searcher:
            return [(f["id"], f["title"]) for f in searcher.all_stored_fields()]
    finally:
        ix.close()


@pytest.fixture
def synced(tmp_path, monkeypatch):
    """12 articles in four segments; syncs commit every 3 changes.

    A fifth segment makes Whoosh merge the small ones at a commit: a batch commit that
    merged would renumber the documents that later batches delete.
    """
    monkeypatch.setenv("DEFSEARCH_BATCH_SIZE", "3")
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    for start in range(0, 12, 3):
        for i in range(start, start + 3):
            write(corpus, i)
        sync_index(corpus, index)
    return corpus, index


def test_batched_sync_replaces_each_changed_article_exactly_once(synced):
    corpus, index = synced
    for i in (0, 2, 5, 7, 8, 11):
        write(corpus, i, version=2)
    for i in (3, 9):
        (corpus / f"art{i:03d}.txt").unlink()
    write(corpus, 12)
    report = sync_index(corpus, index)
    assert (report.updated, report.removed, report.added) == (6, 2, 1)
    docs = indexed(index)
    assert sorted(doc_id for doc_id, _ in docs) == [
        f"art{i:03d}" for i in range(13) if i not in (3, 9)
    ]
    changed = {f"art{i:03d}" for i in (0, 2, 5, 7, 8, 11)}
    for doc_id, title in docs:
        assert title.endswith("version2" if doc_id in changed else "version1"), (doc_id, title)


def test_column_values_are_those_of_whoosh_readers(synced):
    corpus, index = synced
    write(corpus, 4, version=2)  # a deletion in an old segment, a document in a new one
    (corpus / "art010.txt").unlink()
    sync_index(corpus, index)
    ix = whoosh_index.open_dir(str(current_generation(index)))
    try:
        assert len(ix._segments()) > 1
        with ix.searcher() as searcher:
            reader = searcher.reader()
            assert reader.has_deletions()
            ids, hashes = reader.column_reader("id"), reader.column_reader("hash")
            expected = [(n, (ids[n], hashes[n])) for n in reader.all_doc_ids()]
        assert list(iter_text_columns(ix, ("id", "hash"))) == expected
    finally:
        ix.close()


def test_sync_without_changes_writes_neither_index_nor_stories(synced):
    corpus, index = synced
    generation = current_generation(index)
    before = {p.name: p.stat().st_ino for p in generation.iterdir() if p.name != "defsearch.json"}
    report = sync_index(corpus, index)
    assert (report.unchanged, report.added, report.updated, report.removed) == (12, 0, 0, 0)
    after = {p.name: p.stat().st_ino for p in generation.iterdir() if p.name != "defsearch.json"}
    assert after == before
