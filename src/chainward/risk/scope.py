"""The scope of a security assessment (ISO 28001 5.3 with 4.4): which sites, legs, partners and
processes its applicable threat scenarios are rated against, and the one rule that a rating or a
"not credible here" judgement concerns a target of that scope.

Decisions:

* Sites, legs and partners are the ones listed on the assessment; processes are those running
  at one of its sites or serving the whole organisation (no sites). Archived targets have left
  the scope.
* A partner exempt under ISO 28001 4.4 is left off the list because a recognised programme
  validated it. When that exemption stops holding (`supplychain.services.exemption_in_force`:
  the programme status expired, was archived or is missing, or the exemption itself ended or
  was archived) the partner is back in the scope of every assessment made under the same
  statement of application whose part of the chain depends on it — it carries one of the
  assessment's legs or operates one of its sites. It must then be rated (completion names the
  missing pairs) and may be rated like a listed partner. A lapsed partner that none of the
  assessment's legs or sites depends on belongs to the assessment of that part of the chain.
* `check_in_scope` is the rule for ratings and judgements: the models' `clean` (forms, API,
  import preview) and the registers' `after_save` (every `save_record`: services, jobs, the
  demo) both call it, so no path records a rating of a target outside the scope.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q

from chainward.supplychain.models import Exemption, Partner
from chainward.supplychain.services import exemption_lapse_reason, in_force_q

from .targets import Process, target_label


def processes_in_scope(assessment):
    """The organisation's processes running at one of the assessment's sites, or everywhere."""
    sites = assessment.sites.filter(archived=False).values("pk")
    return (Process.objects.filter(organisation_id=assessment.organisation_id, archived=False)
            .filter(Q(sites__in=sites) | Q(sites__isnull=True)).distinct().order_by("name"))


def lapsed_exemptions(assessment, on=None):
    """Exemptions of the assessment's statement that no longer hold on `on` (today), of
    partners carrying one of the assessment's legs or operating one of its sites."""
    if not assessment.statement_id:
        return Exemption.objects.none()
    in_force = Exemption.objects.filter(in_force_q(on)).values("pk")
    depends = (Q(partner__carried_legs__in=assessment.legs.filter(archived=False).values("pk"))
               | Q(partner__operated_sites__in=assessment.sites.filter(
                   archived=False).values("pk")))
    return (Exemption._base_manager.filter(statement_id=assessment.statement_id,
                                           partner__archived=False)
            .exclude(pk__in=in_force).filter(depends).distinct()
            .select_related("partner", "programme_status").order_by("partner__name"))


def partners_in_scope(assessment, on=None):
    """The partners listed on the assessment and those back in its scope because their
    exemption lapsed (`lapsed_exemptions`)."""
    lapsed = lapsed_exemptions(assessment, on).values("partner_id")
    return (Partner.objects.filter(organisation_id=assessment.organisation_id, archived=False)
            .filter(Q(pk__in=assessment.partners.values("pk")) | Q(pk__in=lapsed))
            .order_by("name"))


def scope_targets(assessment):
    """`{kind: [targets]}`: every target in the assessment's scope, by kind."""
    return {
        "site": list(assessment.sites.filter(archived=False).order_by("code", "name")),
        "leg": list(assessment.legs.filter(archived=False).order_by("reference")),
        "partner": list(partners_in_scope(assessment)),
        "process": list(processes_in_scope(assessment)),
    }


def _in_scope(assessment, kind, target_id):
    if kind == "site":
        return assessment.sites.filter(pk=target_id, archived=False).exists()
    if kind == "leg":
        return assessment.legs.filter(pk=target_id, archived=False).exists()
    if kind == "partner":
        return partners_in_scope(assessment).filter(pk=target_id).exists()
    return processes_in_scope(assessment).filter(pk=target_id).exists()


def _how_to_bring_in(assessment, kind, target):
    if kind == "process":
        return ("a process is in scope when it runs at one of the assessment's sites or serves "
                "the whole organisation (no sites): add the site to the assessment or the "
                "process's sites")
    if kind == "partner":
        exemption = Exemption.objects.filter(in_force_q(), partner_id=target.pk,
                                             statement_id=assessment.statement_id).first()
        if exemption is not None:
            return (f"it is exempt ({exemption.reference}, ISO 28001 4.4) and comes back into "
                    "scope when the exemption lapses; list it on the assessment to assess it "
                    "anyway")
        return "list the partner on the assessment first"
    return f"add the {kind} to the assessment's {kind}s first"


def scope_errors(record):
    """`{field: message}` when `record` (a rating or a judgement) concerns a target outside
    its assessment's scope; {} when it is in scope, archived, or incomplete (other rules
    name a missing assessment or target)."""
    if record.archived or not record.assessment_id:
        return {}
    key = record.target_key
    if key is None or record.target_errors():
        return {}
    kind, target_id = key
    assessment = record.assessment
    if _in_scope(assessment, kind, target_id):
        return {}
    target = record.target
    why = " (it is archived)" if getattr(target, "archived", False) else ""
    return {kind: (f"{target_label(kind, target)} is not in the scope of assessment "
                   f"{assessment.reference}{why}: rate only the sites, legs, partners and "
                   f"processes of its scope; {_how_to_bring_in(assessment, kind, target)}.")}


def check_in_scope(record):
    """Refuse (ValidationError with a field error) a rating or a "not credible here" judgement
    of a target outside its assessment's scope."""
    errors = scope_errors(record)
    if errors:
        raise ValidationError(errors)


def lapse_note(exemption):
    """"<partner>: <why the exemption lapsed>" — how pages and the pack name a partner back in
    scope."""
    return f"{exemption.partner}: {exemption_lapse_reason(exemption)}"
