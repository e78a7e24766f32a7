"""Uploaded files: recognised by content, safe names, private storage, attachment downloads."""

import hashlib
import io
import struct
import zipfile
import zlib
from datetime import UTC, datetime

import olefile
import pytest
from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.http import Http404
from pypdf import PdfReader, PdfWriter

from chainward.core import files
from chainward.core.files import UploadRefused, check_upload, sanitise_name

MB = 1024 * 1024


# --- Sample files -------------------------------------------------------------------------------
def make_pdf(*pages):
    from weasyprint import HTML

    body = "".join(f'<p style="break-before: page">{text}</p>' for text in pages)
    return HTML(string=f"<style>@page {{ size: A4 }}</style>{body}").write_pdf()


def make_png(width=2, height=2):
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    raw = b"".join(b"\0" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                                0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                 b'openxmlformats.org/package/2006/content-types"><Override PartName="/word/'
                 b'document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                 b'wordprocessingml.document.main+xml"/></Types>')


def make_ooxml(parts=None):
    parts = parts or {"[Content_Types].xml": CONTENT_TYPES,
                      "word/document.xml": b"<w:document><w:body>Seal control</w:body>"
                                           b"</w:document>"}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def declare_huge(zip_bytes, member, size=4_000_000_000):
    """Rewrite the central directory so that `member` claims `size` uncompressed bytes."""
    data = bytearray(zip_bytes)
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + name_length] == member.encode():
            struct.pack_into("<I", data, at + 24, size)
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def make_ole(*streams):
    """A minimal OLE2 compound file (v3, 512-byte sectors) whose directory names `streams`."""
    free, end, fat_sect = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    header = bytearray(512)
    header[:8] = bytes.fromhex("d0cf11e0a1b11ae1")
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 76, 0, *[free] * 108)
    fat = struct.pack("<128I", fat_sect, end, *[free] * 126)

    def entry(name, kind):
        encoded = name.encode("utf-16-le") + b"\0\0"
        record = bytearray(128)
        record[:len(encoded)] = encoded
        struct.pack_into("<HBB", record, 64, len(encoded), kind, 1)
        struct.pack_into("<III", record, 68, free, free, free)
        struct.pack_into("<I", record, 116, end)
        return bytes(record)

    entries = [entry("Root Entry", 5)] + [entry(name, 2) for name in streams]
    directory = b"".join(entries).ljust(512, b"\0")
    return bytes(header) + fat + directory


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\0" * 56 + b"\x01\x02\x03" * 100
PE = (b"MZ\x90\x00" + b"\0" * 56 + struct.pack("<I", 0x80) + b"\0" * 64 + b"PE\0\0"
      + b"\x4c\x01" + b"\0" * 200)


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/pdf")  # never trusted


def refused(name, data, **kwargs):
    with pytest.raises(UploadRefused) as caught:
        check_upload(upload(name, data), **kwargs)
    return caught.value


# --- Accepted kinds -----------------------------------------------------------------------------
def test_a_real_pdf_is_accepted_with_its_hash():
    data = make_pdf("Security policy")
    checked = check_upload(upload("Policy.PDF", data))
    assert (checked.kind, checked.content_type, checked.safe_name) == (
        "pdf", "application/pdf", "Policy.pdf")
    assert checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(("name", "data", "kind", "content_type"), [
    ("procedure.docx", make_ooxml(), "docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("sites.csv", "site;country\nHamburg;DE\nZürich;CH\n".encode(), "csv",
     "text/csv; charset=utf-8"),
    ("notes.txt", b"\xef\xbb\xbfchecked seals 1-40\n", "text", "text/plain; charset=utf-8"),
    ("seal.png", make_png(), "png", "image/png"),
    ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x11" * 64 + b"\xff\xd9", "jpeg",
     "image/jpeg"),
    ("map.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "gif", "image/gif"),
    ("gate.webp", b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10"
     b"\x07\x10\x11\x11\x88\x88\xfe\x07\x00", "webp", "image/webp"),
    ("legacy.doc", make_ole("WordDocument", "SummaryInformation"), "doc", "application/msword"),
    ("legacy.xls", make_ole("Workbook"), "xls", "application/vnd.ms-excel"),
])
def test_accepted_kinds(name, data, kind, content_type):
    checked = check_upload(upload(name, data))
    assert (checked.kind, checked.content_type, checked.safe_name) == (kind, content_type, name)


def test_the_name_gets_the_extension_of_its_content():
    assert check_upload(upload("scan", make_pdf("x"))).safe_name == "scan.pdf"
    assert check_upload(upload("Minutes 2026.11.27", b"text")).safe_name == (
        "Minutes 2026.11.27.txt")
    # Within one family the extension is corrected rather than refused.
    assert check_upload(upload("photo.jpg", make_png())).safe_name == "photo.png"
    assert check_upload(upload("old.docx", make_ole("WordDocument"))).safe_name == "old.doc"


def test_a_file_object_without_upload_attributes_is_accepted():
    checked = check_upload(File(io.BytesIO(b"a,b\n1,2\n"), name="table.csv"))
    assert checked.kind == "csv"


# --- Refused ------------------------------------------------------------------------------------
def test_an_executable_renamed_to_pdf_is_refused_and_named():
    error = refused("invoice.pdf", PE)
    assert error.code == "program"
    assert str(error) == ("“invoice.pdf” is a Windows executable, not a PDF; upload the "
                          "document itself.")
    error = refused("invoice.pdf", ELF)
    assert "“invoice.pdf” is a Linux/Unix program (ELF executable), not a PDF" in str(error)


@pytest.mark.parametrize(("data", "what"), [
    (b"#!/bin/sh\nrm -rf /\n", "a script"),
    (b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\0" * 64, "a macOS program"),
    (b"\xca\xfe\xba\xbe\x00\x00\x00\x02" + b"\0" * 64, "a macOS program or Java class"),
])
def test_programs_and_scripts_are_refused_whatever_their_name(data, what):
    for name in ("tool", "tool.txt", "tool.sh"):
        error = refused(name, data)
        assert error.code == "program" and what in str(error)
    assert "programs and scripts are not accepted" in str(refused("tool.sh", data))


def test_a_png_named_pdf_is_refused_saying_what_it_is():
    error = refused("report.pdf", make_png())
    assert error.code == "mismatch"
    assert str(error) == ("“report.pdf” is a PNG image, not a PDF; rename it to “report.png” "
                          "or upload the intended file.")


def test_an_unknown_extension_on_an_accepted_kind_is_refused():
    error = refused("invoice.exe", make_pdf("x"))
    assert error.code == "mismatch"
    assert "ends in “.exe”; rename it to “invoice.pdf”" in str(error)
    assert "rename it to “notes.txt”" in str(refused("notes.bat", b"echo hello\r\n"))


def test_an_oversized_file_is_refused_with_both_sizes():
    error = refused("big.pdf", b"%PDF-1.7\n" + b"0" * (31 * MB + 200 * 1024) + b"%%EOF",
                    max_bytes=25 * MB)
    assert error.code == "too_large"
    assert str(error) == "The file is 31.2 MB; the limit is 25 MB."


def test_the_size_limit_comes_from_settings_and_is_also_counted(settings):
    settings.FILE_MAX_BYTES = 1000
    assert str(refused("a.txt", b"x" * 1001)) == ("The file is 1001 bytes; the limit is "
                                                  "1000 bytes.")
    lying = SimpleUploadedFile("a.txt", b"x" * 5000)
    lying.size = 10  # a size that does not match the bytes is not believed
    with pytest.raises(UploadRefused, match="larger than the limit of 1000 bytes"):
        check_upload(lying)


def test_an_empty_file_is_refused():
    assert refused("a.pdf", b"").code == "empty"


@pytest.mark.parametrize("data", [
    b"<!DOCTYPE html><html><script>alert(1)</script></html>",
    b"\xef\xbb\xbf  \n<html><body onload=alert(1)>",
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
])
def test_markup_is_refused(data):
    for name in ("page.html", "logo.svg", "notes.txt", "notes"):
        error = refused(name, data)
        assert error.code == "not_accepted"
        assert "HTML, XML or SVG" in str(error)
    assert str(refused("logo.svg", data)) == (
        "This file type is not accepted: an HTML, XML or SVG document (markup can carry "
        "scripts); accepted are PDF, Word/Excel/PowerPoint, PNG/JPEG/GIF/WebP images, plain "
        "text and CSV.")


@pytest.mark.parametrize(("data", "what"), [
    (make_ooxml({"a.txt": b"hello"}), "a ZIP archive"),
    (make_ooxml({"META-INF/MANIFEST.MF": b"Main-Class: x", "x.class": b"\xca\xfe"}),
     "a Java archive"),
    (make_ole("\x05SummaryInformation", "!_StringData"), "Windows compound file"),
    (b"\x1f\x8b\x08\x00" + b"\0" * 20, "a gzip archive"),
    (b"II*\x00" + b"\0" * 20, "a TIFF image"),
    ("café;prix\n".encode("cp1252"), "text that is not UTF-8"),
    ("a,b\n".encode("utf-16"), "text in UTF-16"),
    (b"{\\rtf1\\ansi hello}", "an RTF document"),
    (bytes(range(256)) * 4, "unrecognised type"),
])
def test_other_types_are_refused_with_what_they_are(data, what):
    error = refused("thing", data)
    assert error.code == "not_accepted"
    assert what in str(error)


def test_a_declared_zip_bomb_is_refused():
    bomb = declare_huge(make_ooxml(), "word/document.xml")
    error = refused("bomb.docx", bomb)
    assert error.code == "zip_bomb"
    assert "looks like a zip bomb" in str(error)


def test_office_files_with_macros_or_a_password_are_refused():
    macro_types = CONTENT_TYPES.replace(b"document.main", b"document.macroEnabled.main")
    docm = make_ooxml({"[Content_Types].xml": macro_types, "word/document.xml": b"<w/>",
                       "word/vbaProject.bin": b"\0"})
    assert refused("plan.docx", docm).code == "macros"
    assert refused("old.doc", make_ole("WordDocument", "Macros")).code == "macros"
    encrypted = make_ole("EncryptionInfo", "EncryptedPackage")
    assert refused("plan.docx", encrypted).code == "encrypted"


def test_damaged_files_are_refused():
    assert refused("cut.pdf", b"%PDF-1.7\n1 0 obj").code == "damaged"
    assert refused("cut.docx", make_ooxml()[:60]).code == "damaged"
    assert refused("cut.doc", make_ole("WordDocument")[:700]).code == "damaged"


# --- Detection by puremagic and olefile --------------------------------------------------------
NOSTREAM = 0xFFFFFFFF
# A Windows program as linkers write it: DOS header, stub message, PE header. puremagic's best
# match for it is not ".exe" (it ranks an "Audition graphic filter" first), so this also proves
# that any program match wins.
PE_WITH_STUB = (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8" + b"\0" * 43
                + struct.pack("<I", 0x80) + b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21"
                + b"This program cannot be run in DOS mode.\r\r\n$".ljust(55, b"\0")
                + b"PE\0\0\x4c\x01\x03\x00" + b"\0" * 200)


def link_ole(data, links, storages=()):
    """`data` from `make_ole` with its directory linked into a tree as Office writes it:
    `links` maps an entry to its (right sibling, first child); `storages` are storages."""
    data = bytearray(data)
    for sid, (right, child) in links.items():
        struct.pack_into("<II", data, 1024 + 128 * sid + 72, right, child)
    for sid in storages:
        data[1024 + 128 * sid + 66] = 1
    return bytes(data)


def ole_paths(data):
    """What olefile itself lists, walking the tree: proves a sample is the intended shape."""
    with olefile.OleFileIO(data, raise_defects=olefile.DEFECT_INCORRECT) as ole:
        return ole.listdir(streams=True, storages=True)


def patched(data, offset, fmt, *values):
    data = bytearray(data)
    struct.pack_into(fmt, data, offset, *values)
    return bytes(data)


def test_a_windows_program_with_a_dos_stub_renamed_to_pdf_is_refused():
    error = refused("invoice.pdf", PE_WITH_STUB)
    assert error.code == "program"
    assert str(error) == ("“invoice.pdf” is a Windows executable, not a PDF; upload the "
                          "document itself.")
    on_disk = TemporaryUploadedFile("invoice.pdf", "application/pdf", len(PE_WITH_STUB), None)
    on_disk.write(PE_WITH_STUB)
    with pytest.raises(UploadRefused, match="is a Windows executable"):
        check_upload(on_disk)
    on_disk.close()


@pytest.mark.parametrize(("data", "code", "what"), [
    (b"dex\n035\x00" + b"\0" * 100, "program", "an Android program"),
    (b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\0" * 40, "not_accepted", "audio"),
    (b"RIFF\x24\0\0\0WAVEfmt " + b"\0" * 40, "not_accepted", "Waveform Audio"),
    (b"SQLite format 3\x00" + b"\0" * 100, "not_accepted", "SQLite"),
], ids=["dex", "mp3", "wav", "sqlite"])
def test_formats_named_by_puremagic_are_refused_with_its_name(data, code, what):
    error = refused("evidence.pdf", data)
    assert error.code == code
    assert what in str(error)


def test_an_image_puremagic_knows_but_we_do_not_accept_gets_the_conversion_hint():
    error = refused("photo", b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 40)
    assert error.code == "not_accepted"
    assert "HEIF" in str(error) and "convert it to PNG, JPEG or PDF" in str(error)


def test_a_riff_file_is_not_taken_for_webp():
    # Every RIFF file also matches puremagic's bare "RIFF" row for WebP; only its best match
    # counts.
    for data in (b"RIFF\x24\0\0\0WAVEfmt " + b"\0" * 40, b"RIFF\x24\0\0\0AVI LIST" + b"\0" * 40):
        error = refused("gate.webp", data)
        assert error.code == "not_accepted" and "not a WebP image" in str(error)


@pytest.mark.parametrize("data", [
    b"MZ Logistics: seal register for Hamburg\n",  # "MZ": a Windows program's magic number
    b"BMW fleet, gate 3\n",  # "BM": a bitmap's
    b"ID3 audit notes\n",  # "ID3": an MP3's
    b'{"site": "Hamburg"}\n',  # "{": JSON's
])
def test_text_that_starts_like_a_magic_number_is_text(data):
    checked = check_upload(upload("notes.txt", data))
    assert (checked.kind, checked.safe_name) == ("text", "notes.txt")


def test_a_text_file_named_pdf_is_refused_as_a_mismatch():
    error = refused("minutes.pdf", b"Minutes of the security committee\n")
    assert error.code == "mismatch"
    assert str(error) == ("“minutes.pdf” is a plain-text file, not a PDF; rename it to "
                          "“minutes.txt” or upload the intended file.")


@pytest.mark.parametrize("name", ["plan.docx", "seals.csv", "scan", "legacy.doc"])
def test_an_empty_file_is_refused_whatever_its_name(name):
    assert refused(name, b"").code == "empty"


def word_zip_header(data):
    """A package whose first local header has the flags Word writes (0x0006): puremagic has its
    own row for that header (named "xlsx", without the dot)."""
    assert data[:8] == b"PK\x03\x04\x14\x00\x00\x00"
    return data[:6] + b"\x06\x00" + data[8:]


@pytest.mark.parametrize(("name", "data", "kind"), [
    ("photo.jpg", b"\xff\xd8\xff\xe1\x00\x16Exif\x00\x00MM\x00*" + b"\0" * 40 + b"\xff\xd9",
     "jpeg"),
    ("map.gif", b"GIF87a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00;", "gif"),
    ("gate.webp", b"RIFF\x24\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00" + b"\0" * 24, "webp"),
    ("scan.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "pdf"),
    ("plain.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n", "pdf"),
    ("plan.docx", word_zip_header(make_ooxml()), "docx"),
], ids=["exif-jpeg", "gif87a", "webp-vp8x", "binary-pdf", "ascii-pdf", "word-zip-header"])
def test_real_world_headers_are_accepted(name, data, kind):
    checked = check_upload(upload(name, data))
    assert (checked.kind, checked.safe_name) == (kind, name)


def test_a_legacy_office_file_with_a_macro_storage_in_its_tree_is_refused():
    doc = link_ole(make_ole("WordDocument", "Macros", "VBA"),
                   {0: (NOSTREAM, 1), 1: (2, NOSTREAM), 2: (NOSTREAM, 3)}, storages=(2, 3))
    assert ole_paths(doc) == [["Macros"], ["Macros", "VBA"], ["WordDocument"]]
    error = refused("plan.doc", doc)
    assert error.code == "macros"
    assert "contains macros" in str(error)
    clean = link_ole(make_ole("WordDocument", "SummaryInformation"),
                     {0: (NOSTREAM, 1), 1: (2, NOSTREAM)})
    assert ole_paths(clean) == [["SummaryInformation"], ["WordDocument"]]
    assert check_upload(upload("plan.doc", clean)).kind == "doc"


def test_a_macro_storage_left_out_of_the_directory_tree_is_still_found():
    doc = link_ole(make_ole("WordDocument", "_VBA_PROJECT_CUR"), {0: (NOSTREAM, 1)},
                   storages=(2,))
    assert ole_paths(doc) == [["WordDocument"]]  # olefile's listdir does not see it
    assert refused("plan.doc", doc).code == "macros"


@pytest.mark.parametrize("data", [
    make_ole("WordDocument")[:600],  # cut inside the FAT sector
    make_ole("WordDocument")[:1100],  # cut inside the directory sector
    patched(make_ole("WordDocument"), 30, "<H", 20),  # a sector size of 1 MB
    patched(make_ole("WordDocument"), 48, "<I", 99),  # the directory beyond the end
    patched(patched(make_ole("WordDocument"), 68, "<II", 0, 5), 44, "<I", 200),  # DIFAT loop
    link_ole(make_ole("WordDocument"), {0: (NOSTREAM, 1), 1: (1, NOSTREAM)}),  # tree loop
], ids=["cut-fat", "cut-directory", "sector-size", "directory-beyond-end", "difat-loop",
        "tree-loop"])
def test_damaged_compound_files_are_refused_as_damaged(data):
    error = refused("old.doc", data)
    assert error.code == "damaged"
    assert "is a damaged Office file" in str(error)


# --- Names --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "safe"), [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\boot.ini", "boot.ini"),
    ("/var/www/../../shadow.txt", "shadow.txt"),
    ("C:\\Users\\jane\\Desktop\\Seal log.xlsx", "Seal log.xlsx"),
    ("..", "file"),
    ("...pdf", "pdf"),
    ("", "file"),
    (None, "file"),
    (".htaccess", "htaccess"),
    ("evil\x00.pdf", "evil.pdf"),
    ("invoice\u202efdp.exe", "invoicefdp.exe"),
    ("CON.txt", "_CON.txt"),
    ("lpt1", "_lpt1"),
    ("  Risk   \t assessment \n 2026 .PDF ", "Risk assessment 2026.pdf"),
    ('what?<script>:"*|.txt', "what__script_____.txt"),
    ("report. . .", "report"),
    ("／etc／passwd", "passwd"),
])
def test_sanitise_name(name, safe):
    assert sanitise_name(name) == safe


def test_sanitise_name_limits_length_and_keeps_the_extension():
    assert sanitise_name("a" * 300 + ".pdf") == "a" * 116 + ".pdf"
    long_unicode = sanitise_name("€" * 200 + ".docx")
    assert long_unicode.endswith(".docx") and len(long_unicode.encode()) <= 240


def test_a_path_traversal_name_becomes_a_harmless_base_name():
    checked = check_upload(File(io.BytesIO(b"root:x:0:0"), name="../../etc/passwd"))
    assert checked.safe_name == "passwd.txt"
    checked = check_upload(upload("..\\..\\notes.txt", b"seal 1-40 checked\n"))
    assert checked.safe_name == "notes.txt"
    error = refused("..\\..\\boot.ini", b"[boot loader]\n")  # .ini is not accepted
    assert str(error) == ("“boot.ini” is a plain-text file, but its name ends in “.ini”; "
                          "rename it to “boot.txt” and upload it again.")


def test_a_path_traversal_name_can_be_refused_instead():
    with pytest.raises(UploadRefused) as caught:
        check_upload(File(io.BytesIO(b"x"), name="../../etc/passwd"), refuse_unsafe_names=True)
    assert caught.value.code == "unsafe_name"
    assert "“passwd” arrived with folder names" in str(caught.value)


# --- Storing ------------------------------------------------------------------------------------
@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


def stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()]


def test_store_writes_under_folder_year_month_and_keeps_the_hash(media):
    data = make_pdf("Seal control procedure")
    original = upload("Seal control – Zürich.pdf", data)
    checked = check_upload(original)
    name = files.store(original, checked, folder="documents")
    now = datetime.now(UTC)
    assert name.startswith(f"documents/{now:%Y}/{now:%m}/")
    assert name.endswith("-Seal-control-Zurich.pdf")
    path = media / name
    assert path.read_bytes() == data
    assert hashlib.sha256(path.read_bytes()).hexdigest() == checked.sha256
    assert files.stored_sha256(name) == checked.sha256
    assert checked.ledger_details(name) == {"name": "Seal control – Zürich.pdf", "kind": "pdf",
                                            "size": len(data), "sha256": checked.sha256,
                                            "storage": name}


def test_a_large_upload_on_disk_is_checked_and_moved_into_storage(media):
    data = make_ooxml()
    original = TemporaryUploadedFile("plan.docx", "application/octet-stream", len(data), None)
    original.write(data)
    checked = check_upload(original)
    assert checked.kind == "docx"
    name = files.store(original, checked, folder="documents")
    assert files.stored_sha256(name) == checked.sha256 == hashlib.sha256(data).hexdigest()
    original.close()


def test_two_files_with_the_same_name_never_collide(media):
    first, second = upload("a.txt", b"one"), upload("a.txt", b"two")
    one = files.store(first, check_upload(first), folder="evidence")
    two = files.store(second, check_upload(second), folder="evidence")
    assert one != two and (media / one).read_bytes() == b"one"


def test_nothing_is_stored_when_the_check_fails(media):
    for name, data in [("invoice.pdf", PE), ("../../etc/passwd", ELF),
                       ("big.txt", b"x" * 2000)]:
        candidate = upload(name, data)
        with pytest.raises(UploadRefused):
            files.store(candidate, check_upload(candidate, max_bytes=1000), folder="documents")
    assert stored_files(media) == []


def test_store_refuses_a_file_that_changed_after_the_check(media):
    checked = check_upload(upload("a.txt", b"checked"))
    with pytest.raises(UploadRefused, match="changed after it was checked"):
        files.store(upload("a.txt", b"swapped"), checked, folder="documents")
    with pytest.raises(TypeError):
        files.store(upload("a.txt", b"x"), None, folder="documents")
    with pytest.raises(ValueError):
        files.store(upload("a.txt", b"checked"), checked, folder="../outside")
    assert stored_files(media) == []


# --- Downloading --------------------------------------------------------------------------------
def test_download_response_is_an_attachment_that_cannot_run(media):
    original = upload("Sicherheitsrichtlinie – größer.pdf", make_pdf("x"))
    checked = check_upload(original)
    name = files.store(original, checked, folder="documents")
    response = files.download_response(name, filename=checked.safe_name,
                                       content_type=checked.content_type)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Sicherheitsrichtlinie _ gro_er.pdf\"; filename*=UTF-8''"
        "Sicherheitsrichtlinie%20%E2%80%93%20gr%C3%B6%C3%9Fer.pdf")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == (media / name).read_bytes()
    response.file_to_stream.close()  # not response.close(): that signals request_finished


def test_download_response_never_serves_an_unknown_type_as_such(media):
    name = files.default_storage.save("documents/x.html", ContentFile(b"<script>"))
    response = files.download_response(name, filename="../x.html", content_type="text/html")
    assert response["Content-Type"] == "application/octet-stream"
    assert 'filename="x.html"' in response["Content-Disposition"]
    response.file_to_stream.close()  # not response.close(): that signals request_finished
    with pytest.raises(Http404):
        files.download_response("documents/missing.pdf", filename="m.pdf",
                                content_type="application/pdf")


def test_bytes_response_has_the_same_headers():
    response = files.bytes_response(b"%PDF-", filename="a.pdf", content_type="application/pdf")
    assert response["Content-Disposition"].startswith('attachment; filename="a.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


# --- Watermarks ---------------------------------------------------------------------------------
STAMP = "RESTRICTED — downloaded by jane@abc.example on 2026-11-27 14:03 UTC"


def test_watermark_text():
    when = datetime(2026, 11, 27, 14, 3, 59, tzinfo=UTC)
    assert files.watermark_text("jane@abc.example", when) == STAMP


def test_watermark_is_on_every_page_and_the_content_stays():
    original = make_pdf("Seal control, page one", "Seal control, page two")
    stamped = PdfReader(io.BytesIO(files.watermark_pdf(original, STAMP)))
    before = PdfReader(io.BytesIO(original))
    assert len(stamped.pages) == 2
    for number, (page, old) in enumerate(zip(stamped.pages, before.pages, strict=True), 1):
        text = page.extract_text()
        assert STAMP in text
        assert f"Seal control, page {['one', 'two'][number - 1]}" in text
        assert page.mediabox == old.mediabox


def test_watermark_follows_rotated_pages_upright():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf("Landscape plan"))))
    writer.pages[0].rotate(90)  # shown turned a quarter clockwise
    buffer = io.BytesIO()
    writer.write(buffer)
    page = PdfReader(io.BytesIO(files.watermark_pdf(buffer.getvalue(), STAMP))).pages[0]
    assert page.rotation == 90
    # The content is upright in the page's own coordinates; the stamp is turned a quarter
    # anticlockwise there, so that it reads upright once the viewer applies /Rotate ...
    assert "Landscape plan" in page.extract_text(orientations=(0,))
    assert STAMP not in page.extract_text(orientations=(0,))
    assert STAMP in page.extract_text(orientations=(90,))
    # ... and it runs along the edge that is shown at the bottom: x = page width.
    origins = []

    def visit(text, cm, tm, font, size):
        if "RESTRICTED" in text:
            origins.append(tm[4] * cm[0] + tm[5] * cm[2] + cm[4])

    page.extract_text(orientations=(90,), visitor_text=visit)
    width = float(page.mediabox.width)
    assert origins and all(width - 20 < x <= width for x in origins)


def test_watermark_refuses_what_it_cannot_read():
    with pytest.raises(files.WatermarkError):
        files.watermark_pdf(b"%PDF-1.7 not really", STAMP)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf("secret"))))
    writer.encrypt(user_password="open sesame", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(files.WatermarkError, match="password-protected"):
        files.watermark_pdf(buffer.getvalue(), STAMP)


# --- Sizes --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("size", "text"), [
    (25 * MB, "25 MB"), (int(31.2 * MB), "31.2 MB"), (25 * MB + 1, "25.1 MB"),
    (900 * 1024, "900 KB"), (12, "12 bytes"),
])
def test_human_size(size, text):
    assert files.human_size(size) == text
