"""Our query tree: what a user's query means, independent of the engine that evaluates it.

The parser (search.query.parse) builds it, expansion (search.query.expansion) rewrites it,
soft AND (search.soft_and) takes it apart, and search.engine evaluates it. Nodes are frozen
dataclasses; ``boost`` multiplies a node's score. A field is an index field name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Term:
    """One index term in one field."""

    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Terms at consecutive positions of one field."""

    field: str
    words: tuple[str, ...]
    boost: float = 1.0
    slop: int = 1


@dataclass(frozen=True)
class Prefix:
    """Every term of a field that starts with ``text`` (``постав*``)."""

    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Wildcard:
    """Every term of a field that matches a pattern of ``*`` and ``?`` (``S-4?0``)."""

    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Range:
    """Terms of a field between ``start`` and ``end`` (None: open), e.g. dates."""

    field: str
    start: str | None
    end: str | None
    start_excl: bool = False
    end_excl: bool = False
    boost: float = 1.0


@dataclass(frozen=True)
class Every:
    """Every document (``*:*``), or every one with a term in ``field``."""

    field: str | None = None
    boost: float = 1.0


@dataclass(frozen=True)
class And:
    """Documents matching every child; the score is the children's sum."""

    children: tuple[Query, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Or:
    """Documents matching any child; the score is the matching children's sum."""

    children: tuple[Query, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class AndNot:
    """Documents matching ``positive`` and not ``negative`` (``arms -Armenia``)."""

    positive: Query
    negative: Query


@dataclass(frozen=True)
class AndMaybe:
    """Documents matching ``required``; ``optional`` adds to their score (``+word other``)."""

    required: Query
    optional: Query


@dataclass(frozen=True)
class Not:
    """Documents not matching ``child`` (``NOT word`` alone)."""

    child: Query


Query = Term | Phrase | Prefix | Wildcard | Range | Every | And | Or | AndNot | AndMaybe | Not
LEAVES = (Term, Phrase, Prefix, Wildcard, Range, Every)
PATTERNS = (Prefix, Wildcard)


def children(node: Query) -> tuple[Query, ...]:
    """Return a node's children in order (none for a leaf)."""
    if isinstance(node, And | Or):
        return node.children
    if isinstance(node, AndNot):
        return (node.positive, node.negative)
    if isinstance(node, AndMaybe):
        return (node.required, node.optional)
    if isinstance(node, Not):
        return (node.child,)
    return ()


def rebuild(node: Query, fn: Callable[[Query], Query]) -> Query:
    """Return the node with ``fn`` applied to each of its children."""
    if isinstance(node, And | Or):
        return replace(node, children=tuple(fn(child) for child in node.children))
    if isinstance(node, AndNot):
        return AndNot(fn(node.positive), fn(node.negative))
    if isinstance(node, AndMaybe):
        return AndMaybe(fn(node.required), fn(node.optional))
    if isinstance(node, Not):
        return Not(fn(node.child))
    return node


def leaves(node: Query) -> Iterator[Query]:
    """Yield every leaf of a query, negated ones included."""
    if isinstance(node, LEAVES):
        yield node
    for child in children(node):
        yield from leaves(child)


def positive_leaves(node: Query) -> Iterator[Query]:
    """Yield the leaves that must or may match (not those under a negation)."""
    if isinstance(node, Not):
        return
    if isinstance(node, AndNot):
        yield from positive_leaves(node.positive)
    elif isinstance(node, LEAVES):
        yield node
    else:
        for child in children(node):
            yield from positive_leaves(child)
