"""Checking uploaded documents by their content, and extracting their text.

Nothing here trusts the uploaded name: the kind comes from the bytes, and the name only has to
agree with it. Every refusal is a ``DocumentRejected`` whose message is shown to the user.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from profiles.models import DocumentKind

# A DOCX is a zip: refuse archives that would inflate past this (zip bombs) or hold absurd counts.
DOCX_MAX_UNCOMPRESSED_BYTES = 40 * 1024 * 1024
DOCX_MAX_MEMBERS = 1000
DOCX_MAX_COMPRESSION_RATIO = 200
# Bounds on the work one upload can cause.
PDF_MAX_PAGES = 500
MAX_EXTRACTED_CHARS = 1_000_000
DISPLAY_NAME_MAX_LENGTH = 255

EXTENSION_KINDS = {".pdf": DocumentKind.PDF, ".docx": DocumentKind.DOCX, ".txt": DocumentKind.TXT}
CONTENT_TYPES: dict[str, str] = {
    DocumentKind.PDF: "application/pdf",
    DocumentKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    DocumentKind.TXT: "text/plain; charset=utf-8",
}

# Markup a browser might render as a page: an upload that carries it is refused whatever its kind,
# which also refuses HTML/PDF and HTML/text polyglots.
_MARKUP = re.compile(rb"<\s*(?:script|html|iframe|svg|object|embed|body|!doctype\s+html)\b", re.IGNORECASE)
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class DocumentRejected(Exception):
    """An upload that cannot be accepted; ``str()`` is the message for the user."""


@dataclass(frozen=True)
class CheckedDocument:
    kind: DocumentKind
    text: str


def display_name(raw_name: str) -> str:
    """The uploaded name made safe to show and to send back in a download header.

    Only the last path component survives, control characters (NUL included) are dropped and the
    length is capped, keeping the extension. It is never used as a filesystem path.
    """
    name = (raw_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".").strip()
    if not name:
        return "document"
    if len(name) > DISPLAY_NAME_MAX_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and len(extension) <= 10:
            name = stem[: DISPLAY_NAME_MAX_LENGTH - len(extension) - 1] + "." + extension
        else:
            name = name[:DISPLAY_NAME_MAX_LENGTH]
    return name


def check_document(*, data: bytes, name: str) -> CheckedDocument:
    """The kind and text of an upload, or ``DocumentRejected`` saying why not."""
    if not data:
        raise DocumentRejected("The file is empty.")
    kind = _kind_from_content(data)
    extension = _extension(name)
    if extension and extension not in EXTENSION_KINDS:
        raise DocumentRejected("Only PDF, DOCX and TXT files can be uploaded.")
    if extension and EXTENSION_KINDS[extension] != kind:
        raise DocumentRejected(
            f"The file is named {extension} but its content is {DocumentKind(kind).label}; "
            "rename it or upload the right file."
        )
    text = {DocumentKind.PDF: _pdf_text, DocumentKind.DOCX: _docx_text, DocumentKind.TXT: _plain_text}[kind](data)
    return CheckedDocument(kind=kind, text=text[:MAX_EXTRACTED_CHARS])


def _extension(name: str) -> str:
    base = display_name(name)
    _, dot, extension = base.rpartition(".")
    return f".{extension.lower()}" if dot else ""


def _kind_from_content(data: bytes) -> DocumentKind:
    if _MARKUP.search(data[:1_000_000]):
        raise DocumentRejected("This file contains web-page markup (HTML), which cannot be uploaded.")
    if data.startswith(b"%PDF-"):
        if b"PK\x03\x04" in data:
            raise DocumentRejected("This PDF also contains a zip archive, which is not allowed.")
        return DocumentKind.PDF
    if data.startswith(b"PK\x03\x04"):
        _check_docx_archive(data)
        return DocumentKind.DOCX
    _decode_text(data)
    return DocumentKind.TXT


def _decode_text(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DocumentRejected("This file is not a PDF, a Word document (DOCX) or UTF-8 plain text.")
    if _CONTROL_CHARACTERS.search(text):
        raise DocumentRejected("This file is not a PDF, a Word document (DOCX) or UTF-8 plain text.")
    return text


def _check_docx_archive(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise DocumentRejected("This Word document is damaged and cannot be read.")
    members = archive.infolist()
    if len(members) > DOCX_MAX_MEMBERS:
        raise DocumentRejected("This Word document has too many parts to be a real document.")
    # Declared sizes bound what zipfile will inflate (it stops at them and checks the CRC), so
    # refusing large declarations refuses the bomb before anything is decompressed.
    if sum(member.file_size for member in members) > DOCX_MAX_UNCOMPRESSED_BYTES:
        raise DocumentRejected("This Word document expands to more than 40 MB, which is not allowed.")
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > DOCX_MAX_COMPRESSION_RATIO * max(
            member.compress_size, 1
        ):
            raise DocumentRejected("This Word document is compressed suspiciously well (a zip bomb?).")
    names = {member.filename for member in members}
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise DocumentRejected("This zip file is not a Word document (DOCX).")


def _plain_text(data: bytes) -> str:
    return _decode_text(data)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    # pypdf raises many kinds of errors on malformed input; each one means "cannot be read".
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentRejected("This PDF is password-protected; upload an unprotected copy.")
        if len(reader.pages) > PDF_MAX_PAGES:
            raise DocumentRejected(f"This PDF has more than {PDF_MAX_PAGES} pages.")
        parts = []
        for page in reader.pages:
            parts.append(page.extract_text() or "")
            if sum(map(len, parts)) > MAX_EXTRACTED_CHARS:
                break
    except DocumentRejected:
        raise
    except Exception:
        raise DocumentRejected("This PDF is damaged and cannot be read.")
    return "\n\n".join(parts)


def _docx_text(data: bytes) -> str:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        parts = [paragraph.text for paragraph in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                parts.append(" | ".join(cell.text for cell in row.cells))
    except Exception:
        raise DocumentRejected("This Word document is damaged and cannot be read.")
    return "\n\n".join(part for part in parts if part.strip())
