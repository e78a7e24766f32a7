"""Field check workflows: templates from the catalogue, answering and completing a check run
(a failed critical item opens an incident or a corrective action), and the seal life cycle.

Each is atomic, takes the actor explicitly, goes through `save_record` (the ledger sees it, the
scope is re-checked) and writes a domain event for what is more than a field change. The forms,
the API, the imports and the demo all call these.
"""

import base64
import binascii
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from chainward.core import files
from chainward.core import services as records
from chainward.core.scope import allows
from chainward.ledger.context import acting_as
from chainward.ledger.events import record_event
from chainward.library.models import CatalogEntry, EntryKind

from .choices import (
    SEAL_TRANSITIONS,
    AnswerType,
    CheckKind,
    OnCriticalFailure,
    RunResult,
    RunStatus,
    SealEventKind,
    SealStatus,
    SignatureRole,
)
from .models import CheckAnswer, CheckItem, CheckRun, CheckTemplate, Seal, SealEvent
from .photos import clean_photo

CAPA_DAYS = 14  # a corrective action opened by a failed check is due in two weeks
PHOTO_KINDS = {"png", "jpeg", "gif", "webp"}
# Catalogue checklists and what they check (the catalogue says which points, not the kind);
# a failed lighting or key-audit point is a fault to fix (corrective action), not an incident.
CATALOGUE_KINDS = {"ctpat-container-7pt": CheckKind.CONTAINER,
                   "ctpat-reefer-8pt": CheckKind.CONTAINER,
                   "ctpat-tractor-trailer-17pt": CheckKind.CONVEYANCE,
                   "ctpat-seal-vvtt": CheckKind.SEAL,
                   "site-patrol": CheckKind.SITE,
                   "site-lighting": CheckKind.SITE,
                   "site-key-audit": CheckKind.SITE}
CATALOGUE_FIX_ONLY = {"site-lighting", "site-key-audit"}


def _may(user, obj, action="change"):
    if not type(obj).objects.restrict(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied(f"You may not {action} this {obj._meta.verbose_name}.")


# --- templates --------------------------------------------------------------------------------
def catalogue_templates():
    """The inspection checklists of the catalogues (C-TPAT 7-, 8-, 17-point, seal VVTT; the
    site patrol, lighting check and key audit)."""
    return CatalogEntry.objects.filter(kind=EntryKind.CHECKLIST_TEMPLATE, retired=False,
                                       ref_id__in=list(CATALOGUE_KINDS)).order_by("order")


def import_catalogue_template(user, organisation, entry):
    """The organisation's own template from a catalogue checklist (once: an existing copy is
    returned). Every point is a pass/fail/NA item; its sections are the catalogue's groups
    (tractor, trailer); every point is critical unless the catalogue says otherwise, and a
    failure opens an incident (a failed point can be a hidden compartment or tampering: C-TPAT
    MSC reporting) or, for lighting and key audits, a corrective action — all adjustable."""
    existing = CheckTemplate.objects.filter(organisation=organisation, archived=False,
                                            catalogue_urn=entry.urn).first()
    if existing is not None:
        return existing
    from chainward.incidents.choices import IncidentType

    kind = CATALOGUE_KINDS.get(entry.ref_id, CheckKind.OTHER)
    with acting_as(user), transaction.atomic():
        template = CheckTemplate(
            organisation=organisation, name=entry.name[:200], kind=kind,
            description=entry.data.get("description", ""), catalogue_urn=entry.urn,
            on_critical_failure=OnCriticalFailure.CORRECTIVE_ACTION
            if entry.ref_id in CATALOGUE_FIX_ONLY else OnCriticalFailure.INCIDENT,
            incident_type=IncidentType.SEAL_TAMPERING if kind == CheckKind.SEAL
            else IncidentType.OTHER)
        template.full_clean()
        records.save_record(user, template)
        for order, point in enumerate(entry.data.get("items") or [], start=1):
            item = CheckItem(organisation=organisation, template=template, order=order * 10,
                             section=(point.get("group") or "").replace("_", " ").capitalize(),
                             text=point["text"][:300], catalogue_ref=point.get("ref_id", ""),
                             answer_type=AnswerType.PASS_FAIL,
                             critical=point.get("critical", True))
            item.full_clean()
            records.save_record(user, item)
        record_event("import_template", obj=template, details={"urn": entry.urn})
    return template


# --- check runs -------------------------------------------------------------------------------
def _check_photo(upload):
    """`(photo, checked)`: the upload checked by content, then cleaned (photos.clean_photo: no
    metadata but its time, upright, resized) and checked again; the cleaned file is stored."""
    checked = files.check_upload(upload, refuse_unsafe_names=True)
    if checked.kind not in PHOTO_KINDS:
        raise ValidationError({"photo": f"A photo must be a PNG, JPEG, GIF or WebP image; "
                                        f"this is {checked.label}."})
    cleaned = clean_photo(upload, checked.kind)
    return cleaned, files.check_upload(cleaned)


def set_answer(user, run, item, *, outcome="", number=None, text="", choice="", note="",
               photo=None, expected_version=None):
    """Answer one item of a draft run (or change its answer); a photo is checked by content,
    must be an image, and is stored cleaned (photos.clean_photo: no GPS or device metadata).
    The item's rule decides whether the answer fails it."""
    _may(user, run)
    if run.status == RunStatus.COMPLETED:
        raise ValidationError("The check run is completed; its answers are final.")
    if item.template_id != run.template_id:
        raise ValidationError({"item": "Choose an item of the run's template."})
    answer = CheckAnswer.objects.filter(run=run, item=item).first() or CheckAnswer(
        organisation_id=run.organisation_id, run=run, item=item)
    answer.outcome, answer.number, answer.text = outcome or "", number, text or ""
    answer.choice, answer.note = choice or "", note or ""
    photo, checked = _check_photo(photo) if photo else (None, None)
    answer.full_clean()
    with acting_as(user), transaction.atomic():
        if checked is not None:
            answer.photo = files.store(photo, checked, folder="fieldchecks")
            answer.photo_name, answer.photo_type = checked.safe_name, checked.content_type
            answer.photo_sha256 = checked.sha256
        records.save_record(user, answer, expected_version=expected_version)
        if checked is not None:
            record_event("upload", obj=answer, details=checked.ledger_details(answer.photo))
    return answer


def missing_answers(run):
    """The items of the run's template not answered as their type asks (photo included)."""
    answers = {a.item_id: a for a in run.answers.select_related("item")}
    return [item for item in run.template.items.filter(archived=False).order_by("order", "pk")
            if item.pk not in answers or not answers[item.pk].is_answered()]


def complete_run(user, run, *, expected_version=None):
    """Complete a run: every item answered, the result worked out; a failed critical item
    opens what the template says (an incident or a corrective action) with the run linked to
    it. A completed run is final."""
    _may(user, run)
    if run.status == RunStatus.COMPLETED:
        raise ValidationError("The check run is already completed.")
    missing = missing_answers(run)
    errors = {}
    if missing:
        names = "; ".join(str(item) for item in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        errors["answers"] = f"Answer every item first (photo where required): {names}{more}."
    if run.template.driver_signature_required and run.driver_signed_at is None:
        errors["driver_signature"] = ("This check needs the driver's signature: have the "
                                      "driver type their name and sign, then complete it.")
    if errors:
        raise ValidationError(errors)
    failed = list(run.answers.filter(failed=True).select_related("item")
                  .order_by("item__order", "pk"))
    critical = [a for a in failed if a.item.critical]
    with acting_as(user), transaction.atomic():
        run.status, run.completed_at = RunStatus.COMPLETED, timezone.now()
        run.result = RunResult.CRITICAL if critical else RunResult.FAILED if failed \
            else RunResult.PASSED
        if run.inspector_id is None:
            run.inspector = user
        records.save_record(user, run, expected_version=expected_version)
        action = run.template.on_critical_failure
        if critical and action == OnCriticalFailure.INCIDENT:
            run.incident = _open_incident(user, run, critical)
        elif critical and action == OnCriticalFailure.CORRECTIVE_ACTION:
            run.corrective_action = _open_corrective_action(user, run, critical)
        if run.incident_id or run.corrective_action_id:
            records.save_record(user, run)
        record_event("complete", obj=run, details={
            "result": run.result, "failed": [a.item.text for a in failed],
            "incident": getattr(run.incident, "reference", ""),
            "corrective_action": getattr(run.corrective_action, "reference", "")})
    return run


def _findings(answers):
    return "; ".join(f"{a.item.text}: {a.note or a.choice or a.number or 'failed'}"
                     for a in answers)


def middle_severity(organisation_id):
    """The middle level of the organisation's consequence scale (3 of 1-5): a failed check is
    reported at that level and triaged from there."""
    from chainward.incidents.models import severity_scale

    scale = severity_scale(organisation_id)
    return scale[len(scale) // 2]


def _open_incident(user, run, critical):
    from chainward.incidents.choices import LocationType
    from chainward.incidents.models import Incident, TimelineEntry

    template = run.template
    incident = Incident(
        organisation_id=run.organisation_id,
        title=f"{template.name[:120]}: {len(critical)} critical item(s) failed",
        incident_type=template.incident_type, modus_operandi="other",
        modus_operandi_detail=f"Found at check {run.reference}"[:300],
        description=f"Check run {run.reference}: {_findings(critical)}",
        occurred_at=run.performed_at, site=run.site, leg=run.leg,
        location_type=LocationType.OWN_FACILITY,
        shipment_references=run.shipment_reference, seal_numbers=run.seal_numbers,
        vehicles=" ".join(filter(None, (run.vehicle_registration, run.container_number))),
        severity=middle_severity(run.organisation_id))
    incident.full_clean()
    records.save_record(user, incident)
    records.save_record(user, TimelineEntry(
        organisation_id=run.organisation_id, incident=incident, at=run.performed_at,
        description=f"Check run {run.reference} ({template.name})"[:500]))
    _link_evidence(user, run, incident)
    return incident


def _open_corrective_action(user, run, critical):
    from chainward.audits.choices import CapaSource
    from chainward.audits.models import CorrectiveAction

    capa = CorrectiveAction(
        organisation_id=run.organisation_id, source=CapaSource.INSPECTION,
        title=f"{run.template.name[:140]} at {run.site.name[:40]}: failed check",
        description=f"Check run {run.reference}: {_findings(critical)}", site=run.site,
        owner=run.inspector or user,
        due_date=timezone.localdate() + datetime.timedelta(days=CAPA_DAYS))
    capa.full_clean()
    records.save_record(user, capa)
    _link_evidence(user, run, capa)
    return capa


def _link_evidence(user, run, holder):
    """The run as evidence of what it opened (a record reference; the photos stay on the
    run, inside its site's scope). Organisation-wide evidence needs an organisation-wide
    grant: for a site-limited person the opened record names the run instead."""
    from django.contrib.contenttypes.models import ContentType

    from chainward.documents.models import Evidence, EvidenceKind
    from chainward.documents.services import attach_evidence_to

    evidence = Evidence(organisation_id=run.organisation_id, kind=EvidenceKind.RECORD,
                        title=f"Check run {run.reference}"[:200],
                        description=f"{run.template.name} at {run.site.name}",
                        record_type=ContentType.objects.get_for_model(run), record_id=run.pk)
    if not allows(user, "add", evidence):
        return None
    records.save_record(user, evidence)
    attach_evidence_to(user, holder, evidence)
    return evidence


def record_run(user, run, answers, *, complete=True):
    """Save a new run with its answers (and complete it) in one transaction: the API's and
    the import's one call. `answers`: [{"item": CheckItem, "outcome": …, …}]."""
    with acting_as(user), transaction.atomic():
        run.full_clean()
        records.save_record(user, run)
        for data in answers:
            data = dict(data)
            set_answer(user, run, data.pop("item"), **data)
        if complete:
            complete_run(user, run)
    return run


# --- signatures -------------------------------------------------------------------------------
MAX_SIGNATURE_BYTES = 512 * 1024  # a drawn signature is a few kilobytes


def signature_from_data_url(data):
    """The PNG of a canvas `data:image/png;base64,…` URL as an uploaded file (what the page's
    signature pad and the API's `image_data` send); ValidationError naming `signature`."""
    head, _, encoded = (data or "").strip().partition(",")
    if not head.startswith("data:image/png;base64") or not encoded:
        raise ValidationError({"signature": "Send the signature as a PNG data URL "
                                            "(data:image/png;base64,…); sign again."})
    if len(encoded) > MAX_SIGNATURE_BYTES * 4 // 3 + 4:
        raise ValidationError({"signature": "The signature image is too large; clear the "
                                            "pad and sign again."})
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError({"signature": "The signature data is not valid base64; sign "
                                            "again."}) from None
    return SimpleUploadedFile("signature.png", raw, content_type="image/png")


def _check_signature(upload):
    """`(image, checked)`: a signature is a PNG, checked by content and cleaned like a photo
    (decoded and written again without metadata; photos.clean_photo)."""
    try:
        checked = files.check_upload(upload, refuse_unsafe_names=True)
    except ValidationError as refused:
        raise ValidationError({"signature": refused.messages}) from None
    if checked.kind != "png":
        raise ValidationError({"signature": f"A signature must be a PNG image; this is "
                                            f"{checked.label}."})
    try:
        cleaned = clean_photo(upload, checked.kind)
    except ValidationError as refused:
        raise ValidationError({"signature": refused.message_dict.get("photo", refused.messages)}
                              ) from None
    return cleaned, files.check_upload(cleaned)


def sign_run(user, run, *, role, name, image):
    """The inspector's or the driver's signature on a draft run: the typed name, the drawn
    image (a PNG, checked by content and stored cleaned), the time. Signing again replaces
    the signature until the run is completed."""
    _may(user, run)
    errors = {}
    if role not in SignatureRole.values:
        errors["role"] = "Say who signs: inspector or driver."
    if not (name or "").strip():
        errors["name"] = "Type the signer's name."
    if image is None:
        errors["signature"] = "Sign in the box (or attach the signature as a PNG)."
    if run.status == RunStatus.COMPLETED:
        errors = {"signature": "The check run is completed; its signatures are final."}
    if errors:
        raise ValidationError(errors)
    image, checked = _check_signature(image)
    with acting_as(user), transaction.atomic():
        stored = files.store(image, checked, folder="fieldchecks")
        setattr(run, f"{role}_signed_name", name.strip()[:200])
        setattr(run, f"{role}_signed_at", timezone.now())
        setattr(run, f"{role}_signature", stored)
        setattr(run, f"{role}_signature_sha256", checked.sha256)
        records.save_record(user, run)
        record_event("sign", obj=run, details={"role": role, "name": name.strip()[:200],
                                               **checked.ledger_details(stored)})
    return run


# --- seals ------------------------------------------------------------------------------------
def receive_seals(user, batch):
    """The seals of a receipt, in stock at its site, each with its "received" event (run after
    the receipt is first saved, from every path). Refused when a number is already in the
    register."""
    numbers = [batch.number(n) for n in range(batch.first_number, batch.last_number + 1)]
    taken = list(Seal.objects.filter(organisation_id=batch.organisation_id,
                                     number__in=numbers).values_list("number", flat=True)[:5])
    if taken:
        raise ValidationError({"first_number": f"Already in the register: "
                                               f"{', '.join(taken)}. Check the range."})
    at = timezone.make_aware(datetime.datetime.combine(batch.received_on, datetime.time(8)))
    at = min(at, timezone.now())
    for number in numbers:
        seal = Seal(organisation_id=batch.organisation_id, batch=batch, number=number,
                    site_id=batch.site_id)
        records.save_record(user, seal)
        records.save_record(user, SealEvent(
            organisation_id=batch.organisation_id, seal=seal, kind=SealEventKind.RECEIVED,
            at=at, by=user, site_id=batch.site_id, seal_site_id=batch.site_id))
    record_event("receive_seals", obj=batch, details={"seals": len(numbers)})
    return len(numbers)


def record_seal_event(user, seal, kind, *, site=None, at=None, issued_to=None, leg=None,
                      container_number="", shipment_reference="", number_read="",
                      view_ok=None, tug_ok=None, twist_ok=None, intact=None, reason=""):
    """Move a seal on — the one place its status changes (SEAL_TRANSITIONS).

    Issued: to a person. Affixed: on a trailer or container (number required), with the leg
    it leaves on (the leg's arrival site can then see and verify it). Verified at arrival: the
    number read on the container, View/Tug/Twist and integrity; a different number or a
    broken seal leaves it in "discrepancy" and opens an incident at the arrival site. Found
    broken opens an incident too. Removed, lost, destroyed: the reason is required."""
    kind = SealEventKind(kind) if kind in SealEventKind.values else kind
    allowed = SEAL_TRANSITIONS.get(seal.status, {})
    if kind not in allowed:
        label = SealEventKind(kind).label.lower() if kind in SealEventKind.values else kind
        raise ValidationError({"kind": f"A seal that is {seal.get_status_display().lower()} "
                                       f"cannot be {label}."})
    site = site or seal.site
    at = at or timezone.now()
    errors = {}
    if site.organisation_id != seal.organisation_id:
        errors["site"] = "Choose a site of this organisation."
    if at > timezone.now() + datetime.timedelta(minutes=5):
        errors["at"] = "A seal event cannot be in the future."
    last = seal.events.order_by("-at", "-pk").first()
    if last is not None and at < last.at:
        errors["at"] = f"Date it after the seal's last event ({last.at:%Y-%m-%d %H:%M})."
    if kind == SealEventKind.ISSUED and issued_to is None:
        errors["issued_to"] = "Say to whom the seal is issued."
    if kind == SealEventKind.AFFIXED:
        if not container_number.strip():
            errors["container_number"] = "Give the trailer or container number it seals."
        if leg is not None and (leg.organisation_id != seal.organisation_id or
                                site.pk not in (leg.from_site_id, leg.to_site_id)):
            errors["leg"] = "Choose a leg of this organisation leaving from this site."
    if kind == SealEventKind.VERIFIED:
        if not number_read.strip():
            errors["number_read"] = "Read the number on the seal and type it."
        if None in (view_ok, tug_ok, twist_ok, intact):
            errors["view_ok"] = "Answer View, Tug, Twist and turn, and whether it is intact."
    if kind in (SealEventKind.REMOVED, SealEventKind.LOST, SealEventKind.DESTROYED,
                SealEventKind.BROKEN) and not reason.strip():
        errors["reason"] = "Say why (who authorised the removal, how it was lost…)."
    if errors:
        raise ValidationError(errors)
    event = SealEvent(organisation_id=seal.organisation_id, seal=seal, kind=kind, at=at,
                      by=user, site=site, seal_site_id=seal.site_id,
                      seal_destination_id=seal.destination_id, issued_to=issued_to, leg=leg,
                      container_number=container_number.strip(),
                      shipment_reference=shipment_reference.strip(),
                      number_read=number_read.strip(), view_ok=view_ok, tug_ok=tug_ok,
                      twist_ok=twist_ok, intact=intact, reason=reason.strip())
    if not allows(user, "add", event):
        raise PermissionDenied("You may not record seal events at this site.")
    status = allowed[kind]
    problem = ""
    if kind == SealEventKind.VERIFIED:
        event.number_matches = _same_number(number_read, seal.number)
        if not event.number_matches:
            problem = f"seal number {number_read.strip()} found instead of {seal.number}"
        elif not intact:
            problem = f"seal {seal.number} not intact"
        elif not (view_ok and tug_ok and twist_ok):
            problem = f"seal {seal.number} failed View–Tug–Twist"
        if problem:
            status = SealStatus.DISCREPANCY
    elif kind == SealEventKind.BROKEN:
        problem = f"seal {seal.number} found broken"
    before = seal.status
    with acting_as(user), transaction.atomic():
        seal.status = status
        if kind == SealEventKind.ISSUED:
            seal.issued_to = issued_to
        if kind == SealEventKind.AFFIXED:
            seal.container_number = event.container_number
            seal.shipment_reference = event.shipment_reference
            seal.leg, seal.affixed_at, seal.site = leg, at, site
            seal.destination_id = (leg.to_site_id if leg.to_site_id != site.pk
                                   else leg.from_site_id) if leg else None
        if kind == SealEventKind.VERIFIED and seal.destination_id is None:
            seal.destination = site  # verified where nobody expected it: that site sees it
        event.seal_site_id, event.seal_destination_id = seal.site_id, seal.destination_id
        records.save_record(user, seal)
        records.save_record(user, event)
        if problem:
            event.incident = _seal_incident(user, seal, event, problem)
            records.save_record(user, event)
        record_event("seal_" + kind, obj=seal, details={
            "from": before, "to": status, "site": site.pk,
            "incident": getattr(event.incident, "reference", "")})
    return event


def _same_number(read, number):
    """Numbers compared as printed, ignoring spaces, dashes and letter case."""
    def norm(value):
        return "".join(ch for ch in value.upper() if ch.isalnum())

    return norm(read) == norm(number)


def _seal_incident(user, seal, event, problem):
    """A seal discrepancy at arrival (C-TPAT MSC: altered, tampered or wrong-numbered seals
    are reported) — an incident at the site where it was found, on the seal's leg."""
    from chainward.incidents.choices import IncidentType, LocationType
    from chainward.incidents.models import Incident

    mismatch = event.number_matches is False
    incident = Incident(
        organisation_id=seal.organisation_id,
        title=f"Seal discrepancy: {problem}"[:200], incident_type=IncidentType.SEAL_TAMPERING,
        modus_operandi="seal_mismatch" if mismatch else "seal_broken",
        description=f"{event.get_kind_display()} at {event.site.name}: {problem}. "
                    f"Seal event {event.reference}." + (f" {event.reason}" if event.reason
                                                        else ""),
        occurred_at=event.at, site=event.site, leg=seal.leg,
        location_type=LocationType.OWN_FACILITY,
        shipment_references=seal.shipment_reference,
        seal_numbers=", ".join(filter(None, (seal.number, event.number_read
                                             if mismatch else ""))),
        vehicles=seal.container_number, severity=middle_severity(seal.organisation_id))
    incident.full_clean()
    records.save_record(user, incident)
    return incident


def verify_on_arrival(user, *, site, container_number, number_read, view_ok, tug_ok,
                      twist_ok, intact, at=None, reason=""):
    """Verify the seal of an arriving trailer or container, found by its number among the
    affixed seals of the organisation (the arrival officer need not know which seal was put
    on): the one `record_seal_event` call of a gate verification."""
    container = container_number.strip()
    seal = (Seal.objects.filter(organisation_id=site.organisation_id, archived=False,
                                status=SealStatus.AFFIXED, container_number__iexact=container)
            .order_by("-affixed_at").first()) if container else None
    if seal is None:
        raise ValidationError({"container_number": "No seal is recorded as affixed on this "
                                                   "trailer or container; check the number, "
                                                   "or report an incident."})
    return record_seal_event(user, seal, SealEventKind.VERIFIED, site=site, at=at,
                             number_read=number_read, view_ok=view_ok, tug_ok=tug_ok,
                             twist_ok=twist_ok, intact=intact, reason=reason)


def reconciliation(user, organisation):
    """Seal stock per site the user may see: {site: {status: count}}, with the total received
    — one aggregate query (C-TPAT MSC seal audits: stock against logs)."""
    from django.db.models import Count

    rows = (Seal.objects.restrict(user, "view")
            .filter(organisation=organisation, archived=False)
            .values("site_id", "site__name", "site__code", "status")
            .annotate(count=Count("pk")).order_by("site__name", "status"))
    sites = {}
    for row in rows:
        entry = sites.setdefault(row["site_id"], {
            "name": row["site__name"], "code": row["site__code"], "total": 0,
            "counts": dict.fromkeys(SealStatus.values, 0)})
        entry["counts"][row["status"]] = row["count"]
        entry["total"] += row["count"]
    return list(sites.items())


def incidents_opened(organisation):
    """Ids of the incidents the organisation's field checks opened (failed critical items and
    seal discrepancies)."""
    from_runs = CheckRun.objects.filter(organisation=organisation, incident__isnull=False)
    from_seals = SealEvent.objects.filter(organisation=organisation, incident__isnull=False)
    return {*from_runs.values_list("incident_id", flat=True),
            *from_seals.values_list("incident_id", flat=True)}


# --- gatehouse registers ------------------------------------------------------------------------
def _close_entry(user, entry, field, at, *, done):
    """Set the closing time (`time_out`, `returned_at`) of a gatehouse entry, once."""
    _may(user, entry)
    if getattr(entry, field) is not None:
        raise ValidationError({field: done})
    setattr(entry, field, at or timezone.now())
    try:
        entry.full_clean()
    except ValidationError:
        setattr(entry, field, None)
        raise
    with acting_as(user), transaction.atomic():
        records.save_record(user, entry)
    return entry


def sign_out_visitor(user, entry, *, at=None):
    """The gate's "Sign out": the visitor's time out (now, or `at` from a paper log)."""
    return _close_entry(user, entry, "time_out", at,
                        done=f"{entry.name} was already signed out at "
                             f"{timezone.localtime(entry.time_out):%Y-%m-%d %H:%M}."
                        if entry.time_out else "")


def return_key(user, issue, *, at=None):
    """The gate's "Returned": the time a key or badge came back (now, or `at`)."""
    return _close_entry(user, issue, "returned_at", at,
                        done=f"{issue} was already returned at "
                             f"{timezone.localtime(issue.returned_at):%Y-%m-%d %H:%M}."
                        if issue.returned_at else "")
