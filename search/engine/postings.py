"""One term's posting list as one compact byte string, written and read with numpy.

Layout: a flag byte (the rest zlib-compressed or not), then the number of postings, the
term's shortest and longest field length (Whoosh's length bytes), the weights, the docnum
gaps as varints, and the values. Weights are often few distinct numbers (word counts times
a boost): those become a table and one byte per posting. Positions (the compact format of
search.engine.schema) become per-document counts and position gaps, as varints; any other
format's values are kept as they are, after their lengths.
"""

from __future__ import annotations

import struct
import zlib
from array import array

import numpy as np
from whoosh.util.numeric import byte_to_length, length_to_byte

from search.engine import varint

# Bytes: shorter lists are not worth a zlib stream (each costs some 25 us to start; above
# 128 bytes zlib still saves 14% of all postings at 2,000 articles, in 2% of the lists).
COMPRESS_ABOVE = 128
COMPRESSION = 6  # zlib level; kept only when the list gets smaller
# Lists of up to this many postings are coded in plain Python: most lists are this short,
# and numpy's cost per call is ten times the work there.
SMALL_LIST = 16
_ZLIB = 1
_WEIGHTS_ONE, _WEIGHTS_SAME, _WEIGHTS_TABLE, _WEIGHTS_RAW = range(4)
_VALUES_NONE, _VALUES_POSITIONS, _VALUES_BYTES = range(3)


def encode_postings(ids, weights, values, minlength, maxlength, positional: bool) -> bytes:
    """Return the bytes of one term's postings: docnums ascending, their weights, their
    encoded values (empty for formats without), the shortest and longest field length."""
    count = len(ids)
    head = varint.write_one(count) + bytes(
        (0 if minlength is None else length_to_byte(minlength), length_to_byte(maxlength or 0))
    )
    if count <= SMALL_LIST:
        body = head + _encode_small(ids, weights, values, positional)
    else:
        body = head + _encode_large(ids, weights, values, positional)
    if len(body) > COMPRESS_ABOVE:
        packed = zlib.compress(body, COMPRESSION)
        if len(packed) < len(body):
            return bytes((_ZLIB,)) + packed
    return b"\0" + body


def _encode_small(ids, weights, values, positional: bool) -> bytes:
    out = bytearray()
    first = weights[0]
    if all(weight == first for weight in weights):
        if first == 1.0:
            out.append(_WEIGHTS_ONE)
        else:
            out.append(_WEIGHTS_SAME)
            out += struct.pack("<f", first)
    else:
        out.append(_WEIGHTS_RAW)
        out += struct.pack(f"<{len(weights)}f", *weights)
    out += varint.write_many([ids[0], *(b - a for a, b in zip(ids, ids[1:], strict=False))])
    if not any(values):
        out.append(_VALUES_NONE)
        return bytes(out)
    if positional:
        counts = [len(value) >> 2 for value in values]
        gaps = []
        for value in values:
            places = array("I", value)
            gaps += [places[0], *(b - a for a, b in zip(places, places[1:], strict=False))]
        if min(gaps, default=0) >= 0:
            out.append(_VALUES_POSITIONS)
            out += varint.write_many(counts)
            out += varint.write_many(gaps)
            return bytes(out)
    out.append(_VALUES_BYTES)
    out += varint.write_many([len(value) for value in values])
    out += b"".join(values)
    return bytes(out)


def _encode_large(ids, weights, values, positional: bool) -> bytes:
    out = [_encode_weights(np.asarray(weights, dtype=np.float32))]
    docnums = np.asarray(ids, dtype=np.int64)
    gaps = np.empty_like(docnums)
    gaps[:1] = docnums[:1]
    np.subtract(docnums[1:], docnums[:-1], out=gaps[1:])
    out.append(varint.encode(gaps))
    out.append(_encode_values(values, positional))
    return b"".join(out)


def _encode_weights(weights: np.ndarray) -> bytes:
    distinct, which = np.unique(weights, return_inverse=True)
    if len(distinct) == 1:
        if distinct[0] == 1.0:
            return bytes((_WEIGHTS_ONE,))
        return bytes((_WEIGHTS_SAME,)) + distinct.astype("<f4").tobytes()
    if len(distinct) < 256:
        table = distinct.astype("<f4").tobytes()
        head = bytes((_WEIGHTS_TABLE,)) + varint.write_one(len(distinct))
        return head + table + which.astype(np.uint8).tobytes()
    return bytes((_WEIGHTS_RAW,)) + weights.astype("<f4").tobytes()


def _encode_values(values, positional: bool) -> bytes:
    if not any(values):
        return bytes((_VALUES_NONE,))
    if positional:
        counts = np.fromiter((len(v) >> 2 for v in values), dtype=np.int64, count=len(values))
        places = np.frombuffer(b"".join(values), dtype=np.uint32).astype(np.int64)
        gaps = np.empty_like(places)
        gaps[:1] = places[:1]
        np.subtract(places[1:], places[:-1], out=gaps[1:])
        firsts = np.cumsum(counts) - counts
        firsts = firsts[counts > 0]
        gaps[firsts] = places[firsts]  # each document's first position is absolute
        if gaps.min(initial=0) >= 0:
            return bytes((_VALUES_POSITIONS,)) + varint.encode(counts) + varint.encode(gaps)
    lengths = [len(v) for v in values]
    return bytes((_VALUES_BYTES,)) + varint.encode(lengths) + b"".join(values)


class PostingList:
    """A decoded posting list: numpy arrays, and Whoosh's view of it on demand."""

    __slots__ = ("ids", "weights", "counts", "places", "raw_values", "minlength", "maxlength")

    def __init__(self, ids, weights, counts, places, raw_values, minlength, maxlength):
        self.ids = ids  # int64 docnums of the segment, ascending
        self.weights = weights  # float32
        self.counts = counts  # positions per posting (positional formats), or None
        self.places = places  # every position, posting after posting (int64), or None
        self.raw_values = raw_values  # other formats' values as stored, or None
        self.minlength = minlength  # Whoosh's decoded shortest/longest field length
        self.maxlength = maxlength

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


def decode_postings(blob: bytes) -> PostingList:
    """Read back what encode_postings() wrote."""
    body = zlib.decompress(blob[1:]) if blob[0] == _ZLIB else blob[1:]
    count, pos = varint.read_one(body, 0)
    minlength, maxlength = byte_to_length(body[pos]), byte_to_length(body[pos + 1])
    pos += 2
    weights, pos = _decode_weights(body, pos, count)
    gaps, pos = _numbers(body, pos, count)
    ids = np.cumsum(gaps)
    kind = body[pos]
    pos += 1
    counts = places = raw_values = None
    if kind == _VALUES_POSITIONS:
        counts, pos = _numbers(body, pos, count)
        gaps, _ = _numbers(body, pos, int(counts.sum()))
        places = _undelta(gaps, counts)
    elif kind == _VALUES_BYTES:
        lengths, pos = _numbers(body, pos, count)
        raw = bytes(body[pos:])
        ends = np.cumsum(lengths).tolist()
        raw_values = [raw[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]
    return PostingList(ids, weights, counts, places, raw_values, minlength, maxlength)


def _numbers(body: bytes, pos: int, count: int) -> tuple[np.ndarray, int]:
    """Read ``count`` varints at ``pos``: in Python when few, numpy's setup costs more."""
    if count <= 4 * SMALL_LIST:
        numbers, pos = varint.read_many(body, pos, count)
        return np.array(numbers, dtype=np.int64), pos
    numbers, used = varint.decode(memoryview(body)[pos:], count)
    return numbers, pos + used


def _decode_weights(body, pos: int, count: int) -> tuple[np.ndarray, int]:
    kind = body[pos]
    pos += 1
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
