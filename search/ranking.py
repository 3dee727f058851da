"""The order of a search's matches, worked out only as far as the shown page needs.

A common word matches a third of the index; sorting all of its matches (a stable argsort,
or a lexsort for the date order) cost 3 to 5 ms at 100,000 articles, for a page of ten.
The first n of the order are found by a partition instead: every article that can be among
them (its score, or its day, at least the n-th best) is sorted, and only those. The order
is the same as a full sort's, ties included (index order), so pages do not change.
"""

from __future__ import annotations

import numpy as np

from search.engine.arrays import IndexArrays

SORT_ALL_BELOW = 4  # when a prefix is a quarter of the matches or more, sort them all


def order(arrays: IndexArrays, docnums: np.ndarray, scores: np.ndarray, sort: str) -> np.ndarray:
    """Return docnums best first, or newest first (then best) for the date sort."""
    if sort == "date":
        _, days = arrays.codes("date")
        return docnums[np.lexsort((-scores[docnums], -days[docnums]))]
    return docnums[np.argsort(-scores[docnums], kind="stable")]  # ties: index order


class Ranking:
    """The full matches of a search in order, then its partial matches (already ranked)."""

    def __init__(
        self,
        arrays: IndexArrays,
        full: np.ndarray,
        partial: np.ndarray,
        scores: np.ndarray,
        sort: str,
    ):
        self.full = full  # docnums matching the whole query, ascending
        self.partial = partial  # docnums matching all words but one, in their order
        self._arrays, self._scores, self._sort = arrays, scores, sort
        self._ordered: np.ndarray | None = None  # every full match in order, once sorted

    def __len__(self) -> int:
        return len(self.full) + len(self.partial)

    def matches(self) -> np.ndarray:
        """Return every match, in no particular order."""
        return np.concatenate([self.full, self.partial])

    def first(self, n: int) -> np.ndarray:
        """Return the first ``n`` matches in the order shown."""
        if n >= len(self.full):
            return np.concatenate([self._all_full(), self.partial[: n - len(self.full)]])
        if self._ordered is not None or SORT_ALL_BELOW * n >= len(self.full):
            return self._all_full()[:n]
        if self._sort == "date":
            key = self._arrays.codes("date")[1][self.full]  # newest first: the largest days
        else:
            key = self._scores[self.full]
        # The n-th largest key: any article of the first n has a key at least as large.
        least = np.partition(key, len(key) - n)[len(key) - n]
        candidates = self.full[key >= least]
        return order(self._arrays, candidates, self._scores, self._sort)[:n]

    def among(self, docnums: np.ndarray) -> np.ndarray:
        """Return some of the matches (ascending docnums) in the order shown."""
        full = docnums[np.isin(docnums, self.full, assume_unique=True)]
        partial = self.partial[np.isin(self.partial, docnums, assume_unique=True)]
        return np.concatenate([order(self._arrays, full, self._scores, self._sort), partial])

    def _all_full(self) -> np.ndarray:
        if self._ordered is None:
            self._ordered = order(self._arrays, self.full, self._scores, self._sort)
        return self._ordered
