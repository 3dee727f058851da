"""Saved searches: a real SQLite file beside a real index, synced with real articles."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest
from corpora import write_article
from test_cli import SHIPPED, run

from search import store
from search.errors import DocumentNotFoundError, IndexUnusableError, QueryError, UsageError
from search.sync import sync_index
from search.watches import Watch, WatchList


@pytest.fixture
def folders(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in SHIPPED.glob("*.txt"):
        (corpus / path.name).write_bytes(path.read_bytes())
    index = tmp_path / "index"
    sync_index(corpus, index)
    return corpus, index


def s400_article(corpus, name="turkey", title="Турция получила вторую партию С-400"):
    body = "Анкара получила вторую партию зенитных ракетных систем С-400 от России."
    return write_article(corpus, name, title, body, {"date": "2021-03-04", "lang": "ru"})


def test_a_new_matching_article_is_recorded_once(folders):
    corpus, index = folders
    watches = WatchList(index)
    watches.add(Watch("s400", "С-400 OR S-400"))
    s400_article(corpus)
    write_article(corpus, "other", "Учения флота", "Корабли вышли в море.", {"lang": "ru"})
    assert sync_index(corpus, index).watches == {"s400": 1}
    assert sync_index(corpus, index).watches == {"s400": 0}
    assert sync_index(corpus, index, rebuild=True).watches == {"s400": 0}
    assert [(w.name, w.matches, w.unseen) for w in watches.list()] == [("s400", 1, 1)]
    assert [e.id for e in watches.entries("s400")] == ["turkey"]


def test_articles_indexed_before_the_watch_are_not_news(folders):
    corpus, index = folders
    watches = WatchList(index)
    watches.add(Watch("azeri", "Azerbaijan"))  # the shipped articles match it
    assert sync_index(corpus, index, rebuild=True).watches == {"azeri": 0}
    assert watches.get("azeri").matches == 0


def test_a_changed_article_that_now_matches_is_recorded(folders):
    corpus, index = folders
    watches = WatchList(index)
    watches.add(Watch("helicopters", "helicopters", lang="en"))
    with (corpus / "002_7342f1c551cf0f21.txt").open("a") as f:
        f.write("\nAn added paragraph about helicopters.\n")
    assert sync_index(corpus, index).watches == {"helicopters": 1}


def test_the_database_survives_a_rebuild_and_the_folder_stays_ours(folders):
    corpus, index = folders
    WatchList(index).add(Watch("s400", "S-400"))
    sync_index(corpus, index, rebuild=True)
    assert (index / store.WATCHES_FILE).is_file()
    (index / store.MARKER_FILE).unlink()  # a folder of an older version: adopted again
    assert store.claim(index, corpus)
    assert [w.name for w in WatchList(index).list()] == ["s400"]


def test_a_folder_with_other_files_is_still_refused(tmp_path):
    (tmp_path / store.WATCHES_FILE).write_bytes(b"")
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(IndexUnusableError, match="holds other files"):
        store.claim(tmp_path)


def test_concurrent_recorders_record_each_match_once(folders):
    corpus, index = folders
    WatchList(index).add(Watch("s400", "С-400"))
    s400_article(corpus)
    sync_index(corpus, index)  # recorded; now replay the same sync from 4 threads at once
    db = sqlite3.connect(index / store.WATCHES_FILE)
    db.execute("DELETE FROM matches")
    db.execute("DELETE FROM articles WHERE doc_id = 'turkey'")
    db.commit()
    db.close()
    written = {"turkey": store_hash(index, "turkey")}
    live = store.current_generation(index).name
    results, start = [], threading.Barrier(4)

    def record():
        start.wait()
        results.append(WatchList(index).record(written, live, live)["s400"])

    threads = [threading.Thread(target=record) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 0, 0, 1]
    assert WatchList(index).get("s400").matches == 1


def test_a_sync_whose_check_failed_is_caught_up_by_the_next(folders, monkeypatch):
    corpus, index = folders
    WatchList(index).add(Watch("s400", "С-400"))
    s400_article(corpus)
    monkeypatch.setattr("search.watches.BUSY_SECONDS", 0.1)
    told = []
    blocker = sqlite3.connect(index / store.WATCHES_FILE, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another process holds the database
    try:
        report = sync_index(corpus, index, notify=told.append)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert report.added == 1 and report.watches == {}
    assert told and told[-1].endswith("saved searches are checked at the next sync")
    # Nothing left to index, yet the article the failed check missed is recorded now.
    assert sync_index(corpus, index).watches == {"s400": 1}
    assert sync_index(corpus, index).watches == {"s400": 0}


def store_hash(index, doc_id: str) -> str:
    from search.watches import indexed_fingerprints

    return indexed_fingerprints(index)[doc_id]


def test_seen_show_all_and_remove(folders):
    corpus, index = folders
    watches = WatchList(index)
    watches.add(Watch("s400", "С-400 OR S-400"))
    s400_article(corpus)
    write_article(
        corpus,
        "india",
        "India inducts S-400 squadron",
        "The Indian Air Force inducted its first S-400 squadron.",
        {"date": "2021-05-01", "lang": "en"},
    )
    sync_index(corpus, index)
    assert [e.id for e in watches.entries("s400")] == ["india", "turkey"]  # newest first
    assert watches.mark_seen("s400") == 2
    assert watches.entries("s400") == []
    assert [e.seen for e in watches.entries("s400", every=True)] == [True, True]
    watches.remove("s400")
    assert watches.list() == []
    with pytest.raises(DocumentNotFoundError):
        watches.entries("s400")


@pytest.mark.parametrize(
    "watch, error",
    [
        (Watch("a/b", "S-400"), UsageError),
        (Watch("", "S-400"), UsageError),
        (Watch("s400.atom", "S-400"), UsageError),
        (Watch("s400", "!!!"), QueryError),
        (Watch("s400", "the"), QueryError),
        (Watch("s400", "S-400", lang="de"), UsageError),
    ],
)
def test_bad_watches_are_refused_when_added(folders, watch, error):
    _, index = folders
    with pytest.raises(error):
        WatchList(index).add(watch)
    assert WatchList(index).list() == []


def test_cli_watch_round_trip_and_one_line_errors(folders, tmp_path):
    corpus, index = folders
    opts = ["--corpus", str(corpus), "--index", str(index)]
    assert run(*opts, "watch", "add", "s400", "С-400 OR S-400").returncode == 0
    for args in (["a/b", "S-400"], ["s400", "S-400"], ["x", "!!!"]):
        result = run(*opts, "watch", "add", *args)
        assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    s400_article(tmp_path / "new")
    added = json.loads(run(*opts, "add", str(tmp_path / "new" / "turkey.txt"), "--json").stdout)
    assert added["watches"] == {"s400": 1} and added["index"]["watches"] == {"s400": 1}
    listed = json.loads(run(*opts, "watch", "list", "--json").stdout)
    assert [(w["name"], w["unseen"]) for w in listed] == [("s400", 1)]
    shown = run(*opts, "watch", "show", "s400")
    assert "Турция получила вторую партию С-400" in shown.stdout
    assert run(*opts, "watch", "seen", "s400").stdout.startswith("1 match of")
    assert json.loads(run(*opts, "watch", "show", "s400", "--json").stdout) == []
    missing = run(*opts, "watch", "remove", "nope")
    assert missing.returncode == 1 and "no saved search named 'nope'" in missing.stderr
    assert run(*opts, "watch", "remove", "s400").returncode == 0
