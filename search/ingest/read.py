"""Turn raw article files from the corpus into clean NewsDocument records.

decode reads and decodes the bytes, sidecar applies NAME.meta.json, extract finds the title,
date, outlet and link in the decoded text. Files of other formats are read by a module each
(html, pdf, mail), chosen by the extension (kinds); an e-mail's attachments and an mbox's
messages become articles of their own, with ids "mail.eml#report.pdf" and "box.mbox#3"."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from search.errors import DocumentError
from search.ingest.decode import MAX_BYTES, clean_text, decode, read_article
from search.ingest.kinds import MEMBER_MARK, file_kind
from search.ingest.sidecar import OVERRIDE_FIELDS, parse_sidecar, read_sidecar
from search.ingest.walk import document_id
from search.model import NewsDocument
from search.text.safe import is_valid_unicode

_LETTER_RE = re.compile(r"[^\W\d_]")
# The largest file read, by format: a PDF report or a mailbox is larger than any text.
MAX_FILE_BYTES = {
    "text": MAX_BYTES,
    "html": 10 * 1024 * 1024,  # a saved page carries its scripts and styles
    "pdf": 50 * 1024 * 1024,
    "eml": 50 * 1024 * 1024,  # attachments included
    "mbox": 200 * 1024 * 1024,
}


@dataclass(frozen=True)
class FileRead:
    """The articles one file holds, and those of its parts that could not be read."""

    documents: list[NewsDocument]
    failed: list[dict]  # [{"id": "mail.eml#scan.pdf", "error": ...}]


def fingerprint(path: Path) -> str:
    """Hash the article bytes and its sidecar, so a change to either re-indexes it.

    Both are read as read_document reads them, size checked first: raise DocumentError
    for a file it would refuse unread (too large, not a regular file, empty).
    """
    limit = MAX_FILE_BYTES[file_kind(path.name)]
    return _fingerprint(read_article(path, limit), read_sidecar(path))


def read_document(path: Path, corpus: Path) -> NewsDocument:
    """Parse one article file into a record; raise DocumentError with a reason if it is bad.

    For a file that holds several articles (an mbox), the first one."""
    return read_documents(path, corpus).documents[0]


def read_documents(path: Path, corpus: Path) -> FileRead:
    """Parse one file into its articles; raise DocumentError when none can be read."""
    kind = file_kind(path.name)
    raw = read_article(path, MAX_FILE_BYTES[kind])
    sidecar = read_sidecar(path)
    fields = parse_sidecar(sidecar) if sidecar is not None else {}
    overrides = {key: value for key, value in fields.items() if key in OVERRIDE_FIELDS}
    doc_id = document_id(path, corpus)
    if not is_valid_unicode(doc_id):
        raise DocumentError("file name is not valid UTF-8; rename it")
    base = {"path": path.relative_to(corpus).as_posix(), "hash": _fingerprint(raw, sidecar)}
    if kind == "mbox":
        return _read_mailbox(path, doc_id, base)
    members: list[tuple[str, bytes, str]] = []
    if kind == "html":
        article, author = _read_page(raw, overrides.get("url"))
    elif kind == "pdf":
        article, author = _read_pdf(raw), None
    elif kind == "eml":
        article, author, members = _read_message(raw)
    else:
        article, author = _read_text(raw, overrides.get("url")), None
    documents = [_document(doc_id, article, author, base, overrides)]
    failed: list[dict] = []
    _read_members(doc_id, members, base, documents, failed)
    return FileRead(documents, failed)


def _read_text(raw: bytes, url: str | None = None):
    return _text_article(clean_text(decode(raw)), url)


def _text_article(text: str, url: str | None):
    # Imported here: compiling extract's patterns costs ~15 ms, which `defsearch search`
    # (it imports this module through the indexer) should not pay.
    from search.ingest.extract import detect_lang, extract_article

    if not text.strip():
        raise DocumentError("empty file (only whitespace)")
    if not _LETTER_RE.search(text):
        raise DocumentError("no text: the file holds no letters")
    article = extract_article(text, detect_lang(text), url)
    if article is None:
        raise DocumentError("no article text, only separators and boilerplate")
    return article


def _read_page(raw: bytes | str, url: str | None):
    from search.ingest.html import read_html

    page = read_html(raw, url)
    return page.article, page.author


def _read_pdf(raw: bytes):
    from dataclasses import replace

    from search.ingest.pdf import read_pdf

    pdf = read_pdf(raw)
    article = _text_article(clean_text(pdf.text), None)
    if pdf.title and pdf.title != article.title:
        provenance = {**article.provenance, "title": "pdf metadata"}
        body = article.body
        if article.provenance.get("title") == "headline":  # the first heading stays text
            body = f"{article.title}\n\n{body}"
        article = replace(article, title=pdf.title, body=body, provenance=provenance)
    return article


def _read_message(raw: bytes):
    """Return a message's article, its author and its attachments as (name, bytes, kind)."""
    from dataclasses import replace

    from search.ingest.credits import outlet_name
    from search.ingest.mail import parse_message

    msg = parse_message(raw)
    author = None
    if msg.text and _LETTER_RE.search(msg.text):
        # The subject first, as a headline: else a short first line of the body would be
        # taken for one and lost.
        text = clean_text(f"{msg.title}\n\n{msg.text}" if msg.title else msg.text)
        article = _text_article(text, None)
    elif msg.html:
        article, author = _read_page(msg.html, None)
    elif msg.title:
        article = _text_article(msg.title, None)  # all is in the subject
    else:
        raise DocumentError("e-mail without a subject or a text or HTML body")
    provenance = dict(article.provenance)
    values = {}
    if msg.title:
        values["title"], provenance["title"] = msg.title, "subject"
    if msg.date:
        values["date"], provenance["date"] = msg.date, "date header"
    if msg.sender:
        values["source"], provenance["source"] = outlet_name(msg.sender), "sender"
    article = replace(article, provenance=provenance, **values)
    members = [(a.name, a.data, a.kind) for a in msg.attachments]
    return article, author or msg.sender, members


def _read_member(data: bytes, kind: str):
    if kind == "pdf":
        return _read_pdf(data), None
    if kind == "html":
        return _read_page(data, None)
    return _read_message(data)


def _read_members(doc_id, members, base, documents, failed) -> None:
    """Read attachments or messages into documents; a bad one goes to failed."""
    for name, data, kind in members:
        member_id = f"{doc_id}{MEMBER_MARK}{name}"
        try:
            article, author, *more = _read_member(data, kind)
        except DocumentError as exc:
            failed.append({"id": member_id, "error": str(exc)})
            continue
        documents.append(_document(member_id, article, author, base, {}))
        if more:  # a message's own attachments
            _read_members(member_id, more[0], base, documents, failed)


def _read_mailbox(path: Path, doc_id: str, base: dict) -> FileRead:
    from search.ingest.mail import iter_mbox

    documents: list[NewsDocument] = []
    failed: list[dict] = []
    try:
        messages = [(number, data, "eml") for number, data in iter_mbox(path)]
    except (OSError, ValueError) as exc:
        raise DocumentError(f"unreadable mbox: {exc.__class__.__name__}") from None
    _read_members(doc_id, messages, base, documents, failed)
    if not documents:
        reason = failed[0]["error"] if failed else "no message in the mbox"
        raise DocumentError(f"no message could be read: {reason}")
    return FileRead(documents, failed)


def _document(doc_id: str, article, author: str | None, base: dict, overrides: dict):
    from search.ingest.extract import detect_lang

    fields = {
        "title": article.title,
        "body": article.body,
        "lang": detect_lang(article.title + "\n" + article.body),
        "date": article.date,
        "source": article.source,
        "url": article.url,
        **overrides,
    }
    provenance = {**article.provenance, "lang": "text"}
    provenance.update(dict.fromkeys(overrides, "sidecar"))
    doc = NewsDocument(
        id=doc_id,
        provenance={key: where for key, where in provenance.items() if fields.get(key)},
        dropped=article.dropped,
        author=author,
        **base,
        **fields,
    )
    for name in ("title", "body", "source", "url", "author"):
        # Decoded bytes are valid Unicode; a lone surrogate would break every search that
        # finds the article, so nothing that holds one reaches the index.
        if (value := getattr(doc, name)) and not is_valid_unicode(value):
            raise DocumentError(f"{name} is not valid Unicode (a lone surrogate)")
    return doc


def inspect_file(path: Path) -> dict:
    """Return what an article file would become, and where each value was found.

    Nothing is indexed; a file that cannot be read gives {"path", "error"}. The articles
    inside it (attachments, messages) are listed under "members".
    """
    try:
        found = read_documents(path, path.parent)
    except DocumentError as exc:
        return {"path": str(path), "error": str(exc)}
    doc, *members = found.documents
    result = {
        "path": str(path),
        **{key: getattr(doc, key) for key in ("title", "date", "source", "url", "lang")},
        "provenance": doc.provenance,
        "dropped": list(doc.dropped),
    }
    if doc.author:
        result["author"] = doc.author
    if members or found.failed:
        result["members"] = [
            {key: getattr(m, key) for key in ("id", "title", "date", "source")} for m in members
        ]
        result["failed"] = found.failed
    return result


def _fingerprint(article: bytes, sidecar: bytes | None) -> str:
    digest = hashlib.sha256(article)
    if sidecar is not None:
        digest.update(b"\0sidecar\0" + sidecar)
    return digest.hexdigest()
