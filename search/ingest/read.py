"""Turn raw article files from the corpus into clean NewsDocument records.

decode reads and decodes the bytes, sidecar applies NAME.meta.json, extract finds the title,
date, outlet and link in the decoded text."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from search.errors import DocumentError
from search.ingest.decode import clean_text, decode, read_article
from search.ingest.sidecar import parse_sidecar, read_sidecar
from search.ingest.walk import document_id
from search.text.safe import is_valid_unicode

_LETTER_RE = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class NewsDocument:
    id: str  # path relative to the corpus, without the extension
    path: str  # path relative to the corpus, POSIX separators
    title: str
    body: str
    lang: str  # "ru" or "en"
    date: str | None = None  # ISO YYYY-MM-DD
    source: str | None = None
    url: str | None = None
    hash: str = ""  # fingerprint() of the article and its sidecar
    # Where each field was found: {"date": "dateline", "source": "url", ...} (see extract).
    provenance: dict[str, str] = field(default_factory=dict)
    dropped: tuple[str, ...] = ()  # lines dropped as page furniture

    def to_dict(self) -> dict:
        return asdict(self)


def fingerprint(path: Path) -> str:
    """Hash the article bytes and its sidecar, so a change to either re-indexes it.

    Both are read as read_document reads them, size checked first: raise DocumentError
    for a file it would refuse unread (too large, not a regular file, empty).
    """
    return _fingerprint(read_article(path), read_sidecar(path))


def read_document(path: Path, corpus: Path) -> NewsDocument:
    """Parse one article file into a record; raise DocumentError with a reason if it is bad."""
    # Imported here: compiling its patterns costs ~15 ms, which `defsearch search` (it imports
    # this module through the indexer) should not pay.
    from search.ingest.extract import detect_lang, extract_article

    raw = read_article(path)
    sidecar = read_sidecar(path)
    overrides = parse_sidecar(sidecar) if sidecar is not None else {}
    text = clean_text(decode(raw))
    if not text.strip():
        raise DocumentError("empty file (only whitespace)")
    if not _LETTER_RE.search(text):
        raise DocumentError("no text: the file holds no letters")
    article = extract_article(text, detect_lang(text), overrides.get("url"))
    if article is None:
        raise DocumentError("no article text, only separators and boilerplate")
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
        id=document_id(path, corpus),
        path=path.relative_to(corpus).as_posix(),
        hash=_fingerprint(raw, sidecar),
        provenance={key: where for key, where in provenance.items() if fields.get(key)},
        dropped=article.dropped,
        **fields,
    )
    if not is_valid_unicode(doc.id):
        raise DocumentError("file name is not valid UTF-8; rename it")
    for name in ("title", "body", "source", "url"):
        # Decoded bytes are valid Unicode; a lone surrogate would break every search that
        # finds the article, so nothing that holds one reaches the index.
        if (value := getattr(doc, name)) and not is_valid_unicode(value):
            raise DocumentError(f"{name} is not valid Unicode (a lone surrogate)")
    return doc


def inspect_file(path: Path) -> dict:
    """Return what an article file would become, and where each value was found.

    Nothing is indexed; a file that cannot be read gives {"path", "error"}.
    """
    try:
        doc = read_document(path, path.parent)
    except DocumentError as exc:
        return {"path": str(path), "error": str(exc)}
    return {
        "path": str(path),
        **{key: getattr(doc, key) for key in ("title", "date", "source", "url", "lang")},
        "provenance": doc.provenance,
        "dropped": list(doc.dropped),
    }


def _fingerprint(article: bytes, sidecar: bytes | None) -> str:
    digest = hashlib.sha256(article)
    if sidecar is not None:
        digest.update(b"\0sidecar\0" + sidecar)
    return digest.hexdigest()
