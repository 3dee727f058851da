"""How segments are written and read: a codec of our own inside Whoosh's codec interface.

Whoosh's whoosh3 codec pickles every posting list (inline ones into a hash table of terms
with some 60 bytes of overhead each), so a 2,000-article index took 8.8 times its text.
This one keeps whoosh3's per-document side (columns, lengths; stored fields compressed
better, search.engine.stored) and replaces the inverted side: each term's postings become
one compact byte string of varints (search.engine.postings), kept in a prefix-compressed
term dictionary (search.engine.terms) when short and in the postings file otherwise.
Whoosh's own matchers still work (its parser, merges, the ranking test's reference): a
term's matcher is a ListMatcher over the decoded list. The numpy scoring path reads the
lists directly (search.engine.arrays). While writing, each field's lengths are read once
per segment, not once per posting.
"""

from __future__ import annotations

from whoosh.codec import base
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, _lenfield
from whoosh.matching import ListMatcher
from whoosh.reading import TermInfo, TermNotFound
from whoosh.util.numeric import byte_to_length

from search.engine.postings import PostingList, decode_postings, encode_postings, encode_term
from search.engine.schema import CompactPositions
from search.engine.stored import PerDocReader, PerDocWriter
from search.engine.terms import TermEntry, TermsFile, TermsWriter

_LONGEST = byte_to_length(255)  # the longest field length Whoosh's length byte can say


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


class _FieldWriter(base.FieldWriter):
    """Gather each term's postings and hand them to the dictionary as one byte string."""

    def __init__(self, codec, storage, segment):
        self._terms = TermsWriter(
            segment.create_file(storage, W3Codec.TERMS_EXT),
            segment.create_file(storage, W3Codec.POSTS_EXT),
        )
        self._positional = False
        self._btext = None
        self.is_closed = False

    def add_postings(self, schema, lengths, items):
        # Whoosh looks up the field length of every posting through the column file.
        return super().add_postings(schema, _Lengths(lengths) if lengths else None, items)

    def start_field(self, fieldname, fieldobj):
        self._positional = isinstance(fieldobj.format, CompactPositions)
        self._terms.start_field(fieldname)

    def start_term(self, btext):
        self._btext = btext
        self._ids, self._weights, self._values = [], [], []

    def add(self, docnum, weight, vbytes, length):
        self._ids.append(docnum)
        self._weights.append(weight)
        self._values.append(vbytes or b"")

    def finish_term(self):
        blob = encode_postings(self._ids, self._weights, self._values, self._positional)
        self._terms.add(self._btext, len(self._ids), blob)

    def add_term(self, btext: bytes, ids, weights, values: bytes, lengths) -> None:
        """Write a whole term of the current field at once, instead of start_term(), add()
        per posting and finish_term(): its docnums (ascending), weights, every posting's
        value one after another (b"" for formats without) and each value's length."""
        blob = encode_term(ids, weights, values, lengths, self._positional)
        self._terms.add(btext, len(ids), blob)

    def finish_field(self):
        pass

    def close(self):
        self._terms.close()
        self.is_closed = True


class _TermInfo(TermInfo):
    """A term's statistics: the document frequency from the dictionary, the rest from its
    posting list, decoded when first asked for.

    Field lengths are not stored per list: Whoosh uses the shortest only to bound a term's
    best score (to skip documents that cannot reach the top), and the shortest possible
    length is a bound that always holds.
    """

    def __init__(self, entry: TermEntry, reader: _TermsReader):
        self._df = entry.doc_frequency
        self._entry = entry
        self._reader = reader

    def __getattr__(self, name):
        if name not in ("_weight", "_minlength", "_maxlength", "_maxweight", "_minid", "_maxid"):
            raise AttributeError(name)
        postings = self._reader.postings(self._entry)
        self._weight = float(postings.weights.astype(float).sum())
        self._minlength = 1
        self._maxlength = _LONGEST
        self._maxweight = float(postings.weights.max())
        self._minid = int(postings.ids[0])
        self._maxid = int(postings.ids[-1])
        return getattr(self, name)


class _TermsReader(base.TermsReader):
    def __init__(self, dbfile, length, postfile):
        self._dict = TermsFile(dbfile, length)
        self._postfile = postfile

    def entry(self, fieldname: str, btext: bytes) -> TermEntry | None:
        """Return the dictionary entry of a term, or None."""
        return self._dict.find(fieldname, btext)

    def postings(self, entry: TermEntry, positions: bool = True) -> PostingList:
        """Decode a term's posting list (without ``positions``: ids and weights only)."""
        blob = entry.blob
        if blob is None:
            blob = self._postfile.get(entry.offset, entry.length)
        return decode_postings(blob, positions)

    def __contains__(self, term):
        return self._dict.find(*term) is not None

    def indexed_field_names(self):
        return list(self._dict.names)

    def cursor(self, fieldname, fieldobj):
        raise NotImplementedError("term cursors are not supported by the defsearch codec")

    def terms(self):
        return ((name, entry.btext) for name, entry in self._dict.entries_from("", b""))

    def terms_from(self, fieldname, prefix):
        return ((name, e.btext) for name, e in self._dict.entries_from(fieldname, prefix))

    def items(self):
        return self.items_from("", b"")

    def items_from(self, fieldname, prefix):
        for name, entry in self._dict.entries_from(fieldname, prefix):
            yield (name, entry.btext), _TermInfo(entry, self)

    def _entry(self, fieldname, btext) -> TermEntry:
        entry = self._dict.find(fieldname, btext)
        if entry is None:
            raise TermNotFound(f"No term {fieldname}:{btext!r}")
        return entry

    def term_info(self, fieldname, btext):
        return _TermInfo(self._entry(fieldname, btext), self)

    def frequency(self, fieldname, btext):
        entry = self._dict.find(fieldname, btext)
        if entry is None:
            raise KeyError(btext)
        return _TermInfo(entry, self).weight()

    def doc_frequency(self, fieldname, btext):
        entry = self._dict.find(fieldname, btext)
        if entry is None:
            raise KeyError(btext)
        return entry.doc_frequency

    def matcher(self, fieldname, btext, format_, scorer=None):
        entry = self._entry(fieldname, btext)
        postings = self.postings(entry)
        return ListMatcher(
            postings.ids.tolist(),
            postings.weights.tolist(),
            postings.values(),
            format_,
            scorer=scorer,
            term=(fieldname, btext),
            terminfo=_TermInfo(entry, self),
        )

    def close(self):
        self._dict.close()
        self._postfile.close()


class DefsearchCodec(W3Codec):
    """whoosh3's per-document files (stored fields compressed with a shared dictionary,
    search.engine.stored) with our own term dictionary and posting lists."""

    def per_document_writer(self, storage, segment):
        return PerDocWriter(self, storage, segment)

    def per_document_reader(self, storage, segment):
        return PerDocReader(storage, segment)

    def field_writer(self, storage, segment):
        return _FieldWriter(self, storage, segment)

    def terms_reader(self, storage, segment):
        name = segment.make_filename(self.TERMS_EXT)
        return _TermsReader(
            storage.open_file(name),
            storage.file_length(name),
            segment.open_file(storage, self.POSTS_EXT),
        )
