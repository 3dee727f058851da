"""Queries of our own: the tree (``tree``), its rewrites (``expansion``), and parsing the
user's text into it (``parse``)."""
