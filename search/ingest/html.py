"""Read a saved web page: its main text and metadata, with trafilatura.

trafilatura finds the story among the page's navigation, comments and related-links blocks,
and reads the headline, publication date, site name, canonical link and author from the
page's meta tags and markup (htmldate for the date). Nothing is fetched. The text it keeps
then goes through the same cleaning as a text file (search.ingest.extract), whose datelines
and credits fill what the page's metadata lacks.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from search.errors import DocumentError
from search.ingest.decode import clean_text
from search.ingest.extract import ArticleText, detect_lang, extract_article
from search.ingest.outlets import outlet_for_url

_LETTER_RE = re.compile(r"[^\W\d_]")
_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HOST_RE = re.compile(r"[\w-]+(?:\.[\w-]+)+")  # "iz.ru", "news.example.co.uk"
# trafilatura and htmldate log what they cannot parse ("empty HTML tree"); with no handler
# set, Python prints those on stderr. The reason a page fails is reported once, by the caller.
for _name in ("trafilatura", "htmldate", "courlan", "justext"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)
PAGE = "page metadata"  # the provenance of a value read from the page's meta tags or markup


@dataclass(frozen=True)
class PageText:
    """What one page says: the article and its author (kept out of the index for now)."""

    article: ArticleText
    author: str | None


def read_html(page: bytes | str, url: str | None = None) -> PageText:
    """Extract the article of a saved page; raise DocumentError when it holds none.

    ``url``, where the page was downloaded from, names the outlet when the page does not.
    """
    import trafilatura  # ~0.3 s to import: only pages need it
    from lxml.etree import LxmlError

    try:
        found = trafilatura.bare_extraction(
            page,
            url=url,
            with_metadata=True,
            include_comments=False,
            # Dates from the page's markup and its link only: htmldate's extensive search
            # guesses from any date in the text, or makes "2019/09/" in a link the 1st of
            # the month; a date in the story's byline or dateline is read below instead.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except (
        ValueError,
        TypeError,
        AttributeError,
        IndexError,
        KeyError,
        AssertionError,  # lxml's on "<body><html><script>", found by the tests' fuzzing
        RecursionError,
        LxmlError,
    ) as exc:
        raise DocumentError(f"unreadable HTML: {exc.__class__.__name__}") from None
    text = clean_text(found.text or "") if found is not None else ""
    if not _LETTER_RE.search(text):
        raise DocumentError("no article text found in the page")
    title = _strip_site_name(_one_line(found.title), found.sitename)
    paragraphs = [line for line in map(_one_line, text.split("\n")) if line]
    if title and paragraphs and paragraphs[0].casefold() == title.casefold():
        paragraphs = paragraphs[1:] or paragraphs  # the headline repeated as the first line
    page_url = _web_url(url) or _web_url(found.url)
    lang = detect_lang(text)
    body = "\n\n".join(paragraphs)
    from_text = extract_article(f"{title}\n\n{body}" if title else body, lang, page_url)
    if from_text is None:
        raise DocumentError("no article text found in the page")
    provenance = dict(from_text.provenance)
    date = found.date if found.date and _ISO_DATE_RE.fullmatch(found.date) else None
    if date:
        provenance["date"] = PAGE
    if title:
        provenance["title"] = PAGE
    source = _outlet(found.sitename, page_url)
    if (
        source
        and source[1] == "url"
        and from_text.source
        and from_text.provenance.get("source", "url") != "url"
    ):
        source = None  # a wire's credit in the text names the outlet better than the site
    if source:
        provenance["source"] = source[1]
    if page_url:
        provenance["url"] = "sidecar" if page_url == _web_url(url) else PAGE
    article = ArticleText(
        title=title or from_text.title,
        body=from_text.body,
        date=date or from_text.date,
        source=source[0] if source else from_text.source,
        url=page_url,
        provenance=provenance,
        dropped=from_text.dropped,
    )
    return PageText(article, _one_line(found.author) or None)


def _strip_site_name(title: str, site_name: str | None) -> str:
    """Drop the site's name that some pages append to their og:title ("… - Газета.Ru")."""
    from search.ingest.outlets import name_key

    for mark in (" - ", " | ", " — ", " :: ", " – "):
        head, sep, tail = title.rpartition(mark)
        if sep and head and site_name and name_key(tail) == name_key(site_name):
            return head.strip()
    return title


def _outlet(site_name: str | None, url: str | None) -> tuple[str, str] | None:
    """The page's site name as the outlet table spells it, else the outlet of its link.

    trafilatura gives the host ("arctic-news.example.ru") when the page names no site: it
    is read as a link, giving the listed outlet or the registered domain.
    """
    from search.ingest.credits import outlet_name

    name = _one_line(site_name)
    if name and _LETTER_RE.search(name) and not _HOST_RE.fullmatch(name):
        return outlet_name(name), PAGE
    if outlet := outlet_for_url(url) or outlet_for_url(f"https://{name}" if name else None):
        return outlet, "url"
    return None


def _web_url(url: str | None) -> str | None:
    url = _one_line(url)
    return url if url.startswith(("http://", "https://")) else None


def _one_line(value: str | None) -> str:
    return " ".join(value.split()) if value else ""
