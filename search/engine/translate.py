"""Our query tree (search.query.tree) to Whoosh's query nodes and back.

Whoosh's parser still reads the user's syntax (search.engine.parse), so its nodes are turned
into our tree; and Whoosh's matcher, where numpy scoring does not reach (patterns, ``Not``
alone), and the score-equivalence test need our tree as Whoosh nodes.
"""

from __future__ import annotations

from whoosh import query as wq

from search.query import tree


def to_whoosh(node: tree.Query) -> wq.Query:
    """Return the Whoosh query that means the same as our node."""
    if isinstance(node, tree.Term):
        return wq.Term(node.field, node.text, boost=node.boost)
    if isinstance(node, tree.Phrase):
        return wq.Phrase(node.field, list(node.words), slop=node.slop, boost=node.boost)
    if isinstance(node, tree.Prefix):
        return wq.Prefix(node.field, node.text, boost=node.boost)
    if isinstance(node, tree.Wildcard):
        return wq.Wildcard(node.field, node.text, boost=node.boost)
    if isinstance(node, tree.Range):
        return wq.TermRange(
            node.field, node.start, node.end, node.start_excl, node.end_excl, boost=node.boost
        )
    if isinstance(node, tree.Every):
        return wq.Every(node.field, boost=node.boost)
    if isinstance(node, tree.And):
        return wq.And([to_whoosh(child) for child in node.children], boost=node.boost)
    if isinstance(node, tree.Or):
        return wq.Or([to_whoosh(child) for child in node.children], boost=node.boost)
    if isinstance(node, tree.AndNot):
        return wq.AndNot(to_whoosh(node.positive), to_whoosh(node.negative))
    if isinstance(node, tree.AndMaybe):
        return wq.AndMaybe(to_whoosh(node.required), to_whoosh(node.optional))
    if isinstance(node, tree.Not):
        return wq.Not(to_whoosh(node.child))
    raise TypeError(f"not a query node: {node!r}")


def from_whoosh(node: wq.Query) -> tree.Query:
    """Return our node for a node of Whoosh's parser (the kinds its syntax makes)."""
    boost = float(node.boost)
    if isinstance(node, wq.Term):
        return tree.Term(node.fieldname, _text(node.text), boost)
    if isinstance(node, wq.Phrase):
        return tree.Phrase(node.fieldname, tuple(_text(w) for w in node.words), boost, node.slop)
    if isinstance(node, wq.Prefix):
        return tree.Prefix(node.fieldname, _text(node.text), boost)
    if isinstance(node, wq.Wildcard):
        return tree.Wildcard(node.fieldname, _text(node.text), boost)
    if isinstance(node, wq.TermRange):
        return tree.Range(node.fieldname, node.start, node.end, node.startexcl, node.endexcl, boost)
    if isinstance(node, wq.Every):
        return tree.Every(node.fieldname, boost)
    if isinstance(node, wq.And):
        return tree.And(tuple(from_whoosh(q) for q in node.subqueries), boost)
    if isinstance(node, wq.Or) and not node.scale and not getattr(node, "minmatch", 0):
        return tree.Or(tuple(from_whoosh(q) for q in node.subqueries), boost)
    if isinstance(node, wq.AndNot) and boost == 1.0:
        return tree.AndNot(from_whoosh(node.a), from_whoosh(node.b))
    if isinstance(node, wq.AndMaybe) and boost == 1.0:
        return tree.AndMaybe(from_whoosh(node.a), from_whoosh(node.b))
    if isinstance(node, wq.Not):
        return tree.Not(from_whoosh(node.query))
    raise TypeError(f"a query node of a kind defsearch does not use: {node!r}")


def _text(text) -> str:
    return text.decode("utf-8") if isinstance(text, bytes) else text
