"""Gather a segment's postings by term, as arrays, before the codec writes them.

Whoosh's pool keeps one tuple per posting, sorts them all, and spills sorted runs to disk
as a pickle per posting, then merges the runs posting by posting: about a third of a
build's time. Here a field's postings are appended to flat arrays as documents come (term
number, document number, weight, value length, and the values one after another), a
document's terms at once; nothing is done per posting in Python. A run (past the memory
limit, and at the end) is ordered by term with numpy and written to a file of raw arrays
(search.engine.runs); runs are merged term by term. A run is the size of the postings it
holds, so the temporary space of a build stays about the size of the index.
"""

from __future__ import annotations

import heapq
import os
import tempfile
from array import array
from itertools import chain

import numpy as np

from search.engine.runs import RunFile, write_run

RUN_BUFFER_BYTES = 1 << 20  # file buffer of a run being written
# Memory a term costs in a run beyond its postings: its bytes and a dictionary slot.
TERM_OVERHEAD_BYTES = 120
# A posting's fixed part: its term and document numbers, weight and value length.
POSTING_BYTES = 16


class _Field:
    """One field's postings of the run under way, in the order they came."""

    __slots__ = ("ids", "terms", "tids", "docs", "weights", "lengths", "values")

    def __init__(self):
        self.ids: dict[str, int] = {}  # term -> its number in this run
        self.terms: list[bytes] = []  # term number -> its bytes
        self.tids = array("i")
        self.docs = array("i")
        self.weights = array("f")
        self.lengths = array("I")  # bytes of each posting's value
        self.values = bytearray()

    def number(self, term, tbytes: bytes) -> int:
        tid = self.ids[term] = len(self.terms)
        self.terms.append(tbytes)
        return tid


class TermPool:
    """Postings by field and term; ``iter_terms()`` yields them a term at a time and
    ``iter_postings()`` one at a time, sorted, as Whoosh's pool.

    Items are (fieldname, term bytes, docnum, weight, value bytes or None).
    """

    def __init__(self, tempdir: str, limitmb: float = 128):
        self.limit = int(limitmb * 1024 * 1024)
        self.tempdir = tempdir
        self.fieldnames: set[str] = set()
        self._fields: dict[str, _Field] = {}
        self._size = 0
        self._runs: list[tuple[str, dict]] = []  # (path, fieldname -> array offsets)
        self._open: list[RunFile] = []  # the runs being merged
        # Fields whose document numbers went down, run or not: their terms' postings are
        # then sorted by document when they are read.
        self._unsorted: set[str] = set()
        self._last_doc: dict[str, int] = {}

    def _field(self, fieldname: str, docnum: int) -> _Field:
        field = self._fields.get(fieldname)
        if field is None:
            field = self._fields[fieldname] = _Field()
            self.fieldnames.add(fieldname)
        if docnum < self._last_doc.get(fieldname, -1):
            self._unsorted.add(fieldname)
        self._last_doc[fieldname] = docnum
        return field

    def add(self, item) -> None:
        fieldname, tbytes, docnum, weight, value = item
        self._add(fieldname, docnum, ((tbytes, 0, weight, value),), 1.0)

    def add_terms(self, fieldname: str, docnum: int, items, boost: float = 1.0) -> int:
        """Add one document's postings of a field from (term bytes, freq, weight, value)
        items. Return the field's length (the frequencies added up)."""
        return self._add(fieldname, docnum, items, boost)

    def _add(self, fieldname: str, docnum: int, items, boost: float) -> int:
        field = self._field(fieldname, docnum)
        ids, number = field.ids, field.number
        length = size = count = 0
        tids, weights, lengths, values = field.tids, field.weights, field.lengths, field.values
        for tbytes, freq, weight, value in items:
            length += freq
            count += 1
            # Terms are numbered by their text, as add_positions has them: a merge adds the
            # old segments' postings here while the new documents' come by add_positions.
            term = tbytes.decode("utf-8", "surrogateescape")
            tid = ids.get(term)
            if tid is None:
                tid = number(term, tbytes)
                size += TERM_OVERHEAD_BYTES + len(tbytes)
            tids.append(tid)
            weights.append(weight * boost)
            if value:
                lengths.append(len(value))
                values += value
                size += len(value)
            else:
                lengths.append(0)
        field.docs.extend([docnum] * count)
        self._grow(size + count * POSTING_BYTES)
        return length

    def add_positions(
        self, fieldname: str, docnum: int, positions: dict, weights: dict, scale: float = 1.0
    ) -> int:
        """Add one document's postings of a field from term -> positions and term -> weight
        (times ``scale``, the boost): the values are the positions as 32-bit integers, the
        format of search.engine.schema.CompactPositions. Return the field's length."""
        field = self._field(fieldname, docnum)
        ids = field.ids
        tids = list(map(ids.get, positions))
        size = 0
        if None in tids:
            for i, term in enumerate(positions):
                if tids[i] is None:
                    tbytes = term.encode("utf-8")
                    tids[i] = field.number(term, tbytes)
                    size += TERM_OVERHEAD_BYTES + len(tbytes)
        counts = list(map(len, positions.values()))
        length = sum(counts)
        field.tids.extend(tids)
        field.docs.extend([docnum] * len(tids))
        if scale == 1.0:
            field.weights.extend(weights.values())
        else:
            field.weights.extend([weight * scale for weight in weights.values()])
        field.lengths.extend([4 * n for n in counts])
        field.values += array("I", chain.from_iterable(positions.values()))
        self._grow(size + len(tids) * POSTING_BYTES + 4 * length)
        return length

    def _grow(self, size: int) -> None:
        self._size += size
        if self._size > self.limit:
            self._spill()

    def _spill(self) -> None:
        fd, path = tempfile.mkstemp(suffix=".run", dir=self.tempdir)
        placed: dict[str, dict] = {}
        with os.fdopen(fd, "wb", buffering=RUN_BUFFER_BYTES) as f:
            for fieldname in sorted(self._fields):
                # A field's arrays go once written: the run is not held twice.
                field = self._fields.pop(fieldname)
                placed[fieldname] = write_run(
                    f, field.terms, field.tids, field.docs, field.weights, field.lengths,
                    field.values,
                )  # fmt: skip
                del field
        self._runs.append((path, placed))
        self._size = 0

    def iter_terms(self):
        """Yield (fieldname, term, docnums, weights, values, value lengths) a term at a time,
        sorted by field and term, docnums ascending: numpy arrays and the values one after
        another in a byte string (the codec's add_term takes them so)."""
        for fieldname, tbytes, parts in self._merged():
            if len(parts) == 1:
                docs, weights, lengths, values = parts[0]
            else:
                docs, weights, lengths, values = (
                    np.concatenate([p[0] for p in parts]),
                    np.concatenate([p[1] for p in parts]),
                    np.concatenate([p[2] for p in parts]),
                    b"".join(p[3] for p in parts),
                )
            if fieldname in self._unsorted:
                docs, weights, values, lengths = _sorted(docs, weights, values, lengths)
            yield fieldname, tbytes, docs, weights, values, lengths

    def iter_postings(self):
        """Yield (fieldname, term, docnum, weight, value) sorted by field, term, docnum."""
        for fieldname, tbytes, docs, weights, values, lengths in self.iter_terms():
            offset = 0
            for docnum, weight, length in zip(
                docs.tolist(), weights.tolist(), lengths.tolist(), strict=True
            ):
                yield fieldname, tbytes, docnum, weight, values[offset : offset + length]
                offset += length

    def _merged(self):
        """Yield (fieldname, term, [(docs, weights, lengths, values) of each run])."""
        if self._fields or not self._runs:
            self._spill()
        runs, self._runs = [RunFile(path, placed) for path, placed in self._runs], []
        self._open = runs
        try:
            for fieldname in sorted({name for run in runs for name in run.placed}):
                sources = [
                    ((tbytes, number, part) for tbytes, part in run.terms(fieldname))
                    for number, run in enumerate(runs)
                    if fieldname in run.placed
                ]
                if len(sources) == 1:
                    for tbytes, _, part in sources[0]:
                        yield fieldname, tbytes, [part]
                    continue
                current, parts = None, []
                for tbytes, _, part in heapq.merge(*sources, key=lambda item: item[:2]):
                    if tbytes != current:
                        if parts:
                            yield fieldname, current, parts
                        current, parts = tbytes, []
                    parts.append(part)
                if parts:
                    yield fieldname, current, parts
        finally:
            self._close_runs()

    def _close_runs(self) -> None:
        for run in self._open:
            run.close()
        self._open = []

    def cleanup(self) -> None:
        self._close_runs()
        for path, _ in self._runs:
            try:
                os.remove(path)
            except FileNotFoundError:
                pass
        self._runs = []
        self._fields = {}


def _sorted(docs, weights, values: bytes, lengths):
    """Return a term's postings ordered by document number, stably."""
    order = np.argsort(docs, kind="stable")
    ends = np.cumsum(lengths, dtype=np.int64).tolist()
    starts = [0, *ends[:-1]]
    joined = b"".join(values[starts[i] : ends[i]] for i in order.tolist())
    return docs[order], weights[order], joined, lengths[order]
