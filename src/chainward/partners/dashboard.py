"""My work (and so the daily digest): partner questionnaires to review, answers overdue from
the partner, declarations to renew, partner follow-up actions overdue, partner reviews due by
their risk-based interval; and a dashboard card."""

from django.urls import reverse
from django.utils import timezone

from chainward.audits.services import my_work_section
from chainward.core.dashboard import Card, card
from chainward.notifications.tasks import daily_job
from chainward.supplychain.models import Partner

from .assurance import assurance_of, partners_due_for_review
from .choices import FollowUpStatus
from .models import FollowUpAction, QuestionnaireRequest
from .services import due_requests, remind_contacts

MY_WORK_ROWS = 50


def _reviewable(request):
    return QuestionnaireRequest.objects.restrict(request.user, "review").filter(
        organisation=request.organisation)


@my_work_section
def my_partner_questionnaires(request):
    """Questionnaires the user may review: to review, overdue from the partner, to renew."""
    if not request.user.has_perm("partners.review_questionnairerequest"):
        return None
    rows = due_requests(_reviewable(request))[:MY_WORK_ROWS]
    return {"title": "Partner questionnaires and declarations", "anchor": "partners", "rows": [
        {"url": req.get_absolute_url(), "label": f"{req.partner} — {req.template}",
         "due": due, "overdue": overdue, "status": label, "where": req.reference}
        for req, label, due, overdue in rows],
        "empty": "No partner questionnaire needs you."}


@my_work_section
def my_partner_follow_ups(request):
    """Partner follow-up actions past their due date."""
    if not request.user.has_perm("partners.change_followupaction"):
        return None
    late = (FollowUpAction.objects.restrict(request.user, "change")
            .filter(organisation=request.organisation, archived=False,
                    status=FollowUpStatus.OPEN, due_date__lt=timezone.localdate())
            .select_related("request__partner").order_by("due_date", "pk")[:MY_WORK_ROWS])
    return {"title": "Partner follow-up actions overdue", "rows": [
        {"url": f.get_absolute_url(), "label": f"{f.request.partner}: {f.description[:80]}",
         "due": f.due_date, "overdue": True, "status": f.get_status_display(),
         "where": f.request.reference} for f in late],
        "empty": "No partner follow-up action is overdue."}


@my_work_section
def my_partner_reviews(request):
    """ISO 28001 4.5: partners in use whose review is due by the interval their risk score
    sets (`assurance`; never reviewed = due now), for the people who record reviews."""
    if not request.user.has_perm("supplychain.add_partnerreview"):
        return None
    due = partners_due_for_review(Partner.objects.restrict(request.user, "view").filter(
        organisation=request.organisation, archived=False)).order_by("name", "pk")
    rows = []
    for partner in due[:MY_WORK_ROWS]:
        found = assurance_of(partner)  # from the annotations: no query
        rows.append({"url": partner.get_absolute_url(), "label": str(partner),
                     "due": found.due_on, "overdue": True,
                     "status": f"review due every {found.interval_days} days (risk score "
                               f"{found.score_label})" if found.last_reviewed else
                               "never reviewed",
                     "where": partner.get_kind_display()})
    return {"title": "Partner reviews due (ISO 28001 4.5)", "anchor": "partner-reviews",
            "rows": rows, "empty": "No partner review is due."}


@card
def partner_declarations(request):
    """Partner declarations to review, chase or renew."""
    if not request.user.has_perm("partners.view_questionnairerequest"):
        return None
    rows = due_requests(QuestionnaireRequest.objects.restrict(request.user, "view").filter(
        organisation=request.organisation))
    expired = sum(1 for _, label, _, _ in rows if "expired" in label)
    return Card("Partner declarations", str(len(rows)),
                f"to review, chase or renew; {expired} expired",
                "danger" if expired else "warning" if rows else "success",
                reverse("partners:questionnairerequest_list"))


# Reminders to partner contacts before their deadline, once a day with the digest.
daily_job(remind_contacts)
