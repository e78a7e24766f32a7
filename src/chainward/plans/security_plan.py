"""Security plans (ISO 28001 5.4, ISO 28000 8.6): generate from a completed assessment, approve,
show each reader the part they may see, render to PDF.

The generated part of a version is a snapshot of the assessment taken when the version is made
(scope, team, threat scenarios, ratings, countermeasures with owners and dates), so an approved
plan keeps saying what was approved even when countermeasures move on afterwards. Every rating
and countermeasure in the snapshot keeps the ids of the sites it concerns: a reader whose grant
is limited to some sites sees only the ratings reaching those sites (ISO 28001 5.8,
need-to-know), in the page and in the PDF alike.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from chainward.core import services as records
from chainward.core import versioning
from chainward.core.scope import allows, scope_map
from chainward.core.versioning import OPEN
from chainward.ledger.context import acting_as
from chainward.risk.choices import AssessmentStatus
from chainward.risk.models import Rating

from .choices import PlanStatus
from .models import SecurityPlan, SecurityPlanVersion

# Why a new version must wait for the open one.
OPEN_STATE = {
    PlanStatus.DRAFT: "is still a draft; edit it and submit it for review first",
    PlanStatus.IN_REVIEW: "is still in review; approve it or return it to its author first",
    PlanStatus.RETURNED: "was returned to its author; revise it and submit it again first",
}

# Ratings above this number render as a background job with progress; below, in the request.
JOB_THRESHOLD = 150

# What a first version says before people write their own arrangements. Each names what the
# clause expects, so an approver can see what is still generic.
DEFAULT_TEXT = {
    "response_structure": (
        "Security incident response team: the security manager leads; each site's security "
        "officer is the first responder at the site and may stop loading, hold cargo and call "
        "the police. Out of hours the duty manager is called first, then the security manager. "
        "Escalation to top management for any incident with injury, loss above the insured "
        "threshold or involvement of the authorities."),
    "warning_and_communication": (
        "Incidents are reported at once to the site security officer and logged. The security "
        "manager informs the customs authority (AEO contact point), the police and the partners "
        "concerned (carrier, consignee) within 24 hours, and the insurer when cargo is lost. "
        "Only top management speaks to the media. Changes in the threat level received from "
        "authorities are passed to every site the same day."),
    "recovery": (
        "After an incident: secure the scene and evidence, account for the cargo, restore the "
        "damaged security measure or replace it by a temporary one, resume operations only when "
        "the site security officer agrees, stand down temporary measures once the permanent one "
        "is verified, and hold a post-incident review that feeds corrective action."),
    "monitoring_and_review": (
        "The plan is exercised once a year per site and reviewed after each exercise. It is "
        "re-assessed at least annually and whenever a site, leg or business partner is added, "
        "after a security incident, or when the authorities change the threat level."),
    "information_protection": (
        "This plan is restricted security information (ISO 28001 5.8): it is shared on a "
        "need-to-know basis with the people named in it, each copy is watermarked with the "
        "reader's name, and it is never sent by unencrypted e-mail or left unattended."),
}


class PlanRefused(ValidationError):
    """A plan action that the state of the records does not allow, with the reason."""


def _sites_of_rating(rating):
    if rating.site_id:
        return [rating.site_id]
    if rating.leg_id:
        return [rating.leg.from_site_id, rating.leg.to_site_id]
    return []  # a partner-only rating concerns the organisation as a whole


def _person(user):
    if user is None:
        return ""
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return f"{full} <{user.email}>" if full else user.email


def build_content(assessment):
    """The generated part of a plan version: a JSON snapshot of the completed assessment."""
    matrix = assessment.matrix
    ratings = list(
        Rating.objects.filter(assessment=assessment, archived=False)
        .select_related("threat__scenario", "site", "leg__from_site", "leg__to_site", "partner",
                        "owner")
        .prefetch_related("countermeasures",
                          Prefetch("acceptances", to_attr="all_acceptances"))
        .order_by("-residual_rank", "-inherent_rank", "reference"))
    countermeasures = {}
    rows = []
    for rating in ratings:
        acceptance = next((a for a in rating.all_acceptances if a.is_valid), None)
        cm_refs = []
        for cm in rating.countermeasures.all():
            cm_refs.append(cm.reference)
            entry = countermeasures.setdefault(cm.pk, {
                "reference": cm.reference, "title": cm.title,
                "type": cm.get_measure_type_display(), "status": cm.get_status_display(),
                "owner_id": cm.owner_id, "due_date": cm.due_date.isoformat() if cm.due_date
                else "", "treats": [], "site_ids": []})
            entry["treats"].append(rating.reference)
            entry["site_ids"] = sorted(set(entry["site_ids"]) | set(_sites_of_rating(rating)))
        inherent, residual = (matrix.level_info(rating.inherent_level),
                              matrix.level_info(rating.residual_level))
        rows.append({
            "reference": rating.reference,
            "scenario": rating.threat.scenario_label,
            "target": rating.target_label,
            "site_ids": _sites_of_rating(rating),
            "likelihood": rating.likelihood, "consequence": rating.consequence,
            "inherent": {"ref_id": rating.inherent_level, "name": inherent["name"],
                         "colour": inherent.get("colour", "")},
            "residual": {"ref_id": rating.residual_level, "name": residual["name"],
                         "colour": residual.get("colour", "")},
            "above_appetite": rating.above_appetite,
            "decision": rating.get_decision_display(),
            "owner": _person(rating.owner),
            "countermeasures": cm_refs,
            "acceptance": {"by": _person(acceptance.accepted_by),
                           "until": acceptance.valid_until.isoformat()} if acceptance else None,
        })
    owners = {u.pk: _person(u) for u in type(assessment.assessor).objects.filter(
        pk__in={c["owner_id"] for c in countermeasures.values()})}
    cm_rows = sorted(countermeasures.values(), key=lambda c: (c["due_date"] or "9999",
                                                              c["reference"]))
    for entry in cm_rows:
        entry["owner"] = owners.get(entry.pop("owner_id"), "")
    legs = assessment.legs.select_related("from_site", "to_site")
    return {
        "assessment": {"reference": assessment.reference, "title": assessment.title,
                       "completed_on": assessment.completed_on.isoformat()
                       if assessment.completed_on else "",
                       "assessor": _person(assessment.assessor),
                       "method": assessment.method},
        "scope": {
            "statement": str(assessment.statement) if assessment.statement_id else "",
            "processes": assessment.processes,
            "sites": [{"id": s.pk, "name": s.name, "code": s.code,
                       "country": str(s.country.name if s.country else "")}
                      for s in assessment.sites.order_by("name")],
            "legs": [{"reference": leg.reference, "label": f"{leg.from_site} → {leg.to_site}",
                      "mode": leg.get_mode_display(),
                      "site_ids": [leg.from_site_id, leg.to_site_id]} for leg in legs],
            "partners": [{"name": p.name, "kind": p.get_kind_display()}
                         for p in assessment.partners.order_by("name")],
        },
        # A member is a staff record (ISO 28001 5.3); one without an account goes by name.
        "team": [{"person": _person(m.user) or (m.person.full_name if m.person_id else ""),
                  "role": m.role_in_team,
                  "undertaking": m.undertaking_signed_on.isoformat()
                  if m.undertaking_signed_on else ""}
                 for m in assessment.members.select_related("user", "person")
                 .filter(archived=False)],
        "scenarios": [{"scenario": t.scenario_label, "categories": t.categories,
                       "applicable": t.applicable, "justification": t.justification}
                      for t in assessment.applicability.select_related("scenario")
                      .filter(archived=False)],
        "matrix": {"name": matrix.name,
                   "acceptance": matrix.level_info(matrix.acceptance_level)["name"],
                   "levels": [{"name": lv["name"], "colour": lv.get("colour", "")}
                              for lv in matrix.risk_levels]},
        "ratings": rows,
        "countermeasures": cm_rows,
    }


def generate_version(user, assessment, *, change_summary=""):
    """A new draft version of the assessment's plan (the plan is created on first use).

    The narrative sections are carried over from the latest version, or start from
    `DEFAULT_TEXT`.
    """
    if assessment.status != AssessmentStatus.COMPLETED:
        raise PlanRefused("A security plan is generated from a completed assessment; complete "
                          f"{assessment.reference} first.")
    if not allows(user, "add", SecurityPlan(organisation_id=assessment.organisation_id)):
        raise PermissionDenied("You may not write security plans for this organisation.")
    with acting_as(user), transaction.atomic():
        plan = SecurityPlan.objects.filter(assessment=assessment, archived=False).first()
        if plan is None:
            plan = SecurityPlan(organisation_id=assessment.organisation_id, owner=user,
                                assessment=assessment, classification=assessment.classification,
                                title=f"Security plan — {assessment.title}")
            records.save_record(user, plan, relations={"sites": assessment.sites.all()})
        previous = plan.versions.order_by("-number").first()
        if previous is not None and previous.status in OPEN:
            raise PlanRefused(f"{previous} {OPEN_STATE[previous.status]}; one version of a plan "
                              "is reviewed at a time.")
        texts = {name: getattr(previous, name) if previous else text
                 for name, text in DEFAULT_TEXT.items()}
        version = SecurityPlanVersion(organisation_id=plan.organisation_id, plan=plan,
                                      author=user, content=build_content(assessment),
                                      generated_at=timezone.now(),
                                      change_summary=change_summary, **texts)
        records.save_record(user, version)
    return version


# Review and approval is the one workflow of core.versioning, shared with controlled
# documents: submit, approve (the previous approved version is superseded), return to the
# author with a comment.
submit_version = versioning.submit_version
approve_version = versioning.approve_version
return_version = versioning.return_version


def visible_sites(user, version):
    """None when the reader sees the whole plan, else the ids of the sites they may see."""
    grants = scope_map(user).get("plans.securityplanversion:view", {})
    return grants.get(version.organisation_id)


def content_for(user, version):
    """The generated content as this reader may see it, with `partial` saying if it is cut."""
    content = dict(version.content)
    sites = visible_sites(user, version)
    content["partial"] = sites is not None
    if sites is None:
        return content
    content["ratings"] = [r for r in content.get("ratings", [])
                          if set(r["site_ids"]) & sites]
    shown = {r["reference"] for r in content["ratings"]}
    content["countermeasures"] = [c for c in content.get("countermeasures", [])
                                  if set(c["treats"]) & shown]
    scope = dict(content.get("scope", {}))
    scope["sites"] = [s for s in scope.get("sites", []) if s["id"] in sites]
    scope["legs"] = [leg for leg in scope.get("legs", []) if set(leg["site_ids"]) & sites]
    scope["partners"] = []
    content["scope"] = scope
    return content


def pdf_context(user, version, *, for_everyone=False):
    """Template context of the plan page and its PDF."""
    plan = version.plan
    content = dict(version.content, partial=False) if for_everyone else \
        content_for(user, version)
    from chainward.incidents.services import plan_contacts

    return {"plan": plan, "version": version, "content": content,
            "contacts": plan_contacts(plan, content),
            "classification": plan.get_classification_display(),
            "generated": timezone.now()}
