"""What an uploaded file is, decided from its bytes, and the upload check.

Magic numbers are puremagic's, legacy Office files (OLE2 compound files) are read by olefile and
ZIP packages by `zipfile`. What stays here is our policy: which kinds are accepted, that the name
agrees with the content, and what no library checks for us (a PDF's end marker, zip-bomb limits,
macros and passwords in Office files, scripts and markup in text).
"""

import codecs
import hashlib
import logging
import math
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

import olefile
import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError

from .names import has_unsafe_parts, sanitise_name, split_extension

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
# A ZIP (Office Open XML) may declare at most this much uncompressed content in total, and hold
# at most this many entries; more than that is a zip bomb, not a document.
ZIP_MAX_UNCOMPRESSED = 500 * 1024 * 1024
ZIP_MAX_ENTRIES = 10_000
CHUNK = 64 * 1024
HEAD = 8 * 1024
TAIL = 2 * 1024


@dataclass(frozen=True)
class Kind:
    """One accepted kind of file: how we describe it, serve it and name it."""

    key: str
    label: str  # with its article, for messages: "a PDF"
    content_type: str  # what we serve it as
    extensions: tuple[str, ...]  # the first is the canonical one
    family: str  # extensions within a family are corrected, not refused (.jpg for a PNG)


_KINDS = (
    Kind("pdf", "a PDF", "application/pdf", ("pdf",), "pdf"),
    Kind("docx", "a Word document",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         ("docx",), "word"),
    Kind("xlsx", "an Excel workbook",
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",), "excel"),
    Kind("pptx", "a PowerPoint presentation",
         "application/vnd.openxmlformats-officedocument.presentationml.presentation",
         ("pptx",), "powerpoint"),
    Kind("doc", "a Word 97–2003 document", "application/msword", ("doc",), "word"),
    Kind("xls", "an Excel 97–2003 workbook", "application/vnd.ms-excel", ("xls",), "excel"),
    Kind("ppt", "a PowerPoint 97–2003 presentation", "application/vnd.ms-powerpoint", ("ppt",),
         "powerpoint"),
    Kind("png", "a PNG image", "image/png", ("png",), "image"),
    Kind("jpeg", "a JPEG image", "image/jpeg", ("jpg", "jpeg"), "image"),
    Kind("gif", "a GIF image", "image/gif", ("gif",), "image"),
    Kind("webp", "a WebP image", "image/webp", ("webp",), "image"),
    Kind("text", "a plain-text file", "text/plain; charset=utf-8",
         ("txt", "text", "log", "md", "tsv"), "text"),
    Kind("csv", "a CSV file", "text/csv; charset=utf-8", ("csv",), "text"),
)
ALLOWED = {kind.key: kind for kind in _KINDS}
EXTENSIONS = {ext: kind for kind in _KINDS for ext in kind.extensions}
CONTENT_TYPES = frozenset(kind.content_type for kind in _KINDS)
ACCEPTED_TEXT = ("PDF, Word/Excel/PowerPoint, PNG/JPEG/GIF/WebP images, plain text and CSV")


class UploadRefused(ValidationError):
    """The upload is not accepted; `message` tells the user why and what to do.

    A ValidationError, so a form's `clean_<field>` or a DRF serializer can let it through as is.
    `code` is one of: empty, too_large, program, mismatch, not_accepted, macros, encrypted,
    damaged, zip_bomb, unsafe_name, changed.
    """

    def __init__(self, message, code="not_accepted"):
        super().__init__(message, code=code)

    def __str__(self):
        return self.message


@dataclass(frozen=True)
class CheckedUpload:
    """What `check_upload` found out about a file."""

    kind: str  # a key of ALLOWED
    content_type: str  # the type we will serve it as (never the client's)
    safe_name: str  # sanitised, with the extension that matches the content
    size: int
    sha256: str

    @property
    def label(self):
        return ALLOWED[self.kind].label

    def ledger_details(self, storage_name=""):
        """The facts to record in the ledger when the file is stored."""
        details = {"name": self.safe_name, "kind": self.kind, "size": self.size,
                   "sha256": self.sha256}
        if storage_name:
            details["storage"] = storage_name
        return details


def human_size(size):
    """`31.2 MB`, `25 MB`, `900 KB`, `12 bytes` (1 MB = 1024 × 1024 bytes, like the settings)."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            value = math.ceil(size * 10 / factor) / 10  # rounded up: never down to the limit
            return f"{value:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


# --- Checking -----------------------------------------------------------------------------------
class _Found:
    """What the bytes are. `kind` is set for accepted files; otherwise `what` describes it."""

    def __init__(self, kind=None, what="", *, program=False, hint=""):
        self.kind, self.what, self.program, self.hint = kind, what, program, hint


class _Scan:
    """One pass over the file: size, sha256, head and tail bytes, UTF-8 validity, NUL bytes."""

    def __init__(self, fileobj, max_bytes):
        digest = hashlib.sha256()
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
        head, tail, size, utf8, nul = bytearray(), b"", 0, True, False
        for chunk in _chunks(fileobj):
            size += len(chunk)
            if size > max_bytes:
                raise UploadRefused(f"The file is larger than the limit of "
                                    f"{human_size(max_bytes)}.", code="too_large")
            digest.update(chunk)
            if len(head) < HEAD:
                head += chunk[:HEAD - len(head)]
            tail = (tail + chunk)[-TAIL:]
            nul = nul or b"\0" in chunk
            if utf8 and not nul:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
        if utf8 and not nul:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
        self.head, self.tail, self.size = bytes(head), tail, size
        self.sha256, self.utf8, self.nul = digest.hexdigest(), utf8 and not nul, nul


def _chunks(fileobj):
    if hasattr(fileobj, "chunks"):
        yield from fileobj.chunks(CHUNK)
        return
    fileobj.seek(0)
    while chunk := fileobj.read(CHUNK):
        yield chunk


def check_upload(uploaded_file, *, max_bytes=None, zip_max_uncompressed=None,
                 refuse_unsafe_names=False):
    """Check an upload by its content; return a `CheckedUpload` or raise `UploadRefused`.

    `max_bytes` defaults to settings.FILE_MAX_BYTES (25 MB when unset). The client's content
    type is ignored; the name must agree with the content (a PNG called `report.pdf` is
    refused, a PNG called `photo.jpg` becomes `photo.png`). With `refuse_unsafe_names`, a
    name with folders or `..` is refused instead of being reduced to its base name.
    """
    if max_bytes is None:
        max_bytes = getattr(settings, "FILE_MAX_BYTES", DEFAULT_MAX_BYTES)
    if zip_max_uncompressed is None:
        zip_max_uncompressed = ZIP_MAX_UNCOMPRESSED
    original = getattr(uploaded_file, "name", "") or ""
    display = sanitise_name(original)
    if refuse_unsafe_names and has_unsafe_parts(original):
        raise UploadRefused(f"The file name “{display}” arrived with folder names, “..” or "
                            f"control characters; rename the file and upload it again.",
                            code="unsafe_name")
    declared = getattr(uploaded_file, "size", None)
    if isinstance(declared, int) and declared > max_bytes:
        raise UploadRefused(f"The file is {human_size(declared)}; the limit is "
                            f"{human_size(max_bytes)}.", code="too_large")
    scan = _Scan(uploaded_file, max_bytes)
    if scan.size == 0:
        raise UploadRefused(f"“{display}” is empty; choose the file again.", code="empty")
    found = _identify(scan, uploaded_file, display, zip_max_uncompressed)
    _rewind(uploaded_file)
    stem, ext = split_extension(display)
    claimed = EXTENSIONS.get(ext)
    if found.program:
        if claimed:
            raise UploadRefused(f"“{display}” is {found.what}, not {claimed.label}; upload the "
                                f"document itself.", code="program")
        raise UploadRefused(f"“{display}” is {found.what}; programs and scripts are not "
                            f"accepted.", code="program")
    if found.kind is None:
        advice = found.hint or f"accepted are {ACCEPTED_TEXT}"
        if claimed:
            raise UploadRefused(f"“{display}” is {found.what}, not {claimed.label}. This file "
                                f"type is not accepted; {advice}.", code="not_accepted")
        raise UploadRefused(f"This file type is not accepted: {found.what}; {advice}.",
                            code="not_accepted")
    kind = ALLOWED[found.kind]
    if kind.family == "text" and claimed and claimed.family == "text":
        kind = claimed  # text and CSV look alike; the name decides how we serve it
    if not ext:
        safe_name = sanitise_name(f"{display}.{kind.extensions[0]}")
    elif ext in kind.extensions:
        safe_name = display
    elif claimed and claimed.family == kind.family:
        safe_name = sanitise_name(f"{stem}.{kind.extensions[0]}")
    elif claimed:
        raise UploadRefused(f"“{display}” is {kind.label}, not {claimed.label}; rename it to "
                            f"“{stem}.{kind.extensions[0]}” or upload the intended file.",
                            code="mismatch")
    else:
        raise UploadRefused(f"“{display}” is {kind.label}, but its name ends in “.{ext}”; "
                            f"rename it to “{stem}.{kind.extensions[0]}” and upload it again.",
                            code="mismatch")
    return CheckedUpload(kind=kind.key, content_type=kind.content_type, safe_name=safe_name,
                         size=scan.size, sha256=scan.sha256)


def _rewind(fileobj):
    try:
        fileobj.seek(0)
    except (AttributeError, OSError, ValueError):
        pass


# --- What the bytes are -------------------------------------------------------------------------
# puremagic names a format by its magic number (by extension; by name for ELF and Mach-O, which
# it gives none); this table says what its answer means here: a kind we accept or what to tell
# the user. A format missing here is refused with puremagic's name for it.
_CONVERT_IMAGE = "convert it to PNG, JPEG or PDF and upload that"
_WINDOWS_PROGRAM = _Found(what="a Windows executable", program=True)
_VERDICTS = {
    **dict.fromkeys((".pdf", ".fdf"), _Found("pdf")), ".png": _Found("png"),
    **dict.fromkeys((".jpg", ".jpeg", ".jfif", ".jpe"), _Found("jpeg")),
    ".gif": _Found("gif"), ".webp": _Found("webp"),
    **dict.fromkeys((".exe", ".dll", ".com", ".sys", ".scr"), _WINDOWS_PROGRAM),
    "ELF executable": _Found(what="a Linux/Unix program (ELF executable)", program=True),
    "OS X ABI Mach-O binary": _Found(what="a macOS program (Mach-O executable)", program=True),
    ".class": _Found(what="a macOS program or Java class file", program=True),  # both CAFEBABE
    ".lnk": _Found(what="a Windows shortcut", program=True),
    ".dex": _Found(what="an Android program", program=True),
    ".gz": _Found(what="a gzip archive"), ".7z": _Found(what="a 7-Zip archive"),
    ".rar": _Found(what="a RAR archive"), ".tiff": _Found(what="a TIFF image", hint=_CONVERT_IMAGE),
}
_MARKUP = re.compile(rb"<[!?a-zA-Z]")
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f]")


def _identify(scan, fileobj, display, zip_limit):
    """What the file is, from its bytes (never its name)."""
    text = scan.head.removeprefix(codecs.BOM_UTF8)
    if text.startswith(b"#!"):  # puremagic knows only a few interpreters' paths
        return _Found(what="a script (it starts with “#!”)", program=True)
    # Containers are opened by their own libraries: what is inside decides.
    if scan.head.startswith(olefile.MAGIC):
        return _identify_ole(fileobj, display)
    if scan.head.startswith((zipfile.stringFileHeader, zipfile.stringEndArchive)):
        return _identify_zip(fileobj, display, zip_limit)
    matches = _magic(fileobj)
    verdicts = [_VERDICTS.get(match.extension or match.name.split(" (")[0]) for match in matches]
    # A program if any match says so (puremagic may rank "Audition graphic filter" first for a
    # Windows program), else its best match (not a lesser one: every RIFF file matches WebP).
    found = next((v for v in verdicts if v and v.program), verdicts[0] if verdicts else None)
    # Valid UTF-8 without NUL bytes is text whatever it starts with ("MZ", "BM" and "ID3" are
    # magic numbers too; real programs hold NUL bytes); only a PDF can be both.
    if found and (not scan.utf8 or found.kind == "pdf"):
        if found.kind == "pdf" and b"%%EOF" not in scan.tail:
            raise UploadRefused(f"“{display}” is a damaged or incomplete PDF (it has no end "
                                f"marker); export or save it again and upload the new file.",
                                code="damaged")
        return found
    if scan.utf8:
        start = text.lstrip(b" \t\r\n\f")
        if start[:5].lower() == b"{\\rtf":
            return _Found(what="an RTF document", hint="save it as .docx or PDF and upload that")
        if _MARKUP.match(start):
            return _Found(what="an HTML, XML or SVG document (markup can carry scripts)")
        return _Found("text")
    if scan.head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _Found(what="text in UTF-16", hint="save it as UTF-8 text and upload it again")
    if not scan.nul and not _CONTROL.search(scan.head):
        return _Found(what="text that is not UTF-8", hint=(
            "save it as UTF-8 (in Excel: “CSV UTF-8”) and upload it again"))
    if matches:
        return _Found(what=f"a file of type “{matches[0].name.strip()}”",
                      hint=_CONVERT_IMAGE if matches[0].mime_type.startswith("image/") else "")
    return _Found(what="a file of an unrecognised type")


def _magic(fileobj):
    """puremagic's matches for the file, best first."""
    fileobj.seek(0)
    try:
        return puremagic.magic_stream(fileobj)
    except puremagic.PureError:
        return []
    finally:
        _rewind(fileobj)


# --- Office Open XML (ZIP) ----------------------------------------------------------------------
_OOXML_PARTS = (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx"))
_CONTENT_TYPES_MAX = 1024 * 1024


def _identify_zip(fileobj, display, limit):
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            infos = archive.infolist()
            declared = sum(info.file_size for info in infos)
            if len(infos) > ZIP_MAX_ENTRIES or declared > limit:
                raise UploadRefused(
                    f"“{display}” would unpack to {human_size(declared)} in {len(infos)} parts "
                    f"(the limit is {human_size(limit)} in {ZIP_MAX_ENTRIES} parts); it looks "
                    f"like a zip bomb, not a document.", code="zip_bomb")
            names = {info.filename for info in infos}
            if "[Content_Types].xml" not in names:
                return _Found(what=_zip_what(names))
            kind = next((kind for prefix, kind in _OOXML_PARTS
                         if any(n.startswith(prefix) for n in names)), None)
            if kind is None:
                return _Found(what="a ZIP package that is not a Word, Excel or PowerPoint file")
            if any(info.flag_bits & 0x1 for info in infos):
                raise UploadRefused(f"“{display}” is encrypted; remove the password and upload "
                                    f"it again.", code="encrypted")
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > _CONTENT_TYPES_MAX:
                raise UploadRefused(f"“{display}” is a damaged Office file.", code="damaged")
            with archive.open(info) as handle:
                content_types = handle.read(_CONTENT_TYPES_MAX + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError,
            EOFError, OSError, ValueError, zlib.error):
        raise UploadRefused(f"“{display}” is a damaged ZIP or Office file; save it again and "
                            f"upload the new file.", code="damaged") from None
    finally:
        _rewind(fileobj)
    if (b"macroenabled" in content_types.lower()
            or any(n.lower().endswith("vbaproject.bin") for n in names)):
        raise _macros(display)
    return _Found(kind)


def _zip_what(names):
    if "META-INF/MANIFEST.MF" in names or any(n.endswith(".class") for n in names):
        return "a Java archive (a program)"
    if "AndroidManifest.xml" in names:
        return "an Android app"
    if "mimetype" in names and "content.xml" in names:
        return "an OpenDocument file (save it as .docx/.xlsx/.pptx or PDF)"
    return "a ZIP archive"


def _macros(display):
    return UploadRefused(f"“{display}” contains macros, which are not accepted; save it as a "
                         f"macro-free .docx/.xlsx/.pptx (or PDF) and upload that.", code="macros")


# --- Legacy Office (OLE2 compound files, read by olefile) ---------------------------------------
_OLE_KINDS = (("WordDocument", "doc"), ("Workbook", "xls"), ("Book", "xls"),
              ("PowerPoint Document", "ppt"))
_OLE_MACROS = {"Macros", "_VBA_PROJECT_CUR", "VBA", "_VBA_PROJECT"}
_OLE_ENTRIES = (olefile.STGTY_STORAGE, olefile.STGTY_STREAM, olefile.STGTY_ROOT)
# olefile's own errors are OSErrors; a deep directory tree is a RecursionError (RuntimeError).
_OLE_DAMAGED = (OSError, ValueError, IndexError, KeyError, OverflowError, RuntimeError,
                struct.error)


def _identify_ole(fileobj, display):
    """Word/Excel/PowerPoint 97–2003 by the streams in the directory; anything else refused."""
    fileobj.seek(0)
    try:
        with olefile.OleFileIO(fileobj, raise_defects=olefile.DEFECT_INCORRECT) as ole:
            names = _ole_names(ole)
    except _OLE_DAMAGED:
        raise UploadRefused(f"“{display}” is a damaged Office file; save it again and upload "
                            f"the new file.", code="damaged") from None
    finally:
        _rewind(fileobj)
    if {"EncryptionInfo", "EncryptedPackage"} & names:
        raise UploadRefused(f"“{display}” is password-protected; remove the password and upload "
                            f"it again.", code="encrypted")
    kind = next((kind for stream, kind in _OLE_KINDS if stream in names), None)
    if kind is None:
        return _Found(what="a Windows compound file that is not a Word, Excel or PowerPoint "
                           "document (an installer package, an Outlook message, …)")
    if _OLE_MACROS & names:
        raise _macros(display)
    return _Found(kind)


def _ole_names(ole):
    """The names of every storage and stream in the directory.

    olefile checks the container and follows the FAT to the directory; its `listdir` then lists
    only what the tree of entries links from the root. We read every entry, so that a storage
    left out of the tree (a hidden macro project, or the unlinked streams of a minimal file) is
    still seen.
    """
    directory = ole.directory_fp  # the directory stream, as olefile has assembled it
    directory.seek(0)
    names = set()
    while len(entry := directory.read(128)) == 128:
        length, kind = struct.unpack_from("<HB", entry, 64)
        if kind in _OLE_ENTRIES and 2 <= length <= 64:
            names.add(entry[:length - 2].decode("utf-16-le", "replace"))
    return names
