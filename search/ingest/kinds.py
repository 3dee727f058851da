"""Tell an article file's format by its extension, and its id stem.

Text files keep the id they always had: the name without its extension. A file read by a
format reader of its own keeps its extension in the id (``report.pdf``, ``page.html``), so
that a saved page and a text file of one name (``s400.html``, ``s400.txt``) are two articles.
"""

from __future__ import annotations

KINDS = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
    ".eml": "eml",
    ".mbox": "mbox",
}
# Articles inside a file (an e-mail's attachments, an mbox's messages) have the file's id,
# this mark, and their own name: "mail.eml#report.pdf", "bulletins.mbox#3".
MEMBER_MARK = "#"
CONTAINER_KINDS = ("eml", "mbox")


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].casefold() if 0 < dot < len(name) - 1 else ""


def file_kind(name: str) -> str:
    """Return "html", "pdf", "eml", "mbox" or "text" for a file name."""
    return KINDS.get(_suffix(name), "text")


def article_stem(name: str) -> str:
    """Return the last part of a file's id: the whole name for formats with a reader of
    their own, else the name without its extension (``a.`` keeps its dot)."""
    if file_kind(name) != "text":
        return name
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def is_container_id(doc_id: str) -> bool:
    """Whether an id names a file that may hold articles of its own (e-mail, mbox)."""
    return file_kind(doc_id.rpartition("/")[2]) in CONTAINER_KINDS


def container_of(doc_id: str) -> str | None:
    """Return the id of the file a member article comes from, or None for a file's own."""
    head, mark, _ = doc_id.partition(MEMBER_MARK)
    while mark:
        if is_container_id(head):
            return head
        more, mark, _ = doc_id[len(head) + 1 :].partition(MEMBER_MARK)
        head = f"{head}{MEMBER_MARK}{more}"
    return None
