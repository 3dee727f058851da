"""Story keys kept beside the index: numbered keys, live document frequencies (search.stories)."""

import json
import pickle
from collections import Counter

import numpy as np
import pytest

from search.stories import StoryKeys, story_keys
from search.story_files import DELTA_FILE, KEYS_FILE, LEGACY_KEYS_FILE, load_keys, save_stories

RECORDS = {
    "ru/tass": {
        "date": "2019-07-12",
        "lang": "ru",
        "source": "ТАСС",
        "keys": story_keys("Рособоронэкспорт поставит С-400", "Поставки начнутся в июле."),
    },
    "en/reuters": {
        "date": "2019-07-12",
        "lang": "en",
        "source": "Reuters",
        "keys": story_keys("Rosoboronexport to deliver S-400", "Deliveries start in July."),
    },
    "en/dn": {"date": None, "lang": "en", "source": None, "keys": ["deliv", "~s-400"]},
}


def recount(keys: StoryKeys) -> dict[str, int]:
    return dict(Counter(key for doc_id in keys.keys() for key in keys[doc_id]["keys"]))


def live_df(keys: StoryKeys) -> dict[str, int]:
    return {key: n for key, n in zip(keys.vocab, keys.df, strict=True) if n}


def test_document_frequencies_follow_updates_and_removals():
    keys = StoryKeys()
    for doc_id, record in RECORDS.items():
        keys[doc_id] = record
    assert live_df(keys)["~s-400"] == 3
    keys["en/dn"] = {**RECORDS["en/dn"], "keys": ["deliv"]}
    keys.pop("ru/tass")
    del keys["en/reuters"]
    assert live_df(keys) == recount(keys) == {"deliv": 1}
    assert list(keys.keys()) == ["en/dn"]


def test_saved_keys_load_as_they_were(tmp_path):
    keys = StoryKeys()
    for doc_id, record in RECORDS.items():
        keys[doc_id] = record
    save_stories(tmp_path, keys, None)
    loaded = load_keys(tmp_path)
    assert {d: loaded[d] for d in loaded.keys()} == RECORDS
    assert live_df(loaded) == recount(loaded)


class Planted:
    def __reduce__(self):
        return (exec, ("raise SystemExit('a pickle in the index ran code')",))


@pytest.mark.parametrize(
    "stored",
    [
        pickle.dumps(Planted()),  # a crafted pickle where the keys are: never loaded
        pickle.dumps(RECORDS),  # the pickled layout of older versions: recomputed
        b"PK\x03\x04junk",
        b"",
    ],
)
@pytest.mark.parametrize("name", [KEYS_FILE, LEGACY_KEYS_FILE])
def test_keys_in_an_unknown_or_unsafe_layout_load_empty(tmp_path, stored, name):
    (tmp_path / name).write_bytes(stored)
    assert len(load_keys(tmp_path)) == 0


def test_keys_holding_a_pickled_array_are_refused(tmp_path):
    planted = np.array([Planted()], dtype=object)
    np.savez(tmp_path / LEGACY_KEYS_FILE, text=planted, keys=[], ends=[])
    assert len(load_keys(tmp_path)) == 0


def test_keys_of_no_article_save_and_load(tmp_path):
    keys = StoryKeys()
    keys["en/dn"] = RECORDS["en/dn"]
    keys.pop("en/dn")
    save_stories(tmp_path, keys, None)
    loaded = load_keys(tmp_path)
    assert len(loaded) == 0
    assert (loaded.vocab, loaded.df) == (["deliv", "~s-400"], [0, 0])


def test_copies_of_one_undated_article_are_one_story():
    from search.stories import group_stories

    text = "Рособоронэкспорт поставит С-400 в Индию.  Поставки начнутся в июле."
    keys = StoryKeys()
    for doc_id, spacing in (("a", text), ("b", text.replace("  ", "\n")), ("c", "Другая статья.")):
        keys[doc_id] = {
            "date": None,
            "lang": "ru",
            "source": None,
            "keys": story_keys("Поставки С-400", spacing),
        }
    groups = group_stories(keys)
    assert groups == {"a": "a", "b": "a"}
    assert group_stories(keys, groups, {"b"}) == groups  # a sync touching one copy keeps it


# -- grouping on labelled pairs (tests/measure_stories.py) -----------------------------------


@pytest.fixture(scope="module")
def story_pairs():
    from measure_stories import measure

    return measure()


def linked(rows) -> set[tuple[str, str]]:
    return {(a, b) for a, b, _, grouped in rows if grouped}


def test_story_pairs_precision_and_recall(story_pairs):
    precision, recall, rows = story_pairs
    assert len(rows) >= 60
    assert precision >= 0.95 and recall >= 0.9


def test_reworded_reports_in_either_language_and_the_next_day_are_one_story(story_pairs):
    grouped = linked(story_pairs[2])
    assert ("s8_apa", "s8_tass") in grouped  # Shoigu in Baku, English and Russian
    assert ("s7_vestnik", "s7_trend") in grouped  # the next day, worded apart


def test_an_event_in_the_same_place_on_the_same_day_stays_apart(story_pairs):
    grouped = linked(story_pairs[2])
    assert not grouped & {("d3_k2", "s3_ria"), ("d3_k2", "s3_dn"), ("d8_china", "s8_apa")}


def test_an_english_name_counts_once_in_story_keys():
    keys = story_keys("Talks in Salisbury", "The inquiry into the Salisbury attack went on.")
    assert [key for key in keys if key.startswith("~")] == ["~salisburi"]


# -- the stored base and its delta (search.story_files) --------------------------------------


def stored(tmp_path) -> StoryKeys:
    keys = StoryKeys()
    for doc_id, record in RECORDS.items():
        keys[doc_id] = record
    save_stories(tmp_path, keys, None)
    return load_keys(tmp_path)


def records(keys: StoryKeys) -> dict:
    return {d: keys[d] for d in keys.keys()}


def test_changes_after_loading_are_saved_as_a_delta_and_load_back(tmp_path):
    keys = stored(tmp_path)
    base = (tmp_path / KEYS_FILE).stat().st_ino
    keys["en/dn"] = {**RECORDS["en/dn"], "keys": ["deliv", "~mi-35"]}
    keys.pop("ru/tass")
    keys["ru/new"] = {**RECORDS["ru/tass"], "date": "2019-07-13"}
    save_stories(tmp_path, keys, {"en/dn", "ru/tass", "ru/new"})
    assert (tmp_path / KEYS_FILE).stat().st_ino == base  # the base is not written again
    loaded = load_keys(tmp_path)
    assert records(loaded) == records(keys)
    assert live_df(loaded) == recount(loaded) == live_df(keys)
    assert sorted(loaded.holders({loaded._number("~s-400")})) == [
        (loaded._number("~s-400"), "en/reuters", "2019-07-12"),
        (loaded._number("~s-400"), "ru/new", "2019-07-13"),
    ]


def test_a_delta_of_another_base_loads_empty(tmp_path):
    keys = stored(tmp_path)
    keys.pop("en/dn")
    save_stories(tmp_path, keys, {"en/dn"})
    delta = (tmp_path / DELTA_FILE).read_bytes()
    save_stories(tmp_path, StoryKeys(), None)  # a new base
    (tmp_path / DELTA_FILE).write_bytes(delta)
    assert len(load_keys(tmp_path)) == 0


def test_a_large_delta_is_folded_into_the_base(tmp_path, monkeypatch):
    import search.story_files as story_files

    monkeypatch.setattr(story_files, "MIN_DELTA_CAP", 1)
    keys = stored(tmp_path)
    base = (tmp_path / KEYS_FILE).stat().st_ino
    keys.pop("en/dn")
    keys.pop("ru/tass")
    save_stories(tmp_path, keys, {"en/dn", "ru/tass"})
    assert (tmp_path / KEYS_FILE).stat().st_ino != base
    assert json.loads((tmp_path / DELTA_FILE).read_text())["docs"] == {}
    assert records(load_keys(tmp_path)) == {"en/reuters": RECORDS["en/reuters"]}


def test_grouping_a_change_on_loaded_keys_is_grouping_all_afresh(tmp_path):
    from search.stories import group_stories

    def afresh(keys):
        fresh = StoryKeys()
        for doc_id in keys.keys():
            fresh[doc_id] = keys[doc_id]
        return group_stories(fresh)

    keys = stored(tmp_path)
    groups = group_stories(keys)
    keys["ru/copy"] = {**RECORDS["ru/tass"], "date": "2019-07-14"}  # a copy: one story
    groups = group_stories(keys, groups, {"ru/copy"})
    assert groups == afresh(keys) == {"ru/tass": "ru/tass", "ru/copy": "ru/tass"}
    keys.pop("ru/tass")
    assert group_stories(keys, groups, {"ru/tass"}) == afresh(keys) == {}


def test_keys_of_the_earlier_layout_load_and_are_stored_anew(tmp_path):
    keys = StoryKeys()
    for doc_id, record in RECORDS.items():
        keys[doc_id] = record
    text, numbers, ends = keys.columns()
    blob = np.frombuffer(json.dumps(text, ensure_ascii=False).encode("utf-8"), np.uint8)
    np.savez(tmp_path / LEGACY_KEYS_FILE, text=blob, keys=numbers, ends=ends)
    loaded = load_keys(tmp_path)
    assert records(loaded) == RECORDS
    loaded.pop("en/dn")
    save_stories(tmp_path, loaded, {"en/dn"})
    assert not (tmp_path / LEGACY_KEYS_FILE).exists()
    assert records(load_keys(tmp_path)) == {d: RECORDS[d] for d in ("ru/tass", "en/reuters")}


@pytest.mark.parametrize("pair_slice", [1 << 22, 3])
def test_a_full_grouping_counts_the_pairs_a_pool_of_everything_does(monkeypatch, pair_slice):
    # The full grouping counts pairs with numpy a slice at a time; the incremental one with
    # a dictionary from each pool article's window. Over every article they must agree.
    import random

    from search import stories
    from search.story_keys import StoryKeys

    monkeypatch.setattr(stories, "PAIR_SLICE", pair_slice)
    rng = random.Random(7)
    keys = StoryKeys()
    for n in range(60):
        day = None if n == 0 else f"2024-03-{rng.randint(1, 20):02d}"  # undated: no pairs
        words = [f"~k{k}" for k in rng.sample(range(14), rng.randint(1, 8))]
        keys[f"doc-{n:03d}"] = {"date": day, "lang": "en", "source": None, "keys": words}
    wanted = set(range(len(keys.vocab))) - {keys.vocab.index("~k13")}  # one key left out
    holders = keys.holders(wanted)
    expected = sorted(stories._pool_pairs(holders, set(keys.docs)))
    mask = [number in wanted for number in range(len(keys.vocab))]
    found = sorted(tuple(sorted(pair)) for pair in stories._pairs_in_windows(keys, np.array(mask)))
    assert len(expected) > 20 and found == expected
