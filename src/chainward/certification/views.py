"""Workflow pages of the certification app: compile the review pack, hold, approve, the review
PDF, plan the cycle, request and download evidence packs."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from chainward.core.files.checks import human_size
from chainward.core.pdf import pdf_response, render_pdf
from chainward.core.scope import scope_map
from chainward.core.views import record_or_404
from chainward.ledger.events import record_event

from . import evidence_pack, services
from .choices import PackStatus, ReviewStatus
from .forms import frameworks_for
from .models import Certificate, EvidencePack, ManagementReview

ISO28000 = "urn:chainward:framework:iso28000-2022"


def review_context(review, request):
    can_change = request.user.has_perm("certification.change_managementreview", review)
    return {
        "snapshot": review.snapshot, "can_workflow": can_change and not review.archived,
        "review_actions": review.actions.filter(archived=False).select_related("owner"),
        "statuses": ReviewStatus, "today": timezone.localdate(),
    }


def _changeable(request, model, pk):
    """The record if visible (else 404); 403 when the user may see but not change it."""
    obj = record_or_404(request, model, pk)
    if not request.user.has_perm(f"certification.change_{model._meta.model_name}", obj):
        raise PermissionDenied(f"You may not change this {model._meta.verbose_name}.")
    return obj


def _review_step(request, pk, step, done):
    review = _changeable(request, ManagementReview, pk)
    try:
        step(request.user, review)
    except PermissionDenied as refused:
        messages.error(request, str(refused))
    except ValidationError as invalid:
        messages.error(request, "; ".join(m for ms in invalid.message_dict.values() for m in ms))
    else:
        messages.success(request, done)
    return redirect(review.get_absolute_url())


@login_required
@require_POST
def compile_review_pack(request, pk):
    """Compile the review pack from the registers, as the current user sees them."""
    return _review_step(request, pk, services.compile_pack,
                        "Review pack compiled from the registers.")


@login_required
@require_POST
def hold_review(request, pk):
    return _review_step(request, pk, services.mark_held, "Recorded the review as held.")


@login_required
@require_POST
def approve_minutes(request, pk):
    return _review_step(request, pk, services.approve_minutes, "Minutes approved.")


@login_required
def review_pdf(request, pk):
    """The review with its pack snapshot (as compiled, never recomputed), decisions, actions."""
    review = record_or_404(request, ManagementReview, pk, "export")
    body = render_pdf("certification/review_pdf.html", {
        "review": review, "snapshot": review.snapshot,
        "actions": review.actions.filter(archived=False).select_related("owner"),
        "generated": timezone.now(), "user": request.user, "today": timezone.localdate()})
    record_event("report", obj=review, details={"format": "pdf"})
    return pdf_response(body, f"{review.reference}-management-review.pdf")


@login_required
@require_POST
def plan_certificate_cycle(request, pk):
    """Create the missing milestones of the certificate's three-year cycle."""
    certificate = _changeable(request, Certificate, pk)
    start = None
    if request.POST.get("start"):
        try:
            start = datetime.date.fromisoformat(request.POST["start"])
        except ValueError:
            messages.error(request, "Give the stage 1 date as YYYY-MM-DD.")
            return redirect(certificate.get_absolute_url())
    try:
        milestones = services.plan_cycle(request.user, certificate, start=start)
    except PermissionDenied as refused:
        messages.error(request, str(refused))
    except ValidationError as invalid:
        messages.error(request, "; ".join(m for ms in invalid.message_dict.values() for m in ms))
    else:
        messages.success(request, f"The cycle has {len(milestones)} milestones.")
    return redirect(certificate.get_absolute_url())


def may_download(user, pack):
    """The producer, or someone who sees packs across the whole organisation: a pack holds
    what its producer could see, so a site-limited person does not get someone else's."""
    if user.is_superuser or pack.produced_by_id == user.pk:
        return True
    per_org = scope_map(user).get("certification.evidencepack:view") or {}
    return pack.organisation_id in per_org and per_org[pack.organisation_id] is None


def pack_context(pack, request):
    allowed = may_download(request.user, pack)
    # The contents reflect the producer's access: shown only to those who may download it.
    return {"index": pack.index if allowed else {}, "ready": pack.status == PackStatus.READY,
            "finished": pack.status in (PackStatus.READY, PackStatus.FAILED),
            "size_text": human_size(pack.size) if pack.size is not None else "",
            "may_download": allowed}


@login_required
def pack_status(request, pk):
    """The status part of the pack page; htmx polls it until the pack is ready or failed."""
    pack = record_or_404(request, EvidencePack, pk)
    return render(request, "certification/pack_detail.html#packstatus",
                  {"object": pack, **pack_context(pack, request)})


@login_required
def request_pack(request):
    """Choose a framework (default ISO 28000:2022) and queue a pack (POST)."""
    if not request.organisation:
        raise PermissionDenied("You have no role in any organisation yet.")
    if not request.user.has_perm("certification.pack_evidencepack"):
        raise PermissionDenied("You may not produce evidence packs.")
    frameworks = frameworks_for(request.organisation).order_by("name")
    if request.method == "POST":
        chosen = request.POST.get("framework", "")
        framework = frameworks.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        if framework is None:
            return render(request, "certification/pack_request.html", {
                "frameworks": frameworks, "error": "Choose a framework."}, status=400)
        pack = evidence_pack.request_pack(request.user, request.organisation, framework)
        messages.success(request, f"Evidence pack {pack.reference} is being prepared.")
        return redirect(pack.get_absolute_url())
    wanted = request.GET.get("framework", "")
    default = (frameworks.filter(pk=int(wanted)).first() if wanted.isdigit() else None) or \
        frameworks.filter(urn=ISO28000).first()
    return render(request, "certification/pack_request.html", {
        "frameworks": frameworks, "default": default.pk if default else None})


@login_required
def download_pack(request, pk):
    """The ZIP, through this permission-checked view only."""
    pack = record_or_404(request, EvidencePack, pk)
    if not may_download(request.user, pack):
        raise PermissionDenied("This pack covers more than your access; produce your own.")
    if pack.status != PackStatus.READY or not pack.file:
        raise Http404("The pack is not ready.")
    from chainward.core.files.storage import download_response

    record_event("download", obj=pack, details={"sha256": pack.sha256})
    return download_response(pack.file, filename=pack.filename, content_type="application/zip")
