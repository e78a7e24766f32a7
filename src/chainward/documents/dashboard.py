"""Dashboard cards of documented information: the policy, reviews, reading, evidence."""

from django.urls import reverse
from django.utils import timezone

from chainward.core.dashboard import Card, card

from . import services
from .choices import VersionStatus
from .models import DocumentVersion, Evidence


@card
def security_policy(request):
    """ISO 28000 5.2: is there a current, approved (signed) security policy?"""
    if not request.user.has_perm("documents.view_document"):
        return None
    policy = services.current_policy(request.organisation)
    if policy is None:
        return Card("Security policy", "missing", "No approved policy document.", "danger",
                    reverse("documents:document_list") + "?doc_type=policy")
    # ISO 28000 5.2: top management establishes the policy. The approval of the policy
    # version is its signature: credited to the person who approved it, by name, and only
    # called "signed" when that person holds the Top management role.
    signer = policy.approver
    by_top = signer is not None and services.holds_top_management(signer,
                                                                   request.organisation)
    when = f"{policy.approved_at:%Y-%m-%d}"
    if by_top:
        detail = f"{policy.document.title} v{policy.number}, signed {when} by {signer}"
    else:
        detail = (f"{policy.document.title} v{policy.number}, approved {when} by "
                  f"{signer or 'unknown'}; not signed by top management (ISO 28000 5.2)")
    tone = "warning" if policy.review_overdue or not by_top else "success"
    return Card("Security policy", "review overdue" if policy.review_overdue else "current",
                detail, tone, policy.get_absolute_url())


@card
def overdue_reviews(request):
    """Approved documents past their review date (ISO 28000 7.5.2)."""
    if not request.user.has_perm("documents.view_document"):
        return None
    approved = DocumentVersion.objects.restrict(request.user, "view").filter(
        organisation=request.organisation, status=VersionStatus.APPROVED,
        document__archived=False).select_related("document")
    overdue = [v for v in approved if v.review_overdue]
    return Card("Document reviews overdue", str(len(overdue)),
                ", ".join(v.document.reference for v in overdue[:5]),
                "danger" if overdue else "success", reverse("documents:master_list"))


@card
def expired_evidence(request):
    """Evidence past its validity: it no longer counts and needs renewing."""
    if not request.user.has_perm("documents.view_evidence"):
        return None
    expired = Evidence.objects.restrict(request.user, "view").filter(
        organisation=request.organisation, archived=False,
        valid_until__lt=timezone.localdate()).count()
    return Card("Evidence due", str(expired), "expired evidence to renew",
                "warning" if expired else "success",
                reverse("documents:evidence_list") + "?expired=true")


@card
def acknowledgements_owed(request):
    """Documents I must read and acknowledge (the policy first): ISO 28000 7.3 awareness."""
    owed = services.acknowledgements_owed(request.user, request.organisation)
    count = owed.count()
    if not count:
        return None
    return Card("To read and acknowledge", str(count),
                ", ".join(str(v.document) for v in owed[:3]), "warning",
                reverse("audits:my_work") + "#acknowledgements")


def my_acknowledgements(request):
    """My work: the documents the user must still acknowledge, each linking to the version
    with its "I have read and understood it" button."""
    rows = list(services.acknowledgements_owed(request.user, request.organisation)[:50])
    return {"title": "Documents to read and acknowledge", "anchor": "acknowledgements",
            "rows": [{"url": v.get_absolute_url(), "label": f"{v.document} v{v.number}",
                      "due": None, "overdue": False,
                      "status": (f"approved {v.approved_at:%Y-%m-%d}, not acknowledged"
                                 if v.approved_at else "not acknowledged"),
                      "where": v.document.get_doc_type_display()} for v in rows],
            "empty": "Nothing is waiting for your acknowledgement."}


def _register_my_work():
    # My work's registry lives in the audits app (chainward.audits.services).
    from chainward.audits.services import my_work_section

    my_work_section(my_acknowledgements)


_register_my_work()
