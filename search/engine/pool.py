"""Gather a segment's postings by term, packed, before the codec writes them.

Whoosh's pool keeps one tuple per posting, sorts them all, and spills sorted runs to disk
as a pickle per posting, then merges the runs posting by posting: about a third of a
build's time. Here each term's postings are appended to one byte string of its own as
documents come (document numbers ascend, so nothing is sorted but the terms); past the
memory limit the terms are written to a run file, a marshalled record per term, and the
runs are merged term by term. A run is the size of the postings it holds, so the temporary
space of a build stays about the size of the index.

A posting is packed as its document number, weight and value length; the values of a
term follow one another in a byte string of their own.
"""

from __future__ import annotations

import heapq
import marshal
import os
import struct
import tempfile

import numpy as np

RUN_BUFFER_BYTES = 1 << 20  # file buffer of a run, written and read
# Memory a term costs beyond its postings: the term, its byte strings and dictionary slots.
# The limit counts it, since most terms hold a posting or two.
TERM_OVERHEAD_BYTES = 200
# A posting's fixed part, packed: its document number, weight and value length. The values
# follow one another in a byte string of their own.
HEAD = np.dtype([("doc", "<i4"), ("weight", "<f8"), ("length", "<u4")])
_pack = struct.Struct("<idI").pack
_HEAD_BYTES = HEAD.itemsize


class TermPool:
    """Postings by field and term; ``iter_terms()`` yields them a term at a time and
    ``iter_postings()`` one at a time, sorted, as Whoosh's pool.

    Items are (fieldname, term bytes, docnum, weight, value bytes or None).
    """

    def __init__(self, tempdir: str, limitmb: float = 128):
        self.limit = int(limitmb * 1024 * 1024)
        self.tempdir = tempdir
        self.fieldnames: set[str] = set()
        # fieldname -> (term -> packed heads, term -> values)
        self._fields: dict[str, tuple[dict[bytes, bytearray], dict[bytes, bytearray]]] = {}
        self._size = 0
        self._runs: list[str] = []
        self._last_doc = -1
        # Set when a document comes with a lower number than one before it: every term's
        # postings are then sorted. Postings added one by one (a merge of segments adds
        # them term by term) mark only the term they land out of order in.
        self._unsorted = False
        self._unsorted_terms: set[tuple[str, bytes]] = set()

    def add(self, item) -> None:
        fieldname, tbytes, docnum, weight, value = item
        heads = self._fields.get(fieldname, ({}, {}))[0].get(tbytes)
        if heads and docnum < _last_doc(heads):
            self._unsorted_terms.add((fieldname, tbytes))
        self._add(fieldname, docnum, ((tbytes, 0, weight, value),), 1.0)

    def add_terms(self, fieldname: str, docnum: int, items, boost: float = 1.0) -> int:
        """Add one document's postings of a field from (term, freq, weight, value) items.

        Return the field's length (the frequencies added up).
        """
        if docnum < self._last_doc:
            self._unsorted = True
        self._last_doc = docnum
        return self._add(fieldname, docnum, items, boost)

    def _add(self, fieldname: str, docnum: int, items, boost: float) -> int:
        found = self._fields.get(fieldname)
        if found is None:
            found = self._fields[fieldname] = ({}, {})
            self.fieldnames.add(fieldname)
        heads, values = found
        length = size = 0
        for tbytes, freq, weight, value in items:
            length += freq
            packed = heads.get(tbytes)
            if packed is None:
                packed = heads[tbytes] = bytearray()
                size += TERM_OVERHEAD_BYTES + len(tbytes)
            if value:
                packed += _pack(docnum, weight * boost, len(value))
                joined = values.get(tbytes)
                if joined is None:
                    values[tbytes] = bytearray(value)
                else:
                    joined += value
                size += _HEAD_BYTES + len(value)
            else:
                packed += _pack(docnum, weight * boost, 0)
                size += _HEAD_BYTES
        self._size += size
        if self._size > self.limit:
            self._spill()
        return length

    def _records(self):
        """Yield (fieldname, term, packed heads, values) in term order."""
        for fieldname in sorted(self._fields):
            heads, values = self._fields[fieldname]
            for tbytes in sorted(heads):
                yield fieldname, tbytes, heads[tbytes], values.get(tbytes, b"")

    def _spill(self) -> None:
        fd, path = tempfile.mkstemp(suffix=".run", dir=self.tempdir)
        self._runs.append(path)
        with os.fdopen(fd, "wb", buffering=RUN_BUFFER_BYTES) as f:
            for fieldname, tbytes, heads, values in self._records():
                marshal.dump((fieldname, tbytes, bytes(heads), bytes(values)), f)
        self._fields = {}
        self._size = 0

    def iter_terms(self):
        """Yield (fieldname, term, docnums, weights, values, value lengths) a term at a time,
        sorted by field and term, docnums ascending: numpy arrays and the values one after
        another in a byte string (the codec's add_term takes them so)."""
        for fieldname, tbytes, heads, values in self._merged():
            postings = np.frombuffer(heads, dtype=HEAD)
            docs, weights, lengths = postings["doc"], postings["weight"], postings["length"]
            values = bytes(values)
            if self._unsorted or (fieldname, tbytes) in self._unsorted_terms:
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
        if not self._runs:
            yield from self._records()
            return
        if self._fields:
            self._spill()
        sources = [_read_run(path, i) for i, path in enumerate(self._runs)]
        current = None
        for fieldname, tbytes, _, heads, values in heapq.merge(*sources):
            if current is not None and current[1] == tbytes and current[0] == fieldname:
                if _first_doc(heads) < _last_doc(current[2]):
                    self._unsorted_terms.add((fieldname, tbytes))
                current[2] += heads
                current[3] += values
                continue
            if current is not None:
                yield current
            current = [fieldname, tbytes, bytearray(heads), bytearray(values)]
        if current is not None:
            yield current

    def cleanup(self) -> None:
        for path in self._runs:
            try:
                os.remove(path)
            except FileNotFoundError:
                pass
        self._runs = []
        self._fields = {}


def _first_doc(heads) -> int:
    return int.from_bytes(heads[:4], "little", signed=True)


def _last_doc(heads) -> int:
    return int.from_bytes(heads[-_HEAD_BYTES : 4 - _HEAD_BYTES], "little", signed=True)


def _sorted(docs, weights, values: bytes, lengths):
    """Return a term's postings ordered by document number, stably."""
    order = np.argsort(docs, kind="stable")
    ends = np.cumsum(lengths, dtype=np.int64).tolist()
    starts = [0, *ends[:-1]]
    joined = b"".join(values[starts[i] : ends[i]] for i in order.tolist())
    return docs[order], weights[order], joined, lengths[order]


def _read_run(path: str, number: int):
    """Yield a run's records as (fieldname, term, run number, heads, values), then delete
    it."""
    try:
        with open(path, "rb", buffering=RUN_BUFFER_BYTES) as f:
            while True:
                try:
                    fieldname, tbytes, heads, values = marshal.load(f)
                except EOFError:
                    break
                yield fieldname, tbytes, number, heads, values
    finally:
        os.remove(path)
