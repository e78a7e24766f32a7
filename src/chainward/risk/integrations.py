"""What the risk app contributes to the certification app: the "risks" input of the management
review (ISO 28000 9.3.2) and the risk register of the auditor's evidence pack (restricted).

Both read only what the compiling user may see (`restrict(user, "view")`); the review counts
the ratings of current assessments (completed, not superseded), as the map and heat maps do.
"""

from django.urls import reverse
from django.utils import timezone

from chainward.certification.pack import PackEntry, pack_section
from chainward.certification.review_inputs import review_input
from chainward.core.exports import neutralise, xlsx_bytes
from chainward.core.pdf import watermark_text

from .choices import DONE, AssessmentStatus
from .filtersets import unaccepted_q
from .heatmap import current_ratings
from .models import Countermeasure, Rating, RiskAcceptance, SecurityAssessment

HEADER = ("Reference", "Assessment", "Threat scenario", "Target", "Likelihood", "Consequence",
          "Inherent level", "Decision", "Residual level", "Above appetite", "Owner",
          "Countermeasures", "Reviewed")


def _ratings(user, organisation):
    return (Rating.objects.restrict(user, "view")
            .filter(organisation=organisation, archived=False)
            .select_related("assessment__matrix", "threat__scenario", "site", "leg", "partner",
                            "owner")
            .prefetch_related("countermeasures").order_by("-residual_rank", "reference"))


def register_rows(user, organisation):
    """The risk register as rows of text (header first)."""
    yield list(HEADER)
    for r in _ratings(user, organisation):
        yield [neutralise(str(v)) for v in (
            r.reference, r.assessment.reference, r.threat.scenario_label, r.target_label,
            r.likelihood or "", r.consequence or "", r.inherent_name, r.get_decision_display(),
            r.residual_name, "yes" if r.above_appetite else "no", r.owner or "",
            ", ".join(c.reference for c in r.countermeasures.all()),
            "yes" if r.reviewed else "to review")]


@review_input("risks", "Interested-party requirements, risks and opportunities", 30)
def risks(organisation, user):
    """The "risks" input of the management review (ISO 28000 9.3.2 c)."""
    visible = current_ratings(user, organisation)
    today = timezone.localdate()
    cms = Countermeasure.objects.restrict(user, "view").filter(organisation=organisation,
                                                               archived=False)
    last = (SecurityAssessment.objects.restrict(user, "view")
            .filter(organisation=organisation, status=AssessmentStatus.COMPLETED)
            .order_by("-completed_on").first())
    unaccepted = visible.filter(unaccepted_q()).order_by("-residual_rank", "reference")
    return {
        "figures": [
            {"key": "ratings", "label": "Rated risks", "value": visible.count()},
            {"key": "above_appetite", "label": "Above appetite",
             "value": visible.filter(above_appetite=True).count()},
            {"key": "unaccepted", "label": "Above appetite, not accepted",
             "value": unaccepted.count()},
            {"key": "overdue_countermeasures", "label": "Countermeasures overdue",
             "value": cms.filter(due_date__lt=today).exclude(status__in=DONE).count()},
            {"key": "expired_acceptances", "label": "Risk acceptances expired",
             "value": RiskAcceptance.objects.restrict(user, "view").filter(
                 organisation=organisation, archived=False, valid_until__lt=today).count()},
        ],
        "rows": [{"text": f"{r.reference} {r.threat.scenario_label} @ {r.target_label}",
                  "detail": r.residual_name, "url": r.get_absolute_url()}
                 for r in unaccepted.select_related("threat__scenario", "site", "leg",
                                                    "partner", "assessment__matrix")[:25]],
        "url": reverse("risk:rating_list") + "?unaccepted=true",
        "note": (f"Last completed assessment: {last.reference} on "
                 f"{last.completed_on:%Y-%m-%d}." if last and last.completed_on
                 else "No completed security assessment yet."),
    }


@pack_section("risk_register", "Risk register and security assessments", order=60,
              restricted=True)
def risk_register(organisation, user, pack):
    rows = list(register_rows(user, organisation))
    stamp = [getattr(pack, "stamp", "") or watermark_text(user.email)]
    path = pack.add_file("risk/risk-register.xlsx",
                         xlsx_bytes("Risk register", [stamp, *rows]))
    assessments = SecurityAssessment.objects.restrict(user, "view").filter(
        organisation=organisation, archived=False).order_by("-completed_on")
    entries = [PackEntry("Risk register (XLSX)", path=path, note=f"{len(rows) - 1} ratings",
                         restricted=True)]
    for a in assessments[:10]:
        done = f", completed {a.completed_on:%Y-%m-%d}" if a.completed_on else ""
        entries.append(PackEntry(f"Security assessment {a.reference}: {a.title}",
                                 note=f"{a.get_status_display()}{done}", restricted=True))
    return entries
