"""Read a PDF's text layer and title with pypdf.

A PDF without a text layer (a scan) or one that needs a password fails with that reason;
it is never indexed empty.
"""

from __future__ import annotations

import io
import logging
import re
import struct
import zlib
from dataclasses import dataclass

from search.errors import DocumentError

MAX_PAGES = 500  # pages read; a longer PDF is a book, and its first pages name it
_LETTER_RE = re.compile(r"[^\W\d_]")
# Titles that word processors write into a PDF's metadata by themselves.
_JUNK_TITLE_RE = re.compile(
    r"(?:untitled|без названия|document\s*\d*|документ\s*\d*|microsoft word\s*-.*|"
    r".*\.(?:docx?|odt|rtf|pdf|indd|tex|pptx?|xlsx?))",
    re.IGNORECASE,
)


# pypdf logs what it repairs in a damaged file ("EOF marker not found"); the reason a PDF
# fails is reported once, by the caller, and a repaired one needs no word.
logging.getLogger("pypdf").setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class PdfText:
    text: str  # the pages' text, pages apart by a blank line
    title: str | None  # from the document's metadata, when it names one


def read_pdf(raw: bytes) -> PdfText:
    """Return the text and metadata title of a PDF; raise DocumentError for a PDF that
    cannot be read, needs a password or has no text layer."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # many PDFs are encrypted only against editing
            except (DependencyError, NotImplementedError):
                opened = 0
            if not opened:
                raise DocumentError("encrypted PDF: it needs a password; save an unlocked copy")
        pages = [page.extract_text() or "" for page in reader.pages[:MAX_PAGES]]
        title = _title(reader)
    except DocumentError:
        raise
    except FileNotDecryptedError:
        raise DocumentError("encrypted PDF: it needs a password; save an unlocked copy") from None
    except (
        PyPdfError,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        AttributeError,
        NotImplementedError,  # a damaged filter or encryption entry, found by fuzzing
        AssertionError,
        ArithmeticError,  # ZeroDivisionError, OverflowError
        RecursionError,
        struct.error,
        zlib.error,
    ) as exc:
        # pypdf raises these on a damaged file; the reason is kept short
        raise DocumentError(f"unreadable PDF: {exc.__class__.__name__}") from None
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    if not _LETTER_RE.search(text):
        raise DocumentError("PDF without a text layer (a scan?): run OCR on it first")
    return PdfText(text, title)


def _title(reader) -> str | None:
    metadata = reader.metadata
    title = " ".join(str(metadata.title or "").split()) if metadata else ""
    if not _LETTER_RE.search(title) or _JUNK_TITLE_RE.fullmatch(title):
        return None
    return title
