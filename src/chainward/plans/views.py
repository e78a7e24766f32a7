"""Security plan actions: generate a version from an assessment, download the PDF (the review
steps are core.versioning_views)."""

import hashlib
import uuid
from contextlib import nullcontext

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from chainward.core.files import bytes_response
from chainward.core.pdf import WatermarkError, render_pdf, watermark_pdf, watermark_text
from chainward.core.services import update_records
from chainward.core.views import record_or_404
from chainward.jobs import services as jobs
from chainward.ledger.context import acting_as
from chainward.ledger.events import record_event
from chainward.risk.models import SecurityAssessment

from . import security_plan
from .models import SecurityPlanVersion

PDF_TEMPLATE = "plans/plan_pdf.html"


@login_required
@require_POST
def generate(request, assessment_pk):
    """Draft a new plan version from a completed assessment."""
    assessment = record_or_404(request, SecurityAssessment, assessment_pk)
    try:
        version = security_plan.generate_version(
            request.user, assessment, change_summary=request.POST.get("change_summary", ""))
    except (PermissionDenied, ValidationError) as refused:
        messages.error(request, " ".join(getattr(refused, "messages", [str(refused)])))
        return redirect(assessment.get_absolute_url())
    messages.success(request, f"Generated {version} from {assessment.reference}; complete the "
                              "arrangements and ask a colleague to approve it.")
    return redirect(version.get_absolute_url())


def render_version_pdf(user, version, *, for_everyone, progress=None):
    """PDF bytes of the plan (the whole plan, or the part `user` may see)."""
    context = security_plan.pdf_context(user, version, for_everyone=for_everyone)
    if progress:
        progress(1, 3)
    body = render_pdf(PDF_TEMPLATE, context)
    if progress:
        progress(2, 3)
    return body


def store_pdf(version, body, *, user=None):
    """Keep the rendered whole-plan PDF with the version; the ledger records its hash.

    `user` is who asked for the rendering (None: whoever the request or job acts as).
    """
    name = default_storage.save(f"plans/{version.organisation_id}/{uuid.uuid4()}.pdf",
                                ContentFile(body))
    # The stored PDF is a cache of the version's content, not an edit of the record: no new
    # version or updated stamp (the cache stays valid), but the row change is ledgered and the
    # rendering is recorded as an event with the file's hash, both as `user`.
    with acting_as(user) if user is not None else nullcontext(), transaction.atomic():
        update_records(user, SecurityPlanVersion.objects.filter(pk=version.pk),
                       reason="rendered the whole-plan PDF", touch=False,
                       pdf_file=name, pdf_rendered_at=timezone.now())
        record_event("render", obj=version, details={"file": name, "sha256":
                                                     hashlib.sha256(body).hexdigest()})
    return name


def _cached_pdf(version):
    if version.pdf_file and version.pdf_rendered_at and \
            version.pdf_rendered_at >= version.updated_at and default_storage.exists(
                version.pdf_file):
        with default_storage.open(version.pdf_file, "rb") as handle:
            return handle.read()
    return None


@login_required
def plan_pdf(request, pk):
    """The plan as PDF/A with the classification on every page and the reader's watermark.

    Readers of the whole plan get the stored rendering (made now when small, by a background
    job with progress when the plan has more than `JOB_THRESHOLD` ratings); readers limited to
    some sites get their part rendered on the spot. Every download is recorded in the ledger.
    """
    version = record_or_404(request, SecurityPlanVersion, pk)
    whole = security_plan.visible_sites(request.user, version) is None
    body = _cached_pdf(version) if whole else None
    if body is None:
        ratings = len(version.content.get("ratings", []))
        if whole and ratings > security_plan.JOB_THRESHOLD:
            from .tasks import render_plan_pdf

            job = jobs.start_job(request.user, request.organisation, "plan_pdf",
                                 f"Render {version} as PDF", {"version": version.pk, "total": 3},
                                 render_plan_pdf)
            messages.info(request, f"{version} has {ratings} ratings; the PDF is being "
                                   "rendered in the background.")
            return redirect(job.get_absolute_url())
        body = render_version_pdf(request.user, version, for_everyone=whole)
        if whole:
            store_pdf(version, body, user=request.user)
    stamp = watermark_text(request.user.email, label=version.plan.get_classification_display()
                           .upper())
    try:
        body = watermark_pdf(body, stamp)
    except WatermarkError:
        messages.error(request, "The plan PDF could not be watermarked; nothing was served.")
        return redirect(version.get_absolute_url())
    record_event("export", obj=version, details={"format": "pdf", "whole_plan": whole,
                                                 "watermark": stamp})
    return bytes_response(body, filename=f"{version.plan.reference}-v{version.number}.pdf",
                          content_type="application/pdf")
