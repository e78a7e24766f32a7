"""Plain text of an uploaded document, for search (PDF, Word, text and CSV)."""

import io
import re
import zipfile

MAX_TEXT = 200_000


def extract_text(upload, kind):
    """Best-effort text of the file; empty when the format has none we can read."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        if kind == "pdf":
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(data))
            text = "\n".join(page.extract_text() or "" for page in reader.pages[:200])
        elif kind in {"text", "csv"}:
            text = data.decode("utf-8-sig", errors="replace")
        elif kind in {"docx", "xlsx", "pptx", "ooxml"}:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                parts = [n for n in archive.namelist() if n.endswith(".xml") and (
                    n.startswith("word/document") or n.startswith("xl/sharedStrings")
                    or n.startswith("ppt/slides/"))]
                xml = " ".join(archive.read(n).decode("utf-8", errors="replace") for n in parts)
            text = re.sub(r"<[^>]+>", " ", xml)
        else:
            return ""
    except Exception:  # noqa: BLE001 - a file we cannot read is still stored, just not searchable
        return ""
    return " ".join(text.split())[:MAX_TEXT]
