"""End to end: the real waitress server in a subprocess, driven by headless Chromium."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from processes import running_server

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = os.environ.get("DEFSEARCH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000  # per Playwright action: generous for a loaded CI machine
RU_QUERY = "поставки"


@pytest.fixture(scope="module")
def server(news_index):
    """Run `serve()` on a free port in a subprocess; yield its base URL."""
    with running_server(news_index) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's package (apt-get install "
            "chromium) or set DEFSEARCH_CHROMIUM to the browser's path"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if is_problem(msg) else None)
    page.on("response", lambda r: errors.append(r.url) if is_broken_asset(r) else None)
    yield page
    context.close()
    assert not errors, errors  # no script errors, CSP violations or missing assets on any page


def is_problem(message) -> bool:
    # A page answered with 400 or 404 on purpose is reported by is_broken_asset, not here.
    return message.type == "error" and not message.text.startswith("Failed to load resource")


def is_broken_asset(response) -> bool:
    return response.request.resource_type != "document" and response.status >= 400


def search_from_home(page, server, query: str):
    page.goto(server + "/")
    page.fill("input[name=q]", query)
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/search?**")


def screenshot(page, name: str, full_page: bool = True):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / name, full_page=full_page)


def test_russian_search_shows_highlighted_hits(page, server):
    search_from_home(page, server, RU_QUERY)
    assert page.title() == f"{RU_QUERY} — defsearch"
    assert page.input_value("input[name=q]") == RU_QUERY
    assert page.locator(".result").count() == 10
    marks = page.locator(".snippet mark").all_inner_texts()
    assert {"поставки", "поставок"} <= {m.lower() for m in marks}
    screenshot(page, "results.png")


def test_facet_narrows_then_article_opens_with_marks(page, server):
    search_from_home(page, server, "Азербайджан OR Azerbaijan")
    page.click(".facet a:has-text('English')")
    page.wait_for_url("**lang=en**")
    langs = set(page.locator(".result .lang").all_inner_texts())
    assert langs == {"EN"}
    assert page.locator(".active-filters").inner_text().startswith("English")
    page.locator(".result-title a").first.click()
    page.wait_for_url("**/doc/**")
    assert page.locator(".article-body mark").count() > 0
    page.click(".back a")
    page.wait_for_url("**lang=en**")


def test_second_page_and_slash_focuses_the_box(page, server):
    search_from_home(page, server, RU_QUERY)
    first = page.locator(".result-title a").all_inner_texts()
    page.click(".pagination a[rel=next]")
    page.wait_for_url("**page=2**")
    assert page.locator(".pagination .current").inner_text() == "2"
    second = page.locator(".result-title a").all_inner_texts()
    assert second and not set(first) & set(second)
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.name") == "q"


def test_empty_filters_stay_out_of_the_url(page, server):
    search_from_home(page, server, "Рогозин")
    assert "lang=" not in page.url and "since=" not in page.url


@pytest.mark.parametrize(
    "name, width, scheme",
    [("phone", 390, "light"), ("phone-dark", 390, "dark"), ("dark", 1280, "dark")],
)
def test_layout_fits_phones_and_dark_mode(browser, server, name, width, scheme):
    context = browser.new_context(
        viewport={"width": width, "height": 844}, device_scale_factor=2, color_scheme=scheme
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    for url, shot in [
        (f"{server}/", f"home-{name}.png"),
        (f"{server}/search?q={RU_QUERY}", f"results-{name}.png"),
        (f"{server}/doc/ru_03?q={RU_QUERY}", f"article-{name}.png"),
    ]:
        page.goto(url)
        # Nothing wider than the screen: no sideways scrolling on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert (background == "rgb(251, 251, 250)") == (scheme == "light")
        screenshot(page, shot, full_page=False)
    context.close()


def test_bad_parameters_show_the_error_page(page, server):
    response = page.goto(f"{server}/search?q=arms&page=-1")
    assert response.status == 400
    assert "page must be between" in page.inner_text(".message")
