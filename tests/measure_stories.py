"""Measure story grouping on labelled pairs: same event (reworded, other language, next
day) and hard negatives (same people, places or systems, another event, same day).

tests/data/story_pairs.json holds 40 short articles written for the test: ten stories of
three reports each (two on the day, one in the other language, and often one the next day)
and ten decoys, each sharing names with a story but reporting something else on its day.
Pairs: the three pairs inside each story (30 positive) and each decoy against its
story's three reports (30 negative). The shipped corpus and the name test articles are
added as background, dated far away, so that key rarity is not that of 40 articles alone.

Run: .venv/bin/python tests/measure_stories.py
"""

from __future__ import annotations

import json
import sys
from itertools import combinations
from pathlib import Path

from search.ingest.read import read_document
from search.stories import StoryKeys, group_stories, story_keys

ROOT = Path(__file__).resolve().parents[1]
PAIRS_FILE = ROOT / "tests" / "data" / "story_pairs.json"
BACKGROUND = (ROOT / "corpus", ROOT / "tests" / "data" / "names")
BACKGROUND_DATE = "2000-01-01"  # far from every labelled article: never in their window


def load_articles() -> list[dict]:
    return json.loads(PAIRS_FILE.read_text(encoding="utf-8"))


def labelled_pairs(articles: list[dict]) -> list[tuple[str, str, bool]]:
    """Return (id, id, same story?) for the positive and the hard negative pairs."""
    by_story: dict[str, list[str]] = {}
    for article in articles:
        by_story.setdefault(article["story"], []).append(article["id"])
    pairs = []
    for story, ids in by_story.items():
        if story.startswith("s"):
            pairs += [(a, b, True) for a, b in combinations(ids, 2)]
            decoys = by_story.get("d" + story[1:], [])
            pairs += [(decoy, a, False) for decoy in decoys for a in ids]
    return pairs


def build_keys(articles: list[dict]) -> StoryKeys:
    keys = StoryKeys()
    for folder in BACKGROUND:
        for path in sorted(folder.glob("*.txt")):
            doc = read_document(path, folder)
            keys[f"bg/{path.stem}"] = {
                "date": BACKGROUND_DATE,
                "lang": doc.lang,
                "source": None,
                "keys": story_keys(doc.title, doc.body),
            }
    for article in articles:
        keys[article["id"]] = {
            "date": article["date"],
            "lang": article["lang"],
            "source": article["id"].split("_", 1)[1],
            "keys": story_keys(article["title"], article["body"]),
        }
    return keys


def measure() -> tuple[float, float, list[tuple[str, str, bool, bool]]]:
    """Return pair precision, pair recall and every pair with (expected, grouped)."""
    articles = load_articles()
    groups = group_stories(build_keys(articles))
    rows = []
    for a, b, same in labelled_pairs(articles):
        grouped = a in groups and groups.get(a) == groups.get(b)
        rows.append((a, b, same, grouped))
    linked = [row for row in rows if row[3]]
    right = [row for row in linked if row[2]]
    positives = [row for row in rows if row[2]]
    precision = len(right) / len(linked) if linked else 1.0
    recall = len(right) / len(positives) if positives else 1.0
    return precision, recall, rows


def main() -> int:
    precision, recall, rows = measure()
    for a, b, same, grouped in rows:
        if same != grouped:
            kind = "split" if same else "merged"
            print(f"{kind:6} {a} / {b}")
    positives = sum(1 for row in rows if row[2])
    print(
        f"\n{len(rows)} pairs ({positives} same story, {len(rows) - positives} hard negatives):"
        f" pair precision {precision:.3f}, recall {recall:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
