"""The assessment workspace: requirement by requirement, inline, with evidence reuse."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from chainward.core import services as records
from chainward.core.bounds import id_or_none
from chainward.core.exports import neutralise, xlsx_bytes
from chainward.core.lookups import MAX_PAGE, PAGE_SIZE
from chainward.core.pdf import pdf_response, render_pdf
from chainward.core.registry import get_register
from chainward.documents.choices import VersionStatus
from chainward.documents.models import Document, DocumentVersion, Evidence, EvidenceKind
from chainward.ledger.events import record_event
from chainward.library.models import RequirementMapping

from . import record_evidence, services
from .choices import ComplianceStatus
from .evidence import attached_evidence, evidence_by_status, load_evidence
from .forms import EvidencePickForm, StatusForm
from .models import GapAssessment, RequirementStatus
from .readiness import missing_for_certification, readiness, shown


def _assessment(request, pk, action="view"):
    organisation = request.organisation
    if not organisation:
        raise PermissionDenied("You have no role in any organisation yet.")
    queryset = GapAssessment.objects.restrict(request.user, action).filter(
        organisation=organisation).select_related("framework")
    return get_object_or_404(queryset, pk=pk)


def _row(request, pk, action="view"):
    queryset = RequirementStatus.objects.restrict(request.user, action).filter(
        organisation=request.organisation).select_related("requirement",
                                                          "assessment__framework")
    try:
        return queryset.get(pk=pk)
    except RequirementStatus.DoesNotExist:
        raise Http404("No requirement status found.") from None


def candidates_by_row(user, rows):
    """Reuse candidates for every row at once: a fixed number of queries for any framework size."""
    if not rows:
        return {}
    organisation = rows[0].organisation_id
    assessment = rows[0].assessment_id
    requirement_ids = {row.requirement_id for row in rows}
    related = defaultdict(set)  # requirement id -> related requirement ids
    for source, target in RequirementMapping.objects.filter(retired=False).filter(
            source_id__in=requirement_ids).values_list("source_id", "target_id"):
        related[source].add(target)
    for source, target in RequirementMapping.objects.filter(retired=False).filter(
            target_id__in=requirement_ids).values_list("source_id", "target_id"):
        related[target].add(source)
    hs_ids = {row.requirement.hs_id for row in rows if row.requirement.hs_id}
    others = list((RequirementStatus.objects.restrict(user, "view")
                   .filter(organisation_id=organisation, archived=False)
                   .exclude(assessment_id=assessment)
                   .filter(requirement_id__in={i for ids in related.values() for i in ids})
                   | RequirementStatus.objects.restrict(user, "view")
                   .filter(organisation_id=organisation, archived=False,
                           requirement__hs_id__in=hs_ids).exclude(assessment_id=assessment))
                  .select_related("requirement", "assessment"))
    given = evidence_by_status(user, others)  # what the user sees, by the one definition
    by_requirement, by_hs = defaultdict(dict), defaultdict(dict)
    for other in others:
        for evidence in given.get(other.pk, ()):
            source = f"{other.requirement.ref_id} in {other.assessment}"
            by_requirement[other.requirement_id][evidence.pk] = (evidence, source)
            if other.requirement.hs_id:
                by_hs[other.requirement.hs_id][evidence.pk] = (evidence, source)
    result = {}
    for row in rows:
        found = {}
        for requirement_id in related.get(row.requirement_id, ()):
            found.update(by_requirement.get(requirement_id, {}))
        if row.requirement.hs_id:
            found.update(by_hs.get(row.requirement.hs_id, {}))
        attached = {e.pk for e in attached_evidence(user, row)}
        result[row.pk] = [v for k, v in sorted(found.items()) if k not in attached]
    return result


def _row_context(request, row, form=None, candidates=None, can_change=None, framework=None,
                 offers=None):
    """What the row partial needs; the workspace passes what it computed for all rows at once."""
    if candidates is None:
        candidates = candidates_by_row(request.user, [row]).get(row.pk, [])
    if offers is None:
        offers = record_evidence.offers_by_row(request.user, [row]).get(row.pk, [])
    if can_change is None:
        can_change = request.user.has_perm("compliance.change_requirementstatus", row)
    framework = framework or row.assessment.framework
    form = form or StatusForm(prefix_id=row.pk, framework=framework, initial={
        "status": row.status, "justification": row.justification, "notes": row.notes,
        "version": row.version})
    return {"row": row, "form": form, "candidates": candidates, "can_change": can_change,
            "offers": offers, "evidence": attached_evidence(request.user, row)}


@login_required
def workspace(request, pk):
    """Every assessable requirement of the assessment, editable in place."""
    assessment = _assessment(request, pk)
    rows = assessment.statuses.filter(archived=False).select_related(
        "requirement", "requirement__section").order_by("requirement__order")
    status, section, clause, tag = (request.GET.get(name, "") for name in (
        "status", "section", "clause", "tag"))
    if status:
        rows = rows.filter(status=status)
    if section:
        rows = rows.filter(requirement__section__ref_id=section)
    if clause:
        rows = rows.filter(requirement__clause__ref_id=clause)
    rows = list(rows)
    if tag:
        rows = [row for row in rows if tag in (row.requirement.tags or [])]
    load_evidence(request.user, rows)
    candidates = candidates_by_row(request.user, rows)
    offers = record_evidence.offers_by_row(request.user, rows)
    can_change = request.user.has_perm("compliance.change_requirementstatus",
                                       rows[0]) if rows else False
    items = [_row_context(request, row, candidates=candidates.get(row.pk, []),
                          can_change=can_change, framework=assessment.framework,
                          offers=offers.get(row.pk, [])) for row in rows]
    summary = readiness(assessment)
    tags = sorted({t for row in assessment.statuses.values_list("requirement__tags", flat=True)
                   for t in (row or [])})
    # Where the framework allows no exclusions, "not applicable" is offered as a filter only
    # while rows recorded before the rule still carry it (so they can be found and resolved).
    statuses = [c for c in ComplianceStatus.choices
                if c[0] != ComplianceStatus.NOT_APPLICABLE or assessment.framework
                .allows_exclusions or summary["counts"][ComplianceStatus.NOT_APPLICABLE]]
    return render(request, "compliance/workspace.html", {
        "assessment": assessment, "items": items, "readiness": summary,
        "statuses": statuses, "tags": tags,
        "filters": {"status": status, "section": section, "clause": clause, "tag": tag},
    })


@login_required
@require_POST
def set_status(request, pk):
    """Save one row and answer with the re-rendered row (htmx) or a redirect."""
    row = _row(request, pk, "change")
    form = StatusForm(request.POST, prefix_id=row.pk, framework=row.assessment.framework)
    status = 200
    if form.is_valid():
        try:
            services.set_status(request.user, row, status=form.cleaned_data["status"],
                                justification=form.cleaned_data["justification"],
                                notes=form.cleaned_data["notes"],
                                expected_version=form.cleaned_data["version"])
            form = None
        except records.Conflict as conflict:
            form.add_error(None, f"Someone else changed this requirement (now version "
                                 f"{conflict.current.version}); reload to see their change.")
            status = 409
        except Exception as exc:  # ValidationError from the model: show it on the row
            if not hasattr(exc, "message_dict"):
                raise
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            status = 400
    else:
        status = 400
    row.refresh_from_db()
    if not request.htmx:
        if status != 200:
            messages.error(request, "; ".join(str(e) for errs in form.errors.values()
                                              for e in errs))
        else:
            messages.success(request, _saved_message(row, readiness(row.assessment)))
        return redirect(f"{row.assessment.get_absolute_url()}work/#row-{row.pk}")
    context = _row_context(request, row, form=form)
    if status != 200:
        return render(request, "compliance/workspace.html#row", context, status=status)
    # Saved: the row says so, and the page's readiness figures are swapped in out of band.
    summary = readiness(row.assessment)
    context["saved"] = _saved_message(row, summary)
    body = (render_to_string("compliance/workspace.html#row", context, request)
            + render_to_string("compliance/_readiness.html",
                               {"readiness": summary, "oob": True}, request))
    return HttpResponse(body)


def _saved_message(row, summary):
    """The confirmation of a saved row, with the readiness it leaves."""
    return (f"Saved {row.requirement.ref_id}: {row.get_status_display().lower()}. "
            f"Readiness now {shown(summary['percent'])}.")


@login_required
@require_POST
def reuse_evidence(request, pk, evidence_pk):
    """Attach evidence given for a related requirement of another framework, in one action."""
    row = _row(request, pk, "change")
    evidence = get_object_or_404(Evidence.objects.restrict(request.user, "view"),
                                 pk=evidence_pk, organisation=request.organisation)
    services.attach_evidence(request.user, row, evidence)
    if not request.htmx:
        return redirect(f"{row.assessment.get_absolute_url()}work/#row-{row.pk}")
    return render(request, "compliance/workspace.html#row", _row_context(request, row))


@login_required
@require_POST
def attach_register(request, pk, key):
    """Attach one of Chainward's own registers (people, context) as evidence of the row."""
    row = _row(request, pk, "change")
    record_evidence.attach_register(request.user, row, key)
    if not request.htmx:
        return redirect(f"{row.assessment.get_absolute_url()}work/#row-{row.pk}")
    return render(request, "compliance/workspace.html#row", _row_context(request, row))


@login_required
@require_POST
def add_link(request, pk):
    """Create a link evidence and attach it to the row."""
    row = _row(request, pk, "change")
    evidence = Evidence(organisation=row.organisation, kind=EvidenceKind.LINK,
                        title=request.POST.get("title", "").strip()[:200],
                        link=request.POST.get("link", "").strip())
    error = None
    try:
        evidence.full_clean(exclude=["reference"])
        records.save_record(request.user, evidence)
        services.attach_evidence(request.user, row, evidence)
    except PermissionDenied:
        raise
    except Exception as exc:  # noqa: BLE001 - a ValidationError shown on the row
        if not hasattr(exc, "message_dict"):
            raise
        error = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(f"{row.assessment.get_absolute_url()}work/#row-{row.pk}")
    context = _row_context(request, row)
    context["link_error"] = error
    return render(request, "compliance/workspace.html#row", context, status=400 if error else 200)


def _lookup_urls(row):
    return {name: reverse("compliance:evidence_options", args=[row.pk, name])
            for name in ("evidence", "document")}


def _upload_form(request, row, data=None, files=None):
    """The evidence register's own form (upload checked by content, `EvidenceForm`)."""
    form_class = get_register(Evidence).get_form_class()
    form = form_class(data, files, instance=Evidence(organisation=row.organisation,
                                                     kind=EvidenceKind.FILE),
                      user=request.user, organisation=request.organisation,
                      auto_id=f"id_up_{row.pk}_%s")
    # The title may be left empty (the file's name is taken); the file is what is required.
    form.use_required_attribute = False
    form.fields["upload"].widget.attrs["required"] = True
    return form


def _may_change(request, row):
    if not request.user.has_perm("compliance.change_requirementstatus", row):
        raise PermissionDenied("You may not change this assessment.")


def _attach_from(request, row):
    """Run the dialog's POST: (evidence, upload form, pick form, error, status)."""
    how = request.POST.get("how")
    upload_form = pick_form = evidence = None
    try:
        if how == "upload":
            data = request.POST.copy()
            data["kind"] = EvidenceKind.FILE
            upload = request.FILES.get("upload")
            if not data.get("title", "").strip() and upload is not None:
                data["title"] = upload.name[:200]
            upload_form = _upload_form(request, row, data, request.FILES)
            if not upload_form.is_valid():
                return None, upload_form, None, "", 400
            evidence = services.upload_evidence(request.user, row, upload_form)
        elif how == "pick":
            pick_form = EvidencePickForm(request.POST, row=row, lookup_urls=_lookup_urls(row))
            if not pick_form.is_valid():
                return None, None, pick_form, "", 400
            document = pick_form.cleaned_data["document"]
            evidence = (services.attach_document(request.user, row, document) if document
                        else services.attach_evidence(request.user, row,
                                                      pick_form.cleaned_data["evidence"]))
        elif how == "remove":
            found = Evidence.objects.filter(pk=id_or_none(request.POST.get("evidence", "")),
                                            organisation=row.organisation).first()
            if found is None:
                return None, None, None, "Choose evidence counted for this requirement.", 400
            evidence = services.detach_evidence(request.user, row, found)
        else:
            return None, None, None, "Upload a file or pick existing evidence.", 400
    except PermissionDenied as refused:
        # A refused pick is never echoed back (its label stays unseen).
        return None, None, None, str(refused), 403
    except ValidationError as invalid:
        return None, None, None, " ".join(invalid.messages), 400
    return evidence, None, None, "", 200


@login_required
def evidence_dialog(request, pk):
    """One dialog per requirement row: upload a file or pick existing evidence or a controlled
    document, and it counts as the requirement's evidence at once (issue 13 item 6)."""
    row = _row(request, pk)
    _may_change(request, row)
    evidence, upload_form, pick_form, error, status = (None, None, None, "", 200)
    if request.method == "POST":
        evidence, upload_form, pick_form, error, status = _attach_from(request, row)
    context = _row_context(request, row)
    done = ""
    if evidence is not None:
        summary = readiness(row.assessment)
        counted = "no longer counts" if request.POST.get("how") == "remove" else "now counts"
        done = (f"{evidence.title} {counted} as evidence of {row.requirement.ref_id} "
                f"({len(context['evidence'])} in all). Readiness {shown(summary['percent'])}.")
    dialog = {"row": row, "evidence": context["evidence"], "done": done, "error": error,
              "htmx": bool(request.htmx),
              "upload_form": upload_form or _upload_form(request, row),
              "pick_form": pick_form or EvidencePickForm(row=row,
                                                         lookup_urls=_lookup_urls(row))}
    if not request.htmx:
        if done:
            messages.success(request, done)
            return redirect(f"{row.assessment.get_absolute_url()}work/#row-{row.pk}")
        return render(request, "compliance/evidence_dialog.html", dialog, status=status)
    # htmx swaps only 2xx answers: a refusal is shown in the dialog, its code in a header.
    body = render_to_string("compliance/evidence_dialog.html#dialog", dialog, request)
    if done:
        # The row (its evidence and count) and the page's readiness, swapped out of band.
        body += render_to_string("compliance/workspace.html#row", {**context, "oob": True},
                                 request)
        body += render_to_string("compliance/_readiness.html",
                                 {"readiness": summary, "oob": True}, request)
    response = HttpResponse(body)
    if status != 200:
        response["X-Chainward-Refused"] = str(status)
    return response


@login_required
def evidence_options(request, pk, kind):
    """The dialog's type-ahead (the JSON of `core.lookups`): evidence, or controlled documents
    with an approved version, that the person may see in the row's organisation."""
    row = _row(request, pk)
    _may_change(request, row)
    page = id_or_none(request.GET.get("page") or "1")
    if page is None or not 1 <= page <= MAX_PAGE:
        return JsonResponse({"detail": f"page is a whole number from 1 to {MAX_PAGE}."},
                            status=400)
    if kind == "evidence":
        attached = [e.pk for e in attached_evidence(request.user, row)]
        queryset = Evidence.objects.restrict(request.user, "view").filter(
            organisation=row.organisation, archived=False).exclude(pk__in=attached).order_by(
            "title", "pk")
    elif kind == "document":
        queryset = Document.objects.restrict(request.user, "view").filter(
            organisation=row.organisation, archived=False,
            pk__in=DocumentVersion.objects.filter(status=VersionStatus.APPROVED)
            .values("document_id")).order_by("reference")
    else:
        raise Http404("No such picker.")
    for word in request.GET.get("q", "").split()[:5]:
        queryset = queryset.filter(Q(reference__icontains=word[:100])
                                   | Q(title__icontains=word[:100]))
    start = (page - 1) * PAGE_SIZE
    found = list(queryset[start:start + PAGE_SIZE + 1])
    body = {"results": [{"id": obj.pk, "label": f"{obj.reference} {obj.title}"}
                        for obj in found[:PAGE_SIZE]],
            "more": len(found) > PAGE_SIZE, "page": page}
    if not found and page == 1 and not request.GET.get("q"):
        body["empty"] = {"text": "Nothing to pick yet: upload the file instead."}
    return JsonResponse(body)


@login_required
def missing(request, pk):
    """What is missing for certification: documented information and weak requirements."""
    assessment = _assessment(request, pk)
    return render(request, "compliance/missing.html", {
        "assessment": assessment, "missing": missing_for_certification(assessment),
        "readiness": readiness(assessment)})


@login_required
@require_POST
def start_baseline(request, pk):
    """Start a new assessment from this one."""
    baseline = _assessment(request, pk)
    if not request.user.has_perm("compliance.add_gapassessment"):
        raise PermissionDenied("You may not start assessments.")
    title = f"{baseline.framework} re-assessment {timezone.localdate():%Y-%m-%d}"
    assessment = services.start_from_baseline(request.user, baseline, title=title)
    messages.success(request, f"Started {assessment}; carried statuses are marked to "
                              "re-confirm.")
    return redirect(f"{assessment.get_absolute_url()}work/")


@login_required
def export_xlsx(request, pk):
    """One row per requirement (status, notes, evidence) plus the readiness per clause."""
    assessment = _assessment(request, pk, "export")
    rows = load_evidence(request.user, list(assessment.statuses.filter(
        archived=False).select_related("requirement").order_by("requirement__order")))
    # For C-TPAT this is the applicability table: criterion × must/should × status × evidence.
    table = [["Requirement", "Title", "Must / should", "Status", "Justification", "Notes",
              "Evidence", "To re-confirm"]]
    for row in rows:
        table.append([neutralise(str(v)) for v in (
            row.requirement.ref_id, row.requirement.title, row.requirement.flag,
            row.get_status_display(), row.justification, row.notes,
            "; ".join(e.title for e in row.attached_evidence),
            "yes" if row.to_reconfirm else "no")])
    summary = readiness(assessment)
    sheet2 = [["Clause", "Title", "Applicable requirements", "Readiness %"]]
    sheet2 += [[c["ref_id"], c["title"], c["total"], c["percent"]] for c in summary["clauses"]]
    sheet2 += [["Overall", "", summary["applicable"], summary["percent"]],
               [summary["explanation"]]]
    body = xlsx_bytes("Requirements", table, more={"Readiness": sheet2})
    record_event("export", obj=assessment, details={"format": "xlsx", "rows": len(table) - 1,
                                                    "readiness": summary["percent"]})
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument"
                                                ".spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{assessment.reference}.xlsx"'
    return response


@login_required
def report_pdf(request, pk):
    """The readiness report as PDF/A: overall, per clause (with a bar each) and every row."""
    assessment = _assessment(request, pk, "export")
    rows = load_evidence(request.user, list(assessment.statuses.filter(
        archived=False).select_related("requirement").order_by("requirement__order")))
    summary = readiness(assessment)
    body = render_pdf("compliance/readiness_report.html", {
        "assessment": assessment, "readiness": summary, "rows": rows,
        "generated": timezone.now(), "user": request.user})
    record_event("report", obj=assessment, details={"format": "pdf",
                                                    "readiness": summary["percent"]})
    return pdf_response(body, f"{assessment.reference}-readiness.pdf")
