"""Did-you-mean, related articles, and one story across outlets and languages."""

import itertools
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from search.discover import fix_homoglyphs
from search.request import make_request
from search.service import Engine
from search.sync import sync_index

DATA = Path(__file__).parent / "data" / "stories"
SHIPPED = Path(__file__).parent.parent / "corpus"
DEFSEARCH = Path(sys.executable).with_name("defsearch")
# The stories written in tests/data/stories, by hand: each set is one event. Story C retells
# the shipped article 002 (Azerbaijan and Rosoboronexport at ARMY-2019).
STORIES = [
    {"a1_tass", "a2_ria", "a3_reuters", "a4_dn"},
    {"b1_armenews", "b2_interfax", "b3_trend"},
    {"c1_urdu", "c2_tass", "002_7342f1c551cf0f21"},
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    root = tmp_path_factory.mktemp("discovery")
    corpus = root / "corpus"
    shutil.copytree(DATA, corpus)
    for path in SHIPPED.glob("*.txt"):
        shutil.copy(path, corpus / path.name)
    sync_index(corpus, root / "index")
    return corpus, root / "index"


@pytest.fixture(scope="module")
def engine(index):
    engine = Engine(index[1])
    yield engine
    engine.close()


def pairs(groups):
    return {frozenset(p) for g in groups for p in itertools.combinations(sorted(g), 2)}


def test_grouping_precision_and_recall(engine):
    found = [{a["id"] for a in story["articles"]} for story in engine.stories(limit=100)]
    expected, got = pairs(STORIES), pairs(found)
    precision = len(expected & got) / len(got)
    recall = len(expected & got) / len(expected)
    print(f"grouping: precision {precision:.2f}, recall {recall:.2f}")
    assert precision == 1.0 and recall == 1.0


def test_grouped_hit_lists_the_other_outlets_once(engine):
    page = engine.search(make_request("S-400 Turkey"))
    ids = [hit.id for hit in page.results]
    story = [hit for hit in page.results if hit.id in STORIES[0]]
    assert len(story) == 1
    also = {item["id"] for item in story[0].also}
    assert also | {story[0].id} == STORIES[0]
    assert not also & set(ids)
    assert set(story[0].also[0]) == {"id", "source", "date", "lang"}


def test_no_group_lists_every_article(engine):
    ids = {hit.id for hit in engine.search(make_request("S-400 Turkey", group=False)).results}
    assert STORIES[0] <= ids


def test_an_event_in_other_days_is_another_story(engine):
    page = engine.search(make_request("Шойгу"))
    leaders = {hit.id for hit in page.results}
    assert "n3_games" in leaders  # Army Games in August, not the June meeting


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("Rogozn", "Rogozin"), ("Шойгy", "Шойгу"), ("Азербайджн", "Азербайджан")],
)
def test_did_you_mean(engine, typed, meant):
    page = engine.search(make_request(typed))
    assert page.suggestion == meant
    assert engine.search(make_request(meant)).total > page.total


def test_no_suggestion_when_the_query_finds_enough(engine):
    assert engine.search(make_request("Azerbaijan")).suggestion is None


def test_homoglyphs_fold_to_the_majority_script():
    assert fix_homoglyphs("шойгy") == "шойгу" and fix_homoglyphs("rоgozin") == "rogozin"


def test_related_articles_with_reasons(engine):
    related = engine.related("a3_reuters")
    ids = [item["id"] for item in related]
    assert "a4_dn" in ids[:2]
    assert "b2_interfax" not in ids
    assert "S-400" in related[ids.index("a4_dn")]["why"]


def test_related_reaches_across_languages(engine):
    ids = [item["id"] for item in engine.related("b2_interfax")]
    assert {"b1_armenews", "b3_trend"} & set(ids)


def run(*args):
    result = subprocess.run([str(DEFSEARCH), *args], capture_output=True, text=True, timeout=60)
    assert "Traceback" not in result.stderr
    return result


def test_cli_search_json_carries_also_and_suggestion(index):
    corpus, idx = index
    opts = ["--corpus", str(corpus), "--index", str(idx)]
    data = json.loads(run(*opts, "search", "S-400 Turkey", "--json").stdout)
    assert "suggestion" in data and any(hit["also"] for hit in data["results"])
    assert json.loads(run(*opts, "search", "Rogozn", "--json").stdout)["suggestion"] == "Rogozin"


def test_cli_show_json_carries_related(index):
    corpus, idx = index
    record = json.loads(
        run("--corpus", str(corpus), "--index", str(idx), "show", "a1_tass", "--json").stdout
    )
    assert {"id", "title", "score"} <= set(record["related"][0])


def test_cli_stories_lists_the_week(index):
    corpus, idx = index
    opts = ["--corpus", str(corpus), "--index", str(idx)]
    stories = json.loads(run(*opts, "stories", "--since", "2019-07-01", "--json").stdout)
    assert [s["size"] for s in stories] == [4]
    assert stories[0]["outlets"] == ["Defense News", "Reuters", "РИА Новости", "ТАСС"]
    text = run(*opts, "stories", "--since", "2016-01-01").stdout
    # Largest first; among stories of one size, the newest first.
    assert text.index("Reuters") < text.index("UrduPoint.com") < text.index("Trend")


def test_incremental_sync_groups_like_a_full_build(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(DATA, corpus)
    held = ["a2_ria", "b3_trend"]
    for name in held:
        for suffix in (".txt", ".meta.json"):
            (corpus / f"{name}{suffix}").rename(tmp_path / f"{name}{suffix}")
    sync_index(corpus, index)
    for name in held:
        for suffix in (".txt", ".meta.json"):
            (tmp_path / f"{name}{suffix}").rename(corpus / f"{name}{suffix}")
    sync_index(corpus, index)
    engine = Engine(index)
    found = {frozenset(a["id"] for a in s["articles"]) for s in engine.stories(limit=100)}
    assert found == {frozenset(story - {"002_7342f1c551cf0f21"}) for story in STORIES}
    (corpus / "a1_tass.txt").unlink()
    sync_index(corpus, index)
    found = {frozenset(a["id"] for a in s["articles"]) for s in engine.stories(limit=100)}
    assert frozenset({"a2_ria", "a3_reuters", "a4_dn"}) in found
    engine.close()
