"""How segments are written: Whoosh's whoosh3 codec, tuned for many short posting lists.

A news index has far more distinct terms than postings per term (rare lemmas, exact word
forms, name keys): in a build of 416 articles, 68,590 terms held 244,130 postings. Whoosh
writes each term's list as its own zlib-compressed, pickled block, which was two thirds of
the build's time. Here lists of up to ``INLINE_POSTINGS`` postings are stored inside the
term's entry instead (Whoosh supports reading that, but its writer calls a method that
does not exist, ``set_inline``, so it can never be turned on), and blocks are not
compressed: zlib saved a fifth of the index size and cost more than it saved in reading.
While writing, each field's lengths are read once per segment, not once per posting.
Readers need nothing special: the whoosh3 reader understands both.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    W3Codec,
    W3FieldWriter,
    W3PostingsWriter,
    _lenfield,
)
from whoosh.util.numeric import byte_to_length

INLINE_POSTINGS = 8  # posting lists this short live in the term's entry, not in a block
COMPRESSION = 0  # zlib level for posting blocks; 0 stores them as they are


class _PostingsWriter(W3PostingsWriter):
    def finish_postings(self):
        terminfo = self._terminfo
        if not self.written() and len(self) < self._inlinelimit:
            terminfo.add_block(self)
            # Formats without values (ID fields) buffer none; readers expect one per posting.
            values = self._values or [b""] * len(self._ids)
            terminfo.set_inlined(self._ids, self._weights, values)
            self._terminfo = None
            return terminfo
        return super().finish_postings()


class _Lengths:
    """A segment's field lengths, each column read once instead of once per posting."""

    def __init__(self, perdoc):
        self._perdoc = perdoc
        self._columns: dict[str, list | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default=0):
        if fieldname not in self._columns:
            reader = self._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            # As W3PerDocReader.doc_field_length: a zero byte reads as None.
            column = None if reader is None else [byte_to_length(b) if b else None for b in reader]
            self._columns[fieldname] = column
        column = self._columns[fieldname]
        return default if column is None else column[docnum]


class _FieldWriter(W3FieldWriter):
    def add_postings(self, schema, lengths, items):
        # Whoosh looks up the field length of every posting through the column file.
        return super().add_postings(schema, _Lengths(lengths) if lengths else None, items)


class DefsearchCodec(W3Codec):
    """The whoosh3 codec with short posting lists inlined and blocks uncompressed."""

    def __init__(self):
        super().__init__(compression=COMPRESSION, inlinelimit=INLINE_POSTINGS + 1)

    def field_writer(self, storage, segment):
        return _FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return _PostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )
