"""Read e-mail messages (an .eml file, each message of an .mbox) with the standard library.

Subject → title, Date → date, the sender's display name (else the domain of the address) →
outlet; the body is the text part, or the HTML part read as a web page. Attachments that are
articles themselves (PDF, HTML) are returned for reading as articles of their own.
"""

from __future__ import annotations

import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path

from search.errors import DocumentError
from search.ingest.kinds import MEMBER_MARK

MAX_MESSAGES = 10_000  # messages read from one mbox
ATTACHMENT_KINDS = {"application/pdf": "pdf", "text/html": "html", "application/xhtml+xml": "html"}
_UNSAFE_NAME_RE = re.compile(r"[\x00-\x1f\x7f/\\#]+")


@dataclass(frozen=True)
class Attachment:
    name: str  # the last part of its member id
    kind: str  # "pdf" or "html"
    data: bytes


@dataclass(frozen=True)
class Message:
    title: str
    date: str | None  # ISO YYYY-MM-DD
    sender: str | None  # display name, else the address's domain
    text: str | None  # the text part...
    html: str | None  # ...or the HTML part
    attachments: list[Attachment] = field(default_factory=list)


def parse_message(raw: bytes) -> Message:
    """Read one message; raise DocumentError when it is not an e-mail."""
    try:
        return _parse(raw)
    except (ValueError, IndexError, TypeError, LookupError, AttributeError, AssertionError) as e:
        # The email package's header parsers raise these on broken headers (found by fuzzing).
        raise DocumentError(f"unreadable e-mail: {e.__class__.__name__}") from None


def _parse(raw: bytes) -> Message:
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    if not (msg["subject"] or msg["from"] or msg["date"]) or msg.defects and not msg.keys():
        raise DocumentError("not an e-mail message (no Subject, From or Date header)")
    text = html = None
    body = msg.get_body(preferencelist=("plain", "html"))
    if body is not None:
        content = _content(body)
        if isinstance(content, str):
            if body.get_content_subtype() == "html":
                html = content
            else:
                text = content
    return Message(
        title=" ".join(str(msg["subject"] or "").split()),
        date=_date(msg),
        sender=_sender(msg),
        text=text,
        html=html,
        attachments=list(_attachments(msg)),
    )


def iter_mbox(path: Path) -> Iterator[tuple[str, bytes]]:
    """Yield (number, bytes) of each message of an mbox file, numbered from 1."""
    box = mailbox.mbox(path, create=False)
    try:
        for number, key in enumerate(box.iterkeys(), start=1):
            if number > MAX_MESSAGES:
                break
            yield str(number), box.get_bytes(key)
    finally:
        box.close()


def _content(part: EmailMessage) -> str | bytes | None:
    try:
        return part.get_content()
    except (LookupError, ValueError, AssertionError):  # an unknown charset, a broken encoding
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else None


def _date(msg: EmailMessage) -> str | None:
    try:
        return parsedate_to_datetime(str(msg["date"])).date().isoformat() if msg["date"] else None
    except (TypeError, ValueError, IndexError):
        return None


def _sender(msg: EmailMessage) -> str | None:
    name, address = parseaddr(str(msg["from"] or ""))
    name = " ".join(name.split())
    if name:
        return name
    domain = address.rpartition("@")[2].casefold()
    return domain.removeprefix("www.") or None


def _attachments(msg: EmailMessage) -> Iterator[Attachment]:
    taken: set[str] = set()
    for number, part in enumerate(msg.iter_attachments(), start=1):
        kind = ATTACHMENT_KINDS.get(part.get_content_type())
        name = _UNSAFE_NAME_RE.sub("_", part.get_filename() or "").strip(". ")
        lowered = name.casefold()
        if kind is None and lowered.endswith(".pdf"):
            kind = "pdf"
        elif kind is None and lowered.endswith((".html", ".htm")):
            kind = "html"
        if kind is None:
            continue  # images, spreadsheets: not articles
        name = name or f"attachment-{number}.{kind}"
        if name in taken:
            name = f"{number}-{name}"
        taken.add(name)
        data = part.get_payload(decode=True)
        if isinstance(data, bytes) and data:
            yield Attachment(name.replace(MEMBER_MARK, "_"), kind, data)
