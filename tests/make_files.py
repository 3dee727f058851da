"""Build the PDFs and e-mails the format tests read: written by hand, nothing shipped."""

from __future__ import annotations

import io
from email.message import EmailMessage

# Windows-1251 bytes shown with Helvetica: its Latin half is WinAnsi's, and the Cyrillic
# letters are named by their Adobe glyph names, so that a PDF reader maps them back to text.
_CYRILLIC_GLYPHS = (
    "168 /afii10023 184 /afii10071 192 "
    + " ".join(f"/afii{n}" for n in range(10017, 10050) if n != 10023)
    + " "
    + " ".join(f"/afii{n}" for n in range(10065, 10098) if n != 10071)
)


def _pdf_string(text: str, encoding: str = "latin-1") -> bytes:
    data = text.encode(encoding)
    return data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def make_pdf(lines: list[str] | None, title: str | None = None) -> bytes:
    """A one-page PDF whose text layer holds ``lines`` (Russian or English), or a page with
    only a drawn rectangle (a scan has no text layer) when ``lines`` is None."""
    if lines is None:
        stream = b"0.5 g 72 72 400 600 re f"
    else:
        shown = b" ".join(b"(" + _pdf_string(line, "cp1251") + b") '" for line in lines)
        stream = b"BT /F1 12 Tf 72 760 Td 16 TL " + shown + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding "
        b"/BaseEncoding /WinAnsiEncoding /Differences [" + _CYRILLIC_GLYPHS.encode() + b"] >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    if title is not None:
        objects.append(b"<< /Title (" + _pdf_string(title) + b") >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    info = b" /Info 6 0 R" if title is not None else b""
    out.write(b"trailer\n<< /Size %d /Root 1 0 R%s >>\n" % (len(objects) + 1, info))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def encrypt_pdf(pdf: bytes, password: str = "secret") -> bytes:
    """The same PDF, openable only with ``password``."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


REPORT_LINES = [
    "Quarterly Report on Air Defense Procurement",
    "",
    "The ministry received twelve radar stations in the third quarter, two more",
    "than planned. Deliveries of interceptor missiles were delayed by a month.",
    "",
    "Spending on air defense grew by eight percent compared with last year.",
]


def make_message(
    subject: str,
    sender: str,
    date: str,
    text: str | None = None,
    html: str | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
) -> bytes:
    """An e-mail with a text or HTML body and (filename, mime type, bytes) attachments."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = "analyst@example.org"
    msg["Date"] = date
    if text is not None:
        msg.set_content(text)
    if html is not None:
        if text is None:
            msg.set_content(html, subtype="html")
        else:
            msg.add_alternative(html, subtype="html")
    for name, mime, data in attachments:
        maintype, subtype = mime.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()
