"""Export of every hit, the timeline of a search, and batch search of a list of queries."""

from __future__ import annotations

import csv
import io
import json

import pytest
from test_cli import run

from search.request import make_request
from search.service import Engine
from search.timeline import histogram, period_range

RU_QUERY = "поставки"  # 14 Russian test articles, each a story of its own


@pytest.fixture(scope="module")
def opts(news_index):
    return ["--index", str(news_index)]


def test_csv_export_holds_every_hit_as_plain_text(opts):
    result = run(*opts, "search", RU_QUERY, "--format", "csv", "--all")
    assert result.returncode == 0
    assert not result.stdout.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 14  # past the first page of ten
    assert list(rows[0]) == ["id", "title", "source", "date", "url", "lang", "score", "snippet"]
    assert all("<mark>" not in row["snippet"] and row["snippet"] for row in rows)
    assert any("поставки" in row["snippet"] for row in rows)


def test_csv_export_without_all_is_one_page(opts):
    result = run(*opts, "search", RU_QUERY, "--format", "csv", "--limit", "3")
    assert len(list(csv.DictReader(io.StringIO(result.stdout)))) == 3


def test_jsonl_export_is_one_object_per_line(opts):
    lines = run(*opts, "search", "deliveries", "--format", "jsonl", "--all").stdout.splitlines()
    hits = [json.loads(line) for line in lines]
    assert hits and all(hit["lang"] == "en" and "<" not in hit["snippet"] for hit in hits)


def test_all_is_refused_without_an_export_format(opts):
    result = run(*opts, "search", RU_QUERY, "--all")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1


def test_histogram_counts_months_and_fills_gaps():
    days = {"2021-01-05": 1, "2021-01-20": 2, "2021-04-30": 1}
    assert histogram(days) == [
        {"period": "2021-01", "count": 3},
        {"period": "2021-02", "count": 0},
        {"period": "2021-03", "count": 0},
        {"period": "2021-04", "count": 1},
    ]


def test_histogram_counts_days_within_three_months():
    assert histogram({"2021-03-01": 2, "2021-03-03": 1}) == [
        {"period": "2021-03-01", "count": 2},
        {"period": "2021-03-02", "count": 0},
        {"period": "2021-03-03", "count": 1},
    ]


def test_histogram_of_decades_counts_years_and_of_nothing_is_empty():
    assert [p["period"] for p in histogram({"1990-05-01": 1, "2021-01-01": 1})][:2] == [
        "1990",
        "1991",
    ]
    assert histogram({}) == []


@pytest.mark.parametrize(
    "period, days",
    [
        ("2021-02", ("2021-02-01", "2021-02-28")),
        ("2024-02", ("2024-02-01", "2024-02-29")),
        ("2021-03-04", ("2021-03-04", "2021-03-04")),
        ("2021", ("2021-01-01", "2021-12-31")),
    ],
)
def test_a_period_is_a_range_of_days(period, days):
    assert period_range(period) == days


def test_search_json_has_the_histogram_of_every_match(news_index):
    engine = Engine(news_index)
    data = engine.search(make_request(RU_QUERY, group=False)).to_dict()
    assert sum(bar["count"] for bar in data["histogram"]) == data["total"] == 14
    first = data["histogram"][0]
    assert first == {"period": "2019-01", "count": 1}
    since, until = period_range(first["period"])
    narrowed = engine.search(make_request(RU_QUERY, since=since, until=until))
    assert narrowed.total == first["count"]
    assert narrowed.to_dict()["histogram"] == [{"period": "2019-01-10", "count": 1}]


def test_batch_reports_each_line_and_the_bad_ones(opts, tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("# a watch list\nРогозин\n\n!!!\nпоставки\n", encoding="utf-8")
    result = run(*opts, "batch", str(names), "--lang", "ru")
    assert result.returncode == 1
    assert result.stderr.strip().startswith("defsearch: line 4: the query has no searchable words")
    assert len(result.stderr.strip().splitlines()) == 1
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["line"], r["query"]) for r in rows] == [
        ("2", "Рогозин"),
        ("4", "!!!"),
        ("5", "поставки"),
    ]
    assert (rows[2]["articles"], rows[2]["stories"]) == ("14", "14")
    assert rows[2]["first"] == "2019-01-10" and rows[2]["top"].count(" | ") == 2


def test_batch_json_and_filters(opts, tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("поставки\nRogozin\n", encoding="utf-8")
    result = run(*opts, "batch", str(names), "--format", "json", "--since", "2021-01-01")
    assert result.returncode == 0
    first, second = json.loads(result.stdout)
    assert first["first"] >= "2021-01-01" and len(first["top"]) == 3
    assert second["query"] == "Rogozin" and second["error"] is None
    bad = run(*opts, "batch", str(names), "--since", "yesterday")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
