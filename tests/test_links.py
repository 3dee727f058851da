"""Links and feeds: pages downloaded from a real HTTP server on 127.0.0.1 into the corpus."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from test_cli import run
from webserver import LocalWebServer

from search.errors import DocumentError
from search.ingest.add import add_articles
from search.ingest.fetch import FetchError, download
from search.ingest.links import Register, add_link

DATA = Path(__file__).parent / "data"
RU_PAGE = (DATA / "pages" / "ru_news.html").read_bytes()
EN_PAGE = (DATA / "pages" / "en_news.html").read_bytes()


@pytest.fixture
def web():
    with LocalWebServer() as server:
        yield server


@pytest.fixture
def dirs(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    return ["--corpus", str(corpus), "--index", str(tmp_path / "index")], corpus


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/news"


def corpus_files(corpus: Path) -> list[str]:
    return sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*") if p.is_file())


def test_add_url_stores_the_raw_page_with_a_sidecar_and_indexes_it(web, dirs):
    opts, corpus = dirs
    final = web.page("/armiya/su57", RU_PAGE)
    start = web.redirect("/go/su57", final)
    result = run(*opts, "add", start, "--json")
    assert result.returncode == 0, result.stderr
    [page] = json.loads(result.stdout)["pages"]
    assert page["redirects"] == [start] and page["final_url"] == final
    path = Path(page["path"])
    assert path.parent == corpus / "web" / "127.0.0.1"
    assert path.name == "minoborony-poluchilo-pervuyu-partiyu-su-57.html"
    assert path.read_bytes() == RU_PAGE
    sidecar = json.loads(path.with_name(path.name + ".meta.json").read_text("utf-8"))
    assert (sidecar["url"], sidecar["requested"]) == (final, start)
    assert sidecar["fetched"].endswith("Z")
    shown = json.loads(run(*opts, "show", page["id"], "--json").stdout)
    assert (shown["title"], shown["source"], shown["date"], shown["url"]) == (
        "Минобороны получило первую партию Су-57",
        "ТАСС",
        "2021-03-12",
        final,
    )
    assert "<p>" not in shown["body"] and "Пользователь123" not in shown["body"]


def test_a_page_already_in_the_corpus_is_not_added_twice(web, tmp_path):
    corpus = tmp_path / "corpus"
    register = Register(corpus)
    first = add_link(web.page("/a", EN_PAGE), corpus, register)
    again = add_link(web.url("/a"), corpus, register)  # the same link: not even downloaded
    copy = add_link(web.page("/b?utm=feed", EN_PAGE.replace(b"<div", b"<div ")), corpus, register)
    assert (first.existing, again.existing, copy.existing) == (False, True, True)
    assert again.path == copy.path == first.path
    assert web.hits("/a") == 1
    assert len(list((corpus / "web").rglob("*.html"))) == 1


def test_a_page_saved_as_a_file_is_not_added_again_by_its_link(web, tmp_path):
    corpus = tmp_path / "corpus"
    saved = tmp_path / "su57.html"
    saved.write_bytes(RU_PAGE)
    [added] = add_articles([saved], corpus)
    page = add_link(web.page("/armiya/su57", RU_PAGE), corpus, Register(corpus))
    assert page.existing and page.path == Path(added["path"])
    assert not (corpus / "web").exists()


def test_bad_links_get_one_line_each_and_the_good_one_goes_on(web, dirs):
    opts, corpus = dirs
    good = web.page("/good", EN_PAGE)
    bad = {
        closed_port_url(): "cannot connect",
        web.url("/missing"): "HTTP 404 Not Found",
        web.page("/report.pdf", b"%PDF-1.4", content_type="application/pdf"): (
            "not an HTML page (application/pdf)"
        ),
        web.page("/huge", b"<p>" + b"x" * (10 * 1024 * 1024 + 1)): "too large",
        "ftp://127.0.0.1/news": "only http:// and https:// links can be fetched",
        web.page("/empty", b"<html><body><script>x()</script></body></html>"): (
            "no article text found in the page"
        ),
    }
    result = run(*opts, "add", *bad, good, "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert [page["url"] for page in report["pages"]] == [good]
    assert {item["url"]: item["error"] for item in report["failed"]}.keys() == bad.keys()
    for url, reason in bad.items():
        [line] = [line for line in result.stderr.splitlines() if url in line]
        assert line.startswith(f"skipped {url}: ") and reason in line
    assert report["index"]["added"] == 1
    assert [p for p in corpus_files(corpus) if p.endswith(".html")] == [
        "web/127.0.0.1/army-awards-contract-for-new-air-defense-radars.html"
    ]


def test_download_refuses_a_redirect_loop_and_a_redirect_out_of_http(web):
    web.redirect("/loop", web.url("/loop"))
    web.redirect("/file", "file:///etc/passwd")
    with pytest.raises(FetchError, match="more than 5 redirects"):
        download(web.url("/loop"))
    with pytest.raises(FetchError, match="not http"):
        download(web.url("/file"))


def feed_body(name: str, web: LocalWebServer) -> bytes:
    return (DATA / "feeds" / name).read_text("utf-8").replace("{base}", web.url("")).encode()


def test_feeds_add_list_and_pull_with_conditional_requests(web, dirs):
    opts, corpus = dirs
    xml = "application/rss+xml"
    rss = web.page("/rss", feed_body("rss.xml", web), content_type=xml, etag='"v1"')
    atom = web.page("/atom", feed_body("atom.xml", web), content_type="application/atom+xml")
    web.routes["/atom"].headers["Last-Modified"] = "Mon, 14 Jun 2021 18:02:00 GMT"
    web.page("/news/su57", RU_PAGE)
    web.redirect("/short/radars", web.page("/land/radars", EN_PAGE))
    for url in (rss, atom):
        assert run(*opts, "feeds", "add", url).returncode == 0
    listed = json.loads(run(*opts, "feeds", "list", "--json").stdout)
    assert [(f["url"], f["title"]) for f in listed] == [
        (rss, "Оборонный вестник"),
        (atom, "Defense News: Land"),
    ]

    result = run(*opts, "feeds", "pull", "--json")
    assert result.returncode == 0, result.stderr
    pulled = json.loads(result.stdout)
    by_feed = {feed["url"]: feed for feed in pulled["feeds"]}
    assert [item["from"] for item in by_feed[rss]["added"]] == ["page", "feed"]
    assert [item["from"] for item in by_feed[atom]["added"]] == ["page"]
    assert by_feed[rss]["failed"] == []
    assert pulled["index"]["added"] == 3
    gone = by_feed[rss]["added"][1]["id"]
    shown = json.loads(run(*opts, "show", gone, "--json").stdout)
    assert (shown["title"], shown["date"]) == (
        "Корвет «Гремящий» вышел на ходовые испытания",
        "2021-03-13",
    )
    assert "Северной верфи" in shown["body"]

    page_hits = web.hits("/news/su57")
    again = run(*opts, "feeds", "pull")
    assert again.returncode == 0, again.stderr
    assert f"{rss} (Оборонный вестник): unchanged, nothing downloaded" in again.stdout
    assert f"{atom} (Defense News: Land): unchanged, nothing downloaded" in again.stdout
    assert web.hits("/news/su57") == page_hits
    last = [headers for path, headers in web.requests if path == "/atom"][-1]
    assert last["If-Modified-Since"] == "Mon, 14 Jun 2021 18:02:00 GMT"


@pytest.mark.parametrize(
    "body, content_type, reason",
    [
        (b"just some words, not XML at all", "text/plain", "not a feed: not RSS or Atom XML"),
        (RU_PAGE, "text/html", "not a feed: not RSS or Atom XML"),
    ],
)
def test_feeds_add_refuses_what_is_not_a_feed(web, dirs, body, content_type, reason):
    opts, corpus = dirs
    url = web.page("/feed", body, content_type=content_type)
    result = run(*opts, "feeds", "add", url)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and reason in result.stderr
    assert json.loads(run(*opts, "feeds", "list", "--json").stdout) == []


def test_a_failing_feed_is_reported_and_the_others_pulled(web, dirs):
    opts, corpus = dirs
    rss = web.page("/rss", feed_body("rss.xml", web), content_type="application/rss+xml")
    web.page("/news/su57", RU_PAGE)
    atom = web.page("/atom", feed_body("atom.xml", web))
    assert run(*opts, "feeds", "add", atom).returncode == 0
    assert run(*opts, "feeds", "add", rss).returncode == 0
    web.routes["/atom"].body = b"<html>gone</html>"
    web.routes["/atom"].content_type = "text/plain"
    result = run(*opts, "feeds", "pull")
    assert result.returncode == 0, result.stderr
    assert f"{atom} (Defense News: Land): failed: not a feed" in result.stdout
    assert f"{rss} (Оборонный вестник): 2 added" in result.stdout


def test_download_error_is_a_document_error():
    assert issubclass(FetchError, DocumentError)


def test_a_second_feeds_command_is_refused_while_one_runs(web, dirs):
    from search.ingest.feeds import _feeds_lock

    opts, corpus = dirs
    rss = web.page("/rss", feed_body("rss.xml", web), content_type="application/rss+xml")
    with _feeds_lock(corpus):
        result = run(*opts, "feeds", "add", rss)
    assert result.returncode == 1 and "another `defsearch feeds` command" in result.stderr
    assert run(*opts, "feeds", "add", rss).returncode == 0
