"""The story keys of every indexed article (search.stories computes and groups them).

Keys are numbered in one vocabulary, so the whole set is a few arrays instead of millions
of strings, and the document frequencies are kept up to date as articles come and go.

A large set is loaded from its file as it is stored (a *base*: every article's key numbers
in one array) and is not unpacked article by article: an article set or removed since is
kept apart, and the articles holding given keys are found with one pass of numpy over the
base's array. A one-article sync of 100,000 articles thus never touches the 7 million key
numbers of the others one by one, and stores only what changed (search.story_files).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterator, Mapping
from itertools import count
from typing import NamedTuple

import numpy as np


class StoryDoc(NamedTuple):
    date: str | None  # ISO date
    lang: str
    source: str | None
    keys: array  # numbers of its story keys in StoryKeys.vocab


class _Base(NamedTuple):
    """Articles as loaded: article i's key numbers are ``numbers[ends[i-1]:ends[i]]``."""

    ids: list[str]
    dates: list[str | None]
    langs: list[str]
    sources: list[str | None]
    numbers: np.ndarray  # uint32
    ends: np.ndarray  # int64


class _Docs(Mapping[str, StoryDoc]):
    """id -> StoryDoc of every article: the base's, less the dropped, and the own."""

    def __init__(self, keys: StoryKeys):
        self._keys = keys

    def __getitem__(self, doc_id: str) -> StoryDoc:
        keys = self._keys
        doc = keys._own.get(doc_id)
        if doc is not None:
            return doc
        row = keys._base_row(doc_id)
        if row is None:
            raise KeyError(doc_id)
        return keys._base_doc(row)

    def __contains__(self, doc_id: object) -> bool:
        keys = self._keys
        return doc_id in keys._own or keys._base_row(doc_id) is not None

    def __iter__(self) -> Iterator[str]:
        keys = self._keys
        if keys._base is not None:
            dropped = keys._dropped
            yield from (d for d in keys._base.ids if d not in dropped)
        yield from keys._own

    def __len__(self) -> int:
        keys = self._keys
        base = len(keys._base.ids) if keys._base is not None else 0
        return base - len(keys._dropped) + len(keys._own)


class StoryKeys:
    """The story keys of every indexed article, and how many articles have each key."""

    def __init__(self):
        self.vocab: list[str] = []
        self.df: list[int] = []  # articles per key number
        self.docs = _Docs(self)
        self.changed: set[str] = set()  # ids set or removed since the base was stored
        self.token: str | None = None  # the stored base's, when loaded from one
        self._numbers: dict[str, int] | None = {}  # None until a base's is needed
        self._base: _Base | None = None
        self._rows: dict[str, int] | None = None  # base id -> row, made when first needed
        self._dropped: set[str] = set()  # base ids removed or set again since
        self._own: dict[str, StoryDoc] = {}  # articles set since the base was loaded

    def __setitem__(self, doc_id: str, record: dict) -> None:
        """Set an article from {"date", "lang", "source", "keys": [...]}."""
        self.pop(doc_id)
        numbers = array("I", sorted({self._number(key) for key in record["keys"]}))
        for number in numbers:
            self.df[number] += 1
        self._own[doc_id] = StoryDoc(record["date"], record["lang"], record["source"], numbers)
        self.changed.add(doc_id)

    def __getitem__(self, doc_id: str) -> dict:
        doc = self.docs[doc_id]
        keys = sorted(self.vocab[number] for number in doc.keys)
        return {"date": doc.date, "lang": doc.lang, "source": doc.source, "keys": keys}

    def __delitem__(self, doc_id: str) -> None:
        if self.pop(doc_id) is None:
            raise KeyError(doc_id)

    def pop(self, doc_id: str, default=None):
        doc = self._own.pop(doc_id, None)
        if doc is None:
            row = self._base_row(doc_id)
            if row is None:
                return default
            doc = self._base_doc(row)
            self._dropped.add(doc_id)
        for number in doc.keys:
            self.df[number] -= 1
        self.changed.add(doc_id)
        return doc

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.docs

    def __len__(self) -> int:
        return len(self.docs)

    def keys(self):
        return self.docs.keys()

    def ids(self) -> set[str]:
        """Return the set of every article's id (quicker than set(keys()) on a base)."""
        base = set(self._base.ids) - self._dropped if self._base is not None else set()
        return base | self._own.keys()

    def idf(self, number: int) -> float:
        return math.log(1 + max(len(self.docs), 1) / self.df[number])

    def neutral(self, number: int) -> bool:
        return self.vocab[number][0] in "~@"

    def holders(self, numbers: set[int]) -> list[tuple[int, str, str | None]]:
        """Return (key number, article id, its date) for every article holding one of
        ``numbers``."""
        if not numbers:
            return []
        found = []
        base = self._base
        if base is not None and len(base.numbers):
            wanted = np.zeros(len(self.vocab), dtype=bool)
            wanted[np.fromiter(numbers, dtype=np.int64, count=len(numbers))] = True
            at = np.flatnonzero(wanted[base.numbers])
            rows = np.searchsorted(base.ends, at, side="right").tolist()
            ids, dates, dropped = base.ids, base.dates, self._dropped
            for number, row in zip(base.numbers[at].tolist(), rows, strict=True):
                doc_id = ids[row]
                if doc_id not in dropped:
                    found.append((number, doc_id, dates[row]))
        for doc_id, doc in self._own.items():
            found.extend((n, doc_id, doc.date) for n in doc.keys if n in numbers)
        return found

    def _number(self, key: str) -> int:
        if self._numbers is None:
            self._numbers = dict(zip(self.vocab, count()))
        number = self._numbers.get(key)
        if number is None:
            number = self._numbers[key] = len(self.vocab)
            self.vocab.append(key)
            self.df.append(0)
        return number

    def _base_row(self, doc_id: object) -> int | None:
        if self._base is None or doc_id in self._dropped:
            return None
        if self._rows is None:
            self._rows = dict(zip(self._base.ids, count()))
        return self._rows.get(doc_id)

    def _base_doc(self, row: int) -> StoryDoc:
        base = self._base
        start = int(base.ends[row - 1]) if row else 0
        numbers = array("I", base.numbers[start : int(base.ends[row])].astype(np.uint32).tobytes())
        return StoryDoc(base.dates[row], base.langs[row], base.sources[row], numbers)

    def columns(self) -> tuple[dict, np.ndarray, np.ndarray]:
        """Return the keys as columns: the text fields, every article's key numbers in one
        array, and where each article's numbers end."""
        ids, dates, langs, sources = [], [], [], []
        parts, lengths = [], []
        base = self._base
        if base is not None:
            starts = np.concatenate(([0], base.ends[:-1])).astype(np.int64)
            counts = base.ends - starts
            keep = np.array([d not in self._dropped for d in base.ids], dtype=bool)
            for column, values in zip(
                (ids, dates, langs, sources),
                (base.ids, base.dates, base.langs, base.sources),
                strict=True,
            ):
                column.extend(v for v, k in zip(values, keep.tolist(), strict=True) if k)
            parts.append(base.numbers[np.repeat(keep, counts)].astype(np.uint32))
            lengths.append(counts[keep])
        for doc_id, doc in self._own.items():
            ids.append(doc_id)
            dates.append(doc.date)
            langs.append(doc.lang)
            sources.append(doc.source)
        own = array("I")
        for doc in self._own.values():
            own.extend(doc.keys)
        parts.append(np.frombuffer(own, np.uint32))
        lengths.append(np.array([len(doc.keys) for doc in self._own.values()], dtype=np.int64))
        text = {"vocab": self.vocab, "ids": ids, "dates": dates, "langs": langs}
        text["sources"] = sources
        return text, np.concatenate(parts), np.cumsum(np.concatenate(lengths)).astype(np.uint64)

    @classmethod
    def from_columns(cls, text: dict, numbers: np.ndarray, ends: np.ndarray) -> StoryKeys:
        """Take the keys from columns() as a base; raise ValueError when they do not fit."""
        keys = cls()
        keys.vocab = list(text["vocab"])
        keys._numbers = None
        numbers = numbers.astype(np.uint32, copy=False)
        if len(numbers) and int(numbers.max()) >= len(keys.vocab):
            raise ValueError("key number out of range")
        ends = ends.astype(np.int64)
        columns = [text[name] for name in ("ids", "dates", "langs", "sources")]
        if any(len(column) != len(ends) for column in columns):
            raise ValueError("columns of different lengths")
        if len(ends) and (np.any(np.diff(ends) < 0) or ends[0] < 0 or ends[-1] != len(numbers)):
            raise ValueError("article ends out of order")
        if not len(ends) and len(numbers):
            raise ValueError("key numbers of no article")
        ids, dates, langs, sources = columns
        if not set(map(type, keys.vocab)) | set(map(type, ids)) <= {str}:
            raise ValueError("keys and ids must be text")
        keys._base = _Base(list(ids), dates, langs, sources, numbers, ends)
        keys.df = np.bincount(numbers, minlength=len(keys.vocab)).tolist()
        return keys
