"""Recognising an application's documents by their content, not their name."""

from __future__ import annotations

import io
import zipfile

from .i18n import N_

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
ACCEPTED_KINDS = ("pdf", "docx", "xlsx")


class DocumentRefused(ValueError):
    def __init__(self, message_id: str, params: dict[str, object] | None = None) -> None:
        self.message_id = message_id
        self.params = params or {}
        super().__init__(message_id % self.params if self.params else message_id)


def sniff_kind(content: bytes) -> str | None:
    """``pdf``, ``docx`` or ``xlsx`` when the bytes are one, else None."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" not in names:
            return None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    return None


def check_document(content: bytes) -> str:
    """Return the document's kind, or raise DocumentRefused saying why it is not accepted."""
    if len(content) == 0:
        raise DocumentRefused(N_("The file is empty."))
    if len(content) > MAX_DOCUMENT_BYTES:
        raise DocumentRefused(
            N_("The file has %(size)s MB; at most %(limit)s MB is accepted."),
            {"size": f"{len(content) / 1024 / 1024:.1f}", "limit": MAX_DOCUMENT_BYTES // 2**20},
        )
    kind = sniff_kind(content)
    if kind is None:
        raise DocumentRefused(N_("Only PDF, DOCX and XLSX documents are accepted."))
    return kind
