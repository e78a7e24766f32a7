"""A requirement status's evidence: the one definition every page that shows or counts it reads.

Evidence counts for a requirement status when it is attached to the status — through the
status's `evidence` field, where `services.attach_evidence` writes for every path (the work
page's dialog and reuse buttons, the record page's "Attach", the API, the demo), or through a
generic `documents.EvidenceLink` held by the status, which the record page's "Attach" stored
before it went through that service (issue 13 item 6: those links were shown nowhere else) —
and is not archived. Readiness and the path to certification count only valid evidence (not
expired): ISO 28000 7.5.3, documented information must be current to support conformity.

The work page, the status page, readiness, the path to certification, the exports and the
evidence pack all ask here, so what is attached anywhere counts everywhere.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone

from chainward.documents.models import Evidence, EvidenceLink


def _status_type():
    from .models import RequirementStatus

    return ContentType.objects.get_for_model(RequirementStatus)


def attached_to(status):
    """Q on Evidence: attached to `status` (a pk or an `OuterRef`) by either path."""
    return Q(requirement_statuses=status) | Q(links__holder_type=_status_type(),
                                              links__holder_id=status)


def valid(today=None):
    """Q on Evidence: evidence that counts toward readiness (not archived, not expired)."""
    today = today or timezone.localdate()
    return Q(archived=False) & (Q(valid_until__isnull=True) | Q(valid_until__gte=today))


def has_valid_evidence(today=None):
    """Annotation for requirement statuses: True when some valid evidence is attached (one
    EXISTS per path, so each uses its own index)."""
    counts = Evidence.objects.filter(valid(today))
    return ExpressionWrapper(
        Exists(counts.filter(requirement_statuses=OuterRef("pk")))
        | Exists(counts.filter(links__holder_type=_status_type(),
                               links__holder_id=OuterRef("pk"))),
        output_field=BooleanField())


def evidence_ids_by_status(status_ids):
    """{status pk: {evidence pk}} for many statuses in two queries, whatever their number."""
    from .models import RequirementStatus

    through = RequirementStatus.evidence.through
    result = {pk: set() for pk in status_ids}
    pairs = list(through.objects.filter(requirementstatus_id__in=status_ids).values_list(
        "requirementstatus_id", "evidence_id"))
    pairs += list(EvidenceLink.objects.filter(holder_type=_status_type(),
                                              holder_id__in=status_ids)
                  .values_list("holder_id", "evidence_id"))
    for status_id, evidence_id in pairs:
        result.setdefault(status_id, set()).add(evidence_id)
    return result


def evidence_by_status(user, statuses):
    """{status pk: [evidence, by title]} of `statuses` — what `user` may see of it (all of it
    for None) — in three queries for any number of statuses and evidence records."""
    ids = evidence_ids_by_status([s.pk for s in statuses])
    wanted = set().union(*ids.values()) if ids else set()
    records = Evidence.objects.restrict(user, "view") if user is not None else Evidence.objects
    found = {e.pk: e for e in records.filter(pk__in=wanted, archived=False).select_related(
        "document_version__document")} if wanted else {}
    return {pk: sorted((found[e] for e in evidence if e in found),
                       key=lambda e: (e.title.lower(), e.pk))
            for pk, evidence in ids.items()}


def status_evidence(user, status):
    """The evidence of one status that `user` may see, by title (the record page's card)."""
    return Evidence.objects.restrict(user, "view").filter(
        pk__in=Evidence.objects.filter(attached_to(status.pk)).values("pk"),
        archived=False).order_by("title", "pk")


def load_evidence(user, rows):
    """Give every row its evidence as `attached_evidence` (three queries for any number)."""
    given = evidence_by_status(user, rows)
    for row in rows:
        row.attached_evidence = given.get(row.pk, [])
    return rows


def attached_evidence(user, row):
    """The row's evidence, from what the page loaded for all rows (or loaded now)."""
    if not hasattr(row, "attached_evidence"):
        load_evidence(user, [row])
    return row.attached_evidence
