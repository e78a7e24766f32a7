"""Storing checked uploads privately and serving them only as attachments."""

import hashlib
import logging
import re
import unicodedata
from datetime import UTC
from urllib.parse import quote
from uuid import uuid4

from django.core.files import File
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone

from .checks import CONTENT_TYPES, CheckedUpload, UploadRefused, _chunks, _rewind
from .names import sanitise_name, split_extension

log = logging.getLogger(__name__)

_FOLDER = re.compile(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*")


def _storage(storage):
    return default_storage if storage is None else storage


def _digest(fileobj):
    digest, size = hashlib.sha256(), 0
    for chunk in _chunks(fileobj):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def storage_leaf(safe_name):
    """The ASCII tail of a storage key: `<uuid4>-<slug of the name>.<ext>`."""
    stem, ext = split_extension(safe_name)
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_stem).strip("-_")[:60].strip("-_")
    return f"{uuid4()}-{ascii_stem or 'file'}" + (f".{ext}" if ext else "")


def store(uploaded_file, check_result, *, folder, storage=None):
    """Save a checked upload as `<folder>/<yyyy>/<mm>/<uuid4>-<name>`; return the storage name.

    Goes through Django's storage API (the "default" storage unless one is given), so
    S3-compatible storage works by setting. The bytes are hashed again first: a file that
    changed since `check_upload` is refused, so what is stored is what was checked.
    """
    if not isinstance(check_result, CheckedUpload):
        raise TypeError("store() needs the result of check_upload()")
    if not _FOLDER.fullmatch(folder or ""):
        raise ValueError(f"invalid storage folder {folder!r}")
    if _digest(uploaded_file) != (check_result.sha256, check_result.size):
        raise UploadRefused("The file changed after it was checked; upload it again.",
                            code="changed")
    now = timezone.now().astimezone(UTC)
    name = f"{folder}/{now:%Y}/{now:%m}/{storage_leaf(check_result.safe_name)}"
    content = uploaded_file if isinstance(uploaded_file, File) else File(uploaded_file)
    _rewind(content)
    stored = _storage(storage).save(name, content)
    _rewind(uploaded_file)
    return stored


def open_stored(storage_name, *, storage=None):
    """The stored file, open for reading (a context manager); Http404 when it is missing."""
    try:
        return _storage(storage).open(storage_name, "rb")
    except FileNotFoundError:
        log.warning("stored file %s is missing", storage_name)
        raise Http404("The file is missing from storage.") from None


def stored_sha256(storage_name, *, storage=None):
    """The sha256 of a stored file, to compare with the one recorded in the ledger."""
    with open_stored(storage_name, storage=storage) as handle:
        return _digest(handle)[0]


def content_disposition(filename):
    """`attachment` with an ASCII `filename` and the exact name as RFC 5987 `filename*`."""
    filename = sanitise_name(filename)
    stem, ext = split_extension(filename)
    fallback = "".join(ch for ch in unicodedata.normalize("NFKD", stem)
                       if not unicodedata.combining(ch))
    fallback = " ".join(re.sub(r"[^A-Za-z0-9 ._()-]", "_", fallback).split()) or "file"
    fallback += f".{ext}" if ext else ""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _attachment_headers(response, filename):
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


def _served_type(content_type):
    return content_type if content_type in CONTENT_TYPES else "application/octet-stream"


def download_response(storage_name, *, filename, content_type, storage=None):
    """A streamed attachment of a stored file, with headers that stop browsers from running it.

    Only content types of `ALLOWED` are served as such; anything else goes out as
    application/octet-stream. A missing file is a 404.
    """
    handle = open_stored(storage_name, storage=storage)
    response = FileResponse(handle, content_type=_served_type(content_type))
    return _attachment_headers(response, filename)


def bytes_response(body, *, filename, content_type):
    """Like `download_response`, for bytes made on the fly (a watermarked PDF)."""
    response = HttpResponse(body, content_type=_served_type(content_type))
    return _attachment_headers(response, filename)
