"""Recognising uploaded documents by their content, not their name.

A document is accepted when its bytes are one of the accepted kinds:

- PDF: the file starts with the signature ``%PDF-``;
- DOCX and XLSX: a ZIP container (``PK\\x03\\x04`` at the start) whose ``[Content_Types].xml``
  declares the main part of a Word document (``word/document.xml``) or of an Excel workbook
  (``xl/workbook.xml``), without macros (a ``vbaProject.bin`` part or a macro-enabled type);
- ODT and ODS (accepted where a caller asks for them, e.g. a yearly report's documents): a ZIP
  container whose ``mimetype`` entry names an OpenDocument text or spreadsheet and which holds
  ``content.xml``, without macros (``Basic/`` or ``Scripts/`` parts).

Anything else (HTML, SVG, images, old Office formats, archives) is refused whatever its name
says. The kind found is stored with the file and gives the content type it is served with
(:data:`CONTENT_TYPES`), never the uploader's file name.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

from .i18n import N_

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
ACCEPTED_KINDS = ("pdf", "docx", "xlsx")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
_ODF_KINDS = {CONTENT_TYPES["odt"]: "odt", CONTENT_TYPES["ods"]: "ods"}
# The main part of each Office kind: its name in the container and its declared content type.
_OFFICE_MAIN_PARTS = {
    "docx": (
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ),
    "xlsx": (
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ),
}
# [Content_Types].xml is a short list; a larger one is not read (a compression bomb).
_MAX_CONTENT_TYPES_BYTES = 256 * 1024
_REFUSALS = {
    ("pdf",): N_("Only PDF documents are accepted."),
    ACCEPTED_KINDS: N_("Only PDF, DOCX and XLSX documents are accepted."),
    (*ACCEPTED_KINDS, "odt", "ods"): N_(
        "Only PDF, DOCX, XLSX, ODT and ODS documents are accepted."
    ),
}


class DocumentRefused(ValueError):
    def __init__(self, message_id: str, params: dict[str, object] | None = None) -> None:
        self.message_id = message_id
        self.params = params or {}
        super().__init__(message_id % self.params if self.params else message_id)


def _office_kind(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = {info.filename: info for info in archive.infolist()}
            types = infos.get("[Content_Types].xml")
            if types is None:
                return _odf_kind(archive, infos)
            if types.file_size > _MAX_CONTENT_TYPES_BYTES:
                return None
            declared = archive.read(types).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
        return None
    if any(name.lower().endswith("vbaproject.bin") for name in infos):
        return None
    if "macroenabled" in declared.lower():
        return None
    for kind, (part, content_type) in _OFFICE_MAIN_PARTS.items():
        if part in infos and content_type in declared:
            return kind
    return None


def _odf_kind(archive: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo]) -> str | None:
    """``odt`` or ``ods`` for an OpenDocument container without macros, else None."""
    mimetype = infos.get("mimetype")
    if mimetype is None or mimetype.file_size > 100 or "content.xml" not in infos:
        return None
    if any(name.startswith(("Basic/", "Scripts/")) for name in infos):
        return None
    return _ODF_KINDS.get(archive.read(mimetype).decode("ascii", errors="replace").strip())


def sniff_kind(content: bytes) -> str | None:
    """``pdf``, ``docx``, ``xlsx``, ``odt`` or ``ods`` when the bytes are one, else None."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"PK\x03\x04"):
        return _office_kind(content)
    return None


def check_document(
    content: bytes,
    *,
    accepted: Sequence[str] = ACCEPTED_KINDS,
    max_bytes: int = MAX_DOCUMENT_BYTES,
) -> str:
    """Return the document's kind, or raise DocumentRefused saying why it is not accepted."""
    if len(content) == 0:
        raise DocumentRefused(N_("The file is empty."))
    if len(content) > max_bytes:
        raise DocumentRefused(
            N_("The file has %(size)s MB; at most %(limit)s MB is accepted."),
            {"size": f"{len(content) / 1024 / 1024:.1f}", "limit": max_bytes // 2**20},
        )
    kind = sniff_kind(content)
    if kind is None or kind not in accepted:
        raise DocumentRefused(_REFUSALS[tuple(accepted)])
    return kind
