"""Write a deterministic synthetic corpus of bilingual defense-news articles.

``generate_corpus(out, count, seed)`` writes ``count`` articles, alternately Russian and
English, 300-600 words each, under ``out/YEAR/``. Most carry a ``NAME.meta.json`` sidecar
(title, date, outlet, language, sometimes a link); the rest state their outlet and date in
a dateline under the headline, the way wire copy does, so the extractor is exercised too.
The same count and seed always give the same bytes; each article has its own random stream,
so article ``i`` does not depend on how many were generated.

Example: python -m bench generate --count 2000 --seed 1 --out /tmp/corpus
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from bench.vocabulary import Vocabulary, english_vocabulary, russian_vocabulary

GENERATOR_VERSION = 1  # bump when the output changes: cached corpora are keyed by it
MIN_WORDS, MAX_WORDS = 300, 600  # words per article body
SENTENCE_WORDS = (6, 22)  # words per sentence
PARAGRAPH_SENTENCES = (2, 5)  # sentences per paragraph
TITLE_WORDS = (5, 10)
FUNCTION_SHARE = {"ru": 0.30, "en": 0.42}  # share of function words among running words
NAME_SHARE = 0.025  # synthetic proper names
DEFENSE_SHARE = 0.015  # designations, organizations, officials, places
NUMBER_SHARE = 0.012  # years and quantities
SIDECAR_SHARE = 0.8  # the rest get a dateline in the text instead of a sidecar
URL_SHARE = 0.5  # sidecars that also carry a link
FIRST_DAY, DAYS = date(2015, 1, 1), 3653  # articles are dated 2015-2024
SAMPLE_EVERY = 10  # keep phrase and word samples from every tenth article (for queries)

# Outlets; the dateline forms use only names the extractor reads as an outlet.
OUTLETS = {
    "ru": ("ТАСС", "РИА Новости", "Интерфакс", "Известия", "Коммерсантъ", "Красная Звезда",
           "Военно-промышленный курьер", "Независимое военное обозрение"),
    "en": ("Defense News", "Reuters", "Breaking Defense", "Military Times", "The Diplomat",
           "Janes", "Army Recognition", "Associated Press"),
}  # fmt: skip
DATELINE_OUTLETS = {"ru": OUTLETS["ru"][:6], "en": OUTLETS["en"][:4]}
RU_MONTHS = ("января февраля марта апреля мая июня июля августа сентября октября ноября "
             "декабря").split()  # fmt: skip
EN_MONTHS = ("January February March April May June July August September October November "
             "December").split()  # fmt: skip


@dataclass
class Samples:
    """What queries can be made of: word pairs that occur next to each other, and forms."""

    phrases: dict[str, list[str]] = field(default_factory=lambda: {"ru": [], "en": []})
    forms: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: {"ru": [], "en": []})
    cooccurring: dict[str, list[list[str]]] = field(default_factory=lambda: {"ru": [], "en": []})

    def to_dict(self) -> dict:
        return {"phrases": self.phrases, "forms": self.forms, "cooccurring": self.cooccurring}


@dataclass
class GeneratedCorpus:
    root: Path
    count: int
    seed: int
    bytes: int
    samples: Samples
    lemmas: dict[str, list[str]]  # each language's lemmas, most frequent first


class ArticleWriter:
    """Compose articles in one language from its vocabulary."""

    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab
        self.lang = vocab.lang
        self.ranks = range(len(vocab.lemmas))

    def _content_words(self, rng: random.Random, n: int) -> list[tuple[str, str]]:
        """Return n (form, lemma) pairs drawn by Zipf rank, forms by their own weights."""
        vocab = self.vocab
        tables, lemmas, rand = vocab.tables, vocab.lemmas, rng.random
        out = []
        for rank in rng.choices(self.ranks, cum_weights=vocab.cum_weights, k=n):
            table = tables[rank] or vocab.forms(rank)
            out.append((table[int(rand() * len(table))], lemmas[rank]))
        return out

    def _name(self, rng: random.Random) -> str:
        name = rng.choice(self.vocab.names)
        if self.lang == "ru" and name[-1] not in "аяо" and rng.random() < 0.4:
            name += rng.choice(("а", "у", "ом", "е"))
        return name

    def _special(self, rng: random.Random, r: float) -> str | None:
        """Return a name, a designation or a number for the running text, or None."""
        if r < NAME_SHARE:
            return self._name(rng)
        r -= NAME_SHARE
        if r < DEFENSE_SHARE:
            return rng.choice(self.vocab.defense_names)
        r -= DEFENSE_SHARE
        if r < NUMBER_SHARE:
            return str(rng.randint(2010, 2025) if rng.random() < 0.5 else rng.randint(2, 500))
        return None

    def body(self, rng: random.Random, samples: Samples | None) -> str:
        target = rng.randint(MIN_WORDS, MAX_WORDS)
        content = self._content_words(rng, target)
        function_share = FUNCTION_SHARE[self.lang]
        function_words = self.vocab.function_words
        paragraphs, sentences, words = [], [], []
        sentence_len = rng.randint(*SENTENCE_WORDS)
        paragraph_len = rng.randint(*PARAGRAPH_SENTENCES)
        previous_content = None
        pairs: list[str] = []  # adjacent content words, for phrase queries
        used: list[tuple[str, str]] = []  # (form, lemma) of the content words written
        for i in range(target):
            r = rng.random()
            word = self._special(rng, r)
            if word is None and r < function_share and words:
                word = function_words[int(rng.random() ** 2 * len(function_words))]
                previous_content = None
            elif word is None:
                word = content[i][0]
                if samples is not None:
                    used.append(content[i])
                    if previous_content:
                        pairs.append(f"{previous_content} {word}")
                previous_content = word
            else:
                previous_content = None
            words.append(word)
            if len(words) >= sentence_len:
                words[0] = words[0][:1].upper() + words[0][1:]
                if len(words) > 8 and rng.random() < 0.5:
                    words[len(words) // 2] += ","
                sentences.append(" ".join(words) + ".")
                words, sentence_len, previous_content = [], rng.randint(*SENTENCE_WORDS), None
                if len(sentences) >= paragraph_len:
                    paragraphs.append(" ".join(sentences))
                    sentences, paragraph_len = [], rng.randint(*PARAGRAPH_SENTENCES)
        if words:
            words[0] = words[0][:1].upper() + words[0][1:]
            sentences.append(" ".join(words) + ".")
        if sentences:
            paragraphs.append(" ".join(sentences))
        if samples is not None:
            self._sample(samples, used, pairs)
        return "\n\n".join(paragraphs)

    def _sample(self, samples: Samples, used: list, pairs: list[str]) -> None:
        """Keep a phrase, some inflected forms and co-occurring lemmas (no random draws,
        so sampling never changes the text)."""
        lang = self.lang
        if pairs:
            samples.phrases[lang].append(pairs[len(pairs) // 2])
        inflected = [(form, lemma) for form, lemma in used if form != lemma]
        samples.forms[lang].extend(inflected[::40][:3])
        # Words of one article: the longest (rare) with a middling and a shorter one.
        lemmas = sorted({lemma for _, lemma in used}, key=lambda w: (len(w), w))
        if lemmas:
            samples.cooccurring[lang].append(
                [lemmas[-1], lemmas[len(lemmas) // 2], lemmas[len(lemmas) // 4]]
            )

    def title(self, rng: random.Random) -> str:
        words = [form for form, _ in self._content_words(rng, rng.randint(*TITLE_WORDS))]
        if rng.random() < 0.6:
            words.insert(rng.randrange(1, len(words)), rng.choice(self.vocab.defense_names))
        if rng.random() < 0.3:
            words.insert(rng.randrange(1, len(words)), self._name(rng))
        words[0] = words[0][:1].upper() + words[0][1:]
        return " ".join(words)


def dateline(lang: str, source: str, day: date) -> str:
    """Return a wire dateline the extractor understands: outlet and date."""
    if lang == "ru":
        return f"{source}, {day.day} {RU_MONTHS[day.month - 1]} {day.year} г."
    return f"{source} | {EN_MONTHS[day.month - 1]} {day.day}, {day.year}"


def article_files(
    i: int, seed: int, writer: ArticleWriter, samples: Samples | None
) -> dict[str, bytes]:
    """Return the files of article ``i`` as {relative path: bytes}."""
    rng = random.Random(f"defsearch-bench:{seed}:{i}")
    lang = writer.lang
    title = writer.title(rng)
    body = writer.body(rng, samples)
    day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
    outlets = OUTLETS[lang]
    stem = f"{day.year}/{lang}-{i:06d}"
    if rng.random() < SIDECAR_SHARE:
        source = outlets[min(int(rng.expovariate(0.5)), len(outlets) - 1)]
        meta = {"title": title, "date": day.isoformat(), "source": source, "lang": lang}
        if rng.random() < URL_SHARE:
            meta["url"] = f"https://news.example/{lang}/{day.year}/{i:06d}"
        text = f"{title}\n\n{body}\n"
        sidecar = json.dumps(meta, ensure_ascii=False, indent=1) + "\n"
        return {f"{stem}.txt": text.encode(), f"{stem}.meta.json": sidecar.encode()}
    source = rng.choice(DATELINE_OUTLETS[lang])
    text = f"{title}\n\n{dateline(lang, source, day)}\n\n{body}\n"
    return {f"{stem}.txt": text.encode()}


def generate_corpus(out: Path, count: int, seed: int) -> GeneratedCorpus:
    """Write ``count`` articles (half Russian, half English) under ``out``."""
    writers = {"ru": ArticleWriter(russian_vocabulary()), "en": ArticleWriter(english_vocabulary())}
    samples = Samples()
    total = 0
    made_dirs: set[Path] = set()
    for i in range(count):
        writer = writers["ru" if i % 2 == 0 else "en"]
        keep = samples if i % SAMPLE_EVERY in (0, 1) else None
        for rel, data in article_files(i, seed, writer, keep).items():
            path = out / rel
            if path.parent not in made_dirs:
                path.parent.mkdir(parents=True, exist_ok=True)
                made_dirs.add(path.parent)
            path.write_bytes(data)
            total += len(data)
    return GeneratedCorpus(
        root=out,
        count=count,
        seed=seed,
        bytes=total,
        samples=samples,
        lemmas={lang: w.vocab.lemmas for lang, w in writers.items()},
    )
