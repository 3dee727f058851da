"""The web UI through Flask's test client: every page, every endpoint, every error path."""

from __future__ import annotations

import re
import shutil
import socket
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from corpora import NESTED_ID, write_article
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.errors import DefsearchError
from search.request import make_request
from search.service import Engine
from search.sync import sync_index
from web.app import create_app, serve, web_link
from web.params import SearchForm, page_numbers

RU_QUERY = "поставки"  # every Russian test article has a form of it: more than one page


@pytest.fixture(scope="module")
def app(news_index):
    return create_app({"INDEX_DIR": news_index, "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def no_index_client(tmp_path):
    return create_app({"INDEX_DIR": tmp_path / "index", "TESTING": True}).test_client()


def html(response) -> str:
    return response.get_data(as_text=True)


def hrefs(page: str, element: str, css_class: str) -> list[str]:
    """Return the link targets inside every <element class="css_class ..."> of a page."""
    blocks = re.findall(rf'<{element} class="{css_class}\b[^"]*".*?</{element}>', page, re.S)
    links = re.findall(r'href="([^"]+)"', "".join(blocks))
    return [link.replace("&amp;", "&") for link in links]


def result_ids(page: str) -> list[str]:
    return [urlsplit(h).path.removeprefix("/doc/") for h in hrefs(page, "h2", "result-title")]


def args_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


# -- the search page -----------------------------------------------------------------------


def test_home_page_has_query_box_filters_and_syntax_help(client):
    page = html(client.get("/"))
    assert 'name="q"' in page and "autofocus" in page
    for name in ("lang", "source", "since", "until", "sort"):
        assert f'name="{name}"' in page
    assert '"exact phrase"' in page


def test_home_page_without_index_says_how_to_build_one(no_index_client):
    response = no_index_client.get("/")
    assert response.status_code == 503
    assert "defsearch index" in html(response)


def test_empty_query_goes_back_to_the_search_page(client):
    response = client.get("/search?q=+&lang=ru")
    assert response.status_code == 302
    assert response.headers["Location"] == "/?lang=ru"


# -- results -------------------------------------------------------------------------------


def test_query_stays_in_the_box_and_in_the_title(client):
    page = html(client.get("/search", query_string={"q": "Ми-35М"}))
    assert 'value="Ми-35М"' in page
    assert "<title>Ми-35М — defsearch</title>" in page


def test_russian_query_marks_inflected_forms(client):
    page = html(client.get("/search", query_string={"q": RU_QUERY}))
    marked = {m.lower() for m in re.findall(r"<mark>(.*?)</mark>", page)}
    assert {"поставки", "поставок"} <= marked


def test_english_query_finds_other_forms(client):
    page = html(client.get("/search", query_string={"q": "deliveries"}))
    assert "<mark>delivered</mark>" in page.replace("<mark>Delivered</mark>", "")


def test_results_show_total_time_and_the_next_page(client):
    page = html(client.get("/search", query_string={"q": RU_QUERY}))
    total = int(re.search(r"<strong>(\d+)</strong> results", page).group(1))
    assert total >= len(result_ids(page)) == 10
    assert re.search(r"\(\d+(\.\d)? ms\)", page)
    next_link = re.search(r'rel="next" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert args_of(next_link) == {"q": RU_QUERY, "page": "2"}


def test_page_two_continues_page_one(client):
    first = result_ids(html(client.get("/search", query_string={"q": RU_QUERY})))
    second = result_ids(html(client.get("/search", query_string={"q": RU_QUERY, "page": 2})))
    assert second and not set(first) & set(second)


def test_result_links_to_the_article_with_the_query(client):
    page = html(client.get("/search", query_string={"q": "Рогозин"}))
    link = hrefs(page, "h2", "result-title")[0]
    assert urlsplit(link).path == "/doc/001_e6ec49ea94417d5f"
    assert args_of(link) == {"q": "Рогозин"}


def test_nested_ids_link_with_their_slashes(client):
    page = html(client.get("/search", query_string={"q": "Каспийского"}))
    assert NESTED_ID in result_ids(page)


def test_language_facet_narrows_the_search(client):
    page = html(client.get("/search", query_string={"q": "Азербайджан OR Azerbaijan"}))
    facet_links = {args_of(h).get("lang"): h for h in hrefs(page, "aside", "facets")}
    assert {"ru", "en"} <= set(facet_links)
    narrowed = html(client.get(facet_links["en"]))
    assert 'class="lang" title="English"' in narrowed
    assert 'class="lang" title="Russian"' not in narrowed
    assert "English <span aria-hidden" in narrowed  # the active filter can be removed


def test_source_and_year_facets_narrow_the_search(client):
    page = html(client.get("/search", query_string={"q": RU_QUERY}))
    links = hrefs(page, "aside", "facets")
    tass = next(h for h in links if args_of(h).get("source") == "ТАСС")
    assert "<time" in html(client.get(tass))
    year = next(h for h in links if args_of(h).get("since") == "2020-01-01")
    assert args_of(year)["until"] == "2020-12-31"
    narrowed = html(client.get(year))
    assert re.findall(r'datetime="(\d{4})', narrowed) and {
        y for y in re.findall(r'datetime="(\d{4})', narrowed)
    } == {"2020"}


def test_results_link_to_the_original_url(client):
    page = html(client.get("/search", query_string={"q": RU_QUERY}))
    assert 'href="https://example.org/ru/' in page


def test_sort_by_date_puts_newest_first(client):
    page = html(client.get("/search", query_string={"q": RU_QUERY, "sort": "date"}))
    dates = re.findall(r'<time datetime="([\d-]+)"', page)
    assert dates == sorted(dates, reverse=True) and len(dates) == 10


def test_zero_hits_page_says_so_and_suggests_what_to_try(client):
    page = html(client.get("/search", query_string={"q": "кукуруза"}))
    assert "Nothing matched" in page and "OR" in page


def test_zero_hits_with_filters_offers_the_unfiltered_search(client):
    page = html(client.get("/search", query_string={"q": "бронежилетов", "lang": "en"}))
    assert "Search without the filters" in page


def test_a_page_past_the_end_links_back(client):
    page = html(client.get("/search", query_string={"q": "Рогозин", "page": 7}))
    assert "past the last page" in page and "Go to page 1" in page


def test_unbalanced_quote_gives_a_page_not_an_error(client):
    response = client.get("/search", query_string={"q": '"военно-техническое сотрудничество'})
    assert response.status_code in (200, 400)
    assert "<html" in html(response)


# -- errors --------------------------------------------------------------------------------

BAD_PARAMS = [
    {"q": "arms", "page": "-1"},
    {"q": "arms", "page": "0"},
    {"q": "arms", "page": "two"},
    {"q": "arms", "limit": "abc"},
    {"q": "arms", "limit": "100000"},
    {"q": "arms", "since": "notadate"},
    {"q": "arms", "until": "2020-13-45"},
    {"q": "arms", "since": "2021-01-01", "until": "2020-01-01"},
    {"q": "arms", "lang": "de"},
    {"q": "arms", "sort": "random"},
    {"q": "a" * 5000},
]


@pytest.mark.parametrize("query", ["OR", "the", "после"])
def test_a_query_of_stop_words_shows_a_notice_not_an_error(client, query):
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    assert "no searchable words" in html(response) and "Nothing matched" not in html(response)
    data = client.get("/api/search", query_string={"q": query}).get_json()
    assert data["total"] == 0 and "no searchable words" in data["notice"]


def test_the_page_says_how_many_stories_and_articles_matched(tmp_path):
    shutil.copytree(Path(__file__).parent / "data" / "stories", tmp_path / "corpus")
    sync_index(tmp_path / "corpus", tmp_path / "index")
    client = create_app({"INDEX_DIR": tmp_path / "index", "TESTING": True}).test_client()
    data = client.get("/api/search", query_string={"q": "Murted"}).get_json()
    assert (data["total"], data["stories"], data["articles"]) == (1, 1, 2)
    page = html(client.get("/search", query_string={"q": "Murted"}))
    assert "<strong>1</strong> story" in page and "2 articles" in page
    flat = client.get("/api/search", query_string={"q": "Murted", "flat": "1"}).get_json()
    assert (flat["total"], flat["stories"], flat["articles"]) == (2, None, 2)


@pytest.mark.parametrize(
    "params", BAD_PARAMS, ids=lambda p: "&".join(f"{k}={v[:12]}" for k, v in p.items())
)
def test_bad_parameters_give_a_helpful_400_page(client, params):
    response = client.get("/search", query_string=params)
    assert response.status_code == 400
    page = html(response)
    assert "That search cannot be run" in page
    assert 'name="q"' in page  # the form is there to fix the search


@pytest.mark.parametrize(
    "params", BAD_PARAMS, ids=lambda p: "&".join(f"{k}={v[:12]}" for k, v in p.items())
)
def test_bad_parameters_give_a_json_400(client, params):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 400
    assert set(response.get_json()) == {"error"}


def test_the_error_message_names_the_problem(client):
    page = html(client.get("/search?q=arms&since=notadate"))
    assert "YYYY-MM-DD" in page and "notadate" in page


def test_api_needs_a_query(client):
    response = client.get("/api/search")
    assert response.status_code == 400
    assert "empty" in response.get_json()["error"]


def test_unknown_url_is_a_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "<html" in html(response)


def test_unknown_api_url_is_a_json_404(client):
    response = client.get("/api/nothing")
    assert response.status_code == 404 and "error" in response.get_json()


def test_wrong_method_is_a_405(client):
    assert client.post("/search", data={"q": "arms"}).status_code == 405


def test_unexpected_errors_render_a_clean_page(app, monkeypatch):
    def broken(self, request):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(Engine, "search", broken)
    client = app.test_client()
    page_response = client.get("/search?q=arms")
    api_response = client.get("/api/search?q=arms")
    assert page_response.status_code == api_response.status_code == 500
    assert "Something went wrong" in html(page_response)
    assert "secret internals" not in html(page_response) + html(api_response)
    assert "Traceback" not in html(page_response)


def test_search_without_index_says_how_to_build_one(no_index_client):
    response = no_index_client.get("/search?q=arms")
    assert response.status_code == 503 and "defsearch index" in html(response)
    assert no_index_client.get("/api/search?q=arms").status_code == 503


# -- articles ------------------------------------------------------------------------------


def test_article_page_shows_the_whole_cleaned_text(client, news_index):
    doc = Engine(news_index).document("001_e6ec49ea94417d5f")
    page = html(client.get("/doc/001_e6ec49ea94417d5f"))
    last_words = doc["body"].split()[-3:]
    assert " ".join(last_words) in " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "<mark>" not in page


def test_article_page_marks_the_query_when_reached_from_a_search(client):
    page = html(client.get("/doc/001_e6ec49ea94417d5f", query_string={"q": "Рогозин"}))
    assert "<mark>Рогозиным</mark>" in page and "<mark>Рогозин</mark>" in page
    assert "Results for <q>Рогозин</q>" in page


def test_article_page_splits_paragraphs(client):
    page = html(client.get("/doc/ru_00"))
    assert page.count("<p>") >= 3


def test_article_page_with_a_nested_id(client):
    response = client.get(f"/doc/{NESTED_ID}")
    assert response.status_code == 200 and "Каспийского" in html(response)


def test_article_page_with_an_unparsable_query_still_renders(client):
    response = client.get("/doc/ru_00", query_string={"q": "OR"})
    assert response.status_code == 200 and "<mark>" not in html(response)


def test_unknown_article_is_a_404_page(client):
    response = client.get("/doc/no-such-article", query_string={"q": "arms"})
    assert response.status_code == 404
    assert "No such article" in html(response)


@pytest.mark.parametrize(
    "path",
    [
        "/doc/../../etc/passwd",
        "/doc/%2e%2e/%2e%2e/etc/passwd",
        "/doc//etc/passwd",
        "/doc/..%2fsetup.cfg",
    ],
)
def test_article_ids_never_reach_files(client, path):
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 404
    assert "root:" not in html(response) and "[metadata]" not in html(response)


# -- escaping ------------------------------------------------------------------------------


def test_article_markup_is_escaped_in_results(client):
    page = html(client.get("/search", query_string={"q": "alert"}))
    assert "<script>" not in page
    assert "&lt;script&gt;" in page and "&lt;/script&gt;" in page


def test_article_markup_is_escaped_on_the_article_page(client):
    for query in ({}, {"q": "alert radars"}):
        page = html(client.get("/doc/xss", query_string=query))
        assert "<script>" not in page and "&lt;script&gt;" in page


def test_query_markup_is_escaped_everywhere(client):
    query = '"><script>alert(1)</script> radars'
    for url in ("/search", "/doc/xss", "/"):
        page = html(client.get(url, query_string={"q": query}))
        assert "<script>alert(1)" not in page


def test_error_pages_escape_what_they_show(client):
    page = html(client.get("/search", query_string={"q": "arms", "since": "<script>x</script>"}))
    assert "<script>x" not in page


def test_sidecar_markup_is_escaped(client):
    page = html(client.get("/doc/xss"))
    assert "Evil &lt;b&gt;Wire&lt;/b&gt;" in page


def test_only_web_urls_become_links():
    assert web_link("https://tass.ru/a") == "https://tass.ru/a"
    assert [web_link(u) for u in ("javascript:alert(1)", "JaVaScRiPt:x", "data:x", "", None)] == [
        None
    ] * 5


def test_pages_load_nothing_from_elsewhere_and_send_a_strict_policy(client):
    response = client.get("/search", query_string={"q": RU_QUERY})
    assert not re.search(r'(?:src|href)="(?:https?:)?//(?!example\.)', html(response))
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_static_assets_are_served(client):
    for name in ("style.css", "app.js", "favicon.svg"):
        with client.get(f"/static/{name}") as response:
            assert response.status_code == 200


# -- JSON ----------------------------------------------------------------------------------


def test_api_search_is_the_engine_result_unchanged(client, news_index):
    params = {"q": RU_QUERY, "page": "2", "limit": "5", "lang": "ru", "sort": "date"}
    expected = Engine(news_index).search(make_request(params.pop("q"), **params)).to_dict()
    assert client.get("/api/search", query_string={"q": RU_QUERY, **params}).get_json() == expected


def test_api_search_keeps_cyrillic_and_key_order(client):
    response = client.get("/api/search", query_string={"q": "Рогозин"})
    assert "Рогозин" in html(response)
    assert list(response.get_json()) == [
        "query",
        "total",
        "articles",
        "stories",
        "page",
        "limit",
        "pages",
        "results",
        "suggestion",
        "notice",
        "histogram",
        "facets",
    ]


def test_api_doc_is_the_show_json_record(client, news_index):
    data = client.get(f"/api/doc/{NESTED_ID}").get_json()
    assert data == Engine(news_index).document(NESTED_ID)
    assert list(data) == [
        "id",
        "title",
        "source",
        "date",
        "url",
        "lang",
        "path",
        "body",
        "provenance",
        "related",
    ]
    assert data["provenance"] == {  # write_article's sidecar sets the title too
        "title": "sidecar",
        "date": "sidecar",
        "source": "sidecar",
        "lang": "sidecar",
    }


def test_an_id_with_dots_inside_opens_as_a_page_and_as_json(tmp_path):
    doc_id = "brexit_ru.txt_file_1012"
    write_article(
        tmp_path / "corpus", doc_id, "Учения ПВО", "МОСКВА, 10 авг - РИА Новости. Учения."
    )
    assert not sync_index(tmp_path / "corpus", tmp_path / "index").failed
    client = create_app({"INDEX_DIR": tmp_path / "index", "TESTING": True}).test_client()
    assert client.get(f"/doc/{doc_id}").status_code == 200
    data = client.get(f"/api/doc/{doc_id}").get_json()
    assert (data["id"], data["source"], data["provenance"]["source"]) == (
        doc_id,
        "РИА Новости",
        "dateline",
    )


def test_api_doc_unknown_is_a_json_404(client):
    response = client.get("/api/doc/../setup")
    assert response.status_code == 404 and "error" in response.get_json()


def test_healthz_reports_the_document_count(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "documents": 31}


def test_healthz_without_index_is_503_with_the_reason(no_index_client):
    response = no_index_client.get("/healthz")
    assert response.status_code == 503
    assert "defsearch index" in response.get_json()["error"]


def test_healthz_with_a_damaged_index_is_503(tmp_path):
    (tmp_path / "CURRENT").write_text("../../etc\n")
    client = create_app({"INDEX_DIR": tmp_path, "TESTING": True}).test_client()
    response = client.get("/healthz")
    assert response.status_code == 503 and "--rebuild" in response.get_json()["error"]


# -- a live index --------------------------------------------------------------------------


def test_new_articles_appear_without_a_restart(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write_article(corpus, "first", "Фрегат спущен на воду", "Новый фрегат спущен на воду.")
    sync_index(corpus, index)
    client = create_app({"INDEX_DIR": index, "TESTING": True}).test_client()
    assert result_ids(html(client.get("/search?q=фрегат"))) == ["first"]
    write_article(corpus, "second", "Второй фрегат заложен", "Заложен второй фрегат серии.")
    sync_index(corpus, index)
    assert sorted(result_ids(html(client.get("/search?q=фрегат")))) == ["first", "second"]
    sync_index(corpus, index, rebuild=True)
    assert client.get("/api/search?q=фрегат").get_json()["total"] == 2


def test_searches_keep_working_while_the_index_is_synced_and_rebuilt(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write_article(corpus, "base", "Фрегат спущен на воду", "Новый фрегат спущен на воду.")
    sync_index(corpus, index)
    app = create_app({"INDEX_DIR": index, "TESTING": True})
    statuses: list[int] = []
    done = threading.Event()

    def keep_searching():
        client = app.test_client()
        while not done.is_set():
            statuses.append(client.get("/search?q=фрегат").status_code)

    threads = [threading.Thread(target=keep_searching) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        for i in range(3):
            write_article(corpus, f"more_{i}", f"Фрегат номер {i}", "Ещё один фрегат.")
            sync_index(corpus, index, rebuild=i == 1)
    finally:
        done.set()
        for thread in threads:
            thread.join()
    assert statuses and set(statuses) == {200}
    assert app.test_client().get("/api/search?q=фрегат").get_json()["total"] == 4


def test_serve_on_a_busy_port_is_a_one_line_error(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(DefsearchError, match="cannot listen on 127.0.0.1:"):
            serve(tmp_path, port=busy.getsockname()[1])


# -- never a 500 ---------------------------------------------------------------------------

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=text, page=text, limit=text, lang=text, since=text, sort=text)
def test_no_input_gives_a_server_error(client, q, page, limit, lang, since, sort):
    params = {"q": q, "page": page, "limit": limit, "lang": lang, "since": since, "sort": sort}
    assert client.get("/search", query_string=params).status_code < 500
    assert client.get("/api/search", query_string=params).status_code < 500


# -- form helpers --------------------------------------------------------------------------


def test_form_links_keep_filters_and_restart_at_page_one():
    form = SearchForm.from_args({"q": "С-400", "lang": "ru", "page": "3", "junk": "x"})
    assert form.args(source="ТАСС") == {"q": "С-400", "lang": "ru", "source": "ТАСС"}
    assert form.args(page=4) == {"q": "С-400", "lang": "ru", "page": "4"}


def test_page_numbers_show_the_ends_and_a_window():
    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 3) == [1, 2, 3]
    assert page_numbers(10, 20) == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert page_numbers(4, 5) == [1, 2, 3, 4, 5]


def test_exact_names_toggle_turns_name_matching_off(client):
    # The shipped article 003 writes «Shoigu» and «Shoygu»; nothing writes «Шойгу».
    loose = client.get("/api/search", query_string={"q": "Шойгу"}).get_json()
    exact = client.get("/api/search", query_string={"q": "Шойгу", "exact": "1"}).get_json()
    assert "003_1333d49264e5efcb" in [hit["id"] for hit in loose["results"]]
    assert exact["total"] == 0
    page = client.get("/search", query_string={"q": "Shoygu", "exact": "1"}).get_data(True)
    assert 'name="exact" value="1" checked' in page


def test_both_languages_toggle_adds_the_other_language(client):
    plain = client.get("/api/search", query_string={"q": "helicopters"}).get_json()
    both = client.get("/api/search", query_string={"q": "helicopters", "both": "1"}).get_json()
    assert {hit["lang"] for hit in plain["results"]} == {"en"}
    assert {hit["lang"] for hit in both["results"]} == {"en", "ru"}


def test_story_hits_show_the_other_outlets_and_the_flat_toggle_lists_them(tmp_path):
    data = Path(__file__).parent / "data" / "stories"
    shutil.copytree(data, tmp_path / "corpus")
    sync_index(tmp_path / "corpus", tmp_path / "index")
    client = create_app({"INDEX_DIR": tmp_path / "index", "TESTING": True}).test_client()
    grouped = html(client.get("/search", query_string={"q": "Murted"}))
    assert grouped.count('class="result"') == 1 and 'class="also"' in grouped
    assert "Reuters" in grouped and "ТАСС" not in grouped  # Мюртед is another name key
    flat = html(client.get("/search", query_string={"q": "Murted", "flat": "1"}))
    assert flat.count('class="result"') == 2 and 'class="also"' not in flat


def test_zero_hits_page_offers_the_suggestion(client):
    page = html(client.get("/search", query_string={"q": "Rogozn"}))
    assert "Did you mean" in page and "Rogozin" in page
    link = re.search(r'class="suggestion">Did you mean\s*<a href="([^"]+)"', page).group(1)
    assert args_of(link.replace("&amp;", "&"))["q"] == "Rogozin"


def test_article_page_lists_related_articles(client):
    page = html(client.get("/doc/000_219e968d6b8b0e1f"))
    assert 'class="related"' in page and "shares" in page
