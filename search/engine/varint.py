"""Unsigned LEB128 varints for whole arrays at once, with numpy.

Seven bits a byte, low bits first, the high bit set on every byte but a number's last: most
numbers of a posting list (docnum gaps, position gaps, counts) fit one byte. Encoding and
decoding work on all numbers of a list together, never one number at a time in Python.
"""

from __future__ import annotations

import numpy as np

_MAX_BYTES = 10  # a 64-bit number needs at most ten 7-bit groups


def encode(values) -> bytes:
    """Return the varints of non-negative integers, one after another."""
    numbers = np.asarray(values, dtype=np.uint64)
    if not len(numbers):
        return b""
    if int(numbers.max()) < 0x80:
        return numbers.astype(np.uint8).tobytes()
    sizes = np.ones(len(numbers), dtype=np.int64)
    for k in range(1, _MAX_BYTES):
        sizes += numbers >= np.uint64(1 << (7 * k))
    ends = np.cumsum(sizes)
    starts = ends - sizes
    out = np.empty(int(ends[-1]), dtype=np.uint8)
    for k in range(int(sizes.max())):
        has = sizes > k
        group = (numbers[has] >> np.uint64(7 * k)) & np.uint64(0x7F)
        more = (sizes[has] > k + 1).astype(np.uint64) << np.uint64(7)
        out[starts[has] + k] = (group | more).astype(np.uint8)
    return out.tobytes()


def decode(raw, count: int | None = None) -> tuple[np.ndarray, int]:
    """Return (the first ``count`` varints of ``raw`` as int64, bytes they took); all of
    them when ``count`` is None."""
    data = np.frombuffer(raw, dtype=np.uint8)
    if count is not None:
        data = data[: count * _MAX_BYTES]  # no need to scan what follows them
    ends = np.flatnonzero(data < 0x80)
    if count is not None:
        if count > len(ends):
            raise ValueError("truncated varints")
        ends = ends[:count]
    if not len(ends):
        return np.empty(0, dtype=np.int64), 0
    used = int(ends[-1]) + 1
    if used == len(ends):  # every number fits one byte
        return data[:used].astype(np.int64), used
    starts = np.empty(len(ends), dtype=np.int64)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    sizes = ends - starts + 1
    low = (data[:used] & 0x7F).astype(np.int64)
    # Every number's first group, then the second groups of the numbers longer than one
    # byte, and so on: most numbers take one byte, so each round touches fewer of them
    # (four times faster than spreading every byte to its number and reducing).
    numbers = low[starts]
    longer = np.flatnonzero(sizes > 1)
    k = 1
    while len(longer):
        numbers[longer] |= low[starts[longer] + k] << (7 * k)
        k += 1
        longer = longer[sizes[longer] > k]
    return numbers, used


def read_one(raw: bytes, pos: int) -> tuple[int, int]:
    """Return (the varint at ``pos``, the position after it), for headers."""
    value = shift = 0
    while True:
        byte = raw[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def write_one(value: int) -> bytes:
    """Return the varint of one non-negative integer, for headers."""
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def write_many(values: list[int]) -> bytes:
    """Return the varints of a short list of non-negative integers, in plain Python."""
    if max(values, default=0) < 0x80:
        return bytes(values)
    out = bytearray()
    for value in values:
        while value >= 0x80:
            out.append((value & 0x7F) | 0x80)
            value >>= 7
        out.append(value)
    return bytes(out)


def read_many(raw: bytes, pos: int, count: int) -> tuple[list[int], int]:
    """Return (``count`` varints at ``pos``, the position after them), in plain Python."""
    out = []
    append = out.append
    for _ in range(count):
        value = raw[pos]
        pos += 1
        if value >= 0x80:
            value &= 0x7F
            shift = 7
            while True:
                byte = raw[pos]
                pos += 1
                value |= (byte & 0x7F) << shift
                if byte < 0x80:
                    break
                shift += 7
        append(value)
    return out, pos
