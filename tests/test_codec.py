"""Segments written by search.engine.codec: compact posting lists, short ones in the term
dictionary, read the same by Whoosh's matchers and by the numpy path."""

from __future__ import annotations

from array import array

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from search.engine import varint
from search.engine.arrays import Postings
from search.engine.index import open_index
from search.engine.postings import decode_postings, encode_postings, encode_term
from search.engine.terms import INLINE_BYTES
from search.request import make_request
from search.service import Engine


def body_entries(index_dir):
    reader = open_index(index_dir).reader()
    try:
        for leaf, _ in reader.leaf_readers():
            for fieldname, text in leaf.all_terms():
                if fieldname == "body":
                    yield leaf._terms.entry(fieldname, text)
    finally:
        reader.close()


@settings(deadline=None)  # a loaded machine is not a failure
@given(st.lists(st.integers(min_value=0, max_value=2**63 - 1)))
def test_varints_read_back_what_was_written(numbers):
    decoded, used = varint.decode(varint.encode(numbers))
    assert decoded.tolist() == numbers
    assert used == len(varint.encode(numbers))


@settings(deadline=None)  # a loaded machine is not a failure
@given(
    st.lists(
        st.tuples(
            st.sampled_from([1.0, 2.5, 0.975, 3.0]),
            st.lists(st.integers(min_value=0, max_value=2**32 - 1), min_size=1, max_size=5),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_posting_lists_read_back_what_was_written(postings):
    ids = list(range(0, 3 * len(postings), 3))
    weights = [weight for weight, _ in postings]
    values = [array("I", sorted(places)).tobytes() for _, places in postings]
    found = decode_postings(encode_postings(ids, weights, values, True))
    assert found.ids.tolist() == ids
    assert found.weights.tolist() == np.asarray(weights, dtype=np.float32).tolist()
    assert found.values() == values


@settings(deadline=None)  # a loaded machine is not a failure
@given(st.integers(min_value=1, max_value=40), st.booleans())
def test_a_term_from_arrays_is_written_as_from_postings(size, positional):
    ids = array("i", range(2, 2 + 5 * size, 5))
    weights = array("d", [1.0 + (i % 3) for i in range(size)])
    values = [array("I", range(i % 4 + 1)).tobytes() for i in range(size)]
    lengths = array("I", map(len, values))
    from_arrays = encode_term(ids, weights, b"".join(values), lengths, positional)
    assert from_arrays == encode_postings(list(ids), list(weights), values, positional)


def test_values_of_other_formats_are_kept_as_they_are():
    values = [b"\x00\x01", b"", b"pickled"]
    found = decode_postings(encode_postings([1, 2, 9], [1.0, 1.0, 2.0], values, False))
    assert found.values() == values and found.counts is None
    found = decode_postings(encode_postings([1, 2], [1.0, 1.0], [b"", b""], False))
    assert found.values() == [b"", b""]


def test_short_lists_are_in_the_dictionary_and_long_ones_are_not(news_index):
    entries = list(body_entries(news_index))
    inline = [entry for entry in entries if entry.blob is not None]
    apart = [entry for entry in entries if entry.blob is None]
    assert inline and apart
    assert all(entry.length <= INLINE_BYTES for entry in inline)
    assert all(entry.length > INLINE_BYTES for entry in apart)


def test_inline_and_separate_lists_are_both_found(news_index):
    engine = Engine(news_index)
    rare = engine.search(make_request("Рогозин"))
    common = engine.search(make_request("поставки"))
    assert 0 < rare.total < common.total
    engine.close()


def test_whoosh_matchers_read_the_lists_the_numpy_path_reads(news_index):
    reader = open_index(news_index).reader()
    try:
        for leaf, _ in reader.leaf_readers():
            for btext in ("поставка".encode(), "=с-400".encode(), b"s-400"):
                if ("body", btext) not in leaf:
                    continue
                matcher = leaf.postings("body", btext)
                ids, places = [], []
                while matcher.is_active():
                    ids.append(matcher.id())
                    places.extend(matcher.value_as("positions"))
                    matcher.next()
                found = leaf._terms.postings(leaf._terms.entry("body", btext))
                assert ids == found.ids.tolist()
                assert places == found.places.tolist()
                assert leaf.doc_frequency("body", btext) == len(ids) > 0
    finally:
        reader.close()


def test_positions_are_the_ones_whoosh_finds():
    from pathlib import Path

    from whoosh import formats

    from search.engine.schema import BilingualPositions, build_schema
    from search.ingest.read import read_document
    from search.ingest.walk import iter_article_paths

    corpus = Path(__file__).resolve().parents[1] / "corpus"
    names = Path(__file__).resolve().parent / "data" / "names"
    analyzer = build_schema()["body"].analyzer
    whoosh_format, ours = formats.Positions(field_boost=2.5), BilingualPositions(field_boost=2.5)
    compared = 0
    for root in (corpus, names):
        for path in iter_article_paths(root):
            record = read_document(path, root)
            for text in (record.title, record.body):
                expected = sorted(
                    (term, n, weight, whoosh_format.decode_positions(value))
                    for term, n, weight, value in whoosh_format.word_values(text, analyzer)
                )
                got = sorted(
                    (term, n, weight, ours.decode_positions(value))
                    for term, n, weight, value in ours.word_values(text, analyzer)
                )
                assert got == expected, path
                compared += len(got)
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
    # Merging reads every list back through Whoosh's matchers (ID fields carry no values).
    open_index(index).writer(codec=DefsearchCodec(), compound=False).commit(optimize=True)
    live = store.current_generation(index)  # record the merged files as a sync would
    store.write_meta(live, {**store.read_meta(live), "files": store.file_sizes(live)})
    assert segment_count(index) == 1
    engine = Engine(index)
    assert engine.search(make_request("поставки", group=False)).total == before
    assert engine.document("late", with_related=False)["title"].startswith("Поздняя")
    engine.close()


def test_lists_with_one_position_per_document_read_back():
    for size in (3, 40):  # plain Python and numpy coding
        ids = list(range(5, 5 + 7 * size, 7))
        values = [array("I", [i * 3]).tobytes() for i in range(size)]
        found = decode_postings(encode_postings(ids, [1.0] * size, values, True))
        assert found.ids.tolist() == ids and found.values() == values


def test_a_list_read_without_positions_has_the_same_ids_and_weights():
    for size in (3, 40):  # plain Python and numpy coding
        ids = list(range(2, 2 + 9 * size, 9))
        weights = [float(1 + i % 3) for i in range(size)]
        values = [array("I", range(i % 3, i % 3 + 1 + i % 2)).tobytes() for i in range(size)]
        blob = encode_postings(ids, weights, values, True)
        whole, bare = decode_postings(blob), decode_postings(blob, positions=False)
        assert bare.ids.tolist() == whole.ids.tolist() == ids
        assert bare.weights.tolist() == whole.weights.tolist()
        assert bare.counts is None and bare.places is None


def test_places_of_some_postings_are_cut_out_in_order():
    places = np.array([10, 11, 20, 30, 31, 32, 40], dtype=np.int64)
    postings = Postings(np.array([1, 2, 3, 4]), np.ones(4), places, np.array([2, 3, 6, 7]))
    assert postings.places_at(np.array([0, 2])).tolist() == [10, 11, 30, 31, 32]
    assert postings.places_at(np.array([1, 3])).tolist() == [20, 40]
    assert postings.places_at(np.array([], dtype=np.int64)).tolist() == []


def test_stored_records_read_back_with_gaps_and_without_a_full_dictionary(tmp_path):
    from whoosh.filedb.filestore import FileStorage

    from search.engine.stored import STORED

    storage = FileStorage(str(tmp_path))
    records = {0: {"title": "Поставки С-400", "body": "Текст " * 50}, 2: {"id": "en/1"}}
    writer = STORED.writer(storage.create_file("column"))
    for docnum, record in records.items():
        writer.add(docnum, record)
    writer.finish(4)
    writer._dbfile.close()
    length = storage.file_length("column")
    file = storage.open_file("column")
    try:
        assert list(STORED.reader(file, 0, length, 4)) == [records[0], None, records[2], None]
    finally:
        file.close()
