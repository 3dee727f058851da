"""Put downloaded pages into the corpus: the raw page and a sidecar with its link and time.

Pages go to ``web/HOST/TITLE.html`` under the corpus. The corpus keeps a register of what
was downloaded, ``.defsearch-pages.json`` (hidden: never indexed), so that a page already
there, by its final link or by its text, is not added twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from search.errors import DocumentError
from search.ingest.fetch import HTML_TYPES, Download, FetchError, download
from search.ingest.sidecar import SIDECAR_SUFFIX
from search.ingest.walk import document_id

REGISTER_FILE = ".defsearch-pages.json"
WEB_FOLDER = "web"  # downloaded pages, one folder per site
MAX_NAME_CHARS = 80  # of a page's file name, before the extension
MAX_NAME_TRIES = 1000
_NAME_DROP_RE = re.compile(r"[^\w]+")


@dataclass(frozen=True)
class Page:
    """A page added from the web, or found already in the corpus."""

    url: str  # as given
    path: Path
    id: str
    final_url: str
    redirects: list[str]
    existing: bool

    def to_dict(self) -> dict:
        return {
            "url": self.url,
            "final_url": self.final_url,
            "redirects": self.redirects,
            "path": str(self.path),
            "id": self.id,
            "existing": self.existing,
        }


class Register:
    """Which final links and which texts the corpus already holds a page of."""

    def __init__(self, corpus: Path) -> None:
        self.corpus = corpus
        self.file = corpus / REGISTER_FILE
        try:
            data = json.loads(self.file.read_text("utf-8"))
        except (OSError, ValueError):
            data = {}
        self.urls: dict[str, str] = dict(data.get("urls") or {})
        self.texts: dict[str, str] = dict(data.get("texts") or {})

    def find(self, url: str | None = None, text_hash: str | None = None) -> Path | None:
        """Return the page stored for a link or a text, if its file is still there."""
        for name in (url and self.urls.get(url), text_hash and self.texts.get(text_hash)):
            if name and (self.corpus / name).is_file():
                return self.corpus / name
        return None

    def remember(self, path: Path, urls: list[str], text_hash: str) -> None:
        name = path.relative_to(self.corpus).as_posix()
        self.urls.update(dict.fromkeys(urls, name))
        self.texts[text_hash] = name
        write_atomically(
            self.file,
            json.dumps({"urls": self.urls, "texts": self.texts}, ensure_ascii=False, indent=1),
        )


def text_hash(title: str, body: str) -> str:
    """A page's text fingerprint: its words, whatever the markup and spacing around them."""
    words = " ".join(f"{title}\n{body}".casefold().split())
    return hashlib.sha256(words.encode("utf-8")).hexdigest()


def add_link(url: str, corpus: Path, register: Register) -> Page:
    """Download a page and store it in the corpus; raise FetchError or DocumentError with
    the reason when it cannot be had, leaving the corpus as it was."""
    if found := register.find(url=url.strip()):
        return _page(url, found, corpus, url.strip(), [], existing=True)
    got = download(url)
    if got.content_type and got.content_type not in HTML_TYPES:
        raise FetchError(f"not an HTML page ({got.content_type})")
    return store_page(got, corpus, register)


def store_page(got: Download, corpus: Path, register: Register, extra: dict | None = None) -> Page:
    """Store a downloaded page (or one made from a feed item) unless the corpus has it."""
    from search.ingest.html import read_html

    if found := register.find(url=got.url):
        return _page(got.requested, found, corpus, got.url, got.redirects, existing=True)
    article = read_html(got.body).article  # refuses a page with no article text
    canonical = article.url  # the page's own link, as it names it
    digest = text_hash(article.title, article.body)
    if found := register.find(url=canonical, text_hash=digest):
        return _page(got.requested, found, corpus, got.url, got.redirects, existing=True)
    sidecar = {"url": got.url, "fetched": got.fetched, **(extra or {})}
    if got.requested != got.url:
        sidecar["requested"] = got.requested
    path = _write_page(corpus, got.url, article.title, got.body, sidecar)
    register.remember(path, [u for u in (got.url, got.requested, canonical) if u], digest)
    return _page(got.requested, path, corpus, got.url, got.redirects, existing=False)


def remember_file(path: Path, corpus: Path) -> None:
    """Register a saved page added with `defsearch add FILE`, so that downloading it again
    (by its link or its text) finds it."""
    from search.ingest.html import read_html

    try:
        article = read_html(path.read_bytes()).article
    except (OSError, DocumentError):
        return  # checked before it was added; a page that changed since is not registered
    Register(corpus).remember(
        path, [article.url] if article.url else [], text_hash(article.title, article.body)
    )


def _page(url, path, corpus, final_url, redirects, existing) -> Page:
    return Page(url, path, document_id(path, corpus), final_url, redirects, existing)


def page_name(url: str, title: str) -> tuple[str, str]:
    """Return (folder, file stem) for a page: its site, and its title in Latin letters."""
    from iuliia import WIKIPEDIA

    host = (urlsplit(url).hostname or "page").removeprefix("www.")
    words = _NAME_DROP_RE.sub("-", WIKIPEDIA.translate(title).casefold()).strip("-_")
    if not words:
        words = _NAME_DROP_RE.sub("-", urlsplit(url).path.casefold()).strip("-_") or "page"
    return host, words[:MAX_NAME_CHARS].rstrip("-_")


def _write_page(corpus: Path, url: str, title: str, body: bytes, sidecar: dict) -> Path:
    """Write the page and its sidecar under a free name; never overwrite a file."""
    host, stem = page_name(url, title)
    folder = corpus / WEB_FOLDER / host
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".add-", dir=folder)  # hidden: never indexed
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(body)
        for n in range(1, MAX_NAME_TRIES + 1):
            target = folder / (f"{stem}.html" if n == 1 else f"{stem}-{n}.html")
            side = target.with_name(target.name + SIDECAR_SUFFIX)
            if side.exists():
                continue
            # The sidecar first: a sync that sees the page sees its link too.
            write_atomically(side, json.dumps(sidecar, ensure_ascii=False, indent=1))
            try:
                os.link(tmp, target)  # fails if the name is taken, even by a racing add
            except FileExistsError:
                side.unlink(missing_ok=True)
                continue
            return target
    finally:
        tmp.unlink(missing_ok=True)
    raise DocumentError(f"cannot find a free name for {stem}.html in {folder}")


def write_atomically(path: Path, text: str) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text + "\n")
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
