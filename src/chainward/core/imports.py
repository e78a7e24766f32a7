"""Bulk import: read CSV/XLSX, dry-run every row through a form, then import all or nothing.

The preview names each bad row (spreadsheet numbering: the header is row 1), its column and
the reason; a large file is checked by a job with progress instead of inside the request.
Nothing is written until the file is clean; the confirmed import runs as a job in short
transactions and undoes itself (through the ledger) if it fails — see `perform_import`.
"""

import csv
import functools
import hashlib
import io
import json
import time
import uuid
import zipfile
import zlib
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.forms import modelform_factory
from django.urls import reverse
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
        return _choices_by_set(formfield_for(model_field, **kwargs))

    return modelform_factory(register.model, form=ImportRowForm, fields=fields,
                             formfield_callback=callback)


def _choices_by_set(form_field):
    """Check a choice field's value against a set of its keys, built once per import.

    `ChoiceField.valid_value` walks every choice for every value (250 for a country, for each
    of thousands of rows); the answer is the same.
    """
    if not isinstance(form_field, forms.ChoiceField) or \
            isinstance(form_field, (forms.ModelChoiceField, forms.MultipleChoiceField)):
        return form_field
    keys = set()
    for key, label in form_field.choices:
        keys.update(k for k, _ in label) if isinstance(label, (list, tuple)) else keys.add(key)
    texts = {str(k) for k in keys}
    form_field.valid_value = lambda value: str(value) in texts or value in keys
    return form_field


class ImportRowForm(ScopedModelForm):
    """The row form; a choice the form field has checked is not walked again on the model."""

    def _get_validation_exclusions(self):
        exclusions = super()._get_validation_exclusions()
        return exclusions | {name for name in _rechecked_choices(self._meta.model)
                             if isinstance(self.fields.get(name), forms.TypedChoiceField)}

    def add_error(self, field, error):
        """A model rule may name a field the file has no column for (a missing 'actions'):
        report it as that column's error of the row instead of failing the import."""
        if field is None and isinstance(error, ValidationError) and \
                hasattr(error, "error_dict"):
            for name in [n for n in error.error_dict
                         if n != NON_FIELD_ERRORS and n not in self.fields]:
                messages = ValidationError(error.error_dict.pop(name)).messages
                self._errors.setdefault(name, self.error_class()).extend(messages)
            if not error.error_dict:
                return
        super().add_error(field, error)


@functools.cache
def _rechecked_choices(model):
    """Choice fields whose model-level check only repeats the form field's.

    The form field is built from the model field (same choices, same blank rule) and has
    checked the value; the model's pass walks the choices again (a country field: 250 per
    row). Exclusions also switch off uniqueness and constraint checks, so a field that any
    of those names — or every field, when a constraint's fields cannot be read — is kept.
    """
    named = {name for together in model._meta.unique_together for name in together}
    for constraint in model._meta.constraints:
        fields = getattr(constraint, "fields", None)
        if not fields or getattr(constraint, "condition", None) is not None or \
                getattr(constraint, "expressions", None):
            return set()
        named.update(fields)
    return {f.name for f in model._meta.concrete_fields
            if f.choices and not f.is_relation and f.name not in named and not f.unique
            and not any(getattr(other, attr, None) == f.name for other in model._meta.fields
                        for attr in ("unique_for_date", "unique_for_month", "unique_for_year"))}


class RowNormaliser:
    """Accept choice labels and yes/no words for what the form expects.

    The choice tables are read once per import (a country field has 250 choices; scanning
    them for every row cost a millisecond a row).
    """

    def __init__(self, register):
        self.register = register
        self._fields = {}

    def _field(self, name):
        if name not in self._fields:
            model_field = self.register.model._meta.get_field(name)
            choices = {}
            if model_field.choices:
                for key, label in model_field.flatchoices:
                    choices.setdefault(str(key).lower(), str(key))
                    choices.setdefault(str(label).lower(), str(key))
            self._fields[name] = (model_field, choices)
        return self._fields[name]

    def __call__(self, row):
        data = {}
        for name, value in row.items():
            value = "" if value is None else str(value).strip()
            model_field, choices = self._field(name)
            if value == "" and model_field.has_default() and not model_field.is_relation:
                value = model_field.get_default()
                value = "on" if value is True else ("" if value is False else str(value))
            elif isinstance(model_field, models.BooleanField):
                lowered = value.lower()
                value = "on" if lowered in TRUE_WORDS else ("" if lowered in FALSE_WORDS else value)
            elif choices and value:
                value = choices.get(value.lower(), value)
            data[name] = value
        return data


class RowForms:
    """Bound, scoped row forms of one file: the form class and choice tables built once."""

    def __init__(self, register, fields, user, organisation):
        self.register, self.user, self.organisation = register, user, organisation
        self.form_class = build_form_class(register, fields)
        self.normalise = RowNormaliser(register)

    def form(self, row):
        """A bound row form whose related choices are limited to what the user may see."""
        instance = self.register.model(organisation=self.organisation)
        form = self.form_class(self.normalise(row), instance=instance)
        scope_choices(form, self.user, self.organisation)
        return form

    def errors(self, number, form):
        """`[(row, column, message)]` of an invalid form."""
        return [(number, column if column != "__all__" else "—", message)
                for column, messages in form.errors.items() for message in messages]


# --- Reading files -----------------------------------------------------------------------------
class ImportFileError(Exception):
    """The file itself cannot be read; `row` names the row when the problem is in one."""

    def __init__(self, message, row=0):
        super().__init__(message)
        self.row = row


CSV_FIELD_LIMIT = csv.field_size_limit()
# A spreadsheet never needs a document type declaration; entities in one are how "billion
# laughs" and external-entity attacks start. Such a workbook is refused before it is parsed.
_DECLARATIONS = (b"<!doctype", b"<!entity")


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
    rows = []
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            rows.append(row)
    except csv.Error as exc:
        too_long = "field larger than field limit" in str(exc)
        raise ImportFileError(
            f"row {len(rows) + 1}: a value is longer than {CSV_FIELD_LIMIT:,} characters "
            "(often a quote that is never closed)" if too_long else
            f"row {len(rows) + 1} cannot be read as CSV ({exc})", row=len(rows) + 1) from None
    return rows, data


def _check_xlsx_container(data):
    """Refuse a workbook that unpacks too large or declares XML entities, before parsing it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise ImportFileError("The workbook is damaged (not a readable ZIP container); "
                              "re-save it as XLSX.") from None
    limit = settings.IMPORT_MAX_BYTES * 20
    if sum(m.file_size for m in members) > limit:
        raise ImportFileError(f"The workbook would unpack to more than {limit // 1024 // 1024} MB "
                              "(a packed file this small is not a normal spreadsheet).")
    for member in members:
        if not member.filename.endswith((".xml", ".rels", ".vml")):
            continue
        try:
            with archive.open(member) as part:
                tail = b""
                while chunk := part.read(1 << 16):
                    window = (tail + chunk).lower()
                    if any(mark in window for mark in _DECLARATIONS):
                        raise ImportFileError(
                            f"The workbook's part {member.filename} declares XML entities "
                            "(<!DOCTYPE/<!ENTITY>), which spreadsheets never need; it is refused "
                            "for safety. Re-save the file from Excel or LibreOffice.")
                    tail = chunk[-16:]
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error):
            raise ImportFileError(f"The workbook is damaged ({member.filename} cannot be "
                                  "unpacked); re-save it as XLSX.") from None


def _read_xlsx(data):
    from openpyxl import load_workbook

    _check_xlsx_container(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        return [["" if v is None else str(v) for v in row]
                for row in sheet.iter_rows(values_only=True)]
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl and its XML parser raise many kinds
        raise ImportFileError(f"The workbook is damaged and cannot be read "
                              f"({exc.__class__.__name__}: {str(exc)[:120]}); re-save it as "
                              "XLSX from Excel or LibreOffice.") from None


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
    job: object = None  # the check job of a large file

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


def validate_rows(register, user, organisation, rows, mapping, progress=None):
    """Dry-run every row; returns the list of `(row, column, message)` errors.

    `progress(done, total)` is called every 100 rows (the preview job shows it).
    """
    forms_ = RowForms(register, set(mapping.values()), user, organisation)
    errors = []
    total = len(rows)
    for done, (number, values) in enumerate(rows, start=1):
        row = {mapping[i]: (values[i] if i < len(values) else "") for i in mapping}
        form = forms_.form(row)
        if not form.is_valid():
            errors.extend(forms_.errors(number, form))
        if progress is not None and (done % 100 == 0 or done == total):
            progress(done, total)
    return errors


def preview_import(register, upload, user, organisation):
    """Read and check an uploaded file; dry-run it here when small, in a job when large.

    A clean small file is staged for confirmation at once (`preview.token`); a file of more
    than IMPORT_INLINE_ROWS rows is staged unchecked and `preview.job` is the job that checks
    it with progress, outside the web request.
    """
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
        preview.errors.append((exc.row, "file", str(exc)))
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
    large = preview.total > settings.IMPORT_INLINE_ROWS
    if not large:
        preview.errors = validate_rows(register, user, organisation, numbered, mapping)
        if preview.errors:
            return preview
    preview.token = uuid.uuid4().hex
    write_staged(preview.token, {
        "register": register.label, "user": user.pk, "organisation": organisation.pk,
        "filename": preview.filename, "sha256": preview.sha256,
        "created": timezone.now().isoformat(), "validated": not large,
        "headers": [str(h) for h in headers], "sample": preview.sample,
        "rows": [[n, {mapping[i]: (v[i] if i < len(v) else "") for i in mapping}]
                 for n, v in numbered],
    })
    if large:
        preview.job = start_preview_job(register, preview, user, organisation)
    return preview


def staging_dir():
    """Where previews wait for confirmation (inside the instance folder, never web-served)."""
    path = settings.HOME / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_staged(token, staged):
    """Write a staged file whole (temporary file renamed into place)."""
    path = staging_dir() / f"{token}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(staged))
    tmp.replace(path)


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


def staged_preview(register, token, user, organisation):
    """The Preview of a staged file that its check job found clean (None otherwise)."""
    staged = load_staged(token, user, organisation, register.label)
    if staged is None or not staged.get("validated", True):
        return None
    return Preview(filename=staged["filename"], sha256=staged["sha256"],
                   total=len(staged["rows"]), sample=staged.get("sample", []),
                   headers=staged.get("headers", []), token=token)


def start_preview_job(register, preview, user, organisation):
    """Queue the dry run of a large staged file."""
    from chainward.jobs.services import start_job

    from .tasks import run_import_preview

    with transaction.atomic():
        job = start_job(user, organisation, "import_preview",
                        f"Check {preview.filename} for {register.verbose_name_plural}",
                        {"token": preview.token, "register": register.label,
                         "total": preview.total, "filename": preview.filename},
                        run_import_preview)
    return job


def check_staged(job, register, staged, user, organisation):
    """The preview job: dry-run every staged row; returns the job result or raises JobRefused."""
    from chainward.jobs.services import JobRefused, heartbeat

    rows = staged["rows"]
    mapping = dict(enumerate(rows[0][1])) if rows else {}
    numbered = [(n, [row.get(name, "") for name in mapping.values()]) for n, row in rows]
    errors = validate_rows(register, user, organisation, numbered, mapping,
                           progress=lambda done, total: heartbeat(job, done, total))
    if errors:
        raise JobRefused(f"{len(errors)} problems", errors=[list(e) for e in errors])
    staged["validated"] = True
    write_staged(job.params["token"], staged)
    url = reverse(register.url_name("import")) + f"?token={job.params['token']}"
    return {"message": f"All {len(rows)} rows of {staged['filename']} are valid. Nothing has "
                       "been written yet.", "url": url, "link_text": "Review and import"}


def confirm_import(register, token, user, organisation):
    """Turn a clean preview into a queued import job."""
    from chainward.jobs.services import start_job

    from .tasks import run_import

    staged = load_staged(token, user, organisation, register.label)
    if staged is None or not staged.get("validated", True):
        return None
    with transaction.atomic():
        job = start_job(user, organisation, "import",
                        f"Import {staged['filename']} into {register.verbose_name_plural}",
                        {"token": token, "register": register.label,
                         "total": len(staged["rows"]), "filename": staged["filename"]},
                        run_import)
    return job


class ImportFailed(Exception):
    """A row failed during the real import; what earlier batches wrote is undone."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} row error(s)")
        self.errors = errors


# Rows checked ahead of one write transaction, at most: form validation (lookups, choices,
# uniqueness reads) runs outside the transaction, so the write lock is held only to save rows
# already known to be valid. How many are checked follows how many the last transaction saved.
STAGE_ROWS = 500


def perform_import(job, register, staged, user, organisation):
    """Create every staged row, or (in the end) none of them.

    Design (SQLite has one writer at a time): before each write transaction the next rows are
    checked *outside* it (as many as the previous transaction could save), then saved through
    `save_record` in a short transaction — it closes after IMPORT_BATCH_SECONDS — whose ledger
    entries are sealed together at its end (`batched_appends`: one head update and one insert,
    the same chain as entry by entry). A login or an API write therefore waits at most that
    long, and on SQLite the import pauses briefly between transactions so waiting writers get
    their turn. Each transaction records what it created (`JobRecord`). If a row fails, or
    anything else goes wrong, the records of the earlier transactions are deleted again
    through the ledgered path (a `delete` entry each, reason "undo of import …"); if the
    worker dies, the next worker start does the same (`jobs.services.recover_abandoned_jobs`).
    The ledger therefore shows the attempt and its undoing — nothing is removed around it.
    The final transaction writes the `import` event, forgets the JobRecords and marks the job
    succeeded together, so a job is never both finished and undoable.
    """
    from chainward.jobs.services import heartbeat, mark_finished, note_created, undo_created
    from chainward.ledger.services import batched_appends

    from . import services

    rows = staged["rows"]
    row_forms = RowForms(register, set(rows[0][1]) if rows else set(), user, organisation)
    total = len(rows)
    reason = f"import {staged['filename']} sha256:{staged['sha256']}"
    budget = settings.IMPORT_BATCH_SECONDS
    pause = settings.IMPORT_BATCH_PAUSE if connection.vendor == "sqlite" else 0
    checked = deque()  # (row number, valid bound form) not saved yet, in file order
    saved = checked_up_to = 0
    target = 1  # rows to have checked before the next transaction
    at = "—"  # the row being checked or saved, for the undo's reason
    try:
        with actor_context(user, reason=reason, request_id=job.request_id or None):
            while saved < total:
                while len(checked) < target and checked_up_to < total:
                    at, row = rows[checked_up_to]
                    checked.append((at, _checked_form(row_forms, at, row)))
                    checked_up_to += 1
                started = time.monotonic()
                with transaction.atomic(), batched_appends():
                    _reserve_references(checked)
                    created = []
                    while checked and (not created or time.monotonic() - started < budget):
                        at, form = checked[0]
                        _save_row(services, user, at, form)
                        created.append((form.instance, at))
                        checked.popleft()
                    note_created(job, created)
                    heartbeat(job, saved + len(created), total)
                saved += len(created)
                if not checked and time.monotonic() - started < budget:
                    target = min(STAGE_ROWS, 2 * target)  # all fitted: check more next time
                else:
                    target = max(1, len(created))
                if pause and saved < total:
                    time.sleep(pause)
            at = "—"
            with transaction.atomic():
                record_event("import", object_type=register.label,
                             object_repr=str(register.verbose_name_plural),
                             organisation_id=organisation.pk,
                             details={"rows": total, "filename": staged["filename"],
                                      "sha256": staged["sha256"], "job": str(job.pk)})
                job.records.all().delete()
                mark_finished(job, True, {"created": total})
    except BaseException:
        undo_created(job, reason=f"undo of {reason}: the import failed at row {at}")
        raise
    return total


def _checked_form(row_forms, number, row):
    """The valid bound form of one row; ImportFailed names the row's problems."""
    form = row_forms.form(row)
    if not form.is_valid():
        raise ImportFailed(row_forms.errors(number, form))
    return form


def _reserve_references(checked):
    """Number the checked rows in one counter update, in file order (not one per row).

    Reserved in the write transaction; a row saved in a later one keeps its number.
    """
    from .models import PrimaryModel, ReferenceCounter

    waiting = [form.instance for _, form in checked
               if isinstance(form.instance, PrimaryModel) and not form.instance.reference]
    if waiting:
        first = waiting[0]
        numbers = ReferenceCounter.reserve(first.organisation_id, first.reference_prefix,
                                           len(waiting))
        for instance, reference in zip(waiting, numbers, strict=True):
            instance.reference = reference


def _save_row(services, user, number, form):
    """Save one checked row through the write path; its refusals become row errors."""
    try:
        services.save_record(user, form.instance, form=form)
    except PermissionDenied as denied:
        raise ImportFailed([(number, "—", str(denied))]) from None
    except ValidationError as invalid:
        raise ImportFailed([(number, field if field != "__all__" else "—", message)
                            for field, messages in _messages(invalid)
                            for message in messages]) from None


def _messages(error):
    """`[(field, [message])]` of a ValidationError with or without fields."""
    if hasattr(error, "error_dict"):
        return [(field, [m for e in errors for m in e.messages])
                for field, errors in error.error_dict.items()]
    return [("—", error.messages)]
