"""The Whoosh schema shared by the indexer and the searcher."""

from __future__ import annotations

from array import array

from whoosh import fields, formats
from whoosh.analysis import SimpleAnalyzer, Token, Tokenizer

from search.text.analysis import iter_terms, term_positions
from search.text.words import normalize

# Bump when the schema or the analysis changes what is stored: an index built by an older
# version is then refused with a message to rebuild instead of returning wrong results.
SCHEMA_VERSION = 10
TITLE_BOOST = 2.5  # a query word in the headline counts this many times one in the body


class BilingualTokenizer(Tokenizer):
    """Whoosh adapter over :func:`search.text.analysis.analyze`.

    It holds no state, so Whoosh can pickle it into the index and into worker processes;
    the morphology dictionaries load lazily in each process.
    """

    def __eq__(self, other):
        return type(other) is type(self)

    def __hash__(self):
        return hash(type(self))

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            # Wildcards and ranges arrive untokenized: fold them the way words are folded.
            token.original = token.text = normalize(value)
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        mode = "query" if mode == "query" else "index"
        token.stopped = False
        for text, weight, pos, start, end, _ in iter_terms(value, mode, not removestops):
            token.text = text
            token.boost = weight
            if keeporiginal:
                token.original = value[start:end]
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


class CompactPositions(formats.Positions):
    """Whoosh's Positions format with each posting's value an array of 32-bit positions.

    Whoosh's own value is a count and a pickled list of gaps; this one is cheaper to make
    (no pickle per term and document) and the codec (search.engine.postings) reads a whole
    term's values with numpy, without unpickling, and stores them as varint gaps.
    """

    def encode(self, poslist):
        return array("I", poslist).tobytes()

    def decode_positions(self, valuestring):
        return array("I", valuestring).tolist()

    def decode_frequency(self, valuestring):
        return len(valuestring) // 4


class BilingualPositions(CompactPositions):
    """Compact positions filled straight from the analysis cache: no Token object per term
    occurrence."""

    def term_positions(self, value, analyzer):
        """Return (term -> positions, term -> weight) of a text, the field's boost not
        applied, or None when the analyzer is not ours: the writer's path without a tuple
        per term."""
        if not isinstance(analyzer, BilingualTokenizer) or not isinstance(value, str):
            return None
        return term_positions(value)

    def word_values(self, value, analyzer, **kwargs):
        if not isinstance(analyzer, BilingualTokenizer):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        positions, weights = term_positions(value)
        boost = self.field_boost
        for text, places in positions.items():
            yield text, len(places), weights[text] * boost, array("I", places).tobytes()


def build_schema() -> fields.Schema:
    """Return the schema of a defsearch index."""
    text = BilingualTokenizer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        path=fields.STORED(),
        # Positions for phrases; no character ranges: snippets re-analyze only the words that
        # can match (search.snippets.match_spans), cheaper than decoding stored ranges.
        title=_text_field(text, TITLE_BOOST),
        body=_text_field(text, 1.0),
        # "source:" in queries matches words of the outlet; source_name is the exact outlet
        # for filters and facets.
        source=_source_field(),
        source_name=fields.ID(sortable=True),
        date=fields.ID(stored=True, sortable=True),
        year=fields.ID(sortable=True),
        url=fields.STORED(),
        provenance=fields.STORED(),  # {"date": "dateline", ...}: where each value was found
        lang=fields.ID(stored=True, sortable=True),
        hash=fields.ID(stored=True, sortable=True),  # content hash of article and sidecar
        stat=fields.ID(sortable=True),  # size and mtime: a file that kept them is not re-read
    )


def _text_field(analyzer: BilingualTokenizer, boost: float) -> fields.TEXT:
    field = fields.TEXT(
        analyzer=analyzer, stored=True, field_boost=boost, multitoken_query="phrase"
    )
    field.format = BilingualPositions(field_boost=boost)
    return field


def _source_field() -> fields.TEXT:
    field = fields.TEXT(analyzer=SimpleAnalyzer(), stored=True)
    field.format = CompactPositions()
    return field
