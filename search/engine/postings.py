"""One term's posting list as one compact byte string, written and read with numpy.

Layout: a varint (the number of postings, times two, plus one when the rest is
zlib-compressed), then one byte saying how weights and values are kept, the weights, the
docnum gaps as varints, and the values. Weights are often few distinct numbers (word counts
times a boost): one value, or a table of them and a byte per posting. Positions (the compact
format of search.engine.schema) become per-document counts (left out when every count is
one) and position gaps, as varints; any other format's values are kept as they are, after
their lengths. Most lists hold one or two postings: every byte of overhead counts.
"""

from __future__ import annotations

import struct
import zlib
from array import array

import numpy as np

from search.engine import varint

# Bytes: shorter lists are not worth a zlib stream (each costs some 25 us to start; above
# 128 bytes zlib still saves 14% of all postings at 2,000 articles, in 2% of the lists).
COMPRESS_ABOVE = 128
COMPRESSION = 6  # zlib level; kept only when the list gets smaller
# Lists of up to this many postings are coded in plain Python: most lists are this short,
# and numpy's cost per call is ten times the work there.
SMALL_LIST = 16
# The kind byte: bits 0-1 the weights, bits 2-3 the values, bit 4 "one position each".
_WEIGHTS_ONE, _WEIGHTS_SAME, _WEIGHTS_TABLE, _WEIGHTS_RAW = range(4)
_VALUES_NONE, _VALUES_POSITIONS, _VALUES_BYTES = (k << 2 for k in range(3))
_SINGLE = 1 << 4


def encode_postings(ids, weights, values, positional: bool) -> bytes:
    """Return the bytes of one term's postings: docnums ascending, their weights and their
    encoded values (empty for formats without)."""
    if len(ids) <= SMALL_LIST:
        return _encode_small(ids, weights, values, positional)
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    return _encode_large(ids, weights, b"".join(values), lengths, positional)


def encode_term(ids, weights, values: bytes, lengths, positional: bool) -> bytes:
    """As encode_postings(), from arrays: docnums, weights, every posting's value one after
    another and each value's length (array.array, numpy arrays or lists)."""
    if len(ids) <= SMALL_LIST:
        ends = np.cumsum(lengths).tolist()
        split = [values[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]
        return _encode_small(list(ids), list(weights), split, positional)
    return _encode_large(ids, weights, values, np.asarray(lengths, dtype=np.int64), positional)


def _encode_small(ids, weights, values, positional: bool) -> bytes:
    kind, weight_bytes = _small_weights(weights)
    gaps = varint.write_many([ids[0], *(b - a for a, b in zip(ids, ids[1:], strict=False))])
    values_kind, value_bytes = _small_values(values, positional)
    return _finish(len(ids), kind | values_kind, weight_bytes, gaps, value_bytes)


def _encode_large(ids, weights, values: bytes, lengths: np.ndarray, positional: bool) -> bytes:
    kind, weight_bytes = _large_weights(np.asarray(weights, dtype=np.float32))
    gaps = varint.encode(np.diff(np.asarray(ids, dtype=np.int64), prepend=0))
    values_kind, value_bytes = _large_values(values, lengths, positional)
    return _finish(len(ids), kind | values_kind, weight_bytes, gaps, value_bytes)


def _finish(count: int, kind: int, weight_bytes: bytes, gaps: bytes, value_bytes: bytes) -> bytes:
    body = b"".join((bytes((kind,)), weight_bytes, gaps, value_bytes))
    if len(body) > COMPRESS_ABOVE:
        packed = zlib.compress(body, COMPRESSION)
        if len(packed) < len(body):
            return varint.write_one(count << 1 | 1) + packed
    return varint.write_one(count << 1) + body


def _small_weights(weights) -> tuple[int, bytes]:
    first = weights[0]
    if all(weight == first for weight in weights):
        if first == 1.0:
            return _WEIGHTS_ONE, b""
        return _WEIGHTS_SAME, struct.pack("<f", first)
    return _WEIGHTS_RAW, struct.pack(f"<{len(weights)}f", *weights)


def _small_values(values, positional: bool) -> tuple[int, bytes]:
    if not any(values):
        return _VALUES_NONE, b""
    if positional:
        counts = [len(value) >> 2 for value in values]
        gaps = []
        for value in values:
            places = array("I", value)
            gaps += [places[0], *(b - a for a, b in zip(places, places[1:], strict=False))]
        if min(gaps, default=0) >= 0:
            if all(n == 1 for n in counts):
                return _VALUES_POSITIONS | _SINGLE, varint.write_many(gaps)
            return _VALUES_POSITIONS, varint.write_many(counts) + varint.write_many(gaps)
    lengths = varint.write_many([len(value) for value in values])
    return _VALUES_BYTES, lengths + b"".join(values)


def _large_weights(weights: np.ndarray) -> tuple[int, bytes]:
    distinct, which = np.unique(weights, return_inverse=True)
    if len(distinct) == 1:
        if distinct[0] == 1.0:
            return _WEIGHTS_ONE, b""
        return _WEIGHTS_SAME, distinct.astype("<f4").tobytes()
    if len(distinct) < 256:
        table = varint.write_one(len(distinct)) + distinct.astype("<f4").tobytes()
        return _WEIGHTS_TABLE, table + which.astype(np.uint8).tobytes()
    return _WEIGHTS_RAW, weights.astype("<f4").tobytes()


def _large_values(values: bytes, lengths: np.ndarray, positional: bool) -> tuple[int, bytes]:
    if not len(values):
        return _VALUES_NONE, b""
    if positional and not (lengths & 3).any():
        counts = lengths >> 2
        places = np.frombuffer(values, dtype=np.uint32).astype(np.int64)
        gaps = np.diff(places, prepend=0)
        firsts = np.cumsum(counts) - counts
        firsts = firsts[counts > 0]
        gaps[firsts] = places[firsts]  # each document's first position is absolute
        if gaps.min(initial=0) >= 0:
            if (counts == 1).all():
                return _VALUES_POSITIONS | _SINGLE, varint.encode(gaps)
            return _VALUES_POSITIONS, varint.encode(counts) + varint.encode(gaps)
    return _VALUES_BYTES, varint.encode(lengths) + bytes(values)


class PostingList:
    """A decoded posting list: numpy arrays, and Whoosh's view of it on demand."""

    __slots__ = ("ids", "weights", "counts", "places", "raw_values")

    def __init__(self, ids, weights, counts, places, raw_values):
        self.ids = ids  # int64 docnums of the segment, ascending
        self.weights = weights  # float32
        self.counts = counts  # positions per posting (positional formats), or None
        self.places = places  # every position, posting after posting (int64), or None
        self.raw_values = raw_values  # other formats' values as stored, or None

    def values(self) -> list[bytes]:
        """Return each posting's value as the field's format encodes it (for Whoosh)."""
        if self.raw_values is not None:
            return self.raw_values
        if self.counts is None:  # Whoosh's writers want bytes even for formats without
            return [b""] * len(self.ids)
        raw = self.places.astype(np.uint32).tobytes()
        ends = (np.cumsum(self.counts) * 4).tolist()
        starts = [0, *ends[:-1]]
        return [raw[a:b] for a, b in zip(starts, ends, strict=True)]


def decode_postings(blob: bytes, positions: bool = True) -> PostingList:
    """Read back what encode_postings() wrote; without ``positions``, a positional list's
    counts and places are left undecoded (None), which is most of the work on long lists."""
    head, pos = varint.read_one(blob, 0)
    count = head >> 1
    body, pos = (zlib.decompress(blob[pos:]), 0) if head & 1 else (blob, pos)
    kind = body[pos]
    weights, pos = _decode_weights(body, pos + 1, count, kind & 3)
    gaps, pos = _numbers(body, pos, count)
    ids = np.cumsum(gaps)
    counts = places = raw_values = None
    values = kind & 12
    if values == _VALUES_POSITIONS and not positions:
        pass  # the counts and places that follow are not wanted
    elif values == _VALUES_POSITIONS:
        if kind & _SINGLE:
            counts = np.ones(count, dtype=np.int64)
            places, _ = _numbers(body, pos, count)
        else:
            counts, pos = _numbers(body, pos, count)
            gaps, _ = _numbers(body, pos, int(counts.sum()))
            places = _undelta(gaps, counts)
    elif values == _VALUES_BYTES:
        lengths, pos = _numbers(body, pos, count)
        raw = bytes(body[pos:])
        ends = np.cumsum(lengths).tolist()
        raw_values = [raw[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]
    return PostingList(ids, weights, counts, places, raw_values)


def _numbers(body: bytes, pos: int, count: int) -> tuple[np.ndarray, int]:
    """Read ``count`` varints at ``pos``: in Python when few, numpy's setup costs more."""
    if count <= 4 * SMALL_LIST:
        numbers, pos = varint.read_many(body, pos, count)
        return np.array(numbers, dtype=np.int64), pos
    numbers, used = varint.decode(memoryview(body)[pos:], count)
    return numbers, pos + used


def _decode_weights(body, pos: int, count: int, kind: int) -> tuple[np.ndarray, int]:
    if kind == _WEIGHTS_ONE:
        return np.ones(count, dtype=np.float32), pos
    if kind == _WEIGHTS_SAME:
        value = np.frombuffer(body[pos : pos + 4], dtype="<f4")[0]
        return np.full(count, value, dtype=np.float32), pos + 4
    if kind == _WEIGHTS_TABLE:
        size, pos = varint.read_one(body, pos)
        table = np.frombuffer(body[pos : pos + 4 * size], dtype="<f4")
        pos += 4 * size
        which = np.frombuffer(body[pos : pos + count], dtype=np.uint8)
        return table[which].astype(np.float32), pos + count
    weights = np.frombuffer(body[pos : pos + 4 * count], dtype="<f4").astype(np.float32)
    return weights, pos + 4 * count


def _undelta(gaps: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Turn position gaps back into positions; each document's first one is absolute."""
    running = np.cumsum(gaps)
    firsts = np.cumsum(counts) - counts
    base = running[firsts[counts > 0]] - gaps[firsts[counts > 0]]
    return running - np.repeat(base, counts[counts > 0])
