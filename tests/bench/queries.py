"""The benchmark's fixed query set, made from what the generator actually wrote.

Nine kinds, ``PER_KIND`` of each: single Russian and English words of every frequency,
inflected forms, two- and three-word ANDs of words that occur together, quoted phrases
taken from the text, model designations, filtered searches (language, outlet, dates) and
date-sorted ones. The set depends only on the corpus seed, so every run asks the same.
"""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass

from bench.generator import OUTLETS, Samples
from bench.vocabulary import DEFENSE_NAMES
from search.text.words import STOP_WORDS

PER_KIND = 30  # 9 kinds x 30 = 270 queries
KINDS = (
    "word_ru",
    "word_en",
    "inflected",
    "and2",
    "and3",
    "phrase",
    "designation",
    "filtered",
    "date_sorted",
)


@dataclass(frozen=True)
class BenchQuery:
    kind: str
    q: str
    lang: str | None = None
    source: str | None = None
    since: str | None = None
    until: str | None = None
    sort: str = "relevance"

    def params(self) -> dict[str, str]:
        """Return the search parameters (for make_request, a URL or the CLI), set ones only."""
        return {k: v for k, v in asdict(self).items() if k != "kind" and v}


def _ranked_word(rng: random.Random, lemmas: list[str]) -> str:
    """Pick a lemma with log-uniform rank: frequent, middling and rare words alike."""
    rank = int(math.exp(rng.uniform(0, math.log(len(lemmas))))) - 1
    return lemmas[min(rank, len(lemmas) - 1)]


def _cycle(rng: random.Random, items: list, n: int) -> list:
    if not items:
        return []
    return [items[rng.randrange(len(items))] for _ in range(n)]


def build_queries(samples: Samples, lemmas: dict[str, list[str]], seed: int) -> list[BenchQuery]:
    """Return the fixed query set for a corpus generated with ``seed``."""
    rng = random.Random(f"defsearch-bench-queries:{seed}")
    # A query of stop words alone is refused by the engine: leave them out.
    lemmas = {lang: [w for w in words if w not in STOP_WORDS] for lang, words in lemmas.items()}
    n = PER_KIND
    out: list[BenchQuery] = []
    out += [BenchQuery("word_ru", _ranked_word(rng, lemmas["ru"])) for _ in range(n)]
    out += [BenchQuery("word_en", _ranked_word(rng, lemmas["en"])) for _ in range(n)]
    forms = _cycle(rng, samples.forms["ru"], 2 * n // 3) + _cycle(rng, samples.forms["en"], n // 3)
    out += [BenchQuery("inflected", form) for form, _ in forms]
    groups = samples.cooccurring["ru"] + samples.cooccurring["en"]
    out += [BenchQuery("and2", " ".join(g[:2])) for g in _cycle(rng, groups, n)]
    out += [BenchQuery("and3", " ".join(g[:3])) for g in _cycle(rng, groups, n)]
    phrases = samples.phrases["ru"] + samples.phrases["en"]
    out += [BenchQuery("phrase", f'"{p}"') for p in _cycle(rng, phrases, n)]
    for _ in range(n):
        ru, en = rng.choice(DEFENSE_NAMES)
        lang = rng.choice(("ru", "en"))
        name = ru if lang == "ru" else en
        q = name if rng.random() < 0.5 else f"{name} {_ranked_word(rng, lemmas[lang][:300])}"
        out.append(BenchQuery("designation", q))
    for i in range(n):
        lang = ("ru", "en")[i % 2]
        word = _ranked_word(rng, lemmas[lang][:2000])
        year = rng.randint(2015, 2024)
        if i % 3 == 0:
            out.append(BenchQuery("filtered", word, lang=lang))
        elif i % 3 == 1:
            out.append(BenchQuery("filtered", word, source=rng.choice(OUTLETS[lang][:4])))
        else:
            out.append(BenchQuery("filtered", word, since=f"{year}-01-01", until=f"{year}-06-30"))
    for i in range(n):
        lang = ("ru", "en")[i % 2]
        word = _ranked_word(rng, lemmas[lang][:2000])
        out.append(BenchQuery("date_sorted", word, lang=lang if i % 4 == 0 else None, sort="date"))
    return out
