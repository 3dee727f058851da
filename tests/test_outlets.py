"""Outlets from links and credits (search.ingest.outlets, search/data/outlets.tsv)."""

import pytest

from search.ingest.outlets import OutletTable, known_outlet, outlet_for_url, table


@pytest.mark.parametrize(
    ("url", "outlet"),
    [
        ("https://tass.ru/armiya-i-opk/6890123", "ТАСС"),
        ("https://ria.ru/20190810/1557366398.html", "РИА Новости"),
        ("https://www.gazeta.ru/news/2008/11/21/n_1298950.shtml", "Газета.Ru"),
        ("https://russian.rt.com/russia/news/644595", "RT на русском"),  # longest domain wins
        ("https://www.rt.com/news/1/", "RT"),
        ("http://www.bbc.co.uk/news/world-1", "BBC News"),
        ("https://www.defensenews.com/land/2021/03/12/x/", "Defense News"),
        ("https://kabar.kg/news/1", "Кабар"),
        ("https://news.example.co.uk/a/b", "example.co.uk"),  # unlisted: registered domain
        ("https://www.some-regional-paper.com.ua/x", "some-regional-paper.com.ua"),
    ],
)
def test_outlet_for_url(url, outlet):
    assert outlet_for_url(url) == outlet


@pytest.mark.parametrize("url", [None, "", "http://localhost/x", "http://127.0.0.1/a", "not a url"])
def test_links_without_an_outlet(url):
    assert outlet_for_url(url) is None


@pytest.mark.parametrize(
    ("name", "outlet"),
    [
        ("Reuter", "Reuters"),
        ("REUTER", "Reuters"),
        ("ИТАР-ТАСС", "ТАСС"),
        ("INTERFAX.RU", "Интерфакс"),
        ("РИА «Новости»", "РИА Новости"),
        ("Associated Press", "AP"),
        ("Президент", None),
        ("", None),
    ],
)
def test_known_outlet_spells_names_as_the_table_does(name, outlet):
    assert known_outlet(name) == outlet


def test_the_table_lists_the_outlets_analysts_read():
    names = set(table().by_domain.values())
    assert len(table().by_domain) >= 200
    wanted = {"Kazinform", "БелТА", "Trend", "APA", "Armenpress", "Кабар", "Укринформ", "УНИАН"}
    wanted |= {"Defense News", "Janes", "Breaking Defense", "Army Recognition", "Звезда"}
    wanted |= {"Военное обозрение", "Красная звезда", "Reuters", "AP", "AFP", "BBC News"}
    assert wanted <= names


def test_a_malformed_table_line_is_refused():
    with pytest.raises(ValueError, match="line 2"):
        OutletTable("# comment\nexample.com\n")
