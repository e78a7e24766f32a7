"""Uploaded files: recognised by content, named safely, stored privately, served as attachments.

Nothing here trusts what the client says about a file. `check_upload` reads the bytes once (size
limit, sha256, UTF-8 check) and decides what the file *is* from its magic bytes and structure;
the name only has to agree. Programs, scripts and markup that a browser could run are refused,
and so is anything else not on the short list in `ALLOWED`.

    checked = check_upload(upload)                  # raises UploadRefused(message)
    name = store(upload, checked, folder="documents")
    ...
    return download_response(name, filename=checked.safe_name,
                             content_type=checked.content_type)

Files live in the "default" storage (CHAINWARD_HOME/media, or S3 by setting), never under a web
root; they leave only through a permission-checked view that calls `download_response`.
`watermark_pdf` stamps a line on every page of a PDF (pypdf + WeasyPrint).
"""

import codecs
import hashlib
import io
import logging
import math
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC
from urllib.parse import quote
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone
from django.utils.html import escape

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
# A ZIP (Office Open XML) may declare at most this much uncompressed content in total, and hold
# at most this many entries; more than that is a zip bomb, not a document.
ZIP_MAX_UNCOMPRESSED = 500 * 1024 * 1024
ZIP_MAX_ENTRIES = 10_000
CHUNK = 64 * 1024
HEAD = 8 * 1024
TAIL = 2 * 1024
NAME_MAX_CHARS = 120
NAME_MAX_BYTES = 240


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


class WatermarkError(Exception):
    """The PDF could not be stamped (damaged or password-protected); do not serve it unstamped."""


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


# --- Names --------------------------------------------------------------------------------------
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", "conin$", "conout$",
                     *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10)),
                     *(f"com{c}" for c in "¹²³"), *(f"lpt{c}" for c in "¹²³")}
_UNSAFE_CHARS = re.compile(r'[<>:"|?*]')
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,10}")


def _split_extension(name):
    """`(stem, extension)`; the extension (lower case) only if it looks like one."""
    stem, dot, ext = name.rpartition(".")
    if dot and stem and _EXTENSION.fullmatch(ext) and re.search(r"[A-Za-z]", ext):
        return stem, ext.lower()
    return name, ""


def sanitise_name(name):
    """A harmless file name: no folders, `..`, control or invisible characters, no leading dots,
    no reserved Windows device names; whitespace collapsed; at most 120 characters; never empty.

    `../../etc/passwd` → `passwd`, `..\\..\\boot.ini` → `boot.ini`, `CON.txt` → `_CON.txt`.
    """
    name = unicodedata.normalize("NFKC", str(name or ""))  # also turns ／ and ＼ into / and \
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Drop control and format characters (NUL, bidi overrides that disguise “exe.pdf”, …).
    name = "".join(ch for ch in name
                   if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn"} or ch in "\t")
    name = _UNSAFE_CHARS.sub("_", name)
    name = " ".join(name.split())
    name = name.strip(" .")  # leading dots (hidden files, “..”) and Windows' trailing dots
    stem, ext = _split_extension(name)
    stem = stem.rstrip(" .")
    if stem.split(".", 1)[0].strip().lower() in _WINDOWS_RESERVED:
        stem = "_" + stem
    suffix = f".{ext}" if ext else ""
    room = NAME_MAX_CHARS - len(suffix)
    stem = stem[:room]
    while len((stem + suffix).encode()) > NAME_MAX_BYTES:
        stem = stem[:-1]
    stem = stem.rstrip(" .")
    return (stem or "file") + suffix


def _has_unsafe_parts(name):
    """Whether a client-supplied name carries folders, `..` or control characters."""
    name = str(name or "")
    return ("/" in name or "\\" in name or name.strip() in {".", ".."}
            or any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in name))


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
    if refuse_unsafe_names and _has_unsafe_parts(original):
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
    stem, ext = _split_extension(display)
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


_MACH_O = (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")
_ARCHIVES = ((b"\x1f\x8b", "a gzip archive"), (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
             (b"Rar!\x1a\x07", "a RAR archive"), (b"\xfd7zXZ\x00", "an XZ archive"))
_CONVERT_IMAGE = "convert it to PNG, JPEG or PDF and upload that"
_MARKUP = re.compile(rb"<[!?a-zA-Z]")


def _identify(scan, fileobj, display, zip_limit):
    """What the file is, from its bytes (never its name)."""
    head = scan.head
    # Programs first: these are refused whatever the file is called.
    if head.startswith(b"\x7fELF"):
        return _Found(what="a Linux/Unix program (ELF executable)", program=True)
    if head[:4] in _MACH_O:
        return _Found(what="a macOS program (Mach-O executable)", program=True)
    if head.startswith(b"\xca\xfe\xba\xbe"):
        return _Found(what="a macOS program or Java class file", program=True)
    if head.startswith(b"\0asm"):
        return _Found(what="a WebAssembly program", program=True)
    if head.startswith(b"L\0\0\0\x01\x14\x02\0"):
        return _Found(what="a Windows shortcut", program=True)
    if head.startswith(b"MZ") and (_is_pe(head) or not scan.utf8):
        return _Found(what="a Windows executable", program=True)
    text_head = head.removeprefix(codecs.BOM_UTF8)
    if text_head.startswith(b"#!"):
        return _Found(what="a script (it starts with “#!”)", program=True)
    # Accepted kinds, each with a structural check beyond the magic bytes.
    if head.startswith(b"%PDF-"):
        if b"%%EOF" not in scan.tail:
            raise UploadRefused(f"“{display}” is a damaged or incomplete PDF (it has no end "
                                f"marker); export or save it again and upload the new file.",
                                code="damaged")
        return _Found("pdf")
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        return _Found("png")
    if head.startswith(b"\xff\xd8\xff") and len(head) > 3 and head[3] >= 0xc0:
        return _Found("jpeg")
    if head[:6] in (b"GIF87a", b"GIF89a") and scan.size >= 13:
        return _Found("gif")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP" and head[12:16] in (b"VP8 ", b"VP8L",
                                                                          b"VP8X"):
        return _Found("webp")
    if head.startswith(b"PK\x03\x04"):
        return _identify_zip(fileobj, display, zip_limit)
    if head.startswith(b"PK\x05\x06"):
        return _Found(what="an empty ZIP archive")
    if head.startswith(bytes.fromhex("d0cf11e0a1b11ae1")):
        return _identify_ole(fileobj, scan.size, display)
    for magic, what in _ARCHIVES:
        if head.startswith(magic):
            return _Found(what=what)
    if head[:4] in (b"II*\0", b"MM\0*"):
        return _Found(what="a TIFF image", hint=_CONVERT_IMAGE)
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return _Found(what="text in UTF-16", hint="save it as UTF-8 text and upload it again")
    if scan.utf8:
        start = text_head.lstrip(b" \t\r\n\f")
        if start[:5].lower() == b"{\\rtf":
            return _Found(what="an RTF document", hint="save it as .docx or PDF and upload that")
        if _MARKUP.match(start):
            return _Found(what="an HTML, XML or SVG document (markup can carry scripts)")
        return _Found("text")
    if head[4:8] == b"ftyp":
        if head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"avif"):
            return _Found(what="a HEIC/AVIF image", hint=_CONVERT_IMAGE)
        return _Found(what="a video or audio file")
    if head.startswith(b"BM"):
        return _Found(what="a BMP image", hint=_CONVERT_IMAGE)
    if head[:4] == b"RIFF":
        return _Found(what="a RIFF media file (audio or video)")
    if head.startswith(b"BZh"):
        return _Found(what="a bzip2 archive")
    if head[257:262] == b"ustar":
        return _Found(what="a tar archive")
    if not scan.nul and not re.search(rb"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f]", head):
        return _Found(what="text that is not UTF-8", hint=(
            "save it as UTF-8 (in Excel: “CSV UTF-8”) and upload it again"))
    return _Found(what="a file of an unrecognised type")


def _is_pe(head):
    if len(head) < 64:
        return False
    offset = struct.unpack_from("<I", head, 0x3C)[0]
    return head[offset:offset + 4] == b"PE\0\0"


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
        raise UploadRefused(f"“{display}” contains macros, which are not accepted; save it as a "
                            f"macro-free .docx/.xlsx/.pptx (or PDF) and upload that.",
                            code="macros")
    return _Found(kind)


def _zip_what(names):
    if "META-INF/MANIFEST.MF" in names or any(n.endswith(".class") for n in names):
        return "a Java archive (a program)"
    if "AndroidManifest.xml" in names:
        return "an Android app"
    if "mimetype" in names and "content.xml" in names:
        return "an OpenDocument file (save it as .docx/.xlsx/.pptx or PDF)"
    return "a ZIP archive"


# --- Legacy Office (OLE2 compound files) --------------------------------------------------------
_OLE_MAXREG = 0xFFFFFFFA
_OLE_END = 0xFFFFFFFE
_OLE_KINDS = (("WordDocument", "doc"), ("Workbook", "xls"), ("Book", "xls"),
              ("PowerPoint Document", "ppt"))
_OLE_MACROS = {"Macros", "_VBA_PROJECT_CUR", "VBA", "_VBA_PROJECT"}


class _OleDamaged(Exception):
    pass


def _identify_ole(fileobj, size, display):
    """Word/Excel/PowerPoint 97–2003 by the streams in the directory; anything else refused."""
    try:
        names = _ole_names(fileobj, size)
    except (_OleDamaged, struct.error, UnicodeDecodeError):
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
        raise UploadRefused(f"“{display}” contains macros, which are not accepted; save it as a "
                            f"macro-free .docx/.xlsx/.pptx (or PDF) and upload that.",
                            code="macros")
    return _Found(kind)


def _ole_names(fh, size):
    """The names of all storages and streams in a compound file's directory."""
    fh.seek(0)
    header = fh.read(512)
    if len(header) < 512:
        raise _OleDamaged
    shift = struct.unpack_from("<H", header, 30)[0]
    if shift not in (9, 12):
        raise _OleDamaged
    sector_size = 1 << shift
    per_sector = sector_size // 4
    sectors = (size - sector_size + sector_size - 1) // sector_size  # after the header sector
    fat_count, first_dir = struct.unpack_from("<II", header, 44)
    first_difat, difat_count = struct.unpack_from("<II", header, 68)

    def read(sector):
        if sector > _OLE_MAXREG or sector >= sectors:
            raise _OleDamaged
        fh.seek((sector + 1) * sector_size)
        return fh.read(sector_size).ljust(sector_size, b"\0")

    fat_sectors = [s for s in struct.unpack_from("<109I", header, 76) if s <= _OLE_MAXREG]
    sector, seen = first_difat, set()
    while sector <= _OLE_MAXREG and len(fat_sectors) < fat_count:
        if sector in seen or len(seen) > difat_count:
            raise _OleDamaged
        seen.add(sector)
        values = struct.unpack(f"<{per_sector}I", read(sector))
        fat_sectors += [s for s in values[:-1] if s <= _OLE_MAXREG]
        sector = values[-1]
    fat = []
    for fat_sector in fat_sectors[:fat_count]:
        if len(fat) >= sectors:
            break
        fat.extend(struct.unpack(f"<{per_sector}I", read(fat_sector)))
    names, sector, seen = set(), first_dir, set()
    while sector != _OLE_END:
        if sector >= len(fat) or sector in seen:
            raise _OleDamaged
        seen.add(sector)
        data = read(sector)
        for offset in range(0, sector_size, 128):
            entry = data[offset:offset + 128]
            length, kind = struct.unpack_from("<HB", entry, 64)
            if kind in (1, 2, 5) and 2 <= length <= 64 and length % 2 == 0:
                names.add(entry[:length - 2].decode("utf-16-le"))
        sector = fat[sector]
    return names


# --- Storing and serving ------------------------------------------------------------------------
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
    stem, ext = _split_extension(safe_name)
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
    stem, ext = _split_extension(filename)
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


# --- Watermarks ---------------------------------------------------------------------------------
def watermark_text(who, when=None, *, label="RESTRICTED"):
    """`RESTRICTED — downloaded by jane@abc.example on 2026-11-27 14:03 UTC`."""
    when = (when or timezone.now()).astimezone(UTC)
    return f"{label} — downloaded by {who} on {when:%Y-%m-%d %H:%M} UTC"


_OVERLAY = """<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: {width:.3f}pt {height:.3f}pt; margin: 0 }}
html, body {{ margin: 0; background: transparent }}
.stamp {{ position: fixed; left: 0; right: 0; bottom: 0; padding: 2pt 10pt;
  font: bold {font:.1f}pt "DejaVu Sans", "Liberation Sans", sans-serif; color: #a8001c;
  background: rgba(255, 255, 255, 0.6); text-align: center; overflow-wrap: anywhere }}
</style></head><body><div class="stamp">{text}</div></body></html>"""


def _overlay_page(width, height, text):
    from pypdf import PdfReader
    from weasyprint import HTML

    from .pdf import fetch_own_static

    font = max(4.0, min(8.0, width / 75))
    html = _OVERLAY.format(width=width, height=height, font=font, text=escape(text))
    pdf = HTML(string=html, url_fetcher=fetch_own_static).write_pdf()
    return PdfReader(io.BytesIO(pdf)).pages[0]


def watermark_pdf(pdf_bytes, text):
    """The PDF with `text` stamped along the bottom of every page, as seen on screen.

    Page sizes, rotation and the original content are kept; the stamp is real text (it can be
    searched and extracted). Raises `WatermarkError` for a PDF that cannot be read or is
    password-protected; serve nothing rather than an unstamped restricted file.
    """
    from pypdf import PdfReader, PdfWriter, Transformation

    try:
        reader = PdfReader(io.BytesIO(pdf_bytes))
        if reader.is_encrypted and not reader.decrypt(""):
            raise WatermarkError("The PDF is password-protected, so it cannot be watermarked.")
        writer = PdfWriter(clone_from=reader)
        overlays = {}
        for page in writer.pages:
            box = page.cropbox
            rotation = page.rotation % 360
            width, height = abs(float(box.width)), abs(float(box.height))
            if rotation in (90, 270):
                width, height = height, width
            key = (round(width, 2), round(height, 2))
            if key not in overlays:
                overlays[key] = _overlay_page(width, height, text)
            # Turn the upright stamp against the page's /Rotate, then move it onto the crop box.
            turn = Transformation().rotate(rotation)
            corners = [turn.apply_on(point) for point in
                       ((0, 0), (width, 0), (0, height), (width, height))]
            shift_x = min(float(box.left), float(box.right)) - min(x for x, _ in corners)
            shift_y = min(float(box.bottom), float(box.top)) - min(y for _, y in corners)
            page.merge_transformed_page(overlays[key], turn.translate(shift_x, shift_y),
                                        over=True, expand=False)
        out = io.BytesIO()
        writer.write(out)
    except WatermarkError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on damaged input
        raise WatermarkError("The PDF could not be read, so it cannot be watermarked.") from exc
    return out.getvalue()
