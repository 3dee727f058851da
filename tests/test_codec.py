"""Segments written by search.codec: short posting lists inline, long ones in blocks."""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3TermInfo

from search.codec import INLINE_POSTINGS
from search.indexer import open_whoosh_index
from search.searcher import Engine, make_request


def term_infos(index_dir):
    reader = open_whoosh_index(index_dir).reader()
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
