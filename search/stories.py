"""One story, many outlets: group articles that report the same event.

Each article gets story keys from its headline and lead: the names and designations in it
(name keys, the same in both scripts), the glossary concepts it mentions (the same in both
languages) and its content lemmas. Two articles belong to one story when they are dated
within ``STORY_DAYS`` of each other and

* in one language, their keys overlap strongly (weighted Jaccard ≥ ``SAME_LANG_MIN``), or
  their language-neutral keys do (≥ ``SAME_LANG_NEUTRAL_MIN``): a report reworded by
  another outlet keeps the names, not the words;
* across languages, they share at least ``CROSS_MIN_SHARED`` language-neutral keys that
  carry much of the smaller article's neutral weight (≥ ``CROSS_LANG_MIN``).

Language-neutral keys are name keys (people, places, bodies, systems, designations: the
same in both scripts, search.text.names and search.text.entities) and glossary concepts. A pair
linked by them must share at least ``MIN_SHARED_NOT_PLACES`` that are not countries or
cities: places set the scene, and two events in Warsaw on one day are two stories. Each
article's name counts once: the Russian renderings an English name also carries in the
index are left out of its story keys.

Keys are weighted by rarity (idf), so «Russia» and «military» count little and a shared
«S-400», «Shoigu» or «Kubinka» a lot. Candidates come from an inverted index over the rare
keys, which is exact and fast; MinHash/LSH was not needed at this scale and misses the
cross-language pairs, which share only a handful of keys.

The groups are computed after every sync and stored beside the index (search.story_files),
so grouping search results costs one dictionary lookup per hit.
"""

from __future__ import annotations

import hashlib
import math
import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from datetime import date, timedelta
from functools import cache

import numpy as np

from search.story_keys import StoryKeys
from search.text.analysis import iter_terms
from search.text.entities import is_place
from search.text.glossary import load_glossary
from search.text.name_keys import key_is_entity

LEAD_CHARS = 700  # headline plus about the first paragraph: where a story's facts are
STORY_DAYS = 3  # reports of one event appear within a few days
SAME_LANG_MIN = 0.35  # weighted Jaccard of all keys, same language
CROSS_LANG_MIN = 0.4  # weighted overlap of language-neutral keys, across languages
CROSS_MIN_SHARED = 3  # ... and at least this many of them shared
MIN_SHARED_NOT_PLACES = 2  # ... of which this many name no country or city
SAME_LANG_NEUTRAL_MIN = 0.3  # same language, worded apart: weighted Jaccard of neutral keys
MIN_SHARED_KEYS = 3  # fewer shared rare keys than this is never one story
PAIR_SLICE = 1 << 22  # article pairs made and counted at once in a full grouping
JUDGE_RECENT = 10_000  # articles whose key sets are kept while their pairs are weighed
_DAY_SPAN = 1 << 22  # apart from any date's day number: keys' articles never mix
MAX_KEY_DF_SHARE = 0.05  # keys in more than this share of articles do not make candidates
MIN_KEY_DF_CAP = 20  # ... but never fewer than this many articles
_SENTENCE_END = re.compile(r"(^|[.!?…:\n]\s*|[«\"“„(\-–—]\s*)$")


@cache
def _concepts() -> dict[str, str]:
    """Return single analyzed term -> concept id, from the glossary."""
    concepts = {}
    for phrase, others in load_glossary().items():
        if len(phrase) == 1:
            members = sorted([phrase, *others])
            concepts[phrase[0]] = "@" + "+".join(members[0])
    return concepts


def story_keys(title: str, body: str) -> list[str]:
    """Return the story keys of an article: neutral keys start with ``~`` or ``@``.

    One key, starting with ``#``, fingerprints the whole text with its spaces normalized:
    copies of one article share it and are one story, dated or not.
    """
    text = f"{title}\n{body[:LEAD_CHARS]}"
    concepts = _concepts()
    keys = {copy_key(title, body)}
    keyed = -1  # the last position that gave a name key
    for term, weight, pos, start, _, _ in iter_terms(text):
        if term.startswith("="):
            continue
        if term.startswith("~"):
            # One key per word: its own, not the Russian renderings of an English name,
            # which would count one name four times (a place's key always counts).
            if pos == keyed and not key_is_entity(term):
                continue
            keyed = pos
            # A capital opening a sentence is no sign of a name; a place's key comes from
            # its table, not its capital (Turkey opening a headline is still the country).
            if key_is_entity(term) or not _SENTENCE_END.search(text[max(0, start - 3) : start]):
                keys.add(term)
            continue
        if term in concepts:
            keys.add(concepts[term])
        if weight >= 0.5 and len(term) > 3 and not term.isdigit():
            keys.add(term)
    return sorted(keys)


def copy_key(title: str, body: str) -> str:
    """Return the key that copies of one article share: a hash of its words."""
    words = " ".join(f"{title}\n{body}".split())
    return "#" + hashlib.blake2b(words.encode("utf-8"), digest_size=8).hexdigest()


def _days_apart(a: str | None, b: str | None) -> float:
    if not a or not b:
        return math.inf
    return abs((date.fromisoformat(a) - date.fromisoformat(b)).days)


def group_stories(
    keys: StoryKeys,
    previous: dict[str, str] | None = None,
    changed: set[str] | None = None,
) -> dict[str, str]:
    """Return doc id -> story id (the story's earliest article) for grouped articles only.

    ``keys`` holds every article's date, language and story keys. With ``previous``
    groups and the ``changed`` ids (added, updated or removed), only the changed articles
    and the stories they were in are looked at again: a one-article sync stays cheap on a
    large corpus.
    """
    docs, df = keys.docs, keys.df
    n = max(len(docs), 1)
    cap = max(MIN_KEY_DF_CAP, int(n * MAX_KEY_DF_SHARE))
    previous = previous or {}
    if changed is None:
        pool = set(docs)
        kept: dict[str, str] = {}
    else:
        touched = {previous[d] for d in changed if d in previous}
        pool = {d for d, story in previous.items() if story in touched} | set(changed)
        pool &= docs.keys()
        kept = {d: story for d, story in previous.items() if story not in touched and d in docs}
    if changed is None:  # every article is in the pool: every key rare enough counts
        shared = _pairs_in_windows(keys, np.asarray(df) <= cap)
    else:
        wanted = {k for d in pool for k in docs[d].keys if df[k] <= cap}
        shared = _pool_pairs(keys.holders(wanted), pool)
    judge = _Judge(keys)
    links = [pair for pair in shared if judge.same_story(*pair)]
    links += _copies(keys, pool)
    # Union-find over the articles that can be in a story: the pool, the articles linked to
    # it and the untouched stories. Any other article stays alone; leaving them out keeps a
    # one-article sync from walking all of them.
    parent = {doc_id: doc_id for doc_id in (*pool, *kept, *(d for pair in links for d in pair))}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for doc_id, story in kept.items():  # untouched stories stay whole
        if story in docs:
            parent[find(doc_id)] = find(story)
    for a, b in links:
        parent[find(a)] = find(b)

    groups: dict[str, list[str]] = defaultdict(list)
    for doc_id in parent:
        groups[find(doc_id)].append(doc_id)
    out = {}
    for members in groups.values():
        if len(members) > 1:
            story = min(members, key=lambda m: (docs[m].date or "9999", m))
            out.update({m: story for m in members})
    return out


def _pool_pairs(holders, pool: set[str]) -> list[tuple[str, str]]:
    """Return the pairs of articles sharing at least MIN_SHARED_KEYS keys within the story
    window, one of them in the pool.

    Each key's articles are sorted by date, and only a pool article's window is looked at
    (found by bisection): a key of thousands of articles costs a one-article sync the few
    around its date.
    """
    postings: dict[int, list[tuple[date, str]]] = defaultdict(list)
    days: dict[str, date] = {}
    for key, doc_id, iso in holders:
        if iso:  # undated articles cannot be placed in time: never grouped
            day = days.get(iso)
            if day is None:
                day = days[iso] = date.fromisoformat(iso)
            postings[key].append((day, doc_id))
    shared: dict[tuple[str, str], int] = defaultdict(int)
    window = timedelta(days=STORY_DAYS)
    for members in postings.values():
        members.sort()
        days_of = [day for day, _ in members]
        for i, (day, a) in enumerate(members):
            if a not in pool:
                continue
            for j in range(i + 1, bisect_right(days_of, day + window, i + 1)):
                b = members[j][1]
                shared[(a, b) if a < b else (b, a)] += 1
            for j in range(bisect_left(days_of, day - window, 0, i), i):
                b = members[j][1]
                if b not in pool:  # a pair of two pool articles is counted from the first
                    shared[(a, b) if a < b else (b, a)] += 1
    return [pair for pair, count in shared.items() if count >= MIN_SHARED_KEYS]


def _pairs_in_windows(keys: StoryKeys, wanted: np.ndarray) -> list[tuple[str, str]]:
    """Return every pair of articles sharing at least MIN_SHARED_KEYS of the wanted keys
    (``wanted[number]`` true) within the story window: the pairs of each key's articles,
    counted with numpy.

    A dictionary of string pairs held 7 million of them at 100,000 articles (1.2 GB, and
    a tuple per key an article holds before that); here the keys come as the arrays of
    StoryKeys.columns() and a pair is one 64-bit number, made and counted a slice at a time.
    """
    text, numbers, ends = keys.columns()
    ids, count = text["ids"], len(text["ids"])
    ordinals: dict[str, int] = {}
    for iso in set(text["dates"]) - {None, ""}:
        ordinals[iso] = date.fromisoformat(iso).toordinal()
    # Undated articles cannot be placed in time: never grouped.
    day_of = np.array([ordinals.get(iso or "", -1) for iso in text["dates"]], dtype=np.int64)
    lengths = np.diff(ends.astype(np.int64), prepend=0)
    docs = np.repeat(np.arange(count, dtype=np.int64), lengths)
    held = wanted[numbers] & (day_of[docs] >= 0)
    key_of, docs = numbers[held].astype(np.int64), docs[held]
    del held
    days = day_of[docs]
    order = np.lexsort((days, key_of))
    days, docs = days[order], docs[order]
    placed = key_of[order] * _DAY_SPAN + days  # a key's articles by date, keys apart
    del key_of, order, days
    # Each article pairs with the later ones of its key up to STORY_DAYS after it.
    later = np.searchsorted(placed, placed + STORY_DAYS, side="right") - np.arange(len(placed)) - 1
    del placed
    found_codes, found_counts = [], []
    start = 0
    while start < len(later):
        # Articles whose pairs make about PAIR_SLICE numbers.
        stop = int(np.searchsorted(np.cumsum(later[start:]), PAIR_SLICE, side="right")) + start
        stop = max(stop, start + 1)
        first = np.repeat(np.arange(start, stop), later[start:stop])
        offsets = np.cumsum(later[start:stop]) - later[start:stop]
        second = first + 1 + np.arange(len(first)) - np.repeat(offsets, later[start:stop])
        a, b = docs[first], docs[second]
        codes, counts = np.unique(np.minimum(a, b) * count + np.maximum(a, b), return_counts=True)
        found_codes.append(codes)
        found_counts.append(counts)
        start = stop
    codes = np.concatenate(found_codes) if found_codes else np.zeros(0, dtype=np.int64)
    if not len(codes):
        return []
    counts = np.concatenate(found_counts)
    del found_codes, found_counts
    order = np.argsort(codes, kind="stable")
    codes, counts = codes[order], counts[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    totals = np.add.reduceat(counts, starts)
    kept = codes[starts][totals >= MIN_SHARED_KEYS]
    return [(ids[code // count], ids[code % count]) for code in kept.tolist()]


def _copies(keys: StoryKeys, pool: set[str]) -> list[tuple[str, str]]:
    """Pairs of identical articles, one of them in the pool, whatever their dates."""
    copied = {
        number
        for doc_id in pool
        for number in keys.docs[doc_id].keys
        if keys.df[number] > 1 and keys.vocab[number][0] == "#"
    }
    if not copied:  # the usual case: no copies, no walk over every article
        return []
    holders: dict[int, list[str]] = defaultdict(list)
    for number, doc_id, _ in keys.holders(copied):
        holders[number].append(doc_id)
    return [(ids[0], other) for ids in holders.values() for other in ids[1:]]


class _Idf(dict):
    """Key number -> its idf (StoryKeys.idf), each worked out once."""

    def __init__(self, keys: StoryKeys):
        super().__init__()
        self.articles, self.df = max(len(keys.docs), 1), keys.df

    def __missing__(self, number: int) -> float:
        value = self[number] = math.log(1 + self.articles / self.df[number])
        return value


class _Judge:
    """Tells whether two articles report one story. A full grouping at 100,000 articles
    weighs some 500,000 pairs: the keys' weights are worked out once, and an article's key
    sets once while its pairs come (they come by article)."""

    def __init__(self, keys: StoryKeys):
        self.keys = keys
        self.idf = _Idf(keys)
        self._recent: dict[str, tuple] = {}

    def _article(self, doc_id: str) -> tuple:
        found = self._recent.get(doc_id)
        if found is None:
            if len(self._recent) >= JUDGE_RECENT:
                self._recent.clear()
            doc = self.keys.docs[doc_id]
            keys = set(doc.keys)
            neutral = {k for k in keys if self.keys.neutral(k)}
            found = self._recent[doc_id] = (doc, keys, neutral)
        return found

    def same_story(self, id_a: str, id_b: str) -> bool:
        a, keys_a, neutral_a = self._article(id_a)
        b, keys_b, neutral_b = self._article(id_b)
        if _days_apart(a.date, b.date) > STORY_DAYS:
            return False
        idf = self.idf.__getitem__
        if a.lang == b.lang:
            union = sum(map(idf, keys_a | keys_b))
            if union > 0 and sum(map(idf, keys_a & keys_b)) / union >= SAME_LANG_MIN:
                return True
        shared = neutral_a & neutral_b
        if len(shared) < CROSS_MIN_SHARED:
            return False
        # Places set the scene (Poland, Warsaw); the people, systems and things shared must
        # identify the event: a tank deal and a missile delivery in Warsaw are two stories.
        vocab = self.keys.vocab
        if sum(1 for k in shared if not is_place(vocab[k])) < MIN_SHARED_NOT_PLACES:
            return False
        weight_a, weight_b = sum(map(idf, neutral_a)), sum(map(idf, neutral_b))
        weight = sum(map(idf, shared))
        if a.lang == b.lang:
            # Reworded reports of one event (takes delivery / gets deliveries) share its
            # names more than their words.
            return weight / (weight_a + weight_b - weight) >= SAME_LANG_NEUTRAL_MIN
        smaller = min(weight_a, weight_b)
        return smaller > 0 and weight / smaller >= CROSS_LANG_MIN
