"""What the context app feeds into the management-review pack (ISO 28000 9.3.2): changes in
external and internal issues and interested parties since the last review, and the state of
compliance with legal and other requirements (4.2.2, 9.1), as the compiling person may see
them."""

from django.urls import reverse

from chainward.certification.inputs_builtin import ROWS, changes_since, figure
from chainward.certification.review_inputs import review_input
from chainward.core.querysets import visible

from .choices import NEEDS_ACTION
from .models import ComplianceEvaluation, ContextIssue, InterestedParty, Obligation
from .services import due_q


@review_input("context_issues", "Context issues and interested parties (ISO 28000 4.1, 4.2)",
              21)
def context_issues(organisation, user):
    since = changes_since(organisation, user)
    issues = visible(ContextIssue, user, organisation).filter(updated_at__date__gt=since)
    parties = visible(InterestedParty, user, organisation).filter(updated_at__date__gt=since)
    climate = visible(ContextIssue, user, organisation).filter(category="climate").first()
    return {
        "figures": [
            figure("issues_changed", "Issues added or changed", issues.count()),
            figure("parties_changed", "Interested parties added or changed", parties.count()),
            figure("climate", "Climate change decision (Amd 1:2024)",
                   climate.get_relevance_display() if climate else "not recorded"),
        ],
        "rows": [{"text": f"{i.reference} {i.title}", "url": i.get_absolute_url(),
                  "detail": f"{i.get_origin_display().lower()}, {i.get_effect_display()}"}
                 for i in issues.order_by("-updated_at")[:ROWS]],
        "url": reverse("context:contextissue_list"),
        "note": f"Changed since {since:%Y-%m-%d} (the last management review held, or twelve "
                "months back when there was none).",
    }


@review_input("legal_compliance",
              "Compliance with legal and other requirements (ISO 28000 4.2.2, 9.1)", 22)
def legal_compliance(organisation, user):
    since = changes_since(organisation, user)
    obligations = visible(Obligation, user, organisation)
    evaluations = visible(ComplianceEvaluation, user, organisation).filter(
        evaluated_on__gt=since)
    short = evaluations.filter(result__in=NEEDS_ACTION).select_related("obligation")
    return {
        "figures": [
            figure("requirements", "Legal and other requirements", obligations.count()),
            figure("evaluations", "Compliance evaluations since the last review",
                   evaluations.count()),
            figure("short", "Evaluations short of compliant", short.count()),
            figure("due", "Evaluations due now", obligations.filter(due_q()).count()),
            figure("law_changed", "Requirements changed since the last review",
                   obligations.filter(law_changed_on__gt=since).count()),
        ],
        "rows": [{"text": f"{e.reference} {e.obligation.title}", "url": e.get_absolute_url(),
                  "detail": f"{e.get_result_display().lower()}, {e.evaluated_on:%Y-%m-%d}"}
                 for e in short.order_by("-evaluated_on")[:ROWS]],
        "url": reverse("context:obligation_list"),
        "note": f"Evaluations since {since:%Y-%m-%d} (the last management review held, or "
                "twelve months back when there was none).",
    }
