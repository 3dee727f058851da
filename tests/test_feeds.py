"""Feeds, the CSV export and the saved-search pages through Flask's test client; feeds are
read back with a real feed parser (feedparser)."""

from __future__ import annotations

import csv
import io
import re
import shutil

import feedparser
import pytest
from corpora import build_test_corpus, write_article

from search.sync import sync_index
from search.watches import Watch, WatchList
from web.app import create_app

RU_QUERY = "поставки"


@pytest.fixture(scope="module")
def watched(tmp_path_factory):
    """An index with two saved searches and three articles added after them."""
    root = tmp_path_factory.mktemp("watched")
    corpus = build_test_corpus(root / "corpus")
    index = root / "index"
    sync_index(corpus, index)
    watches = WatchList(index)
    watches.add(Watch("s400", "С-400 OR S-400"))
    watches.add(Watch("drones", "drones", lang="en"))
    body = "Анкара получила вторую партию зенитных ракетных систем С-400 от России."
    meta = {"date": "2021-03-04", "lang": "ru", "source": "ТАСС", "url": "https://tass.ru/1"}
    write_article(corpus, "turkey", "Турция получила вторую партию С-400", body, meta)
    body = "The Indian Air Force inducted its first S-400 squadron near the border."
    meta = {"date": "2021-05-01", "lang": "en", "source": "Reuters"}
    write_article(corpus, "india", "India inducts S-400 squadron", body, meta)
    body = "Baku signed a contract for drones with Israel Aerospace Industries."
    meta = {"date": "2021-06-01", "lang": "en", "source": "Defense News"}
    write_article(corpus, "baku", "Azerbaijan buys drones", body, meta)
    assert sync_index(corpus, index).watches == {"drones": 1, "s400": 2}
    return index


@pytest.fixture(scope="module")
def client(watched):
    return create_app({"INDEX_DIR": watched, "TESTING": True}).test_client()


def test_search_feed_lists_the_newest_matches_first(client):
    response = client.get(f"/search.atom?q={RU_QUERY}")
    assert response.status_code == 200
    assert response.content_type.startswith("application/atom+xml")
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == f"defsearch: {RU_QUERY}"
    dates = [entry.published_parsed[:3] for entry in feed.entries]
    assert len(dates) == 14 and dates == sorted(dates, reverse=True)
    first = feed.entries[0]
    assert first.link.startswith("http://localhost/doc/ru_")
    assert [link.href for link in first.links if link.rel == "related"][0].startswith(
        "https://example.org/ru/"
    )
    assert first.author in {"ТАСС", "Интерфакс", "РИА Новости"}
    assert "поставк" in first.summary.lower() and "<mark>" not in first.summary


def test_hidden_characters_in_a_query_are_shown_escaped_in_its_feed(client):
    response = client.get(f"/search.atom?q=%1B%5B31m%E2%80%AE{RU_QUERY}")
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == f"defsearch: \\x1b[31m\\u202e{RU_QUERY}"


def test_search_feed_holds_at_most_fifty_entries(tmp_path):
    corpus = tmp_path / "corpus"
    for i in range(55):
        meta = {"date": f"2020-{1 + i % 12:02d}-{1 + i % 28:02d}", "lang": "en"}
        write_article(corpus, f"a{i:02d}", f"Radar report number {i}", "Radar news.", meta)
    sync_index(corpus, tmp_path / "index")
    app = create_app({"INDEX_DIR": tmp_path / "index", "TESTING": True})
    feed = feedparser.parse(app.test_client().get("/search.atom?q=radar&flat=1").data)
    assert len(feed.entries) == 50


def test_watch_feed_has_the_recorded_matches(client):
    feed = feedparser.parse(client.get("/watch/s400.atom").data)
    assert not feed.bozo
    assert [e.title for e in feed.entries] == [
        "India inducts S-400 squadron",
        "Турция получила вторую партию С-400",
    ]
    assert feed.entries[1].published_parsed[:3] == (2021, 3, 4)
    assert feed.entries[1].author == "ТАСС"


def test_pages_link_their_feeds_in_the_head(client):
    for url in (f"/search?q={RU_QUERY}", "/watch/s400"):
        head = client.get(url).get_data(as_text=True).split("</head>")[0]
        assert re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]+\.atom', head)


def test_watch_pages_show_unseen_counts_and_mark_unseen_matches(client, watched):
    listing = client.get("/watch").get_data(as_text=True)
    assert re.search(r'href="/watch/s400">s400</a>.*?<strong>2</strong>', listing, re.S)
    page = client.get("/watch/s400").get_data(as_text=True)
    assert page.count('class="new-badge"') == 2
    WatchList(watched).mark_seen("drones")
    assert 'class="new-badge"' not in client.get("/watch/drones").get_data(as_text=True)


def test_unknown_watches_are_404(client):
    assert client.get("/watch/nope").status_code == 404
    response = client.get("/watch/nope.atom")
    assert response.status_code == 404 and "nope" in response.get_json()["error"]


def test_the_web_never_creates_the_database(news_index, tmp_path):
    index = tmp_path / "index"
    shutil.copytree(news_index, index)
    client = create_app({"INDEX_DIR": index, "TESTING": True}).test_client()
    assert "No saved searches yet" in client.get("/watch").get_data(as_text=True)
    assert not (index / "watches.sqlite3").exists()


def test_csv_export_streams_every_hit(client):
    response = client.get(f"/search.csv?q={RU_QUERY}&limit=5")
    assert response.status_code == 200 and response.is_streamed
    assert response.content_type == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 14
    assert all(row["lang"] == "ru" and "<" not in row["snippet"] for row in rows)


def test_csv_export_of_a_query_that_searches_nothing_is_the_header_alone(client):
    # As `search --json`: stop words or symbols only give no hits (and a notice), not an error.
    response = client.get("/search.csv?q=!!!")
    assert response.status_code == 200
    assert response.get_data(as_text=True).splitlines() == [
        "id,title,source,date,url,lang,score,snippet"
    ]


def test_csv_export_of_a_bad_query_is_one_json_line(client):
    response = client.get("/search.csv?q=" + "x" * 1001)
    assert response.status_code == 400
    assert "too long" in response.get_json()["error"]


def test_results_page_has_timeline_export_and_watch_hint(client):
    page = client.get(f"/search?q={RU_QUERY}&lang=ru").get_data(as_text=True)
    bars = re.findall(r'<a href="([^"]+)" aria-label="(\d{4}-\d\d): (\d+) articles?"', page)
    assert bars and sum(int(count) for _, _, count in bars) == 14
    href, period, _ = bars[0]
    assert f"since={period}-01" in href and "until=" in href and "lang=ru" in href
    assert 'href="/search.csv?q=' in page
    assert "defsearch watch add NAME &#39;поставки&#39; --lang ru" in page
