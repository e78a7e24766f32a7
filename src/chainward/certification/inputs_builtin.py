"""The review inputs and pack sections computed from what exists in this installation:
supply chain, compliance, documents, objectives and the reviews themselves.

Each function sees the organisation as `user` sees it (`restrict(user, "view")`). The risk,
audits and plans apps add theirs the same way (see `review_inputs` and `pack` docstrings).
"""

import datetime

from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from chainward.compliance.models import GapAssessment
from chainward.compliance.readiness import readiness
from chainward.core.querysets import visible
from chainward.documents.choices import DocumentType, VersionStatus
from chainward.documents.models import Document, DocumentVersion
from chainward.plans.choices import ObjectiveStatus
from chainward.plans.models import SecurityObjective
from chainward.supplychain.models import Leg, Partner, ProgrammeStatus, Site, StatementOfApplication

from .choices import ActionStatus, ReviewStatus
from .models import ManagementReview, ReviewAction
from .review_inputs import review_input

ROWS = 25
EXPIRING_DAYS = 90


def figure(key, label, value, unit=""):
    """One figure of a review input; `unit` is shown after the value ("%")."""
    return {"key": key, "label": label, "value": value, **({"unit": unit} if unit else {})}


def listing(key, title, records, row, empty="Nothing to list.", limit=ROWS):
    """A titled list of records for the pack (`lists`): the first `limit` rows made by
    `row(record) -> {"text", "detail", "url"}`, and the total when there are more. Two
    queries whatever the number of records (the page and, when it is full, the count)."""
    rows = list(records[:limit + 1])
    more = len(rows) > limit
    total = records.count() if more else len(rows)
    return {"key": key, "title": title, "rows": [row(r) for r in rows[:limit]],
            "total": total, "more": more, "empty": empty}


def last_review_date(organisation, user):
    """The day of the latest held management review the user can see, or None."""
    review = visible(ManagementReview, user, organisation).filter(
        status__in=[ReviewStatus.HELD, ReviewStatus.MINUTES_APPROVED]).order_by("-date").first()
    return review.date if review else None


def changes_since(organisation, user):
    """Since when "changes" are counted: the last held review, else twelve months back."""
    return last_review_date(organisation, user) or \
        timezone.localdate() - datetime.timedelta(days=365)


def open_actions(organisation, user):
    return visible(ReviewAction, user, organisation).filter(
        review__archived=False, status=ActionStatus.OPEN)


@review_input("previous_actions", "Status of actions from previous management reviews", 10)
def previous_actions(organisation, user):
    actions = visible(ReviewAction, user, organisation).filter(review__archived=False)
    today = timezone.localdate()
    pending = actions.filter(status=ActionStatus.OPEN).select_related("review", "owner")
    return {
        "figures": [
            figure("open", "Open", actions.filter(status=ActionStatus.OPEN).count()),
            figure("overdue", "Open and overdue",
                   actions.filter(status=ActionStatus.OPEN, due_date__lt=today).count()),
            figure("done", "Done", actions.filter(status=ActionStatus.DONE).count()),
        ],
        "rows": [{"text": f"{a.reference} {a}", "url": a.get_absolute_url(),
                  "detail": f"{a.owner}, due {a.due_date:%Y-%m-%d}"
                            + (" — overdue" if a.due_date < today else "")}
                 for a in pending[:ROWS]],
        "url": reverse("certification:reviewaction_list") + "?status=open",
    }


@review_input("context", "Changes in external and internal issues and in the scope", 20)
def context_changes(organisation, user):
    since = changes_since(organisation, user)
    new = {"created_at__date__gt": since}
    sites = visible(Site, user, organisation).filter(**new)
    statements = visible(StatementOfApplication, user, organisation).filter(
        updated_at__date__gt=since)
    return {
        "figures": [
            figure("sites_added", "Sites added", sites.count()),
            figure("legs_added", "Transport legs added",
                   visible(Leg, user, organisation).filter(**new).count()),
            figure("partners_added", "Partners added",
                   visible(Partner, user, organisation).filter(**new).count()),
            figure("soa_changed", "Statements of application changed", statements.count()),
        ],
        "rows": [{"text": f"{s.reference} {s}", "url": s.get_absolute_url(), "detail": "new site"}
                 for s in sites[:ROWS]] +
                [{"text": f"{s.reference} {s}", "url": s.get_absolute_url(),
                  "detail": f"statement of application, {s.get_status_display().lower()}"}
                 for s in statements[:ROWS]],
        "note": f"Counted since {since:%Y-%m-%d} (the last management review held, or twelve "
                "months back when there was none).",
    }


@review_input("objectives", "Performance: security objectives (ISO 28000 6.2, 9.1)", 40)
def objectives(organisation, user):
    rows = list(visible(SecurityObjective, user, organisation).prefetch_related("measurements"))
    counts = {key: 0 for key, _ in ObjectiveStatus.choices}
    for objective in rows:
        counts[objective.status] += 1
    return {
        "figures": [figure("total", "Objectives", len(rows))] + [
            figure(key, label, counts[key]) for key, label in ObjectiveStatus.choices],
        "rows": [{"text": f"{o.reference} {o.title}", "url": o.get_absolute_url(),
                  "detail": f"{o.get_status_display()}, due {o.due_date:%Y-%m-%d}"}
                 for o in rows[:ROWS]],
        "url": reverse("plans:securityobjective_list"),
    }


@review_input("partners", "Partner feedback: security programme status (AEO, C-TPAT, TAPA…)",
              60)
def partners(organisation, user):
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=EXPIRING_DAYS)
    statuses = visible(ProgrammeStatus, user, organisation).select_related("partner")
    expired = statuses.filter(valid_until__lt=today)
    expiring = statuses.filter(valid_until__gte=today, valid_until__lte=soon)
    return {
        "figures": [
            figure("expired", "Programme statuses expired", expired.count()),
            figure("expiring", f"Expiring within {EXPIRING_DAYS} days", expiring.count()),
            figure("total", "Programme statuses recorded", statuses.count()),
        ],
        "rows": [{"text": f"{p.partner} — {p.get_programme_display()}",
                  "url": p.get_absolute_url(),
                  "detail": f"{'expired' if p.valid_until < today else 'expires'} "
                            f"{p.valid_until:%Y-%m-%d}"}
                 for p in (list(expired) + list(expiring))[:ROWS]],
        "url": reverse("supplychain:programmestatus_list"),
    }


@review_input("documents", "Documented information: policy and document reviews", 70)
def documents(organisation, user):
    approved = visible(DocumentVersion, user, organisation).filter(
        status=VersionStatus.APPROVED, document__archived=False).select_related("document")
    policy = approved.filter(document__doc_type=DocumentType.POLICY).order_by(
        "-approved_at").first()
    overdue = [v for v in approved if v.review_overdue]
    return {
        "figures": [
            figure("policy_current", "Approved security policy", 1 if policy else 0),
            figure("documents", "Documents", visible(Document, user, organisation).count()),
            figure("reviews_overdue", "Document reviews overdue", len(overdue)),
        ],
        "rows": [{"text": f"{v.document.reference} {v.document.title} v{v.number}",
                  "url": v.get_absolute_url(),
                  "detail": f"review due {v.next_review:%Y-%m-%d}"} for v in overdue[:ROWS]],
        "note": (f"Policy in force: {policy.document.title} v{policy.number}, approved "
                 f"{policy.approved_at:%Y-%m-%d}." if policy else
                 "There is no approved security policy."),
        "url": reverse("documents:master_list"),
    }


def latest_assessments(organisation, user):
    """The latest gap assessment the user can see, per framework."""
    seen, result = set(), []
    for assessment in visible(GapAssessment, user, organisation).select_related(
            "framework").order_by("framework__name", F("start_date").desc(nulls_last=True),
                                  "-created_at"):
        if assessment.framework_id not in seen:
            seen.add(assessment.framework_id)
            result.append(assessment)
    return result


@review_input("readiness", "Conformity: gap-assessment readiness per framework", 80)
def readiness_input(organisation, user):
    figures, rows = [], []
    for assessment in latest_assessments(organisation, user):
        summary = readiness(assessment)
        figures.append(figure(assessment.framework.ref_id, str(assessment.framework),
                              summary["percent"], unit="%"))
        rows.append({"text": f"{assessment.reference} {assessment.title}",
                     "url": assessment.get_absolute_url(),
                     "detail": (f"{summary['percent']}% ready"
                                if summary["percent"] is not None else
                                "readiness — (no applicable requirement)")
                               + f", {summary['counts']['not_assessed']} not assessed"})
    return {"figures": figures, "rows": rows, "url": reverse("compliance:gapassessment_list"),
            "note": "Readiness in %: the latest assessment of each framework."}
