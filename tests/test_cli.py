"""The defsearch command end to end, through the installed console script."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "corpus"
DEFSEARCH = Path(sys.executable).with_name("defsearch")


def run(*args, env_extra=None, cwd=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEFSEARCH_")}
    env.update(env_extra or {})
    result = subprocess.run(
        [str(DEFSEARCH), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.fixture
def dirs(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in SHIPPED.glob("*.txt"):
        (corpus / path.name).write_bytes(path.read_bytes())
    return ["--corpus", str(corpus), "--index", str(tmp_path / "index")], corpus


def test_console_script_is_installed():
    assert DEFSEARCH.exists(), "run `pip install -e .` so the defsearch script exists"


def test_index_reports_counts_and_syncs_incrementally(dirs):
    opts, corpus = dirs
    first = run(*opts, "index", "--json")
    assert first.returncode == 0
    assert json.loads(first.stdout) == {
        "added": 5,
        "updated": 0,
        "removed": 0,
        "unchanged": 0,
        "failed": [],
        "watches": {},
    }
    (corpus / "000_219e968d6b8b0e1f.txt").unlink()
    with (corpus / "002_7342f1c551cf0f21.txt").open("a") as f:
        f.write("\nAn added paragraph about helicopters.\n")
    second = json.loads(run(*opts, "index", "--json").stdout)
    assert (second["added"], second["updated"], second["removed"], second["unchanged"]) == (
        0,
        1,
        1,
        3,
    )


def test_bad_files_are_listed_and_the_rest_indexed(dirs):
    opts, corpus = dirs
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 4)
    result = run(*opts, "index", "--json")
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert report["added"] == 5
    failed = {Path(item["path"]).name for item in report["failed"]}
    assert failed == {"empty.txt", "binary.txt"}
    assert "empty.txt" in result.stderr and "binary.txt" in result.stderr


def test_search_json_contract(dirs):
    opts, _ = dirs
    run(*opts, "index")
    result = run(*opts, "search", "arms supply", "--json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["query"] == "arms supply" and data["page"] == 1
    assert data["results"][0]["id"] == "000_219e968d6b8b0e1f"
    keys = {"id", "title", "source", "date", "url", "lang", "score", "snippet", "also", "partial"}
    assert keys == set(data["results"][0])
    assert {"total", "articles", "stories", "notice", "suggestion"} <= set(data)


def test_russian_search_highlights_inflected_forms(dirs):
    opts, _ = dirs
    run(*opts, "index")
    data = json.loads(run(*opts, "search", "закупки вооружения", "--json").stdout)
    full = [hit["id"] for hit in data["results"] if not hit["partial"]]
    assert full == ["001_e6ec49ea94417d5f"] == [data["results"][0]["id"]]
    snippet = data["results"][0]["snippet"]
    assert "<mark>закупок</mark>" in snippet and "<mark>вооружения</mark>" in snippet


def test_human_output_is_plain_text_without_tags(dirs):
    opts, _ = dirs
    run(*opts, "index")
    result = run(*opts, "search", "Rogozin")
    assert result.returncode == 0
    assert "000_219e968d6b8b0e1f" in result.stdout and "<mark>" not in result.stdout
    assert "\x1b[" not in result.stdout  # no colour when not on a terminal


def test_zero_hits_is_success(dirs):
    opts, _ = dirs
    run(*opts, "index")
    result = run(*opts, "search", "submarine", "--json")
    assert result.returncode == 0 and json.loads(result.stdout)["total"] == 0


@pytest.mark.parametrize("query", ["the", "после", "which и"])
def test_a_query_of_stop_words_finds_nothing_with_a_notice(dirs, query):
    opts, _ = dirs
    run(*opts, "index")
    result = run(*opts, "search", query, "--json")
    data = json.loads(result.stdout)
    assert result.returncode == 0 and data["total"] == 0 and "stop" not in result.stderr
    assert "no searchable words" in data["notice"]


def test_a_query_may_start_with_a_minus(dirs):
    opts, _ = dirs
    run(*opts, "index")
    result = run(*opts, "search", "-Armenia Rogozin", "--json")
    assert result.returncode == 0, result.stderr
    assert "000_219e968d6b8b0e1f" in {hit["id"] for hit in json.loads(result.stdout)["results"]}
    assert run(*opts, "search", "-Rogozin Rogozin", "--json").stdout.count('"id"') == 0


def test_an_unknown_option_after_the_query_is_still_an_error(dirs):
    opts, _ = dirs
    run(*opts, "index")
    assert run(*opts, "search", "arms", "--limt", "5").returncode == 2


@pytest.mark.parametrize(
    "args",
    [
        ["search", ""],
        ["search", "arms", "--since", "2019-13-45"],
        ["search", "arms", "--lang", "de"],
        ["search", "arms", "--limit", "0"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2_with_one_line(dirs, args):
    opts, _ = dirs
    run(*opts, "index")
    result = run(*opts, *args)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_search_before_any_index_says_how_to_build_one(dirs):
    opts, _ = dirs
    result = run(*opts, "search", "arms")
    assert result.returncode == 1
    assert "defsearch index" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_show_json_record(dirs):
    opts, _ = dirs
    run(*opts, "index")
    record = json.loads(run(*opts, "show", "004_9f58cf50519153e2", "--json").stdout)
    assert set(record) == {
        "id",
        "title",
        "source",
        "date",
        "url",
        "lang",
        "path",
        "body",
        "related",
        "provenance",
    }
    assert record["path"] == "004_9f58cf50519153e2.txt" and record["lang"] == "en"
    assert record["provenance"]["title"] == "headline" and record["provenance"]["lang"] == "text"
    missing = run(*opts, "show", "no-such-id")
    assert missing.returncode == 1 and "no-such-id" in missing.stderr


def test_stats_json(dirs):
    opts, _ = dirs
    run(*opts, "index")
    stats = json.loads(run(*opts, "stats", "--json").stdout)
    assert stats["documents"] == 5 and stats["languages"] == {"en": 4, "ru": 1}
    assert stats["index_bytes"] > 0 and stats["last_sync"]


def test_environment_variables_set_the_folders(dirs, tmp_path):
    opts, corpus = dirs
    env = {"DEFSEARCH_CORPUS": str(corpus), "DEFSEARCH_INDEX": str(tmp_path / "envindex")}
    assert run("index", env_extra=env).returncode == 0
    assert (tmp_path / "envindex" / "CURRENT").exists()


def test_python_dash_m_search_is_the_same_tool(dirs):
    opts, _ = dirs
    result = subprocess.run(
        [sys.executable, "-m", "search", *opts, "index", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and json.loads(result.stdout)["added"] == 5


def test_add_copies_and_indexes(dirs, tmp_path):
    opts, corpus = dirs
    run(*opts, "index")
    new = tmp_path / "incoming.txt"
    new.write_text("Турция получила второй полк С-400\n\nПоставки С-400 завершены.", "utf-8")
    result = run(*opts, "add", str(new), "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout)["added"][0]["id"] == "incoming"
    hits = json.loads(run(*opts, "search", "С-400", "--json").stdout)["results"]
    assert [hit["id"] for hit in hits] == ["incoming"]


def test_add_never_overwrites_a_different_article(dirs, tmp_path):
    opts, corpus = dirs
    other = tmp_path / "000_219e968d6b8b0e1f.txt"
    other.write_text("A different article with the same file name.\n\nBody text.", "utf-8")
    result = run(*opts, "add", str(other), "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout)["added"][0]["id"] == "000_219e968d6b8b0e1f-2"
    assert (SHIPPED / "000_219e968d6b8b0e1f.txt").read_bytes() == (
        corpus / "000_219e968d6b8b0e1f.txt"
    ).read_bytes()


@pytest.mark.parametrize("content", [None, b"\x00\x01\x02binary", b""])
def test_add_refuses_bad_files_and_changes_nothing(dirs, tmp_path, content):
    opts, corpus = dirs
    bad = tmp_path / "bad.txt"
    if content is not None:
        bad.write_bytes(content)
    good = tmp_path / "good.txt"
    good.write_text("A good article\n\nAbout arms.", "utf-8")
    before = sorted(p.name for p in corpus.iterdir())
    result = run(*opts, "add", str(good), str(bad))
    assert result.returncode == 1 and "bad.txt" in result.stderr
    assert sorted(p.name for p in corpus.iterdir()) == before


def test_every_command_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    help_text = run("--help").stdout
    commands = re.findall(r"^  (\w+)\s", help_text.split("Commands:")[1], re.M)
    assert set(commands) == {
        "index",
        "add",
        "search",
        "show",
        "stats",
        "stories",
        "serve",
        "inspect",
        "feeds",
        "watch",
        "batch",
    }
    for command in commands:
        assert f"defsearch {command}" in readme, command


WIRE_RU = (
    "10086_text\nru\nhttps://tass.ru/armiya-i-opk/2019/08/10/6751577\n\n"
    "Регистрация пройдена успешно!\n"
    "Военные завершили работы в Тулунском районе\n"
    "Фото: Минобороны России\n\n"
    "ИРКУТСК, 10 августа. /ТАСС/. Военнослужащие Центрального военного округа завершили "
    "восстановление дамбы, сообщили журналистам в военном ведомстве.\n"
)


def test_inspect_shows_each_value_and_where_it_came_from(tmp_path):
    article = tmp_path / "wire.txt"
    article.write_text(WIRE_RU, encoding="utf-8")
    result = run("inspect", str(article), "--json")
    assert result.returncode == 0, result.stderr
    [report] = json.loads(result.stdout)
    assert (report["title"], report["date"], report["source"], report["lang"]) == (
        "Военные завершили работы в Тулунском районе",
        "2019-08-10",
        "ТАСС",
        "ru",
    )
    assert report["provenance"] == {
        "title": "headline",
        "date": "dateline, year from url",
        "source": "dateline",
        "url": "header line",
        "lang": "text",
    }
    assert report["dropped"] == ["Регистрация пройдена успешно!", "Фото: Минобороны России"]


def test_inspect_text_output_and_a_bad_file(tmp_path):
    article = tmp_path / "wire.txt"
    article.write_text(WIRE_RU, encoding="utf-8")
    result = run("inspect", str(article), str(tmp_path / "missing.txt"))
    assert result.returncode == 1
    assert "source:  ТАСС  (dateline)" in result.stdout
    assert "dropped: Фото: Минобороны России" in result.stdout
    assert "missing.txt\n  error:   cannot read: no such file or directory" in result.stdout


def test_an_id_with_dots_inside_opens_with_show(dirs):
    opts, corpus = dirs
    (corpus / "brexit_ru.txt_file_1012.txt").write_text(WIRE_RU, encoding="utf-8")
    report = json.loads(run(*opts, "index", "--json").stdout)
    assert report["failed"] == []
    record = json.loads(run(*opts, "show", "brexit_ru.txt_file_1012", "--json").stdout)
    assert record["id"] == "brexit_ru.txt_file_1012" and record["source"] == "ТАСС"
    path = str(corpus / "brexit_ru.txt_file_1012.txt")
    assert json.loads(run(*opts, "show", path, "--json").stdout)["id"] == record["id"]


def test_identical_copies_without_a_date_are_one_hit(dirs):
    opts, corpus = dirs
    text = (
        "Rosoboronexport signs a Su-35 deal\n\n"
        "Rosoboronexport signed a contract for Su-35 fighters with an Asian customer.\n"
    )
    (corpus / "copy-a.txt").write_text(text, encoding="utf-8")
    (corpus / "copy-b.txt").write_text(text.replace(" a contract", "  a\ncontract"), "utf-8")
    run(*opts, "index")
    page = json.loads(run(*opts, "search", "Su-35 Asian customer", "--json").stdout)
    assert page["total"] == 1
    assert [hit["id"] for hit in page["results"][0]["also"]] == ["copy-b"]


def test_the_summary_line_counts_stories_and_articles(tmp_path):
    import shutil

    shutil.copytree(ROOT / "tests" / "data" / "stories", tmp_path / "corpus")
    opts = ["--corpus", str(tmp_path / "corpus"), "--index", str(tmp_path / "index")]
    run(*opts, "index")
    assert run(*opts, "search", "Murted").stdout.startswith("1 story (2 articles) for 'Murted'")
    flat = run(*opts, "search", "Murted", "--no-group").stdout
    assert flat.startswith("2 results for 'Murted'")


def test_a_partial_match_is_labelled_in_the_listing(dirs):
    opts, _ = dirs
    run(*opts, "index")
    data = json.loads(run(*opts, "search", "Rogozin Zzyzxqw", "--json").stdout)
    partial = [hit["id"] for hit in data["results"] if hit["partial"]]
    assert partial and not [hit for hit in data["results"] if not hit["partial"]]
    assert "partial match" in run(*opts, "search", "Rogozin Zzyzxqw").stdout
