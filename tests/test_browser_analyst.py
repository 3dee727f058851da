"""The timeline, saved-search pages and accessibility in the real browser: the real server
in a subprocess, Debian's Chromium driven by Playwright, axe-core run inside the pages."""

from __future__ import annotations

import shutil
from urllib.parse import parse_qs, urlsplit

import pytest
from corpora import write_article
from processes import running_server
from test_browser import RU_QUERY, browser, page, screenshot  # noqa: F401 (fixtures)

from search.sync import sync_index
from search.watches import Watch, WatchList

SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="module")
def server(news_index, tmp_path_factory):
    """A copy of the test index with a saved search and a new article it matched."""
    root = tmp_path_factory.mktemp("browser-watch")
    index = root / "index"
    shutil.copytree(news_index, index)
    corpus = root / "corpus"
    watches = WatchList(index)
    watches.add(Watch("s400", "С-400 OR S-400"))
    write_article(
        corpus,
        "turkey",
        "Турция получила вторую партию С-400",
        "Анкара получила вторую партию зенитных ракетных систем С-400 от России.",
        {"date": "2021-03-04", "lang": "ru", "source": "ТАСС"},
    )
    # Sync a corpus of one article into a copy: every other article leaves the copy, which
    # is fine for pages about saved searches; searches use the other tests' index.
    sync_index(corpus, index)
    with running_server(index) as url:
        yield url


@pytest.fixture(scope="module")
def search_server(news_index):
    with running_server(news_index) as url:
        yield url


def axe_violations(tab) -> list[str]:
    """Run axe-core (as shipped in axe-playwright-python) in the page; return the serious
    and critical violations, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(tab)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


def test_a_click_on_a_timeline_bar_narrows_the_search(page, search_server):  # noqa: F811
    page.goto(f"{search_server}/search?q={RU_QUERY}")
    bars = page.locator(".timeline a.bar")
    assert bars.count() >= 3
    total = int(page.locator("#summary strong").inner_text())
    bar = bars.first
    period, label = bar.get_attribute("data-period"), bar.get_attribute("aria-label")
    count = int(label.split(": ")[1].split()[0])
    screenshot(page, "timeline.png", full_page=False)
    bar.click()
    page.wait_for_url("**since=**")
    args = {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}
    assert args["since"].startswith(period) and args["until"].startswith(period)
    assert page.locator(".result").count() == count < total
    assert all(d.startswith(period) for d in page.locator(".result time").all_inner_texts())
    assert page.locator(".timeline a.bar").count() == 1  # now per day: the one day
    screenshot(page, "timeline-narrowed.png", full_page=False)


def test_the_timeline_works_from_the_keyboard(page, search_server):  # noqa: F811
    page.goto(f"{search_server}/search?q={RU_QUERY}")
    first_bar = page.locator(".timeline a.bar").first.get_attribute("href")
    for _ in range(30):  # Tab through the form until a bar of the timeline has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.timeline') !== null"):
            break
    else:
        pytest.fail("no timeline bar is reachable with Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == first_bar
    page.keyboard.press("Enter")
    page.wait_for_url("**since=**")


def test_watch_this_search_opens_from_the_keyboard(page, search_server):  # noqa: F811
    page.goto(f"{search_server}/search?q={RU_QUERY}")
    page.focus(".watch-hint summary")
    page.keyboard.press("Enter")
    assert page.locator(".watch-hint pre").is_visible()
    assert "defsearch watch add NAME" in page.locator(".watch-hint pre").inner_text()


def test_watch_pages_mark_unseen_and_link_through(page, server):  # noqa: F811
    page.goto(f"{server}/watch")
    assert page.locator("table.watches td strong").inner_text() == "1"
    page.click("text=s400")
    page.wait_for_url("**/watch/s400")
    assert page.locator(".result.unseen .new-badge").count() == 1
    screenshot(page, "watch.png", full_page=False)
    page.click(".result-title a")
    page.wait_for_url("**/doc/turkey**")


@pytest.mark.parametrize(
    "path, where",
    [
        (f"/search?q={RU_QUERY}", "search"),
        ("/search?q=Azerbaijan&lang=en", "search"),
        (f"/doc/ru_03?q={RU_QUERY}", "search"),
        ("/watch", "watch"),
        ("/watch/s400", "watch"),
    ],
)
def test_pages_pass_axe_core(page, server, search_server, path, where):  # noqa: F811
    page.goto((search_server if where == "search" else server) + path)
    assert axe_violations(page) == []
