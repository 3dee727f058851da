"""Whoosh's segment writer with postings gathered by term (search.engine.pool)."""

from __future__ import annotations

from whoosh.writing import SegmentWriter

from search.engine.pool import TermPool


def use_term_pool(writer: SegmentWriter, limitmb: float) -> None:
    """Give a new writer a TermPool in place of Whoosh's posting pool (still empty)."""
    writer.pool.cleanup()
    writer.pool = TermPool(writer._tempstorage.folder, limitmb)


class PooledWriter(SegmentWriter):
    """A SegmentWriter whose postings go to a TermPool, a field's terms at a time.

    ``per_doc(fields) -> (key, value)``, if given, runs on every document added, in the
    process that indexes it; ``per_doc_results`` holds the values by key.
    """

    def __init__(self, ix, limitmb: float = 128, per_doc=None, **kwargs):
        super().__init__(ix, limitmb=limitmb, **kwargs)
        use_term_pool(self, limitmb)
        self.per_doc = per_doc
        self.per_doc_results: dict = {}
        # Spelling words and term vectors are not ours: such a schema takes Whoosh's path.
        self._plain = not any(
            field.separate_spelling() or field.vector for _, field in self.schema.items()
        )

    def add_document(self, **fields):
        """As SegmentWriter.add_document, without a tuple and a call per posting."""
        if self._plain:
            self._add_by_field(fields)
        else:
            super().add_document(**fields)
        if self.per_doc is not None:
            key, result = self.per_doc(fields)
            self.per_doc_results[key] = result

    def _add_by_field(self, fields: dict) -> None:
        self._check_state()
        perdocwriter, schema, docnum = self.perdocwriter, self.schema, self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields[fieldname]
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    boost = self._field_boost(fields, fieldname, docboost)
                    length = self._add_terms(fieldname, field, docnum, value, boost)
                    if not field.scorable:
                        length = 0
                stored = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
                column = field.column_type
                if column and stored is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(stored))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _add_terms(self, fieldname: str, field, docnum: int, value, boost: float) -> int:
        """Add a field's postings of one document; return the field's length."""
        positions = getattr(field.format, "term_positions", None)
        found = positions(value, field.analyzer) if positions else None
        if found is None:
            return self.pool.add_terms(fieldname, docnum, field.index(value), boost)
        positions, weights = found
        scale = field.format.field_boost * boost
        return self.pool.add_positions(fieldname, docnum, positions, weights, scale)

    def _flush_segment(self):
        """Hand the codec whole terms when it takes them (``add_term``), else postings."""
        fieldwriter = self.fieldwriter
        if not hasattr(fieldwriter, "add_term"):
            return super()._flush_segment()
        self.perdocwriter.close()
        current = None
        for fieldname, tbytes, docs, weights, values, lengths in self.pool.iter_terms():
            if fieldname != current:
                if current is not None:
                    fieldwriter.finish_field()
                fieldwriter.start_field(fieldname, self.schema[fieldname])
                current = fieldname
            fieldwriter.add_term(tbytes, docs, weights, values, lengths)
        if current is not None:
            fieldwriter.finish_field()
        fieldwriter.close()
