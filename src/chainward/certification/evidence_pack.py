"""The auditor's evidence pack: a ZIP with `index.html` + `index.pdf` walking every requirement
of a framework (status from the latest gap assessment, evidence copied in), the scope, policy,
objectives, document master list, management reviews and whatever the apps contribute through
`chainward.certification.pack`. It contains only what the producing user may see.
"""

import hashlib
import io
import logging
import posixpath
import re
import zipfile
from uuid import uuid4

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from chainward.compliance.evidence import load_evidence
from chainward.compliance.models import GapAssessment, RequirementStatus
from chainward.core import services as records
from chainward.core.pdf import WatermarkError, render_pdf, watermark_pdf
from chainward.documents.choices import Classification
from chainward.documents.models import DocumentVersion, EvidenceKind
from chainward.jobs import services as jobs
from chainward.jobs.models import Job
from chainward.ledger.context import actor_context
from chainward.ledger.events import record_event
from chainward.library.models import Requirement

from . import pack as registry
from .choices import PackStatus
from .models import EvidencePack

log = logging.getLogger(__name__)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_member(path):
    """A ZIP member path made of safe ASCII parts, never absolute, never with '..'."""
    parts = [(_UNSAFE.sub("-", part).strip("-.") or "file")[:100]
             for part in path.replace("\\", "/").split("/") if part not in ("", ".", "..")]
    return "/".join(parts) or "file"


class PackWriter:
    """The ZIP being written, handed to every pack section."""

    def __init__(self, user, reference, when=None):
        self.user, self.reference = user, reference
        self.when = when or timezone.now()
        self.buffer = io.BytesIO()
        self.zip = zipfile.ZipFile(self.buffer, "w", zipfile.ZIP_DEFLATED)
        self.members = set()

    @property
    def stamp(self):
        return (f"RESTRICTED — evidence pack {self.reference} produced by {self.user.email} on "
                f"{self.when:%Y-%m-%d %H:%M} UTC")

    @property
    def footer(self):
        return f"{self.reference} · produced by {self.user.email} · confidential"

    def add_file(self, path, data):
        """Write `data` at `path` (made safe and unique); return the member path."""
        path = safe_member(path)
        stem, dot, ext = path.rpartition(".") if "." in posixpath.basename(path) else \
            (path, "", "")
        candidate, n = path, 1
        while candidate in self.members:
            n += 1
            candidate = f"{stem}-{n}{dot}{ext}"
        self.members.add(candidate)
        self.zip.writestr(candidate, data)
        return candidate

    def add_pdf(self, path, pdf_bytes, restricted=False):
        """A PDF; a restricted one is watermarked with the producer's name and the time."""
        if restricted:
            pdf_bytes = watermark_pdf(pdf_bytes, self.stamp)
        return self.add_file(path, pdf_bytes)

    def render_pdf(self, path, template, context, restricted=False):
        """Render a template to PDF (core.pdf) and add it."""
        body = render_pdf(template, {"pack_reference": self.reference, "user": self.user,
                                     "generated": self.when, "footer": self.footer,
                                     **context})
        return self.add_pdf(path, body, restricted=restricted)

    def add_stored(self, path, storage_name, *, content_type="", restricted=False):
        """Copy a stored file into the pack (watermarked when it is a restricted PDF)."""
        with default_storage.open(storage_name, "rb") as handle:
            data = handle.read()
        if restricted and content_type == "application/pdf":
            return self.add_pdf(path, data, restricted=True)
        return self.add_file(path, data)

    def close(self):
        self.zip.close()
        return self.buffer.getvalue()


def latest_assessment(organisation, user, framework):
    return GapAssessment.objects.restrict(user, "view").filter(
        organisation=organisation, framework=framework, archived=False).order_by(
        F("start_date").desc(nulls_last=True), "-created_at").first()


def _evidence_entry(pack, evidence, versions_visible, copied):
    """One evidence item as an index entry, its file copied in once."""
    entry = {"title": f"{evidence.reference} {evidence.title}", "path": "", "link": "",
             "note": "", "restricted": False, "expired": bool(evidence.is_expired)}
    if evidence.kind == EvidenceKind.FILE and evidence.file:
        if evidence.pk not in copied:
            copied[evidence.pk] = pack.add_stored(
                f"evidence/{evidence.reference}-{evidence.filename}", evidence.file,
                content_type=evidence.content_type)
        entry["path"] = copied[evidence.pk]
    elif evidence.kind == EvidenceKind.DOCUMENT:
        version = evidence.document_version
        if version is None or version.pk not in versions_visible:
            entry["note"] = "Controlled document outside your access: not included."
            entry["title"] = evidence.reference
            return entry
        restricted = version.document.classification == Classification.RESTRICTED
        entry["restricted"] = restricted
        entry["note"] = f"{version.document.reference} v{version.number} " \
                        f"({version.get_status_display().lower()})"
        if version.file:
            key = f"v{version.pk}"
            if key not in copied:
                copied[key] = pack.add_stored(
                    f"documents/{version.document.reference}-v{version.number}-"
                    f"{version.filename}", version.file, content_type=version.content_type,
                    restricted=restricted)
            entry["path"] = copied[key]
    elif evidence.kind == EvidenceKind.LINK:
        entry["link"] = evidence.link
    elif evidence.kind == EvidenceKind.RECORD:
        entry["note"] = f"Chainward record: {evidence.record}" if evidence.record else \
            "Chainward record"
    else:
        entry["note"] = evidence.description
    return entry


def requirement_walk(pack, organisation, user, framework):
    """Every requirement of the framework with its status and evidence."""
    assessment = latest_assessment(organisation, user, framework)
    statuses = {}
    if assessment is not None:
        # A requirement's evidence by the one definition (compliance.evidence): what is
        # attached anywhere, as far as the producer may see it.
        statuses = {row.requirement_id: row for row in load_evidence(user, list(
            RequirementStatus.objects.restrict(user, "view").filter(
                assessment=assessment, archived=False)))}
    versions_visible = set(DocumentVersion.objects.restrict(user, "view").filter(
        organisation=organisation).values_list("pk", flat=True))
    copied, rows = {}, []
    for requirement in Requirement.objects.filter(framework=framework, retired=False).order_by(
            "order"):
        row = statuses.get(requirement.pk)
        rows.append({
            "ref_id": requirement.ref_id, "title": requirement.title,
            "depth": requirement.depth, "assessable": requirement.assessable,
            "status": row.get_status_display() if row else (
                "Not assessed" if requirement.assessable else ""),
            "status_key": row.status if row else "",
            "justification": row.justification if row else "",
            "evidence": [_evidence_entry(pack, e, versions_visible, copied)
                         for e in (row.attached_evidence if row else ())],
        })
    return assessment, rows


def builtin_sections():
    """Import the built-in sections (kept in their own module)."""
    from . import pack_builtin  # noqa: F401


def build_zip(evidence_pack, user):
    """Write the ZIP for `evidence_pack` as `user` sees the organisation; return (bytes, index)."""
    builtin_sections()
    organisation, framework = evidence_pack.organisation, evidence_pack.framework
    writer = PackWriter(user, evidence_pack.reference)
    assessment, requirements = requirement_walk(writer, organisation, user, framework)
    sections = []
    for section in registry.registered_sections():
        try:
            entries = section.func(organisation, user, writer) or []
        except WatermarkError:
            entries = [registry.PackEntry("A restricted PDF could not be watermarked; it was "
                                          "left out.", restricted=True)]
        except Exception as exc:  # noqa: BLE001 - one broken section must not sink the pack
            log.exception("pack section %s failed", section.key)
            entries = [registry.PackEntry(f"This section could not be produced: {exc}")]
        entries = [e.as_dict() if isinstance(e, registry.PackEntry) else dict(e)
                   for e in entries]
        for entry in entries:
            entry.setdefault("path", ""), entry.setdefault("link", "")
            entry.setdefault("note", "")
            entry["restricted"] = bool(entry.get("restricted") or section.restricted)
        sections.append({"key": section.key, "title": section.title, "order": section.order,
                         "available": True, "entries": entries})
    for key, title, order in registry.placeholders():
        sections.append({"key": key, "title": title, "order": order, "available": False,
                         "entries": []})
    sections.sort(key=lambda s: (s["order"], s["key"]))
    index = {
        "reference": evidence_pack.reference, "organisation": str(organisation),
        "framework": str(framework), "framework_ref": framework.ref_id,
        "produced_by": user.email, "produced_by_name": str(user),
        "produced_at": writer.when.isoformat(),
        "scope": evidence_pack.producer_scope,
        "assessment": (f"{assessment.reference} {assessment.title}" if assessment else ""),
        "requirements": requirements, "sections": sections,
    }
    context = {"index": index, "generated": writer.when, "footer": writer.footer}
    writer.add_file("index.html", render_to_string("certification/pack_index.html", context))
    writer.add_file("index.pdf", render_pdf("certification/pack_index.html",
                                            {**context, "pdf": True}))
    return writer.close(), index


def request_pack(user, organisation, framework):
    """Queue an evidence pack (POST of the pack button); the job builds it."""
    from . import services

    pack = EvidencePack(organisation=organisation, framework=framework, produced_by=user,
                        producer_scope=services.scope_label(user, organisation))
    with transaction.atomic():
        records.save_record(user, pack)
        job = jobs.start_job(user, organisation, "evidence_pack",
                             f"Evidence pack {pack.reference} ({framework.ref_id})",
                             {"pack": pack.pk, "total": 1}, run_evidence_pack)
        records.update_records(user, EvidencePack.objects.filter(pk=pack.pk), touch=False,
                               reason=f"queued as job {job.pk}", job=job)
    pack.job = job
    return pack


@task()
def run_evidence_pack(job_id):
    """Build the ZIP of a queued pack; re-checks the producer's right to make packs."""
    job = Job.objects.select_related("organisation", "user").get(pk=job_id)
    pack = EvidencePack.objects.select_related("framework", "organisation").get(
        pk=job.params["pack"])
    user = job.user
    jobs.mark_running(job)
    with actor_context(user):
        if not EvidencePack.objects.restrict(user, "pack").filter(pk=pack.pk).exists():
            _fail(job, pack, "You may no longer produce evidence packs.")
            return
        try:
            body, index = build_zip(pack, user)
        except Exception as exc:
            log.exception("evidence pack %s failed", pack.pk)
            _fail(job, pack, f"unexpected error: {exc}")
            raise
        name = (f"evidence-packs/{timezone.now():%Y/%m}/{uuid4()}-{pack.reference}.zip")
        stored = default_storage.save(name, ContentFile(body))
        digest = hashlib.sha256(body).hexdigest()
        with transaction.atomic():
            records.update_records(
                user, EvidencePack.objects.filter(pk=pack.pk), reason=f"job {job.pk} built it",
                status=PackStatus.READY, file=stored, size=len(body), sha256=digest,
                index=index, produced_at=timezone.now())
            pack.refresh_from_db()
            record_event("evidence_pack", obj=pack, details={
                "framework": pack.framework.ref_id, "sha256": digest, "size": len(body),
                "requirements": len(index["requirements"]),
                "restricted": sum(1 for s in index["sections"] for e in s["entries"]
                                  if e["restricted"]) + sum(
                    1 for r in index["requirements"] for e in r["evidence"] if e["restricted"]),
                "scope": pack.producer_scope})
        job.set_progress(1, 1)
        jobs.mark_finished(job, True, {"pack": pack.pk, "url": pack.get_absolute_url()})


def _fail(job, pack, message):
    records.update_records(job.user, EvidencePack.objects.filter(pk=pack.pk),
                           reason=f"job {job.pk} failed", status=PackStatus.FAILED,
                           error=message)
    jobs.mark_finished(job, False, {"errors": [[0, "—", message]]})
