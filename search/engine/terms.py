"""A segment's term dictionary: sorted, prefix-compressed blocks and a small index of them.

Whoosh's whoosh3 dictionary is a hash table with about 60 bytes of keys, lengths, hashes
and statistics per term, and a news index has far more terms than postings per term (rare
lemmas, exact word forms, name keys): it was half of the index. Here each field's terms
are written in order, in blocks of ``BLOCK_TERMS``; a term is the length of the prefix it
shares with the previous one, the rest of its bytes, its document frequency and its
posting list's length. A short list is stored right there; a longer one in the postings
file, where lists follow each other in term order, so a block only records where its first
list starts. The index (each block's first term and place) is read per field when first used;
a lookup is a binary search over it and a walk through one block.

File layout: the blocks, then the index: per field its name, where its last block ends
and its section (term and block counts; the blocks' first terms' ends, the blocks' offsets
and where their lists start, as little-endian arrays of 4 or 8 bytes read in place; the
first terms), read only when the field is first used; then the index's offset (8 bytes,
little-endian) and ``MAGIC``.
"""

from __future__ import annotations

import struct
from collections import OrderedDict
from collections.abc import Iterator

import numpy as np

from search.engine import varint

BLOCK_TERMS = 16  # terms per block: a lookup decodes this many
BLOCK_CACHE = 512  # decoded blocks kept per open segment: a query looks a term up repeatedly
FOUND_CACHE = 8192  # terms looked up (found or not) kept per open segment
INLINE_BYTES = 24  # posting lists up to this size are stored in the dictionary itself
MAGIC = b"DTR1"
POSTINGS_MAGIC = b"DPS1"
_FOOTER = struct.Struct("<Q4s")


class TermsWriter:
    """Write a segment's dictionary; fields and terms must arrive in sorted order."""

    def __init__(self, dbfile, postfile):
        self._file = dbfile
        self._postfile = postfile
        postfile.write(POSTINGS_MAGIC)  # an empty file could not be memory-mapped
        self._fields: list[tuple[str, int, list[bytes], list[int], list[int]]] = []
        self._block = bytearray()
        self._in_block = 0
        self._last = b""

    def start_field(self, fieldname: str) -> None:
        self._fields.append((fieldname, 0, [], [], []))

    def add(self, btext: bytes, doc_frequency: int, blob: bytes) -> None:
        """Add a term with its posting list (search.engine.postings) to the current field."""
        name, count, firsts, offsets, starts = self._fields[-1]
        if self._in_block == BLOCK_TERMS or not count:
            self._flush()
            firsts.append(btext)
            offsets.append(self._file.tell())
            starts.append(self._postfile.tell())
            self._last = b""
        shared = _shared_prefix(self._last, btext)
        block = self._block
        block += varint.write_one(shared)
        block += varint.write_one(len(btext) - shared)
        block += btext[shared:]
        block += varint.write_one(doc_frequency)
        inline = len(blob) <= INLINE_BYTES
        block += varint.write_one(len(blob) << 1 | inline)
        if inline:
            block += blob
        else:
            self._postfile.write(blob)
        self._last = btext
        self._in_block += 1
        self._fields[-1] = (name, count + 1, firsts, offsets, starts)

    def _flush(self) -> None:
        if self._block:
            self._file.write(bytes(self._block))
            self._block = bytearray()
        self._in_block = 0

    def close(self) -> None:
        self._flush()
        where = self._file.tell()
        fields = [field for field in self._fields if field[1]]  # a field may end up empty
        # A field's blocks end where the next field's begin; the last field's at the index.
        ends = [offsets[0] for _, _, _, offsets, _ in fields[1:]] + [where] if fields else []
        out = [varint.write_one(len(fields))]
        for (name, count, firsts, offsets, starts), blocks_end in zip(fields, ends, strict=True):
            key_ends = np.cumsum([len(first) for first in firsts])
            width = 4 if max(int(key_ends[-1]), offsets[-1], starts[-1]) < 1 << 32 else 8
            section = b"".join(
                [
                    varint.write_one(count),
                    varint.write_one(len(firsts)),
                    bytes((width,)),
                    *(
                        np.asarray(a, dtype=f"<u{width}").tobytes()
                        for a in (key_ends, offsets, starts)
                    ),
                    *firsts,
                ]
            )
            encoded = name.encode("utf-8")
            out += [varint.write_one(len(encoded)), encoded, varint.write_one(blocks_end)]
            out += [varint.write_one(len(section)), section]
        out.append(_FOOTER.pack(where, MAGIC))
        self._file.write(b"".join(out))
        self._file.close()
        self._postfile.close()


def _shared_prefix(a: bytes, b: bytes) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


class _Field:
    """One field's part of the index: the blocks' first terms and where blocks start."""

    __slots__ = ("count", "keys", "key_starts", "offsets", "post_starts", "blocks_end")

    def __init__(self, raw, pos: int, blocks_end: int):
        self.count, pos = varint.read_one(raw, pos)
        blocks, pos = varint.read_one(raw, pos)
        width = raw[pos]
        pos += 1
        arrays = []
        for _ in range(3):  # fixed-width arrays: read in place, nothing decoded at open
            arrays.append(np.frombuffer(raw, dtype=f"<u{width}", count=blocks, offset=pos))
            pos += blocks * width
        key_ends, self.offsets, self.post_starts = arrays
        self.key_starts = np.concatenate(([0], key_ends))
        self.keys = raw[pos : pos + int(key_ends[-1])]
        self.blocks_end = blocks_end  # where the field's last block ends in the file

    def first(self, block: int) -> bytes:
        return bytes(self.keys[self.key_starts[block] : self.key_starts[block + 1]])

    def block_for(self, btext: bytes) -> int:
        """Return the last block whose first term is <= btext (-1: before them all)."""
        lo, hi = 0, len(self.offsets)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.first(mid) <= btext:
                lo = mid + 1
            else:
                hi = mid
        return lo - 1


class TermEntry:
    """What the dictionary holds about one term; the postings are read on demand."""

    __slots__ = ("btext", "doc_frequency", "blob", "offset", "length")

    def __init__(self, btext, doc_frequency, blob, offset, length):
        self.btext = btext
        self.doc_frequency = doc_frequency
        self.blob = blob  # the posting list when stored inline, else None
        self.offset = offset  # where it is in the postings file otherwise
        self.length = length


class TermsFile:
    """Read a dictionary written by TermsWriter."""

    def __init__(self, dbfile, length: int):
        self._file = dbfile
        where, magic = _FOOTER.unpack(dbfile.get(length - _FOOTER.size, _FOOTER.size))
        if magic != MAGIC:
            raise ValueError("not a defsearch term dictionary")
        self._index = memoryview(dbfile.get(where, length - _FOOTER.size - where))
        # Only the fields' names and places are read now; a field's index when first used.
        raw = self._index
        count, pos = varint.read_one(raw, 0)
        self._sections: dict[str, tuple[int, int]] = {}
        for _ in range(count):
            size, pos = varint.read_one(raw, pos)
            name = bytes(raw[pos : pos + size]).decode("utf-8")
            blocks_end, pos = varint.read_one(raw, pos + size)
            size, pos = varint.read_one(raw, pos)
            self._sections[name] = (pos, blocks_end)
            pos += size
        self.names = sorted(self._sections)
        self._fields: dict[str, _Field] = {}
        self._cache: OrderedDict[int, dict[bytes, TermEntry]] = OrderedDict()
        self._found: dict[tuple[str, bytes], TermEntry | None] = {}

    def close(self) -> None:
        self._index = None
        self._file.close()

    def field(self, fieldname: str) -> _Field | None:
        """Return a field's part of the index (None: no term of the field here)."""
        field = self._fields.get(fieldname)
        if field is None and fieldname in self._sections:
            field = self._fields[fieldname] = _Field(self._index, *self._sections[fieldname])
        return field

    def _cached_block(self, field: _Field, block: int) -> dict[bytes, TermEntry]:
        start = int(field.offsets[block])
        found = self._cache.get(start)
        if found is None:
            found = self._cache[start] = {entry.btext: entry for entry in self._block(field, block)}
            if len(self._cache) > BLOCK_CACHE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(start)
        return found

    def _block(self, field: _Field, block: int) -> list[TermEntry]:
        start = int(field.offsets[block])
        end = int(field.offsets[block + 1]) if block + 1 < len(field.offsets) else field.blocks_end
        raw = self._file.get(start, end - start)
        entries = []
        last = b""
        post = int(field.post_starts[block])
        pos = 0
        read = varint.read_one
        while pos < len(raw):
            shared, pos = read(raw, pos)
            size, pos = read(raw, pos)
            btext = last[:shared] + raw[pos : pos + size]
            pos += size
            df, pos = read(raw, pos)
            packed, pos = read(raw, pos)
            length = packed >> 1
            if packed & 1:
                entries.append(TermEntry(btext, df, raw[pos : pos + length], None, length))
                pos += length
            else:
                entries.append(TermEntry(btext, df, None, post, length))
                post += length
            last = btext
        return entries

    def find(self, fieldname: str, btext: bytes) -> TermEntry | None:
        key = (fieldname, btext)
        try:
            return self._found[key]
        except KeyError:
            pass
        entry = None
        field = self.field(fieldname)
        if field is not None:
            block = field.block_for(btext)
            if block >= 0:
                entry = self._cached_block(field, block).get(btext)
        if len(self._found) >= FOUND_CACHE:
            self._found.clear()  # cheaper than keeping an order; a query refills it at once
        self._found[key] = entry
        return entry

    def entries_from(self, fieldname: str, btext: bytes) -> Iterator[tuple[str, TermEntry]]:
        """Yield (field, entry) from the first term >= (fieldname, btext), in order."""
        for name in self.names:
            if name < fieldname:
                continue
            field = self.field(name)
            first = 0
            if name == fieldname:
                first = max(field.block_for(btext), 0)
            for block in range(first, len(field.offsets)):
                for entry in self._cached_block(field, block).values():
                    if name != fieldname or entry.btext >= btext:
                        yield name, entry
