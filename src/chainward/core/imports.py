"""Bulk import: read CSV/XLSX, dry-run every row through a form, then import all or nothing.

The preview names each bad row (spreadsheet numbering: the header is row 1), its column and
the reason. Nothing is written until the file is clean; the confirmed import runs as a job in
one transaction, so a failure half-way leaves the register exactly as it was.
"""

import csv
import hashlib
import io
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.forms import modelform_factory
from django.utils import timezone

from chainward.ledger.context import actor_context
from chainward.ledger.events import record_event

from .forms import ScopedModelForm, formfield_for, scope_choices

TRUE_WORDS = {"1", "true", "yes", "y", "x", "ja", "oui"}
FALSE_WORDS = {"0", "false", "no", "n", ""}
MAX_ROWS = 20000
STAGING_HOURS = 24


class LookupChoiceField(forms.ModelChoiceField):
    """A related record named by a lookup field (reference, name or code) instead of an id."""

    def __init__(self, queryset, lookup, **kwargs):
        self.lookup = lookup
        super().__init__(queryset, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        matches = list(self.queryset.filter(**{f"{self.lookup}__iexact": value})[:2])
        name = self.queryset.model._meta.verbose_name
        if not matches:
            raise forms.ValidationError(f"no {name} with {self.lookup} “{value}”")
        if len(matches) > 1:
            raise forms.ValidationError(
                f"several {name} records have {self.lookup} “{value}”; use the reference")
        return matches[0]


class LookupMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several related records, separated by semicolons."""

    def __init__(self, queryset, lookup, **kwargs):
        self.lookup = lookup
        super().__init__(queryset, **kwargs)

    def clean(self, value):
        names = [v.strip() for v in (value or "").split(";") if v.strip()]
        single = LookupChoiceField(self.queryset, self.lookup)
        return [single.to_python(name) for name in names]


def import_columns(register):
    """`[(column, required, help)]` describing the import file."""
    model = register.model
    described = []
    for name in register.import_fields:
        model_field = model._meta.get_field(name)
        note = str(model_field.help_text or "")
        if model_field.is_relation:
            lookup = register.import_lookups.get(name, "reference")
            many = "; separate several with ;" if model_field.many_to_many else ""
            note = f"by {lookup}{many}"
        elif model_field.choices:
            note = "one of: " + ", ".join(str(label) for _, label in model_field.choices[:12])
        described.append((name, name in register.import_required, note))
    return described


def build_form_class(register, fields=None):
    """The row form: the file's columns, related records looked up by name or reference.

    Columns absent from the file are left out of the form, so they take the model's default.
    """
    fields = [f for f in register.import_fields if fields is None or f in fields]

    def callback(model_field, **kwargs):
        if model_field.is_relation and model_field.name in register.import_fields:
            lookup = register.import_lookups.get(model_field.name, "reference")
            queryset = model_field.related_model._default_manager.all()
            cls = LookupMultipleChoiceField if model_field.many_to_many else LookupChoiceField
            return cls(queryset, lookup, required=not model_field.blank)
        return formfield_for(model_field, **kwargs)

    return modelform_factory(register.model, form=ScopedModelForm, fields=fields,
                             formfield_callback=callback)


def normalise_row(register, row):
    """Accept choice labels and yes/no words for what the form expects."""
    data = {}
    for name, value in row.items():
        value = "" if value is None else str(value).strip()
        model_field = register.model._meta.get_field(name)
        if value == "" and model_field.has_default() and not model_field.is_relation:
            value = model_field.get_default()
            value = "on" if value is True else ("" if value is False else str(value))
        elif isinstance(model_field, models.BooleanField):
            lowered = value.lower()
            value = "on" if lowered in TRUE_WORDS else ("" if lowered in FALSE_WORDS else value)
        elif model_field.choices and value:
            for key, label in model_field.flatchoices:
                if value.lower() in {str(key).lower(), str(label).lower()}:
                    value = str(key)
                    break
        data[name] = value
    return data


def make_row_form(register, form_class, row, user, organisation):
    """A bound row form whose related choices are limited to what the user may see."""
    instance = register.model(organisation=organisation)
    form = form_class(normalise_row(register, row), instance=instance)
    scope_choices(form, user, organisation)
    return form


# --- Reading files -----------------------------------------------------------------------------
class ImportFileError(Exception):
    """The file itself cannot be read."""


def read_table(upload):
    """`(headers, rows)` from a CSV or XLSX upload, recognised by content, not by name."""
    data = upload.read()
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data), data
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("The file is neither an XLSX workbook nor UTF-8 CSV text; save it "
                              "as “CSV UTF-8” or XLSX.") from None
    if "\x00" in text:
        raise ImportFileError("The file contains binary data; upload CSV or XLSX.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    return rows, data


def _read_xlsx(data):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad workbook
        raise ImportFileError(f"The workbook cannot be opened ({exc.__class__.__name__}).") \
            from None
    sheet = workbook.worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


# --- Preview and confirm -----------------------------------------------------------------------
@dataclass
class Preview:
    """The dry-run result shown before anything is written."""

    filename: str = ""
    sha256: str = ""
    total: int = 0
    errors: list = field(default_factory=list)  # (row, column, message)
    sample: list = field(default_factory=list)
    headers: list = field(default_factory=list)
    token: str = ""

    @property
    def ok(self):
        return not self.errors and self.total > 0


def header_map(register, headers):
    """Map file headers to field names (by name or verbose name); errors for the rest."""
    known = {}
    for name in register.import_fields:
        model_field = register.model._meta.get_field(name)
        known[name.lower()] = name
        known[str(model_field.verbose_name).lower()] = name
    mapping, errors = {}, []
    for index, header in enumerate(headers):
        key = str(header).strip().lower().replace("-", "_")
        name = known.get(key) or known.get(key.replace("_", " "))
        if name is None:
            if key:
                errors.append((1, header, "unknown column; expected one of "
                                          + ", ".join(register.import_fields)))
            continue
        mapping[index] = name
    for required in register.import_required:
        if required not in mapping.values():
            errors.append((1, required, "required column is missing"))
    return mapping, errors


def validate_rows(register, user, organisation, rows, mapping):
    """Dry-run every row; returns the list of `(row, column, message)` errors."""
    form_class = build_form_class(register, set(mapping.values()))
    errors = []
    for number, values in rows:
        row = {mapping[i]: (values[i] if i < len(values) else "") for i in mapping}
        form = make_row_form(register, form_class, row, user, organisation)
        if not form.is_valid():
            for column, messages in form.errors.items():
                for message in messages:
                    errors.append((number, column if column != "__all__" else "—", message))
    return errors


def preview_import(register, upload, user, organisation):
    """Read, check and dry-run an uploaded file; stage it for confirmation if it is clean."""
    preview = Preview()
    if upload is None:
        preview.errors.append((0, "file", "choose a CSV or XLSX file to upload"))
        return preview
    preview.filename = Path(upload.name).name[:200]
    if upload.size > settings.IMPORT_MAX_BYTES:
        preview.errors.append((0, "file", f"the file is larger than "
                                          f"{settings.IMPORT_MAX_BYTES // 1024 // 1024} MB"))
        return preview
    try:
        table, raw = read_table(upload)
    except ImportFileError as exc:
        preview.errors.append((0, "file", str(exc)))
        return preview
    preview.sha256 = hashlib.sha256(raw).hexdigest()
    table = [row for row in table if any(str(cell).strip() for cell in row)]
    if not table:
        preview.errors.append((0, "file", "the file is empty"))
        return preview
    headers, body = table[0], table[1:]
    preview.headers = headers
    if len(body) > MAX_ROWS:
        preview.errors.append((0, "file", f"at most {MAX_ROWS} rows per file"))
        return preview
    mapping, preview.errors = header_map(register, headers)
    numbered = list(enumerate(body, start=2))
    preview.total = len(numbered)
    preview.sample = body[:10]
    if preview.errors:
        return preview
    preview.errors = validate_rows(register, user, organisation, numbered, mapping)
    if preview.errors:
        return preview
    preview.token = uuid.uuid4().hex
    staged = {
        "register": register.label, "user": user.pk, "organisation": organisation.pk,
        "filename": preview.filename, "sha256": preview.sha256,
        "created": timezone.now().isoformat(),
        "rows": [[n, {mapping[i]: (v[i] if i < len(v) else "") for i in mapping}]
                 for n, v in numbered],
    }
    staging_dir().joinpath(f"{preview.token}.json").write_text(json.dumps(staged))
    return preview


def staging_dir():
    """Where previews wait for confirmation (inside the instance folder, never web-served)."""
    path = settings.HOME / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def load_staged(token, user, organisation, label):
    """The staged rows for `token` if they belong to this user, organisation and register."""
    if not token.isalnum():
        return None
    path = staging_dir() / f"{token}.json"
    if not path.exists():
        return None
    staged = json.loads(path.read_text())
    if (staged["user"], staged["organisation"], staged["register"]) != \
            (user.pk, organisation.pk, label):
        return None
    return staged


def confirm_import(register, token, user, organisation):
    """Turn a clean preview into a queued import job."""
    from chainward.jobs.services import create_job, enqueue_after_commit

    from .tasks import run_import

    staged = load_staged(token, user, organisation, register.label)
    if staged is None:
        return None
    with transaction.atomic():
        job = create_job(user, organisation, "import",
                         f"Import {staged['filename']} into {register.verbose_name_plural}",
                         {"token": token, "register": register.label,
                          "total": len(staged["rows"]), "filename": staged["filename"]})
        enqueue_after_commit(run_import, str(job.pk))
    return job


class ImportFailed(Exception):
    """A row failed during the real import; the transaction is rolled back."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} row error(s)")
        self.errors = errors


def perform_import(job, register, staged, user, organisation):
    """Create every staged row in one transaction, or none of them."""
    rows = staged["rows"]
    form_class = build_form_class(register, set(rows[0][1]) if rows else set())
    total = len(rows)
    reason = f"import {staged['filename']} sha256:{staged['sha256']}"
    from . import services

    with actor_context(user, reason=reason), transaction.atomic():
        for done, (number, row) in enumerate(rows, start=1):
            form = make_row_form(register, form_class, row, user, organisation)
            if not form.is_valid():
                raise ImportFailed([(number, column, message)
                                    for column, messages in form.errors.items()
                                    for message in messages])
            try:
                services.save_record(user, form.instance, form=form)
            except PermissionDenied as denied:
                raise ImportFailed([(number, "—", str(denied))]) from None
            if done % 25 == 0 or done == total:
                job.set_progress(done, total)
        record_event("import", object_type=register.label,
                     object_repr=str(register.verbose_name_plural),
                     organisation_id=organisation.pk,
                     details={"rows": total, "filename": staged["filename"],
                              "sha256": staged["sha256"], "job": str(job.pk)})
    return total
