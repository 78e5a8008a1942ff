"""Stored files (``MEDIA_ROOT``) go out only through views that check who asks.

Nothing under ``MEDIA_ROOT`` has a public URL. Each app's download view decides whether the user
may have the file and then answers with :func:`file_response`: always an attachment, with a
content type from the kind the file was checked to be (never from its name), ``nosniff``, a
sandboxing Content-Security-Policy and no caching by shared caches.

With ``PRIVATE_FILES_SERVER`` the bytes are sent by the web server in front instead of Python:
``x-accel-redirect`` (nginx: an ``internal`` location at ``PRIVATE_FILES_ACCEL_PREFIX`` aliased
to ``MEDIA_ROOT``) or ``x-sendfile`` (Apache mod_xsendfile 1.0 or newer); docs/operations.md,
"Private files".
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.forms import ClearableFileInput
from django.http import FileResponse, Http404, HttpResponse

from keyclusters.domain.documents import CONTENT_TYPES

SERVERS = ("django", "x-accel-redirect", "x-sendfile")
MAX_NAME_LENGTH = 120
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*;,%]+')
_ASCII_UNSAFE = re.compile(r"[^A-Za-z0-9._() -]+")
# Letters NFKD does not decompose into an ASCII base.
_ASCII_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o"})


def download_name(name: str, kind: str, *, default: str = "document") -> str:
    """A file name for the download: the stem of ``name`` without anything that could cut a
    header or a path, shortened, and the extension of the checked ``kind``."""
    stem = PurePosixPath(name.replace("\\", "/")).name
    if "." in stem:
        stem = stem.rsplit(".", 1)[0]
    stem = " ".join(_UNSAFE.sub(" ", stem).split()).strip(" .")[:MAX_NAME_LENGTH]
    return f"{stem or default}.{kind}"


def ascii_name(name: str) -> str:
    """``name`` in ASCII for clients that do not read RFC 5987 (Polish letters lose their
    diacritics: ``Źródło`` gives ``Zrodlo``)."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_ASCII_LETTERS))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _ASCII_UNSAFE.sub("_", plain)


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII ``filename`` and, when it differs, the exact name as
    ``filename*`` (RFC 6266 and RFC 5987)."""
    fallback = ascii_name(filename)
    header = f'attachment; filename="{fallback}"'
    if fallback != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header


def _server() -> str:
    server = getattr(settings, "PRIVATE_FILES_SERVER", "django") or "django"
    if server not in SERVERS:
        raise ValueError(f"PRIVATE_FILES_SERVER must be one of {', '.join(SERVERS)}")
    return server


def save_checked(file: FieldFile, content: bytes, kind: str) -> None:
    """Store ``content``, checked to be of ``kind``, in the file field ``file`` under a name
    from its SHA-256 and the kind's extension (never the uploaded name); the model is saved by
    the caller."""
    digest = hashlib.sha256(content).hexdigest()[:12]
    file.save(f"{digest}.{kind}", ContentFile(content), save=False)


def file_response(file: FieldFile, *, kind: str, filename: str) -> HttpResponse:
    """The stored ``file`` as an attachment named ``filename``; ``kind`` (``pdf``, ``docx``,
    ``xlsx``) gives its content type. A file missing from the storage is a 404."""
    if not file or not file.storage.exists(file.name):
        raise Http404
    server = _server()
    response: HttpResponse
    if server != "django" and isinstance(file.storage, FileSystemStorage):
        response = HttpResponse(b"", content_type=CONTENT_TYPES[kind])
        if server == "x-accel-redirect":
            prefix = settings.PRIVATE_FILES_ACCEL_PREFIX.rstrip("/")
            response["X-Accel-Redirect"] = f"{prefix}/{quote(file.name, safe='/')}"
        else:
            response["X-Sendfile"] = quote(file.path, safe="/")
    else:
        response = FileResponse(file.open("rb"), content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


class _LinkedFile:
    """A stored file as the admin's file widget shows it, linking to a download view."""

    def __init__(self, file: FieldFile, url: str) -> None:
        self.file = file
        self.url = url

    def __str__(self) -> str:
        return PurePosixPath(self.file.name).name


class PrivateFileInput(ClearableFileInput):
    """The admin's file input, whose "currently" link goes to ``download_url`` (set by the
    form for a saved object) instead of a media URL that nothing serves."""

    download_url = ""

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"]:
            context["widget"]["value"] = _LinkedFile(value, self.download_url)
        return context
