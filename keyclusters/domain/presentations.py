"""Recognising a presentation for the Expert Panel by its content, not its name.

Accepted: a PDF (the file starts with ``%PDF-``), a PowerPoint presentation (PPTX: a ZIP
container whose ``[Content_Types].xml`` declares the main part ``ppt/presentation.xml``, without
macros) or an OpenDocument presentation (ODP: a ZIP container whose ``mimetype`` entry says
``application/vnd.oasis.opendocument.presentation``, without Basic or script macros). Anything
else is refused whatever its name says; the kind found gives the content type the file is
served with (:data:`CONTENT_TYPES`).
"""

from __future__ import annotations

import io
import zipfile

from .i18n import N_

KINDS = ("pdf", "pptx", "odp")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
PPTX_MAIN_PART = "ppt/presentation.xml"
PPTX_MAIN_TYPE = (
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
)
ODP_MIMETYPE = "application/vnd.oasis.opendocument.presentation"
# The small descriptive entries are not read past this size (a compression bomb).
_MAX_DESCRIPTOR_BYTES = 256 * 1024
REFUSED = N_("Only PDF, PPTX and ODP presentations are accepted.")
EMPTY = N_("The file is empty.")


class PresentationRefused(ValueError):
    def __init__(self, message_id: str) -> None:
        self.message_id = message_id
        super().__init__(message_id)


def _zip_kind(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = {info.filename: info for info in archive.infolist()}
            lowered = [name.lower() for name in infos]
            if any(name.endswith("vbaproject.bin") for name in lowered):
                return None
            if any(name.startswith(("basic/", "scripts/")) for name in lowered):
                return None
            mimetype = infos.get("mimetype")
            if (
                mimetype is not None
                and mimetype.file_size <= _MAX_DESCRIPTOR_BYTES
                and archive.read(mimetype).strip() == ODP_MIMETYPE.encode()
            ):
                return "odp"
            types = infos.get("[Content_Types].xml")
            if types is None or types.file_size > _MAX_DESCRIPTOR_BYTES:
                return None
            declared = archive.read(types).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
        return None
    if "macroenabled" in declared.lower():
        return None
    if PPTX_MAIN_PART in infos and PPTX_MAIN_TYPE in declared:
        return "pptx"
    return None


def presentation_kind(content: bytes) -> str:
    """``pdf``, ``pptx`` or ``odp``; PresentationRefused saying why otherwise. The size is
    checked by the caller before the file is read."""
    if not content:
        raise PresentationRefused(EMPTY)
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"PK\x03\x04"):
        kind = _zip_kind(content)
        if kind is not None:
            return kind
    raise PresentationRefused(REFUSED)
