"""CSV and XLSX exports of a filtered register list."""

import csv
import io

from django.http import HttpResponse
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


def table(register, queryset):
    """Header and rows of text for the export columns."""
    columns = register.bound_export_columns
    yield [capfirst(str(c.label)) for c in columns]
    for obj in queryset.iterator(chunk_size=1000) if not register.prefetch_related else queryset:
        yield [neutralise(c.text(obj)) for c in columns]


def export_response(register, queryset, fmt, request):
    """Build the download and record the export in the ledger."""
    if fmt not in CONTENT_TYPES:
        return HttpResponse(f"Unknown export format {fmt!r}; use csv or xlsx.", status=400,
                            content_type="text/plain")
    rows = list(table(register, queryset))
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        body = buffer.getvalue().encode("utf-8-sig")
    else:
        body = xlsx_bytes(str(register.verbose_name_plural)[:31], rows)
    record_event(
        "export", object_type=register.label, object_repr=str(register.verbose_name_plural),
        organisation_id=request.organisation.pk,
        details={"format": fmt, "rows": len(rows) - 1,
                 "filters": {k: v for k, v in request.GET.items() if k != "export"}},
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    filename = f"{register.model_name}-{stamp}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


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
