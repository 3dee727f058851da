"""Stored fields: each document's record compressed with a dictionary shared by its segment.

Whoosh pickles each record and compresses it on its own (zlib level 3), so every article
pays for the words and field names zlib has not seen yet in it. Here a record is JSON (our
records hold text and a dict of text; nothing is unpickled when an index is read), and the
first records of a segment, up to zlib's 32 KB window, become a preset dictionary that
every record is compressed against: a fifth less at 2,000 articles, and a record is still
read on its own.

File layout: the dictionary, the records (UTF-8 JSON, raw deflate), each record's end as a
little-endian uint64, then the dictionary's length, the record count and ``MAGIC``.
A document with nothing stored has an empty record.
"""

from __future__ import annotations

import json
import struct
import zlib

import numpy as np
from whoosh.codec.whoosh3 import W3PerDocReader, W3PerDocWriter
from whoosh.columns import Column, ColumnReader, ColumnWriter

DICTIONARY_BYTES = 32 * 1024  # zlib looks back this far: a longer dictionary is not used
LEVEL = 9  # zlib level; stored records are written once and read often
MAGIC = b"DST1"
_FOOTER = struct.Struct("<II4s")
_WBITS = -15  # raw deflate: no header and checksum per record


class StoredColumn(Column):
    """A column of JSON records, compressed against a shared dictionary."""

    def writer(self, dbfile):
        return _Writer(dbfile)

    def reader(self, dbfile, basepos, length, doccount):
        return _Reader(dbfile, basepos, length, doccount)

    def default_value(self, reverse=False):
        return None


class _Writer(ColumnWriter):
    def __init__(self, dbfile):
        self._dbfile = dbfile
        self._pending: list[tuple[int, bytes]] = []  # records held until the dictionary is made
        self._pending_bytes = 0
        self._dictionary: bytes | None = None
        self._ends: list[int] = []
        self._size = 0

    def add(self, docnum, value):
        raw = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if self._dictionary is not None:
            self._write(docnum, raw)
            return
        self._pending.append((docnum, raw))
        self._pending_bytes += len(raw)
        if self._pending_bytes >= DICTIONARY_BYTES:
            self._start()

    def _start(self) -> None:
        self._dictionary = b"".join(raw for _, raw in self._pending)[:DICTIONARY_BYTES]
        self._dbfile.write(self._dictionary)
        for docnum, raw in self._pending:
            self._write(docnum, raw)
        self._pending = []

    def _write(self, docnum: int, raw: bytes) -> None:
        while len(self._ends) < docnum:  # documents with nothing stored
            self._ends.append(self._size)
        packer = zlib.compressobj(
            LEVEL, zlib.DEFLATED, _WBITS, 9, zlib.Z_DEFAULT_STRATEGY, self._dictionary
        )
        data = packer.compress(raw) + packer.flush()
        self._dbfile.write(data)
        self._size += len(data)
        self._ends.append(self._size)

    def finish(self, doccount):
        if self._dictionary is None:
            self._start()
        while len(self._ends) < doccount:
            self._ends.append(self._size)
        self._dbfile.write(np.asarray(self._ends, dtype="<u8").tobytes())
        self._dbfile.write(_FOOTER.pack(len(self._dictionary), doccount, MAGIC))


class _Reader(ColumnReader):
    def __init__(self, dbfile, basepos, length, doccount):
        self._dbfile = dbfile
        size, count, magic = _FOOTER.unpack(
            dbfile.get(basepos + length - _FOOTER.size, _FOOTER.size)
        )
        if magic != MAGIC:
            raise ValueError("not a defsearch stored-fields column")
        self._doccount = count
        self._dictionary = dbfile.get(basepos, size)
        self._values = basepos + size
        self._ends_at = basepos + length - _FOOTER.size - 8 * count
        self._ends: np.ndarray | None = None  # read on first use

    def __getitem__(self, docnum):
        if self._ends is None:
            raw = self._dbfile.get(self._ends_at, 8 * self._doccount)
            self._ends = np.frombuffer(raw, dtype="<u8")
        start = int(self._ends[docnum - 1]) if docnum else 0
        end = int(self._ends[docnum])
        if start == end:
            return None
        unpacker = zlib.decompressobj(_WBITS, zdict=self._dictionary)
        raw = unpacker.decompress(self._dbfile.get(self._values + start, end - start))
        return json.loads(raw + unpacker.flush())

    def __iter__(self):
        for docnum in range(self._doccount):
            yield self[docnum]


STORED = StoredColumn()


class PerDocWriter(W3PerDocWriter):
    """whoosh3's per-document writer with the stored fields in a StoredColumn."""

    def _create_column(self, fieldname, column):
        # Whoosh creates "_stored" itself, with its own column type.
        super()._create_column(fieldname, STORED if fieldname == "_stored" else column)


class PerDocReader(W3PerDocReader):
    """whoosh3's per-document reader with the stored fields in a StoredColumn."""

    def stored_fields(self, docnum):
        value = self._cached_reader("_stored", STORED)[docnum]
        return {} if value is None else value
