"""Atom 1.0 feeds (RFC 4287) of a search or a saved search."""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from search.text.safe import escape_controls

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
# Characters XML 1.0 cannot hold at all, escaped or not: dropped from the feed's text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass
class FeedEntry:
    id: str  # the article's page: a permanent IRI
    title: str
    outlet: str | None
    date: str | None  # YYYY-MM-DD
    page: str  # link to the article page here
    original: str | None  # link to the original article
    summary: str  # plain text
    lang: str = ""


def _stamp(day: str | None, fallback: str) -> str:
    return f"{day}T00:00:00Z" if day else fallback


def atom_feed(self_link: str, title: str, page_link: str, updated: str, entries) -> bytes:
    """Return the feed's XML; its id is its own link (``self_link``), ``updated`` (RFC
    3339) also dates the undated entries."""
    ET.register_namespace("", ATOM_NS)

    def add(parent, tag: str, text: str | None = None, **attrs):
        attrs = {name: _NOT_XML.sub("", value) for name, value in attrs.items()}
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            # Control characters and bidi overrides shown as escapes, as on the pages.
            element.text = _NOT_XML.sub("", escape_controls(text))
        return element

    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    add(feed, "id", self_link)
    add(feed, "title", title)
    add(feed, "updated", updated)
    add(feed, "link", rel="self", href=self_link, type="application/atom+xml")
    add(feed, "link", rel="alternate", href=page_link, type="text/html")
    author = add(feed, "author")
    add(author, "name", "defsearch")
    add(feed, "generator", "defsearch")
    for item in entries:
        entry = add(feed, "entry")
        add(entry, "id", item.id)
        add(entry, "title", item.title or item.id, type="text")
        add(entry, "updated", _stamp(item.date, updated))
        if item.date:
            add(entry, "published", _stamp(item.date, updated))
        add(entry, "link", rel="alternate", href=item.page, type="text/html")
        if item.original:
            add(entry, "link", rel="related", href=item.original, type="text/html")
        if item.outlet:
            outlet = add(entry, "author")
            add(outlet, "name", item.outlet)
        add(entry, "summary", item.summary, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
