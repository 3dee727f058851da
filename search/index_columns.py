"""Read per-document columns of a Whoosh index without opening its terms and postings.

A Whoosh reader opens every segment's terms and postings when it is created, and Whoosh
copies a memory-mapped file it opens into memory: about 300 MB at 20,000 articles, a third
of a second before the first value is read. A sync needs only the id, hash and stat columns
of each article, so it reads those column files alone, each in one read: a column opened
through Whoosh's file storage would cost a seek and a read per value.
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.columns import EmptyColumnReader
from whoosh.filedb.structfile import BufferFile


def iter_text_columns(ix, names: tuple[str, ...]) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Yield (document number, values of the named columns) for every live document.

    The columns must hold text (sortable ID fields: UTF-8 bytes). The document numbers are
    the ones a writer opened on the same index generation deletes by
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
        for docnum, raw in enumerate(zip(*columns, strict=True)):
            if docnum not in deleted:
                # bytes.decode directly: the fields' from_bytes goes through a Python
                # wrapper, a third of the time at 60,000 values.
                yield base + docnum, tuple(map(bytes.decode, raw))
        base += segment.doc_count_all()


def _column(storage, segment, field, name: str):
    """Return a reader of one column of a segment, over a copy of the column in memory."""
    doccount = segment.doc_count_all()
    filename = segment.codec().column_filename(segment, name)
    if not storage.file_exists(filename):
        # No document of the segment had the field: Whoosh's readers give the default too.
        return EmptyColumnReader(field.column_type.default_value(), doccount)
    length = storage.file_length(filename)
    file = storage.open_file(filename)
    try:
        data = file.get(0, length)
    finally:
        file.close()
    return field.column_type.reader(BufferFile(data), 0, length, doccount)
