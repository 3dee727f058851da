"""A run of the posting pool on disk: a field's postings ordered by term, written array by
array and read back front to back, a block at a time.

A run is never held twice in memory while it is ordered (each ordered array is written and
dropped before the next is made), and it is read with ``pread`` into small buffers, not
mapped: mapped pages a merge has touched would stay in the process (and count in its
memory) until the end of the build.

Arrays of a field's run, in the file: ``docs`` (int32), ``weights`` (float32), ``lengths``
(uint32, bytes of each posting's value), ``values`` (uint8), ``blob`` (the terms' bytes one
after another), and per term plus one: ``offsets`` into the blob, ``starts`` into the
postings and ``value_starts`` into the values.
"""

from __future__ import annotations

import os

import numpy as np

# Read ahead per array of a run. A merge reads every run at once, eight arrays each: at
# 256 KB (and the per-term numbers made Python ints a block at a time) a worker's thirty
# runs held 200 MB while it wrote its segment.
READ_BLOCK_BYTES = 1 << 16
NUMBERS_BLOCK = 4096  # per-term numbers made Python ints at once
REORDER_SLICE = 1 << 18  # postings whose values are moved at once when a run is ordered


def write_run(f, terms: list[bytes], tids, docs, weights, lengths, values) -> dict:
    """Write one field's postings ordered by term (bytes) and, within a term, as they came;
    return where each array is: name -> (offset, dtype, count)."""
    placed = {}

    def put(name: str, data: np.ndarray) -> None:
        placed[name] = (f.tell(), data.dtype.str, len(data))
        f.write(data.tobytes())

    count = len(terms)
    by_bytes = sorted(range(count), key=terms.__getitem__)
    rank = np.empty(count, dtype=np.int32)
    rank[by_bytes] = np.arange(count, dtype=np.int32)
    keys = rank[np.frombuffer(tids, dtype=np.int32)]
    del rank
    order = np.argsort(keys, kind="stable")
    starts = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=count), out=starts[1:])
    del keys
    put("docs", np.frombuffer(docs, dtype=np.int32)[order])
    put("weights", np.frombuffer(weights, dtype=np.float32)[order])
    lengths = np.frombuffer(lengths, dtype=np.uint32)
    sorted_lengths = lengths[order]
    put("lengths", sorted_lengths)
    value_ends = np.cumsum(sorted_lengths, dtype=np.int64)
    del sorted_lengths
    placed["values"] = (f.tell(), "|u1", len(values))
    _write_reordered(f, values, lengths, order, value_ends)
    value_starts = np.zeros(count + 1, dtype=np.int64)
    if count:
        value_starts[1:] = value_ends[starts[1:] - 1]
    del order, value_ends
    ordered = [terms[i] for i in by_bytes]
    offsets = np.zeros(count + 1, dtype=np.int64)
    np.cumsum([len(term) for term in ordered], out=offsets[1:])
    put("blob", np.frombuffer(b"".join(ordered), dtype=np.uint8))
    put("offsets", offsets)
    put("starts", starts)
    put("value_starts", value_starts)
    return placed


def _write_reordered(f, values, lengths: np.ndarray, order: np.ndarray, ends: np.ndarray):
    """Write the values in the new posting order, a slice of postings at a time."""
    if not values:
        return
    if not (lengths & 3).any():  # positions: move 32-bit words, not bytes
        values, lengths, ends = np.frombuffer(values, dtype=np.uint32), lengths >> 2, ends >> 2
    else:
        values = np.frombuffer(values, dtype=np.uint8)
    old_starts = np.cumsum(lengths, dtype=np.int64) - lengths
    for a in range(0, len(order), REORDER_SLICE):
        part = order[a : a + REORDER_SLICE]
        new_lengths = lengths[part].astype(np.int64)
        new_ends = ends[a : a + REORDER_SLICE]
        first, last = int(new_ends[0] - new_lengths[0]), int(new_ends[-1])
        shift = old_starts[part] - (new_ends - new_lengths)
        gather = np.repeat(shift, new_lengths) + np.arange(first, last, dtype=np.int64)
        f.write(values[gather].tobytes())


class RunFile:
    """A run written by write_run for each of its fields, open for one reading; the file is
    deleted at once (the open descriptor keeps it until close)."""

    def __init__(self, path: str, placed: dict[str, dict]):
        self.fd = os.open(path, os.O_RDONLY)
        os.remove(path)
        self.placed = placed

    def terms(self, fieldname: str):
        """Yield (term bytes, (docs, weights, lengths, values bytes)) of a field, by term."""
        placed = self.placed[fieldname]
        stream = {name: _Stream(self.fd, *placed[name]) for name in placed}
        offsets = _numbers(stream["offsets"])
        starts = _numbers(stream["starts"])
        value_starts = _numbers(stream["value_starts"])
        blob, docs, weights = stream["blob"], stream["docs"], stream["weights"]
        lengths, values = stream["lengths"], stream["values"]
        o0, s0, v0 = next(offsets), next(starts), next(value_starts)
        for o1, s1, v1 in zip(offsets, starts, value_starts, strict=True):
            part = (docs.take(s0, s1), weights.take(s0, s1), lengths.take(s0, s1))
            yield blob.take(o0, o1).tobytes(), (*part, values.take(v0, v1).tobytes())
            o0, s0, v0 = o1, s1, v1

    def close(self) -> None:
        os.close(self.fd)


class _Stream:
    """One array of a run, read front to back: take() asks for ever later elements."""

    def __init__(self, fd: int, offset: int, dtype: str, count: int):
        self.fd, self.offset, self.count = fd, offset, count
        self.dtype = np.dtype(dtype)
        self.block = max(1, READ_BLOCK_BYTES // self.dtype.itemsize)
        self.first = 0  # element number of buf[0]
        self.buf = np.zeros(0, dtype=self.dtype)

    def take(self, a: int, b: int) -> np.ndarray:
        end = self.first + len(self.buf)
        if b > end:
            kept = self.buf[a - self.first :] if a < end else self.buf[:0]
            start = max(a, end)
            stop = min(self.count, max(b, a + self.block))
            size = self.dtype.itemsize
            raw = os.pread(self.fd, (stop - start) * size, self.offset + start * size)
            self.buf = np.concatenate((kept, np.frombuffer(raw, dtype=self.dtype)))
            self.first = a
        return self.buf[a - self.first : b - self.first]


def _numbers(stream: _Stream):
    """Yield an array's elements as Python ints, a block at a time."""
    for a in range(0, stream.count, NUMBERS_BLOCK):
        yield from stream.take(a, min(stream.count, a + NUMBERS_BLOCK)).tolist()
