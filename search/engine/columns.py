"""Read per-document columns of a Whoosh index without opening its terms and postings.

A Whoosh reader opens every segment's terms and postings when it is created, and Whoosh
copies a memory-mapped file it opens into memory: about 300 MB at 20,000 articles, a third
of a second before the first value is read. A sync needs only the id, hash and stat columns
of each article, so it reads those column files alone, each in one read: a column opened
through Whoosh's file storage would cost a seek and a read per value.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
from whoosh.columns import VarBytesColumn


def iter_text_columns(ix, names: tuple[str, ...]) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Yield (document number, values of the named columns) for every live document.

    The columns must hold text (sortable ID fields: UTF-8 in variable-bytes columns). The
    document numbers are the ones a writer opened on the same index generation deletes by
    (``writer.delete_document``): segments in table-of-contents order, each numbered from
    where the previous one ends.
    """
    base = 0
    for segment in ix._segments():  # Whoosh's own list, in the order it numbers documents
        compound = segment.is_compound()
        storage = segment.open_compound_file(ix.storage) if compound else ix.storage
        try:
            columns = [_column(storage, segment, ix.schema[name], name) for name in names]
        finally:
            if compound:
                storage.close()
        deleted = set(segment.deleted_docs())
        for docnum, raw in enumerate(zip(*(column.tolist() for column in columns), strict=True)):
            if docnum not in deleted:
                # bytes.decode directly: the fields' from_bytes goes through a Python
                # wrapper, a third of the time at 60,000 values.
                yield base + docnum, tuple(map(bytes.decode, raw))
        base += segment.doc_count_all()


class TextColumn(NamedTuple):
    """One segment's column of text values, as read from its file: value i is
    ``raw[starts[i] : ends[i]]``."""

    raw: bytes
    starts: list[int]
    ends: list[int]

    def value(self, row: int) -> str:
        return self.raw[self.starts[row] : self.ends[row]].decode()

    def values(self) -> list[str]:
        raw = self.raw
        return [raw[a:b].decode() for a, b in zip(self.starts, self.ends, strict=True)]


def iter_segment_columns(
    ix, names: tuple[str, ...]
) -> Iterator[tuple[int, set[int], list[TextColumn]]]:
    """Yield, for every segment in iter_text_columns' order, the document number of its
    first document, the numbers of its deleted documents (from 0) and the named columns.

    No value is decoded here: a sync that needs every id but the hash of a few articles
    decodes only those.
    """
    base = 0
    for segment in ix._segments():
        compound = segment.is_compound()
        storage = segment.open_compound_file(ix.storage) if compound else ix.storage
        try:
            columns = []
            for name in names:
                raw = _column_bytes(storage, segment, name)
                count = segment.doc_count_all()
                if raw is None:  # no document of the segment had the field: all empty
                    columns.append(TextColumn(b"", [0] * count, [0] * count))
                else:
                    starts, lengths = varbytes_cells(raw, count)
                    ends = starts + lengths
                    columns.append(TextColumn(raw, starts.tolist(), ends.tolist()))
        finally:
            if compound:
                storage.close()
        yield base, set(segment.deleted_docs()), columns
        base += segment.doc_count_all()


def _column_bytes(storage, segment, name: str) -> bytes | None:
    """Return a segment's column file in one read; None when the segment has none."""
    filename = segment.codec().column_filename(segment, name)
    if not storage.file_exists(filename):
        return None
    length = storage.file_length(filename)
    file = storage.open_file(filename)
    try:
        return file.get(0, length)
    finally:
        file.close()


def _column(storage, segment, field, name: str) -> np.ndarray:
    """Return one column of a segment as a bytes array, read in one go."""
    doccount = segment.doc_count_all()
    data = _column_bytes(storage, segment, name)
    if data is None:
        # No document of the segment had the field: Whoosh's readers give the default too.
        return np.full(doccount, field.column_type.default_value(), dtype=bytes)
    return varbytes_values(data, doccount)


def varbytes_values(raw: bytes, count: int) -> np.ndarray:
    """Return the values of a whole variable-bytes column file as a fixed-width bytes array.

    Whoosh's own reader derives the value offsets in a Python loop and reads each value
    from the file on its own; here the lengths become offsets with numpy and every value is
    cut out of the one read. Layout (whoosh.columns.VarBytesColumn.Writer): the values, the
    lengths array, [the offsets array], the lengths typecode, [the offsets typecode, "X"];
    the arrays are big-endian.
    """
    if not count:
        return np.empty(0, dtype="S1")
    offsets, lengths = varbytes_cells(raw, count)
    width = max(int(lengths.max()), 1)
    data = np.frombuffer(raw, dtype=np.uint8)
    cells = offsets[:, None] + np.arange(width)[None, :]
    inside = np.arange(width)[None, :] < lengths[:, None]
    table = np.where(inside, data[np.minimum(cells, len(data) - 1)], 0).astype(np.uint8)
    return table.view(f"S{width}").ravel()


def varbytes_cells(raw: bytes, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Return where each value of a variable-bytes column file starts, and its length
    (int64 arrays; layout: see varbytes_values)."""
    end = len(raw) - 1
    offsets = None
    if raw[end:] == b"X":
        lengths_code, offsets_code = chr(raw[end - 2]), chr(raw[end - 1])
        end -= 2
        size = struct.calcsize(offsets_code)
        offsets = np.frombuffer(raw[end - count * size : end], dtype=f">u{size}")
        end -= count * size
    else:
        lengths_code = chr(raw[end])
    size = struct.calcsize(lengths_code)
    lengths = np.frombuffer(raw[end - count * size : end], dtype=f">u{size}").astype(np.int64)
    if offsets is None:
        offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    return offsets.astype(np.int64), lengths


def is_varbytes(field) -> bool:
    """Whether a field's column is one varbytes_values() can read."""
    return isinstance(field.column_type, VarBytesColumn)
