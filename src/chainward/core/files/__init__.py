"""Uploaded files: recognised by content, named safely, stored privately, served as attachments.

Nothing here trusts what the client says about a file. `check_upload` reads the bytes once (size
limit, sha256, UTF-8 check) and decides what the file *is* from its magic number (puremagic) and
its structure (olefile for legacy Office, zipfile for Office Open XML); the name only has to
agree. Programs, scripts and markup that a browser could run are refused, and so is anything
else not on the short list in `ALLOWED`.

    checked = check_upload(upload)                  # raises UploadRefused(message)
    name = store(upload, checked, folder="documents")
    ...
    return download_response(name, filename=checked.safe_name,
                             content_type=checked.content_type)

Files live in the "default" storage (CHAINWARD_HOME/media, or S3 by setting), never under a web
root; they leave only through a permission-checked view that calls `download_response`.
Restricted PDFs are stamped with `watermark_pdf` (in `chainward.core.pdf`, re-exported here).
"""

from django.core.files.storage import default_storage  # used unless a storage is given

from chainward.core.pdf import WatermarkError, watermark_pdf, watermark_text

from .checks import (
    ACCEPTED_TEXT,
    ALLOWED,
    CONTENT_TYPES,
    EXTENSIONS,
    CheckedUpload,
    Kind,
    UploadRefused,
    check_upload,
    human_size,
)
from .names import sanitise_name
from .storage import (
    bytes_response,
    content_disposition,
    download_response,
    open_stored,
    storage_leaf,
    store,
    stored_sha256,
)

__all__ = [
    "ACCEPTED_TEXT", "ALLOWED", "CONTENT_TYPES", "EXTENSIONS", "CheckedUpload", "Kind",
    "UploadRefused", "WatermarkError", "bytes_response", "check_upload", "content_disposition",
    "default_storage", "download_response", "human_size", "open_stored", "sanitise_name",
    "storage_leaf", "store", "stored_sha256", "watermark_pdf", "watermark_text",
]
