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
    tone = "warning" if policy.review_overdue else "success"
    detail = (f"{policy.document.title} v{policy.number}, signed "
              f"{policy.approved_at:%Y-%m-%d} by {policy.approver.email}")
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
