"""Turn raw article files from the corpus into clean NewsDocument records."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

MAX_BYTES = 5 * 1024 * 1024  # larger files are refused: no news article is this big
SIDECAR_SUFFIX = ".meta.json"


class DocumentError(Exception):
    """An article file that cannot be read; the message is a one-line reason."""


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

    def to_dict(self) -> dict:
        return asdict(self)


def iter_article_paths(corpus: Path) -> Iterator[Path]:
    """Yield every article file under corpus in a stable order (no sidecars, no hidden files)."""
    for path in sorted(corpus.rglob("*")):
        rel = path.relative_to(corpus)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_file() and not path.name.endswith(SIDECAR_SUFFIX):
            yield path


def document_id(path: Path, corpus: Path) -> str:
    """Return the id of an article: its corpus-relative path without the extension."""
    return path.relative_to(corpus).with_suffix("").as_posix()


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def fingerprint(path: Path) -> str:
    """Hash the article bytes and its sidecar, so a change to either re-indexes it."""
    digest = hashlib.sha256(path.read_bytes())
    sidecar = sidecar_path(path)
    if sidecar.is_file():
        digest.update(b"\0sidecar\0" + sidecar.read_bytes())
    return digest.hexdigest()


def read_document(path: Path, corpus: Path) -> NewsDocument:
    """Parse one article file into a record; raise DocumentError with a reason if it is bad."""
    # Placeholder extraction, replaced by the full ingestion work (issue 3).
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"cannot read: {exc.strerror}") from None
    if not raw.strip():
        raise DocumentError("empty file")
    if len(raw) > MAX_BYTES:
        raise DocumentError(f"too large ({len(raw)} bytes, limit {MAX_BYTES})")
    if b"\0" in raw:
        raise DocumentError("binary file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DocumentError("not valid UTF-8 text") from None
    text = text.replace("\r\n", "\n")
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    cyr = sum(1 for ch in text if "\u0400" <= ch <= "\u04ff")
    lat = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return NewsDocument(
        id=document_id(path, corpus),
        path=path.relative_to(corpus).as_posix(),
        title=lines[0].strip("*-# ")[:200],
        body="\n\n".join(lines[1:]),
        lang="ru" if cyr > lat else "en",
        hash=fingerprint(path),
    )
