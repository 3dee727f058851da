"""search.engine.scoring scores every match exactly as Whoosh's own matchers do, only faster."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from bench.generator import generate_corpus
from bench.queries import build_queries
from corpora import build_test_corpus
from whoosh import query

from search.engine.arrays import IndexArrays
from search.engine.parse import source_names
from search.engine.scoring import evaluate
from search.engine.translate import to_whoosh
from search.pipeline import Matches, group_stories
from search.query.parse import filter_query
from search.ranking import Ranking, order
from search.request import make_request
from search.service import Engine
from search.sync import sync_index

HAND_WRITTEN = [
    "поставками С-400",
    "S-400 deliveries",
    "Рогозин",
    "Rosoboronexport",
    '"arms supply"',
    '"военно-техническое сотрудничество"',
    "поставки -танков",
    "deliveries OR поставки",
    "title:поставки",
    "source:reuters",
    "постав*",
    "deliver*",
    "Ми-35М OR Mi-35M",
    "(arms OR weapons) supply -frigate",
    "несуществующееслово",
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return generate_corpus(tmp_path_factory.mktemp("generated") / "corpus", 300, seed=5)


@pytest.fixture(scope="module")
def layered_index(tmp_path_factory, monkeypatch_module, generated) -> Path:
    """An index of several segments with deleted documents, like one synced for months."""
    root = tmp_path_factory.mktemp("ranking")
    corpus = build_test_corpus(root / "corpus")
    monkeypatch_module.setenv("DEFSEARCH_BATCH_SIZE", "120")
    sync_index(corpus, root / "index")
    shutil.copytree(generated.root, corpus / "generated")
    sync_index(corpus, root / "index")
    for path in sorted((corpus / "generated").rglob("*.txt"))[::7]:
        path.write_text(path.read_text(encoding="utf-8") + "\nДополнение.\n", encoding="utf-8")
    for path in sorted(corpus.glob("en_0*.txt"))[:3]:
        path.unlink()
    report = sync_index(corpus, root / "index")
    assert not report.failed
    return root / "index"


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def engine(layered_index):
    engine = Engine(layered_index)
    yield engine
    engine.close()


def whoosh_scores(searcher, parsed, wanted=None) -> dict[int, float]:
    """Score a query (our tree or Whoosh's nodes) with Whoosh's own matchers."""
    if not isinstance(parsed, query.Query):
        parsed = to_whoosh(parsed)
    if wanted is not None and not isinstance(wanted, query.Query):
        wanted = to_whoosh(wanted)
    if isinstance(parsed, query.AndNot):
        # Whoosh 2.7.5's AndNot matcher can keep a document that has the excluded word (on
        # a multi-segment index it kept one with "frigates" for "-frigate"): the reference
        # is its two sides, each scored by Whoosh, subtracted here.
        excluded = whoosh_scores(searcher, parsed.b).keys()
        kept = whoosh_scores(searcher, parsed.a, wanted).items()
        return {d: score * parsed.boost for d, score in kept if d not in excluded}
    results = searcher.search(parsed, limit=None, filter=wanted)
    return {docnum: score for score, docnum in results.top_n}


def array_scores(searcher, parsed, wanted=None) -> dict[int, float]:
    arrays = IndexArrays(searcher)
    mask, scores = evaluate(parsed, arrays)
    if wanted is not None:
        mask &= evaluate(wanted, arrays)[0]
    mask &= arrays.live
    return {int(d): float(scores[d]) for d in mask.nonzero()[0]}


def test_the_fixture_has_segments_and_deletions(engine):
    leaves = list(engine.searcher().reader().leaf_readers())
    assert len(leaves) > 1
    assert any(leaf.has_deletions() for leaf, _ in leaves)


def test_same_matches_and_scores_as_whoosh(engine, generated):
    texts = HAND_WRITTEN + [q.q for q in build_queries(generated.samples, generated.lemmas, 5)]
    assert len(texts) > 250
    matched = 0
    for text in texts:
        for exact in (False, True):
            searcher, parsed = engine.parse(text, exact=exact)
            expected = whoosh_scores(searcher, parsed)
            got = array_scores(searcher, parsed)
            assert got.keys() == expected.keys(), text
            for docnum, score in expected.items():
                assert got[docnum] == pytest.approx(score, rel=1e-9), (text, docnum)
            matched += len(expected)
    assert matched > 10_000  # the comparison covered long posting lists, not only empty ones


def test_filters_match_as_whoosh_filters(engine):
    searcher, parsed = engine.parse("поставки OR deliveries")
    for request in (
        make_request("x", lang="ru"),
        make_request("x", source="reuters"),
        make_request("x", since="2019-06-01", until="2020-12-31"),
        make_request("x", lang="en", since="2020-01-01"),
    ):
        wanted = filter_query(request, source_names(searcher))
        expected = whoosh_scores(searcher, parsed, wanted)
        assert expected
        assert array_scores(searcher, parsed, wanted).keys() == expected.keys()


def test_unknown_query_kinds_are_scored_by_whoosh(engine):
    searcher = engine.searcher()
    odd = query.DisjunctionMax([query.Term("body", "поставка"), query.Term("title", "поставка")])
    expected = whoosh_scores(searcher, odd)
    assert expected
    assert array_scores(searcher, odd) == pytest.approx(expected)


def test_date_order_is_newest_first_then_by_score(engine):
    hits = engine.search(make_request("поставки OR deliveries", sort="date", limit=50)).results
    assert len(hits) == 50
    for newer, older in zip(hits, hits[1:], strict=False):
        assert (newer.date or "") >= (older.date or "")
        if newer.date == older.date:
            assert newer.score >= older.score


def test_an_excluded_word_is_in_no_result(engine):
    text = "(arms OR weapons) supply -frigate"
    first = engine.search(make_request(text, limit=100, group=False))
    assert first.total > 0
    for page in range(1, first.pages + 1):
        hits = engine.search(make_request(text, limit=100, page=page, group=False))
        for hit in hits.results:
            record = engine.document(hit.id, with_related=False)
            assert "frigat" not in (record["title"] + record["body"]).lower(), hit.id


def test_columns_read_in_bulk_equal_whoosh_columns(engine):
    searcher = engine.searcher()
    arrays = IndexArrays(searcher)
    for fieldname in ("id", "lang", "source_name", "year", "date", "hash"):
        expected = list(searcher.reader().column_reader(fieldname, translate=False))
        assert arrays.column(fieldname).tolist() == expected, fieldname


def test_searchers_of_one_index_state_share_decoded_arrays(tmp_path):
    from search.engine.index import open_index

    corpus = build_test_corpus(tmp_path / "corpus")
    sync_index(corpus, tmp_path / "index")
    first, second = (open_index(tmp_path / "index").searcher() for _ in range(2))
    assert IndexArrays(first)._shared is IndexArrays(second)._shared
    (corpus / "en_00.txt").unlink()  # a sync deletes a document: another index state
    sync_index(corpus, tmp_path / "index")
    third = open_index(tmp_path / "index").searcher()
    assert IndexArrays(third)._shared is not IndexArrays(first)._shared
    assert IndexArrays(third).live.sum() == IndexArrays(first).live.sum() - 1
    for searcher in (first, second, third):
        searcher.close()


def tied_scores(arrays) -> np.ndarray:
    """Scores with many ties (a few distinct values), the case a partial sort gets wrong
    first."""
    return (np.arange(arrays.size) * 7919 % 5).astype(np.float64)


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_the_first_matches_are_the_first_of_a_full_sort(engine, sort):
    arrays = IndexArrays(engine.searcher())
    matches, scores = np.flatnonzero(arrays.live), tied_scores(arrays)
    assert len(matches) > 200
    full_order = order(arrays, matches, scores, sort)
    for n in (1, 3, 10, 40):
        ranking = Ranking(arrays, matches, matches[:0], scores, sort)
        assert ranking.first(n).tolist() == full_order[:n].tolist(), n


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_story_leaders_and_their_others_are_those_of_a_full_sort(engine, sort):
    arrays = IndexArrays(engine.searcher())
    docnums, scores = np.flatnonzero(arrays.live), tied_scores(arrays)
    full, partial = docnums[10:], order(arrays, docnums[:10], scores, sort)
    codes = np.where(np.arange(arrays.size) % 3 == 0, -1, np.arange(arrays.size) % 17)
    ranked = np.concatenate([order(arrays, full, scores, sort), partial])
    expected = group_stories(Matches(ranked, scores, len(full), set(partial.tolist())), codes, 0)
    lazy = Ranking(arrays, full, partial, scores, sort)
    matches = Matches(lazy.matches(), scores, len(full), set(partial.tolist()), lazy)
    for wanted in (5, 30):
        groups = group_stories(matches, codes, wanted)
        assert groups.leaders[:wanted].tolist() == expected.leaders[:wanted].tolist()
        assert groups.total == expected.total
        for leader in groups.leaders[:wanted].tolist():
            assert groups.folded_of(leader) == expected.folded_of(leader)


def test_a_newer_index_state_drops_the_older_ones_decoded_postings(tmp_path):
    from search.engine.arrays import read_postings
    from search.engine.index import open_index

    corpus = build_test_corpus(tmp_path / "corpus")
    sync_index(corpus, tmp_path / "index")
    old = IndexArrays(open_index(tmp_path / "index").searcher())
    found = read_postings(old, "body", "поставка".encode())
    assert len(found.ids) and old._shared.cached_bytes == found.size
    (corpus / "en_00.txt").unlink()
    sync_index(corpus, tmp_path / "index")
    new = IndexArrays(open_index(tmp_path / "index").searcher())
    assert new._shared is not old._shared
    assert not old._shared.postings and old._shared.cached_bytes == 0
    assert read_postings(old, "body", "поставка".encode()).ids.tolist() == found.ids.tolist()
    for arrays in (old, new):
        arrays.searcher.close()
