"""Files coming in (uploads and the files the command line reads): their size limits.

Every kind of file has a largest size (``settings.UPLOAD_LIMITS``, in bytes; set in MB with the
environment variable ``UPLOAD_LIMITS_MB``). It is checked before the file is read: by the forms
from the size the upload reports, by the commands from the file system. Past the largest of
them :class:`LimitedUploadHandler` keeps nothing more of an upload (it only counts its bytes),
so the form can still say how large the file was. What a file may hold once it is read (rows,
columns, cells, what an XLSX unpacks to) is :class:`keyclusters.domain.tablefile.Limits`.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, BinaryIO

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext

KINDS = (
    "organisations",  # keyclusters import organisations, the admin's import
    "clusters",
    "members",  # also a coordinator's member import
    "statuses",  # the historical status grants
    "benchmarking",  # benchmarking data and member-survey answers
    "documents",  # an application's documents
    "verification",  # a funding agency's file of NIPs
    "rulebooks",  # a competition edition's or a benchmarking framework's rulebook (YAML)
)


class FileTooLarge(ValueError):
    """A file over the limit of its kind; the message says both sizes."""


def limit(kind: str) -> int:
    """The largest size (bytes) of a file of this kind."""
    return settings.UPLOAD_LIMITS[kind]


def too_large_message(size: int, limit_bytes: int) -> str:
    return gettext("The file has %(size)s MB; at most %(limit)s MB is accepted.") % {
        "size": f"{size / 2**20:.1f}",
        "limit": f"{limit_bytes / 2**20:g}",
    }


def check_size(size: int, kind: str) -> None:
    """Raise :class:`FileTooLarge` when ``size`` bytes is too much for ``kind``."""
    if size > limit(kind):
        raise FileTooLarge(too_large_message(size, limit(kind)))


def clean_upload(upload: Any, kind: str) -> Any:
    """For a form's ``clean_<field>``: the upload, or a ValidationError when it is too large."""
    try:
        check_size(upload.size, kind)
    except FileTooLarge as exc:
        raise forms.ValidationError(str(exc)) from exc
    return upload


def size_validator(kind: str) -> Any:
    """A form field's validator of the size of an upload of ``kind``."""

    def validate(upload: Any) -> None:
        clean_upload(upload, kind)

    return validate


def open_file(path: str | Path, kind: str) -> BinaryIO:
    """Open a file for reading after checking its size (raises FileTooLarge or OSError)."""
    path = Path(path)
    handle = path.open("rb")
    try:
        check_size(path.stat().st_size if path.is_file() else _length(handle), kind)
    except BaseException:
        handle.close()
        raise
    return handle


def _length(handle: BinaryIO) -> int:
    size = handle.seek(0, io.SEEK_END)
    handle.seek(0)
    return size


class OversizedUpload(UploadedFile):
    """What is left of an upload larger than every limit: its name and size, no content."""

    def __init__(self, name: str, content_type: str, size: int, charset: str | None) -> None:
        super().__init__(io.BytesIO(), name, content_type, size, charset)


class LimitedUploadHandler(FileUploadHandler):
    """First of the upload handlers: past the largest limit, the chunks of a file are dropped
    (the handlers after it, which keep them in memory or on disk, see no more of them)."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.largest = max(settings.UPLOAD_LIMITS.values())

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        return None if self.received > self.largest else raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received <= self.largest:
            return None  # kept by the next handler
        return OversizedUpload(
            self.file_name or "", self.content_type or "", self.received, self.charset
        )
