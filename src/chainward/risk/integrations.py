"""What the risk app contributes to the certification app: the "risks" input of the management
review (ISO 28000 9.3.2) and the risk register of the auditor's evidence pack (restricted).

Both read only what the compiling user may see (`restrict(user, "view")`); the review counts
the ratings of current assessments (completed, not superseded), as the map and heat maps do.
"""

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from chainward.certification.inputs_builtin import listing
from chainward.certification.pack import PackEntry, pack_section
from chainward.certification.review_inputs import review_input
from chainward.core.exports import neutralise, xlsx_bytes
from chainward.core.pdf import watermark_text
from chainward.library.models import CatalogEntry

from . import levels
from .choices import DONE, AssessmentStatus
from .filtersets import unaccepted_q
from .heatmap import current_ratings
from .models import (
    AssessmentMember,
    Countermeasure,
    ExistingMeasure,
    NotCredible,
    Process,
    Rating,
    RiskAcceptance,
    SecurityAssessment,
    ThreatApplicability,
)

HEADER = ("Reference", "Assessment", "Threat scenario", "Target", "Likelihood", "Consequence",
          "Inherent level", "Decision", "Residual level", "Above appetite", "Owner",
          "Countermeasures", "Reviewed")


def _ratings(user, organisation):
    return (Rating.objects.restrict(user, "view")
            .filter(organisation=organisation, archived=False)
            .select_related("assessment__matrix", "threat__scenario", "site", "leg", "partner",
                            "process", "owner")
            .prefetch_related(_visible_countermeasures(user))
            .order_by("-residual_rank", "reference"))


def _visible_countermeasures(user):
    """Prefetch of a rating's countermeasures limited to those `user` may see."""
    return Prefetch("countermeasures",
                    queryset=Countermeasure.objects.restrict(user, "view").order_by("reference"))


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


def _acceptance_row(acceptance, today):
    """An accepted risk by reference, with who accepted it and until when."""
    rating = acceptance.rating
    expiry = (f"expired {acceptance.valid_until:%Y-%m-%d}" if acceptance.valid_until < today
              else f"expires {acceptance.valid_until:%Y-%m-%d}")
    return {"text": f"{rating.reference} {rating.threat.scenario_label} @ {rating.target_label}"
                    f" ({rating.residual_name})",
            "url": acceptance.get_absolute_url(),
            "detail": f"{acceptance.reference} accepted by "
                      f"{acceptance.accepted_by or 'unknown'} on "
                      f"{acceptance.accepted_on:%Y-%m-%d}, {expiry}"}


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
                                                    "partner", "process",
                                                    "assessment__matrix")[:25]],
        "lists": [listing(
            "accepted", "Accepted risks (acceptor and expiry)",
            RiskAcceptance.objects.restrict(user, "view").filter(
                organisation=organisation, archived=False, rating__in=visible)
            .select_related("accepted_by", "rating__threat__scenario", "rating__site",
                            "rating__leg", "rating__partner", "rating__process",
                            "rating__assessment__matrix")
            .order_by("valid_until", "reference"),
            lambda a: _acceptance_row(a, today),
            empty="No residual risk has been formally accepted.")],
        "url": reverse("risk:rating_list") + "?unaccepted=true",
        "note": (f"Last completed assessment: {last.reference} on "
                 f"{last.completed_on:%Y-%m-%d}." if last and last.completed_on
                 else "No completed security assessment yet."),
    }


def _rows_of(user, model, assessment, *related):
    return list(model.objects.restrict(user, "view").filter(assessment=assessment,
                                                            archived=False)
                .select_related(*related))


def heat_table(matrix, counts):
    """A heat map as rows for a PDF table: (likelihood, [(count, level)…]), top first."""
    rows = []
    for i, lik in reversed(list(enumerate(matrix.likelihood_levels))):
        rows.append((lik, [(counts.get((lik["value"], con["value"]), 0),
                            matrix.level_info(matrix.grid[i][j]))
                           for j, con in enumerate(matrix.consequence_levels)]))
    return rows


def assessment_pack_context(assessment, user):
    """What the assessment's pack PDF shows, limited to what `user` may see."""
    from chainward.supplychain.models import Exemption, Leg, Partner, Site

    from .heatmap import cell_counts
    from .scope import lapsed_exemptions, partners_in_scope, processes_in_scope

    matrix = assessment.matrix
    visible = Rating.objects.restrict(user, "view").filter(assessment=assessment,
                                                           archived=False)
    ratings = (visible.select_related("threat__scenario", "site", "leg", "partner", "process",
                                      "owner")
               .prefetch_related(
                   _visible_countermeasures(user),
                   Prefetch("existing_measures", queryset=ExistingMeasure.objects.restrict(
                       user, "view").order_by("reference")),
                   Prefetch("acceptances", to_attr="valid_acceptances",
                            queryset=RiskAcceptance.objects.restrict(user, "view").filter(
                                archived=False, valid_until__gte=timezone.localdate())
                            .select_related("accepted_by").order_by("-valid_until")))
               .order_by("-residual_rank", "reference"))
    categories = {c.ref_id: c.name for c in CatalogEntry.objects.filter(
        kind="threat_category")}
    threats = _rows_of(user, ThreatApplicability, assessment, "scenario")
    return {
        "assessment": assessment, "matrix": matrix,
        "sites": Site.objects.restrict(user, "view").filter(
            pk__in=assessment.sites.values("pk")).order_by("name"),
        "legs": Leg.objects.restrict(user, "view").filter(
            pk__in=assessment.legs.values("pk")).select_related("from_site", "to_site"),
        "partners": Partner.objects.restrict(user, "view").filter(
            pk__in=partners_in_scope(assessment).values("pk")).order_by("name"),
        # ISO 28001 4.4: partners back in scope because their exemption lapsed, and why.
        "lapsed": Exemption.objects.restrict(user, "view").filter(
            pk__in=lapsed_exemptions(assessment).values("pk")).select_related(
            "partner", "programme_status").order_by("partner__name"),
        "members": _rows_of(user, AssessmentMember, assessment, "person", "user"),
        "processes": Process.objects.restrict(user, "view").filter(
            pk__in=processes_in_scope(assessment).values("pk")).order_by("name"),
        "measures": _rows_of(user, ExistingMeasure, assessment, "site", "leg", "partner",
                             "process", "reference_control", "requirement"),
        "not_credible": _rows_of(user, NotCredible, assessment, "threat__scenario", "site",
                                 "leg", "partner", "process"),
        "threats": [(t, [f"{c} {categories.get(c, '')}".strip() for c in t.categories])
                    for t in threats],
        "acceptance": matrix.level_info(matrix.acceptance_level),
        "consequence_levels": matrix.consequence_levels,
        "heat_tables": [
            ("Inherent risk", heat_table(matrix, cell_counts(visible).get(matrix.pk, {}))),
            ("Residual risk", heat_table(matrix, cell_counts(visible, residual=True).get(
                matrix.pk, {})))],
        "partial": visible.count() != Rating.objects.filter(assessment=assessment,
                                                            archived=False).count(),
        "ratings": [(r, matrix.level_info(r.inherent_level), matrix.level_info(r.residual_level),
                     levels.consequence_summary(matrix, r.consequences)) for r in ratings],
    }


@pack_section("risk_register", "Risk register and security assessments", order=60,
              restricted=True)
def risk_register(organisation, user, pack):
    """The register (XLSX) and one restricted PDF per current assessment.

    Completed, not superseded assessments are evidence: each gets its PDF, with only the
    ratings, measures and team rows the producer may see. Drafts and assessments in progress
    are listed with a note and no file (their content may still change); superseded ones are
    left out (their successor is the evidence)."""
    rows = list(register_rows(user, organisation))
    stamp = [getattr(pack, "stamp", "") or watermark_text(user.email)]
    path = pack.add_file("risk/risk-register.xlsx",
                         xlsx_bytes("Risk register", [stamp, *rows]))
    assessments = (SecurityAssessment.objects.restrict(user, "view")
                   .filter(organisation=organisation, archived=False)
                   .exclude(status=AssessmentStatus.ARCHIVED)
                   .select_related("matrix", "assessor", "statement")
                   .order_by("-completed_on", "reference"))
    entries = [PackEntry("Risk register (XLSX)", path=path, note=f"{len(rows) - 1} ratings",
                         restricted=True)]
    for a in assessments:
        title = f"Security assessment {a.reference}: {a.title}"
        if a.status != AssessmentStatus.COMPLETED:
            entries.append(PackEntry(title, note=f"{a.get_status_display()}: in progress, not "
                                                 "evidence yet", restricted=True))
            continue
        context = assessment_pack_context(a, user)
        file = pack.render_pdf(f"risk/{a.reference}-security-assessment.pdf",
                               "risk/pack_assessment.html", context, restricted=True)
        entries.append(PackEntry(title, path=file, restricted=True,
                                 note=f"completed {a.completed_on:%Y-%m-%d}; "
                                      f"{len(context['ratings'])} ratings"))
    return entries
