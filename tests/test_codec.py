"""Segments written by search.engine.codec: short posting lists inline, long ones in blocks."""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3TermInfo

from search.engine.codec import INLINE_POSTINGS
from search.engine.index import open_index
from search.service import Engine, make_request


def term_infos(index_dir):
    reader = open_index(index_dir).reader()
    try:
        for leaf, _ in reader.leaf_readers():
            terms = leaf._terms
            for fieldname, text in leaf.all_terms():
                if fieldname == "body":
                    yield text, terms.term_info(fieldname, text)
    finally:
        reader.close()


def test_short_lists_are_inline_and_long_ones_are_not(news_index):
    infos = list(term_infos(news_index))
    inline = [info for _, info in infos if info.is_inlined()]
    blocks = [info for _, info in infos if not info.is_inlined()]
    assert inline and blocks
    assert all(info.doc_frequency() <= INLINE_POSTINGS for info in inline)
    assert all(info.doc_frequency() > INLINE_POSTINGS for info in blocks)
    assert all(isinstance(info, W3TermInfo) for info in inline)


def test_inline_and_block_terms_are_both_found(news_index):
    engine = Engine(news_index)
    rare = engine.search(make_request("Рогозин"))  # a handful of articles: inline
    common = engine.search(make_request("поставки"))  # more than eight: blocks
    assert 0 < rare.total <= INLINE_POSTINGS < common.total
    engine.close()


def test_positions_are_written_as_whoosh_writes_them():
    from pathlib import Path

    from whoosh import formats

    from search.engine.schema import BilingualPositions, build_schema
    from search.ingest.read import read_document
    from search.ingest.walk import iter_article_paths

    corpus = Path(__file__).resolve().parents[1] / "corpus"
    names = Path(__file__).resolve().parent / "data" / "names"
    analyzer = build_schema()["body"].analyzer
    compared = 0
    for root in (corpus, names):
        for path in iter_article_paths(root):
            record = read_document(path, root)
            for text in (record.title, record.body):
                whoosh = sorted(formats.Positions(field_boost=2.5).word_values(text, analyzer))
                ours = sorted(BilingualPositions(field_boost=2.5).word_values(text, analyzer))
                assert ours == whoosh, path
                compared += len(ours)
    assert compared > 3_000


def segment_count(index_dir) -> int:
    reader = open_index(index_dir).reader()
    try:
        return len(list(reader.leaf_readers()))
    finally:
        reader.close()


def test_segments_with_inline_lists_merge(tmp_path):
    from corpora import build_test_corpus, write_article

    from search import store
    from search.engine.codec import DefsearchCodec
    from search.sync import sync_index

    corpus = build_test_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    sync_index(corpus, index)
    write_article(corpus, "late", "Поздняя заметка о поставках", "Текст о поставках С-400.")
    sync_index(corpus, index)
    assert segment_count(index) > 1
    engine = Engine(index)
    before = engine.search(make_request("поставки", group=False)).total
    engine.close()
    # Merging reads every inline list back (ID fields' lists carry no values).
    open_index(index).writer(codec=DefsearchCodec(), compound=False).commit(optimize=True)
    live = store.current_generation(index)  # record the merged files as a sync would
    store.write_meta(live, {**store.read_meta(live), "files": store.file_sizes(live)})
    assert segment_count(index) == 1
    engine = Engine(index)
    assert engine.search(make_request("поставки", group=False)).total == before
    assert engine.document("late", with_related=False)["title"].startswith("Поздняя")
    engine.close()
