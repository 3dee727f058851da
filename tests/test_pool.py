"""Postings gathered by term (search.engine.pool): the same postings as Whoosh's pool."""

from __future__ import annotations

import pytest
from corpora import build_test_corpus
from whoosh.writing import SegmentWriter

from search.engine.index import create_generation
from search.engine.pool import TermPool
from search.engine.writer import PooledWriter
from search.ingest.read import read_documents
from search.ingest.walk import iter_article_paths
from search.sync import _record_fields
from search.text.analysis import terms


def _items():
    words = terms("Поставки С-400 в Индию: deliveries of S-400 to India, Шойгу и Shoigu.")
    # Documents out of order, repeated terms, and a document that adds a term twice.
    for docnum in (0, 1, 2, 5, 3, 7, 7):
        for i, word in enumerate(words[docnum % 3 :]):
            yield ("body", word.encode(), docnum, 1.0 + i / 8, bytes([i, docnum]))
        yield ("title", b"~india", docnum, 0.5, None)


@pytest.mark.parametrize("limitmb", [128, 0.0005])
@pytest.mark.parametrize("block", [(1 << 18, 1 << 18), (2, 8)])
def test_pool_yields_what_a_full_sort_does(tmp_path, monkeypatch, limitmb, block):
    # block: postings reordered at once, and bytes read at once from a run.
    monkeypatch.setattr("search.engine.runs.REORDER_SLICE", block[0])
    monkeypatch.setattr("search.engine.runs.READ_BLOCK_BYTES", block[1])
    pool = TermPool(str(tmp_path), limitmb)
    items = list(_items())
    for item in items:
        pool.add(item)
    # Sorted by field, term and document; postings of one document keep their order.
    expected = sorted(((f, t, d, w, v or b"") for f, t, d, w, v in items), key=lambda p: p[:3])
    assert list(pool.iter_postings()) == expected
    pool.cleanup()
    assert list(tmp_path.iterdir()) == []


def test_pool_terms_hold_its_postings(tmp_path):
    pool, again = TermPool(str(tmp_path), 0.0005), TermPool(str(tmp_path), 0.0005)
    for item in _items():
        pool.add(item)
        again.add(item)
    postings = list(again.iter_postings())  # a pool's runs are read once
    rebuilt = []
    for field, term, docs, weights, values, lengths in pool.iter_terms():
        ends = [int(end) for end in lengths.cumsum()]
        for doc, weight, start, end in zip(docs, weights, [0, *ends[:-1]], ends, strict=True):
            rebuilt.append((field, term, int(doc), float(weight), values[start:end]))
    assert rebuilt == postings and len({(f, t) for f, t, *_ in postings}) > 10


def _postings(ix) -> list:
    with ix.reader() as reader:
        return list(reader.iter_postings())


def _build(folder, corpus, writer_class, **kwargs):
    ix = create_generation(folder)
    writer = writer_class(ix, **kwargs)
    for path in iter_article_paths(corpus):
        for doc in read_documents(path, corpus).documents:
            writer.add_document(**_record_fields(doc), stat="")
    writer.commit()
    return ix


def test_a_document_s_positions_come_out_as_whoosh_s_values(tmp_path, monkeypatch):
    # The writer's path: a document's terms with their positions, values moved 32 bits at a
    # time when a run is ordered, a few postings at a time.
    monkeypatch.setattr("search.engine.runs.REORDER_SLICE", 3)
    pool = TermPool(str(tmp_path), 0.001)
    expected = []
    for docnum in range(40):
        positions = {f"t{(docnum * 7 + i) % 23}": [i, i + 5 + docnum] for i in range(6)}
        weights = {term: 1.0 + len(term) / 4 for term in positions}
        assert pool.add_positions("body", docnum, positions, weights) == 12
        for term, places in positions.items():
            value = b"".join(p.to_bytes(4, "little") for p in places)
            expected.append(("body", term.encode(), docnum, weights[term], value))
    expected.sort(key=lambda posting: posting[:3])
    assert list(pool.iter_postings()) == expected


def test_a_term_added_both_ways_is_one_term(tmp_path):
    # A merge adds old segments' postings one by one while the new documents' come with
    # their positions: one term, not two of the same bytes (the second would be unreadable).
    pool = TermPool(str(tmp_path), 128)
    pool.add_positions("body", 0, {"поставка": [3]}, {"поставка": 1.0})
    pool.add(("body", "поставка".encode(), 1, 1.0, (7).to_bytes(4, "little")))
    terms = [(field, term, docs.tolist()) for field, term, docs, *_ in pool.iter_terms()]
    assert terms == [("body", "поставка".encode(), [0, 1])]


def test_the_pooled_writer_writes_whoosh_s_postings(tmp_path):
    corpus = build_test_corpus(tmp_path / "corpus")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    whoosh_ix = _build(tmp_path / "a", corpus, SegmentWriter)
    ours = _build(tmp_path / "b", corpus, PooledWriter, limitmb=0.05)  # several runs
    expected = _postings(whoosh_ix)
    assert len(expected) > 1000 and _postings(ours) == expected


def _stories_and_postings(index_dir):
    from search import store
    from search.engine.index import open_index
    from search.story_files import load_keys

    generation = store.current_generation(index_dir)
    stories = load_keys(generation)
    keys = {
        doc_id: sorted(stories.vocab[n] for n in doc.keys) for doc_id, doc in stories.docs.items()
    }
    ix = open_index(index_dir)
    with ix.searcher() as searcher:
        ids = {n: fields["id"] for n, fields in enumerate(searcher.all_stored_fields())}
        segments = len(searcher.reader().leaf_readers())
        # Postings by document id: segments number their documents differently. A short
        # list is stored inline, where a field without values reads b"" instead of None.
        postings = sorted(
            (f, t, ids[reader_base + d], w, v or b"")
            for reader, reader_base in searcher.reader().leaf_readers()
            for f, t, d, w, v in reader.iter_postings()
        )
    ix.close()
    return keys, postings, segments


def test_worker_processes_index_what_one_process_does(tmp_path, monkeypatch):
    from search.sync import sync_index

    corpus = build_test_corpus(tmp_path / "corpus")
    sync_index(corpus, tmp_path / "one")
    monkeypatch.setattr("search.engine.index.PARALLEL_MIN_DOCS", 5)
    monkeypatch.setattr("search.engine.workers.BATCH_DOCS", 5)
    sync_index(corpus, tmp_path / "workers")
    keys, postings, _ = _stories_and_postings(tmp_path / "one")
    assert keys and postings
    assert _stories_and_postings(tmp_path / "workers") == (keys, postings, 2)  # two workers


def test_a_merge_of_segments_writes_whoosh_s_postings(tmp_path):
    # Merging adds postings one by one, term by term (add_reader), out of document order.
    corpus = build_test_corpus(tmp_path / "corpus")
    docs = [
        doc for path in iter_article_paths(corpus) for doc in read_documents(path, corpus).documents
    ]
    built = []
    for name, writer_class in (("a", SegmentWriter), ("b", PooledWriter)):
        (tmp_path / name).mkdir()
        ix = create_generation(tmp_path / name)
        for part in (docs[: len(docs) // 2], docs[len(docs) // 2 :]):
            writer = writer_class(ix, limitmb=0.05)
            for doc in part:
                writer.add_document(**_record_fields(doc), stat="")
            writer.commit(optimize=part is not docs[: len(docs) // 2])
        built.append(_postings(ix))
    assert len(built[0]) > 1000 and built[1] == built[0]
