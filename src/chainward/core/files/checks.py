"""What an uploaded file is, decided from its bytes; its safe name; the upload check."""


import codecs
import hashlib
import logging
import math
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

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
