"""CSV and XLSX exports of a filtered register list, streamed (issue 11 item 2).

Rows are read with `QuerySet.iterator(chunk_size=EXPORT_CHUNK)` (prefetches run per chunk) and
written out as they come: a CSV answer is a StreamingHttpResponse fed line by line; an XLSX
workbook is written in openpyxl's write-only mode to a temporary file, then sent from it in
blocks. Neither holds the whole result in memory, at any size.
"""

import csv
import io
import tempfile

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import capfirst

from chainward.ledger.events import record_event

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def neutralise(value):
    """Stop spreadsheet formula injection: a cell may not start with a formula character."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


EXPORT_CHUNK = 2000  # rows fetched (and prefetched for) at a time


def table(register, queryset):
    """Header and rows of text for the export columns, read chunk by chunk."""
    columns = register.bound_export_columns
    yield [capfirst(str(c.label)) for c in columns]
    for obj in queryset.iterator(chunk_size=EXPORT_CHUNK):
        yield [neutralise(c.text(obj)) for c in columns]


class _Line:
    """A file-like object whose write() returns the line for the streaming answer."""

    def write(self, value):
        return value


def csv_lines(rows):
    """The CSV file, one encoded line at a time (with the BOM spreadsheets look for)."""
    writer = csv.writer(_Line())
    yield "\ufeff".encode()
    for row in rows:
        yield writer.writerow(row).encode("utf-8")


def export_response(register, queryset, fmt, request):
    """Build the download and record the export in the ledger."""
    if fmt not in CONTENT_TYPES:
        return HttpResponse(f"Unknown export format {fmt!r}; use csv or xlsx.", status=400,
                            content_type="text/plain")
    # The event is written before the rows are streamed: it counts what the export selects.
    record_event(
        "export", object_type=register.label, object_repr=str(register.verbose_name_plural),
        organisation_id=request.organisation.pk,
        details={"format": fmt, "rows": queryset.count(),
                 "filters": {k: v for k, v in request.GET.items() if k != "export"}},
    )
    rows = table(register, queryset)
    if fmt == "csv":
        response = StreamingHttpResponse(csv_lines(rows), content_type=CONTENT_TYPES[fmt])
    else:
        response = FileResponse(xlsx_file(str(register.verbose_name_plural)[:31], rows),
                                content_type=CONTENT_TYPES[fmt])
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    filename = f"{register.model_name}-{stamp}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_file(title, rows):
    """A one-sheet workbook written row by row to a temporary file, rewound for reading."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    for row in rows:
        sheet.append(row)
    spool = tempfile.TemporaryFile()
    workbook.save(spool)
    spool.seek(0)
    return spool


def xlsx_bytes(title, rows, more=None):
    """A workbook in memory: the main sheet, plus `more` {title: rows} sheets."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for name, content in {title: rows, **(more or {})}.items():
        sheet = workbook.create_sheet(title=name[:31])
        for row in content:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
