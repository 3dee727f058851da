"""Gather a segment's postings by term, in compact arrays, before the codec writes them.

Whoosh's pool keeps one tuple per posting, sorts them all, and spills sorted runs to disk
as a pickle per posting, then merges the runs posting by posting: about a third of a
build's time. Here each term's postings are appended to its own arrays as documents come
(document numbers ascend, so nothing is sorted but the terms); past the memory limit the
terms are written to a run file, a marshalled record per term, and the runs are merged
term by term. A run is the size of the postings it holds, so the temporary space of a
build stays about the size of the index.
"""

from __future__ import annotations

import heapq
import marshal
import os
import tempfile
from array import array

RUN_BUFFER_BYTES = 1 << 20  # file buffer of a run, written and read
# Memory an entry costs beyond its arrays' contents: the term, four array objects and the
# dictionary slot. The limit counts it, since most terms hold a posting or two.
TERM_OVERHEAD_BYTES = 400
POSTING_BYTES = 4 + 8 + 4  # document number, weight, value length


class TermPool:
    """Postings by field and term; ``iter_postings()`` yields them sorted, as Whoosh's pool.

    Items are (fieldname, term bytes, docnum, weight, value bytes or None).
    """

    def __init__(self, tempdir: str, limitmb: float = 128):
        self.limit = int(limitmb * 1024 * 1024)
        self.tempdir = tempdir
        self.fieldnames: set[str] = set()
        self._fields: dict[str, dict[bytes, list]] = {}
        self._size = 0
        self._runs: list[str] = []
        self._unsorted: set[tuple[str, bytes]] = set()

    def add(self, item) -> None:
        fieldname, tbytes, docnum, weight, value = item
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        entry = terms.get(tbytes)
        if entry is None:
            entry = terms[tbytes] = [array("i"), array("d"), array("I"), bytearray()]
            self._size += TERM_OVERHEAD_BYTES + len(tbytes)
        elif docnum < entry[0][-1]:
            self._unsorted.add((fieldname, tbytes))
        entry[0].append(docnum)
        entry[1].append(weight)
        if value:
            entry[2].append(len(value))
            entry[3] += value
            self._size += POSTING_BYTES + len(value)
        else:
            entry[2].append(0)
            self._size += POSTING_BYTES
        if self._size > self.limit:
            self._spill()

    def add_terms(self, fieldname: str, docnum: int, items, boost: float = 1.0) -> int:
        """Add one document's postings of a field from (term, freq, weight, value) items.

        Return the field's length (the frequencies added up).
        """
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        length = size = 0
        for tbytes, freq, weight, value in items:
            length += freq
            entry = terms.get(tbytes)
            if entry is None:
                entry = terms[tbytes] = [array("i"), array("d"), array("I"), bytearray()]
                size += TERM_OVERHEAD_BYTES + len(tbytes)
            elif docnum < entry[0][-1]:
                self._unsorted.add((fieldname, tbytes))
            entry[0].append(docnum)
            entry[1].append(weight * boost)
            if value:
                entry[2].append(len(value))
                entry[3] += value
                size += POSTING_BYTES + len(value)
            else:
                entry[2].append(0)
                size += POSTING_BYTES
        self._size += size
        if self._size > self.limit:
            self._spill()
        return length

    def _records(self):
        """Yield (fieldname, term, docnums, weights, value lengths, values) in term order."""
        for fieldname in sorted(self._fields):
            terms = self._fields[fieldname]
            for tbytes in sorted(terms):
                docs, weights, lengths, values = terms[tbytes]
                if (fieldname, tbytes) in self._unsorted:
                    docs, weights, lengths, values = _sorted_postings(
                        docs, weights, lengths, values
                    )
                yield fieldname, tbytes, docs, weights, lengths, values

    def _spill(self) -> None:
        fd, path = tempfile.mkstemp(suffix=".run", dir=self.tempdir)
        self._runs.append(path)
        with os.fdopen(fd, "wb", buffering=RUN_BUFFER_BYTES) as f:
            for fieldname, tbytes, docs, weights, lengths, values in self._records():
                record = (fieldname, tbytes, docs.tobytes(), weights.tobytes(), lengths.tobytes())
                marshal.dump((*record, bytes(values)), f)
        self._fields = {}
        self._unsorted = set()
        self._size = 0

    def iter_postings(self):
        """Yield (fieldname, term, docnum, weight, value) sorted by field, term, docnum."""
        for fieldname, tbytes, docs, weights, lengths, values in self._merged():
            data, offset = bytes(values), 0
            for docnum, weight, length in zip(docs, weights, lengths, strict=True):
                end = offset + length
                yield fieldname, tbytes, docnum, weight, data[offset:end]
                offset = end

    def _merged(self):
        if not self._runs:
            yield from self._records()
            return
        if self._fields:
            self._spill()
        sources = [_read_run(path, i) for i, path in enumerate(self._runs)]
        current, ordered = None, True
        for fieldname, tbytes, _, docs, weights, lengths, values in heapq.merge(*sources):
            if current is not None and current[1] == tbytes and current[0] == fieldname:
                ordered = ordered and docs[0] > current[2][-1]
                for mine, more in zip(current[2:], (docs, weights, lengths, values), strict=True):
                    mine += more
                continue
            if current is not None:
                yield current if ordered else _in_order(current)
            current, ordered = [fieldname, tbytes, docs, weights, lengths, bytearray(values)], True
        if current is not None:
            yield current if ordered else _in_order(current)

    def cleanup(self) -> None:
        for path in self._runs:
            try:
                os.remove(path)
            except FileNotFoundError:
                pass
        self._runs = []
        self._fields = {}


def _read_run(path: str, number: int):
    """Yield a run's records as (fieldname, term, run number, arrays...), then delete it."""
    try:
        with open(path, "rb", buffering=RUN_BUFFER_BYTES) as f:
            while True:
                try:
                    fieldname, tbytes, docs, weights, lengths, values = marshal.load(f)
                except EOFError:
                    break
                yield (
                    fieldname,
                    tbytes,
                    number,
                    array("i", docs),
                    array("d", weights),
                    array("I", lengths),
                    values,
                )
    finally:
        os.remove(path)


def _in_order(record: list) -> tuple:
    fieldname, tbytes, docs, weights, lengths, values = record
    return fieldname, tbytes, *_sorted_postings(docs, weights, lengths, values)


def _sorted_postings(docs, weights, lengths, values):
    """Return a term's postings ordered by document number (merges may add them unordered)."""
    starts, offset = [], 0
    for length in lengths:
        starts.append(offset)
        offset += length
    order = sorted(range(len(docs)), key=docs.__getitem__)
    out = bytearray()
    for i in order:
        out += values[starts[i] : starts[i] + lengths[i]]
    return (
        array("i", (docs[i] for i in order)),
        array("d", (weights[i] for i in order)),
        array("I", (lengths[i] for i in order)),
        out,
    )
