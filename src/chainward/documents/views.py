"""Document control pages: new versions, reading, downloads, master list (the review steps
are core.versioning_views)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from chainward.core.exports import neutralise, xlsx_bytes
from chainward.core.pdf import pdf_response, render_pdf
from chainward.core.views import record_or_404
from chainward.ledger.events import record_event

from . import services
from .choices import Classification, VersionStatus
from .forms import NewVersionForm
from .models import Document, DocumentVersion


@login_required
def new_version(request, pk):
    """Upload a new draft version of a document."""
    document = record_or_404(request, Document, pk, "change")
    form = NewVersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        from chainward.core.files import UploadRefused

        try:
            version = services.create_version(
                request.user, document, change_summary=form.cleaned_data["change_summary"],
                upload=form.cleaned_data["file"])
        except UploadRefused as refused:
            form.add_error("file", refused)
        else:
            messages.success(request, f"Created draft {version}.")
            return redirect(version.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "documents/new_version.html", {"document": document, "form": form},
                  status=status)


# Submit, approve, return and make obsolete are the review steps of core.versioning
# (versioning_views.review_urls in urls.py).


@login_required
@require_POST
def acknowledge(request, pk):
    """Confirm having read and understood the approved version."""
    version = record_or_404(request, DocumentVersion, pk)
    try:
        services.acknowledge(request.user, version)
    except PermissionDenied as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"You acknowledged {version}.")
    return redirect(version.get_absolute_url())


@login_required
def download(request, pk):
    """The version's file, only through this permission-checked view; restricted PDFs carry
    a watermark naming who downloaded them and when."""
    version = record_or_404(request, DocumentVersion, pk)
    if not version.file:
        raise Http404("This version has no file.")
    from chainward.core import files

    record_event("download", obj=version, details={"sha256": version.sha256})
    if version.document.classification == Classification.RESTRICTED and \
            version.content_type == "application/pdf":
        stamp = (f"RESTRICTED — downloaded by {request.user.email} on "
                 f"{timezone.now():%Y-%m-%d %H:%M} UTC")
        with files.open_stored(version.file) as handle:
            try:
                body = files.watermark_pdf(handle.read(), stamp)
            except files.WatermarkError:
                # Never hand out a restricted file without the watermark.
                messages.error(request, "This restricted PDF cannot be watermarked (damaged or "
                                        "password-protected); ask its owner for a new version.")
                return redirect(version.get_absolute_url())
        return files.bytes_response(body, filename=version.filename,
                                    content_type=version.content_type)
    return files.download_response(version.file, filename=version.filename,
                                   content_type=version.content_type)


def master_rows(request):
    """Current documents the user may see, each with its approved version (ISO 28000 7.5.3)."""
    from .registers import DocumentRegister

    documents = DocumentRegister().scoped(request.user, request.organisation).filter(
        archived=False).order_by("reference")
    return [(d, d.current) for d in documents]


@login_required
def master_list(request):
    """The document master list, with XLSX and PDF exports of exactly the same rows."""
    if not request.organisation:
        raise PermissionDenied("You have no role in any organisation yet.")
    rows = master_rows(request)
    fmt = request.GET.get("export")
    if fmt:
        if not request.user.has_perm("documents.export_document"):
            raise PermissionDenied("You may not export the document list.")
        table = [["Reference", "Title", "Type", "Classification", "Owner", "Version",
                  "Approved", "Approved by", "Next review", "Review overdue"]]
        for document, version in rows:
            table.append([neutralise(str(v)) for v in (
                document.reference, document.title, document.get_doc_type_display(),
                document.get_classification_display(), document.owner.email,
                version.number if version else "—",
                f"{version.approved_at:%Y-%m-%d}" if version else "—",
                version.approver.email if version and version.approver else "—",
                version.next_review if version else "—",
                "yes" if version and version.review_overdue else "no")])
        record_event("export", object_type="documents.document", object_repr="master list",
                     organisation_id=request.organisation.pk,
                     details={"format": fmt, "rows": len(rows)})
        stamp = timezone.now().strftime("%Y%m%d")
        if fmt == "pdf":
            body = render_pdf("documents/master_list_pdf.html", {
                "table": table, "organisation": request.organisation,
                "generated": timezone.now(), "user": request.user})
            return pdf_response(body, f"document-master-list-{stamp}.pdf")
        from django.http import HttpResponse

        response = HttpResponse(xlsx_bytes("Master list", table), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        response["Content-Disposition"] = f'attachment; filename="master-list-{stamp}.xlsx"'
        return response
    return render(request, "documents/master_list.html", {
        "rows": rows, "statuses": VersionStatus})


@login_required
def evidence_download(request, pk):
    """An evidence file, only through this permission-checked view."""
    from .models import Evidence

    evidence = record_or_404(request, Evidence, pk)
    if not evidence.file:
        raise Http404("This evidence has no file.")
    from chainward.core import files

    record_event("download", obj=evidence, details={"sha256": evidence.sha256})
    return files.download_response(evidence.file, filename=evidence.filename,
                                   content_type=evidence.content_type)


@login_required
@require_POST
def attach(request, app_label, model_name, pk):
    """Attach existing evidence (chosen by reference) to any record the user may change."""
    from django.apps import apps

    from chainward.core.registry import registration

    from .models import Evidence

    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        raise Http404("Unknown record type.") from None
    if registration(model) is None:
        raise Http404("Unknown record type.")
    holder = record_or_404(request, model, pk)
    reference = request.POST.get("evidence", "").strip()
    evidence = Evidence.objects.restrict(request.user, "view").filter(
        organisation=request.organisation, reference__iexact=reference, archived=False).first()
    if evidence is None:
        messages.error(request, f"No evidence with reference “{reference}”; see the evidence "
                                "register for references (EVD-…).")
    else:
        try:
            services.attach_evidence_to(request.user, holder, evidence)
            messages.success(request, f"Attached {evidence.reference} {evidence.title}.")
        except PermissionDenied as refused:
            messages.error(request, str(refused))
    return redirect(holder.get_absolute_url() + "#evidence")
