"""Read per-document columns of a Whoosh index without opening its terms and postings.

A Whoosh reader opens every segment's terms and postings when it is created, and Whoosh
copies a memory-mapped file it opens into memory: about 300 MB at 20,000 articles, a third
of a second before the first value is read. A sync needs only the id, hash and stat columns
of each article, so it reads them from the segments' per-document readers directly.
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.columns import EmptyColumnReader


def iter_text_columns(ix, names: tuple[str, ...]) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Yield (document number, values of the named columns) for every live document.

    The columns must hold text (sortable ID fields: UTF-8 bytes). The document numbers are
    the ones a writer opened on the same index generation deletes by
    (``writer.delete_document``): segments in table-of-contents order, each numbered from
    where the previous one ends.
    """
    schema = ix.schema
    base = 0
    for segment in ix._segments():  # Whoosh's own list, in the order it numbers documents
        storage = segment.open_compound_file(ix.storage) if segment.is_compound() else ix.storage
        perdoc = segment.codec().per_document_reader(storage, segment)
        try:
            columns = [_column(perdoc, schema[name], name, segment) for name in names]
            deleted = set(segment.deleted_docs())
            for docnum, raw in enumerate(zip(*columns, strict=True)):
                if docnum not in deleted:
                    # bytes.decode directly: the fields' from_bytes goes through a Python
                    # wrapper, a third of the time at 60,000 values.
                    yield base + docnum, tuple(map(bytes.decode, raw))
        finally:
            perdoc.close()
            if storage is not ix.storage:
                storage.close()
        base += segment.doc_count_all()


def _column(perdoc, field, name: str, segment):
    if perdoc.has_column(name):
        return perdoc.column_reader(name, field.column_type)
    # No document of the segment had the field: Whoosh's readers give the default too.
    return EmptyColumnReader(field.column_type.default_value(), segment.doc_count_all())
