"""Gather a segment's postings by term, packed, before the codec writes them.

Whoosh's pool keeps one tuple per posting, sorts them all, and spills sorted runs to disk
as a pickle per posting, then merges the runs posting by posting: about a third of a
build's time. Here each term's postings are appended to one byte string of its own as
documents come (document numbers ascend, so nothing is sorted but the terms); past the
memory limit the terms are written to a run file, a marshalled record per term, and the
runs are merged term by term. A run is the size of the postings it holds, so the temporary
space of a build stays about the size of the index.

A posting is packed as its document number, weight and value length, then the value.
"""

from __future__ import annotations

import heapq
import marshal
import os
import struct
import tempfile

RUN_BUFFER_BYTES = 1 << 20  # file buffer of a run, written and read
# Memory a term costs beyond its postings: the term, its byte string and the dictionary
# slot. The limit counts it, since most terms hold a posting or two.
TERM_OVERHEAD_BYTES = 160
_HEAD = struct.Struct("<idI")  # document number, weight, value length
_pack, _unpack_from, _HEAD_BYTES = _HEAD.pack, _HEAD.unpack_from, _HEAD.size


class TermPool:
    """Postings by field and term; ``iter_postings()`` yields them sorted, as Whoosh's pool.

    Items are (fieldname, term bytes, docnum, weight, value bytes or None).
    """

    def __init__(self, tempdir: str, limitmb: float = 128):
        self.limit = int(limitmb * 1024 * 1024)
        self.tempdir = tempdir
        self.fieldnames: set[str] = set()
        self._fields: dict[str, dict[bytes, bytearray]] = {}
        self._size = 0
        self._runs: list[str] = []
        self._last_doc = -1
        # Set when a posting comes with a lower document number than one before it (a
        # merge of segments may add them so): each term's postings are then sorted.
        self._unsorted = False

    def add(self, item) -> None:
        fieldname, tbytes, docnum, weight, value = item
        self.add_terms(fieldname, docnum, ((tbytes, 0, weight, value),))

    def add_terms(self, fieldname: str, docnum: int, items, boost: float = 1.0) -> int:
        """Add one document's postings of a field from (term, freq, weight, value) items.

        Return the field's length (the frequencies added up).
        """
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        if docnum < self._last_doc:
            self._unsorted = True
        self._last_doc = docnum
        length = size = 0
        for tbytes, freq, weight, value in items:
            length += freq
            packed = terms.get(tbytes)
            if packed is None:
                packed = terms[tbytes] = bytearray()
                size += TERM_OVERHEAD_BYTES + len(tbytes)
            if value:
                packed += _pack(docnum, weight * boost, len(value))
                packed += value
                size += _HEAD_BYTES + len(value)
            else:
                packed += _pack(docnum, weight * boost, 0)
                size += _HEAD_BYTES
        self._size += size
        if self._size > self.limit:
            self._spill()
        return length

    def _records(self):
        """Yield (fieldname, term, packed postings) in term order."""
        for fieldname in sorted(self._fields):
            terms = self._fields[fieldname]
            for tbytes in sorted(terms):
                yield fieldname, tbytes, terms[tbytes]

    def _spill(self) -> None:
        fd, path = tempfile.mkstemp(suffix=".run", dir=self.tempdir)
        self._runs.append(path)
        with os.fdopen(fd, "wb", buffering=RUN_BUFFER_BYTES) as f:
            for fieldname, tbytes, packed in self._records():
                marshal.dump((fieldname, tbytes, bytes(packed)), f)
        self._fields = {}
        self._size = 0

    def iter_postings(self):
        """Yield (fieldname, term, docnum, weight, value) sorted by field, term, docnum."""
        for fieldname, tbytes, packed in self._merged():
            postings = _unpacked(packed)
            if self._unsorted:
                postings.sort(key=_docnum)  # stable: one document's postings keep their order
            for docnum, weight, value in postings:
                yield fieldname, tbytes, docnum, weight, value

    def _merged(self):
        if not self._runs:
            yield from self._records()
            return
        if self._fields:
            self._spill()
        sources = [_read_run(path, i) for i, path in enumerate(self._runs)]
        current = None
        for fieldname, tbytes, _, packed in heapq.merge(*sources):
            if current is not None and current[1] == tbytes and current[0] == fieldname:
                current[2] += packed
                continue
            if current is not None:
                yield current
            current = [fieldname, tbytes, bytearray(packed)]
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


def _unpacked(packed) -> list[tuple[int, float, bytes]]:
    data = bytes(packed)
    out, offset, end = [], 0, len(data)
    while offset < end:
        docnum, weight, length = _unpack_from(data, offset)
        offset += _HEAD_BYTES
        out.append((docnum, weight, data[offset : offset + length]))
        offset += length
    return out


def _docnum(posting: tuple) -> int:
    return posting[0]


def _read_run(path: str, number: int):
    """Yield a run's records as (fieldname, term, run number, packed postings), then
    delete it."""
    try:
        with open(path, "rb", buffering=RUN_BUFFER_BYTES) as f:
            while True:
                try:
                    fieldname, tbytes, packed = marshal.load(f)
                except EOFError:
                    break
                yield fieldname, tbytes, number, packed
    finally:
        os.remove(path)
