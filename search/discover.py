"""Discovery over an open reader of the index: did-you-mean, related articles, story listings."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

from search.engine.readers import Reader
from search.engine.similar import more_like_this
from search.text.analysis import iter_terms
from search.text.words import QUERY_WORD_RE, STOP_WORDS, normalize

SUGGEST_BELOW = 3  # a query with fewer hits than this gets a spelling suggestion
RELATED_TERMS = 30  # distinctive terms of an article that find its relatives
RELATED_WHY = 6  # shared words shown as the reason two articles are related
NAME_BOOST = 1.5  # names and designations link articles across languages: count them more
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
SUGGEST_PREFIX = 3  # "=" and the first two letters of a misspelt word must be right

# Letters that look alike in Latin and Cyrillic: a word typed half in the wrong layout
# (Шойгy with a Latin y) is read in its majority script.
_TO_CYRILLIC = str.maketrans("aceopxyk", "асеорхук")
_TO_LATIN = str.maketrans("асеорхукі", "aceopxyki")


def fix_homoglyphs(word: str) -> str:
    """Return a mixed-script word in its majority script, where the letters allow it."""
    cyrillic = sum("\u0400" <= ch <= "\u04ff" for ch in word)
    latin = sum(ch.isascii() and ch.isalpha() for ch in word)
    if not cyrillic or not latin:
        return word
    return word.translate(_TO_CYRILLIC if cyrillic >= latin else _TO_LATIN)


def _edit_distance(seq1: str, seq2: str, limit: int) -> int:
    """Return the Levenshtein distance of two words, or limit + 1 once it is surely larger
    (Whoosh's whoosh.support.levenshtein, row by row)."""
    thisrow = list(range(1, len(seq2) + 1)) + [0]
    for x in range(len(seq1)):
        # The leftmost column sits at the end of the row: index -1 reads it.
        oneago, thisrow = thisrow, [0] * len(seq2) + [x + 1]
        for y in range(len(seq2)):
            delcost = oneago[y] + 1
            addcost = thisrow[y - 1] + 1
            subcost = oneago[y - 1] + (seq1[x] != seq2[y])
            thisrow[y] = min(delcost, addcost, subcost)
        if limit and x > limit and min(thisrow) > limit:
            return limit + 1
    return thisrow[len(seq2) - 1]


def _better_word(reader: Reader, word: str) -> str | None:
    """Return a more frequent indexed word form close to word, or None."""
    low = normalize(word)
    exact = "=" + low
    own = reader.doc_frequency("body", exact)
    if own:
        return None  # a word the corpus uses is taken as meant: only absent words are respelt
    fixed = fix_homoglyphs(low)
    if fixed != low and reader.doc_frequency("body", "=" + fixed) > own:
        return fixed
    maxdist = 1 if len(low) <= 5 else 2
    # The closest spelling wins, then the most frequent: Азербайджн -> Азербайджан, not
    # the more frequent Азербайджана. Candidates share the first two letters (typos there
    # are rare) and a near length, which skips most of the vocabulary cheaply.
    best, best_key = None, (maxdist + 1, 0)
    for candidate in reader.words_starting("body", exact[:SUGGEST_PREFIX]):
        if abs(len(candidate) - len(exact)) > maxdist:
            continue
        distance = _edit_distance(candidate, exact, maxdist + 1)
        if distance > maxdist:
            continue
        df = reader.doc_frequency("body", candidate)
        if df > own and (distance, -df) < best_key:
            best, best_key = candidate[1:], (distance, -df)
    return best


def suggest(reader: Reader, text: str) -> str | None:
    """Return the query with misspelled words replaced by close indexed words, or None."""
    out, cursor, changed = [], 0, False
    for match in QUERY_WORD_RE.finditer(text):
        word = match.group()
        start, end = match.span()
        before = text[start - 1 : start]
        if (
            word.startswith("=")
            or word in OPERATORS
            or before in (":", "-")
            or text[end : end + 1] in (":", "*")
            or normalize(word) in STOP_WORDS
            or any(ch.isdigit() for ch in word)
        ):
            continue
        better = _better_word(reader, word)
        if better:
            if word[:1].isupper():
                better = better[:1].upper() + better[1:]
            out.append(text[cursor:start] + better)
            cursor, changed = end, True
    return "".join(out) + text[cursor:] if changed else None


def _profile(title: str, body: str) -> tuple[Counter, dict[str, str]]:
    """Return term counts of an article and the first word each term came from."""
    text = f"{title}\n{body}"
    counts: Counter = Counter()
    surface: dict[str, str] = {}
    for term, weight, _, start, end, _ in iter_terms(text):
        if term.startswith("=") or term.isdigit() or weight < 0.5 or len(term) < 3:
            continue
        counts[term] += 1
        surface.setdefault(term, text[start:end])
    return counts, surface


def related(reader: Reader, docnum: int, limit: int = 5) -> list[dict]:
    """Return the articles most like one article, each with the words they share."""
    stored = reader.stored_fields(docnum)
    counts, surface = _profile(stored.get("title", ""), stored.get("body", ""))
    n = max(reader.doc_count(), 1)
    top = distinctive_terms(counts, n, lambda term: reader.doc_frequency("body", term))
    if not top:
        return []
    out = []
    for hit in more_like_this(reader.searcher, top, stored["id"], limit):
        out.append(
            {
                "id": hit.stored["id"],
                "title": hit.stored.get("title", ""),
                "score": round(hit.score, 4),
                "lang": hit.stored.get("lang", ""),
                "why": shared_words(hit.shared, top, surface),
            }
        )
    return out


def distinctive_terms(
    counts: dict[str, int], n: int, doc_frequency: Callable[[str], int]
) -> dict[str, float]:
    """Return the RELATED_TERMS terms of an article's profile that best tell it apart,
    with their weights: shared with some articles of n, not with half of them."""
    weights = {}
    for term, count in counts.items():
        df = doc_frequency(term)
        if 1 < df < n * 0.5:  # shared with someone, and not with everyone
            weights[term] = (1 + math.log(count)) * math.log(n / df)
            if term.startswith("~"):
                weights[term] *= NAME_BOOST
    top = sorted(weights, key=lambda t: -weights[t])[:RELATED_TERMS]
    return {term: weights[term] for term in top}


def shared_words(shared: set[str], top: dict[str, float], surface: dict[str, str]) -> list[str]:
    """Return the words a related article shares, heaviest first, each word once."""
    why: list[str] = []
    for term in sorted(shared & top.keys(), key=lambda t: -top[t]):
        word = surface[term]
        if word.lower() not in (w.lower() for w in why):
            why.append(word)
    return why[:RELATED_WHY]


def list_stories(
    reader: Reader,
    groups: dict[str, str],
    since: str | None,
    until: str | None,
    limit: int,
) -> list[dict]:
    """Return the largest story groups dated within [since, until], largest first.

    Stories are chosen from the id and date columns; stored records are read only for the
    articles of the stories listed.
    """
    ids, dates = reader.column("id"), reader.column("date")
    members: dict[str, list[int]] = {}
    for docnum in reader.doc_numbers():
        story = groups.get(ids[docnum])
        if story is not None:
            members.setdefault(story, []).append(docnum)
    chosen = []
    for story, docnums in members.items():
        days = sorted(d for d in (dates[n] for n in docnums) if d)
        if days and not ((since and days[-1] < since) or (until and days[0] > until)):
            chosen.append((story, docnums, days))
    chosen.sort(key=lambda c: c[2][-1], reverse=True)
    chosen.sort(key=lambda c: len(c[1]), reverse=True)  # stable: newest first within a size
    stories = []
    for story, docnums, days in chosen[:limit]:
        articles = []
        for docnum in docnums:
            stored = reader.stored_fields(docnum)
            articles.append(
                {
                    "id": stored["id"],
                    "title": stored.get("title", ""),
                    "source": stored.get("source") or None,
                    "date": stored.get("date") or None,
                    "lang": stored.get("lang", ""),
                }
            )
        stories.append(story_summary(story, articles, days))
    return stories


def story_summary(story: str, articles: list[dict], days: list[str]) -> dict:
    """Return a listed story: its lead's title, size, first and last day, outlets, articles
    (sorted by date, then id; ``days`` sorted)."""
    articles.sort(key=lambda a: (a["date"] or "", a["id"]))
    lead = next((a for a in articles if a["id"] == story), articles[0])
    return {
        "story": story,
        "title": lead["title"],
        "size": len(articles),
        "first": days[0],
        "last": days[-1],
        "outlets": sorted({a["source"] for a in articles if a["source"]}),
        "articles": articles,
    }
