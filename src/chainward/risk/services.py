"""Workflows of the security assessment: default matrix, start, completion, re-assessment,
risk acceptance and suggested countermeasures. Every write goes through `save_record` (ledger)."""

import copy

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chainward.core.scope import allows
from chainward.core.services import bulk_update_records, save_record, update_records
from chainward.ledger.events import record_event
from chainward.library.models import CatalogEntry

from . import levels
from .choices import AssessmentStatus, Decision
from .models import (
    RENEWAL_WINDOW,
    AssessmentMember,
    Countermeasure,
    NotCredible,
    Rating,
    RiskAcceptance,
    RiskMatrix,
    SecurityAssessment,
    ThreatApplicability,
)
from .scope import processes_in_scope, scope_errors, scope_targets  # noqa: F401 (re-exported)
from .targets import TARGET_KINDS, scenario_kinds, target_label

DEFAULT_NAME = "Default 5x5 security risk matrix"


class CompletionRefused(ValidationError):
    """The assessment cannot be completed yet; `problems` lists what is missing, by rating."""

    def __init__(self, problems):
        super().__init__(problems)
        self.problems = problems


# --- matrix ----------------------------------------------------------------------------------
def matrix_from_catalogue(entry):
    """The model field values of a `risk_matrix` catalogue entry."""
    data = entry.data
    scale = ("value", "name", "description", "colour")
    levels = [{"ref_id": lv["ref_id"], "name": lv["name"], "colour": lv["colour"],
               "acceptable": lv.get("acceptable", False),
               "description": lv.get("action", ""),
               "acceptance_authority": lv.get("acceptance_authority", "")}
              for lv in data["risk_levels"]]
    acceptable = [lv["ref_id"] for lv in levels if lv["acceptable"]]
    return {
        "likelihood_levels": [{k: lv[k] for k in scale if k in lv}
                              for lv in data["likelihood"]["levels"]],
        "consequence_levels": [{k: lv[k] for k in scale if k in lv}
                               for lv in data["consequence"]["levels"]],
        "consequence_categories": [
            {"ref_id": c["ref_id"], "name": c["name"], "description": c.get("description", ""),
             "levels": c.get("levels", [])} for c in data["consequence"]["categories"]],
        "risk_levels": levels,
        "grid": copy.deepcopy(data["grid"]),
        "acceptance_level": acceptable[-1] if acceptable else levels[0]["ref_id"],
    }


def default_catalogue_entry():
    """The library's default risk matrix entry, or None when no catalogue has one."""
    return CatalogEntry.objects.filter(kind="risk_matrix", retired=False).order_by(
        "order").first()


def default_matrix(organisation, user=None):
    """The organisation's copy of the catalogue's default matrix (created once, then reused)."""
    existing = RiskMatrix.objects.filter(organisation=organisation, name=DEFAULT_NAME).first()
    if existing is not None:
        return existing
    entry = default_catalogue_entry()
    if entry is None:
        raise ValidationError("No risk matrix in the library: run `chainward catalogs load`.")
    matrix = RiskMatrix(organisation=organisation, name=DEFAULT_NAME, source_urn=entry.urn,
                        **matrix_from_catalogue(entry))
    matrix.full_clean()
    if user is None:
        # Set-up of a new organisation (`supplychain.services.create_organisation`): written
        # under the caller's ledger actor, before anyone holds a role there.
        matrix.save()
        return matrix
    return save_record(user, matrix)


RATING_LEVEL_FIELDS = ("consequence", "inherent_level", "inherent_rank", "residual_level",
                       "residual_rank", "above_appetite")


def recompute_levels(user, matrix):
    """Recompute the stored levels of every rating made with `matrix` (after it changed).

    Run by the matrix register's `after_save` on every save of a matrix (UI, API). Each rating
    whose levels change gets its own ledger entry (before/after, by `user`, naming the
    matrix); returns the number of ratings changed.
    """
    ratings = list(Rating.objects.filter(assessment__matrix=matrix).order_by("pk"))
    for rating in ratings:
        rating.compute_levels(matrix)
    return bulk_update_records(
        user, ratings, RATING_LEVEL_FIELDS,
        reason=f"risk matrix {matrix.reference} changed: stored levels recomputed")


# --- rules of the assessment's records (run by the registers' after_save: every path) --------
def _pair_filter(record):
    """Records of `record`'s assessment about the same scenario and target."""
    kind, target_id = record.target_key
    return {"assessment_id": record.assessment_id, "threat_id": record.threat_id,
            f"{kind}_id": target_id, "archived": False}


def check_rating(rating):
    """Refuse (ValidationError) a rating without exactly one target of its organisation, one
    relying on a measure of another assessment or organisation, one of a target outside its
    assessment's scope (`scope.check_in_scope`), or one rating a pair already marked not
    credible."""
    errors = rating.target_errors()
    foreign = [m for m in rating.existing_measures.select_related("assessment")
               if m.organisation_id != rating.organisation_id
               or m.assessment_id != rating.assessment_id]
    if foreign:
        errors["existing_measures"] = [
            f"{m.reference} belongs to assessment {m.assessment.reference}: a rating relies "
            f"only on measures of its own assessment ({rating.assessment.reference})."
            if m.organisation_id == rating.organisation_id else
            f"{m.reference} is not a measure of this organisation." for m in foreign]
    if not errors:
        errors = scope_errors(rating)
    if not errors and not rating.archived:
        marked = NotCredible.objects.filter(**_pair_filter(rating)).first()
        if marked is not None:
            errors[rating.target_kind] = (
                f"This scenario is marked not credible ({marked.reference}) at "
                f"{rating.target_label}; archive that judgement to rate the pair instead.")
    if errors:
        raise ValidationError(errors)


def check_not_credible(record):
    """Every rule of a "not credible here" judgement: a reason, one target of the
    organisation, an applicable scenario of the assessment, and a pair not already rated or
    judged. Model rules run here too, since services and the demo save without a form."""
    record.full_clean(exclude=["version"])
    if record.archived:
        return
    pair = _pair_filter(record)
    rated = Rating.objects.filter(**pair).order_by("reference").first()
    if rated is not None:
        raise ValidationError({record.target_kind: (
            f"This scenario is already rated ({rated.reference}) at {record.target_label}; "
            "a rated pair is not also marked not credible.")})
    twin = NotCredible.objects.filter(**pair).exclude(pk=record.pk).first()
    if twin is not None:
        raise ValidationError({record.target_kind: (
            f"This pair is already marked not credible ({twin.reference}).")})


def check_measure_links(measure):
    """A measure stays in the assessment of the ratings that rely on it."""
    relying = list(measure.ratings.exclude(assessment_id=measure.assessment_id)
                   .order_by("reference").values_list("reference", flat=True))
    if relying:
        raise ValidationError({"assessment": (
            f"{', '.join(relying)} of another assessment rely on this measure; unlink it from "
            "them before moving it.")})


def target_site_ids(record):
    """The sites a rating's (or measure's) target touches: its site, a leg's two ends, the
    sites a process runs at; none for a partner."""
    if record.site_id:
        return [record.site_id]
    if record.leg_id:
        return [record.leg.from_site_id, record.leg.to_site_id]
    if record.process_id:
        return list(record.process.sites.values_list("pk", flat=True))
    return []


# --- workflow --------------------------------------------------------------------------------
def _require_change(user, assessment):
    if not allows(user, "change", assessment) and not SecurityAssessment.objects.restrict(
            user, "change").filter(pk=assessment.pk).exists():
        raise PermissionDenied("You may not change this assessment.")


def start_assessment(user, assessment):
    """Draft → in progress."""
    _require_change(user, assessment)
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValidationError("Only a draft assessment can be started.")
    assessment.status = AssessmentStatus.IN_PROGRESS
    return save_record(user, assessment, expected_version=assessment.version)


def incomplete_ratings(assessment):
    """The assessment's ratings that stop completion (a query: cheap at any size)."""
    appetite = assessment.matrix.acceptance_rank
    valid = RiskAcceptance.objects.filter(archived=False,
                                          valid_until__gte=timezone.localdate())
    problem = (Q(inherent_level="") | Q(decision="") | Q(owner__isnull=True)
               | Q(decision=Decision.TREAT, residual_likelihood__isnull=True)
               | Q(decision=Decision.TREAT, residual_consequence__isnull=True)
               | Q(decision=Decision.ACCEPTABLE, residual_rank__gt=appetite)
               | (Q(decision=Decision.ACCEPT, above_appetite=True)
                  & ~Q(pk__in=valid.values("rating_id"))))
    return (assessment.ratings.filter(archived=False).filter(problem)
            .select_related("threat__scenario", "site", "leg", "partner", "process")
            .order_by("reference"))


def completion_problems(assessment, limit=None):
    """What stops completion, as readable lines (empty: the assessment can be completed).

    `limit` caps the number of ratings named (the rest are counted in one more line)."""
    problems = []
    considered = set()
    for row in assessment.applicability.filter(archived=False).select_related("scenario"):
        considered.update(row.categories)
    required = CatalogEntry.objects.filter(kind="threat_category", retired=False).order_by(
        "order")
    missing = [f"{c.ref_id} {c.name}" for c in required if c.ref_id not in considered]
    if missing:
        problems.append("These ISO 28001 threat categories are not considered by any scenario: "
                        + "; ".join(missing) + ".")
    today = timezone.localdate()
    appetite = assessment.matrix.acceptance_rank
    incomplete = incomplete_ratings(assessment).prefetch_related("acceptances")
    total = incomplete.count() if limit else None
    for rating in incomplete[:limit] if limit else incomplete:
        lacks = []
        if not rating.inherent_level:
            lacks.append("an inherent rating (likelihood and consequence)")
        if not rating.decision:
            lacks.append("a decision")
        if not rating.owner_id:
            lacks.append("an owner")
        if rating.decision == Decision.TREAT and not (rating.residual_likelihood
                                                      and rating.residual_consequence):
            lacks.append("a residual rating")
        if rating.decision == Decision.ACCEPTABLE and rating.residual_rank > appetite:
            lacks.append("a decision other than acceptable (its level is above the appetite)")
        if rating.above_appetite and rating.decision == Decision.ACCEPT and not any(
                a.valid_until >= today and not a.archived for a in rating.acceptances.all()):
            lacks.append("a valid risk acceptance")
        problems.append(f"{rating.label} lacks {', '.join(lacks)}.")
    if limit and total > limit:
        problems.append(f"… and {total - limit} more ratings (see the risk register).")
    pairs = uncovered_pairs(assessment)
    for applicability, kind, target in pairs[:limit] if limit else pairs:
        problems.append(f"{applicability.scenario_label} @ {target_label(kind, target)}: "
                        f"{UNCOVERED}")
    if limit and len(pairs) > limit:
        problems.append(f"… and {len(pairs) - limit} more scenario × target pairs neither "
                        "rated nor marked not credible.")
    if not assessment.ratings.filter(archived=False).exists():
        problems.append("The assessment has no ratings.")
    return problems


# --- completeness (ISO 28001 5.3) -----------------------------------------------------------
# An assessment is complete only when every applicable scenario has been rated against every
# in-scope target it can affect, or that pair is marked not credible with a reason. The scope
# (`scope.scope_targets`): its sites, legs and partners as listed on it, partners back in scope
# because their exemption lapsed, and the processes running at one of its sites or serving the
# whole organisation. Which kinds a scenario can affect: `targets.scenario_kinds`.
UNCOVERED = "neither rated nor marked not credible."


def covered_pairs(assessment):
    """`{(applicability id, kind, target id)}` rated or marked not credible (unarchived)."""
    covered = set()
    for model in (Rating, NotCredible):
        rows = model.objects.filter(assessment=assessment, archived=False).values_list(
            "threat_id", *(f"{kind}_id" for kind in TARGET_KINDS))
        for threat_id, *ids in rows:
            covered.update((threat_id, kind, target_id)
                           for kind, target_id in zip(TARGET_KINDS, ids, strict=True)
                           if target_id)
    return covered


def uncovered_pairs(assessment):
    """`[(applicability, kind, target)]`: applicable scenario × in-scope target pairs that are
    neither rated nor marked not credible, by scenario then target (a fixed number of
    queries, whatever the size)."""
    targets = scope_targets(assessment)
    covered = covered_pairs(assessment)
    pairs = []
    for applicability in assessment.applicability.filter(
            archived=False, applicable=True).select_related("scenario"):
        for kind in scenario_kinds(applicability):
            pairs.extend((applicability, kind, target) for target in targets[kind]
                         if (applicability.pk, kind, target.pk) not in covered)
    return pairs


def complete_assessment(user, assessment):
    """Complete the assessment, or raise `CompletionRefused` naming what is missing.

    On completion the matrix is frozen and the baseline assessment (if any) is archived as
    superseded, so that maps and dashboards read the current assessment only.
    """
    _require_change(user, assessment)
    if assessment.status not in {AssessmentStatus.DRAFT, AssessmentStatus.IN_PROGRESS}:
        raise ValidationError("This assessment is already completed.")
    problems = completion_problems(assessment)
    if problems:
        raise CompletionRefused(problems)
    with transaction.atomic():
        assessment.status = AssessmentStatus.COMPLETED
        assessment.completed_on = timezone.localdate()
        save_record(user, assessment, expected_version=assessment.version)
        matrix = assessment.matrix
        if not matrix.frozen:
            # Freezing is not an edit of the matrix's content: no new version, but ledgered
            # (the row's before/after) and recorded as its own event.
            update_records(user, RiskMatrix.objects.filter(pk=matrix.pk),
                           reason=f"used by completed assessment {assessment.reference}",
                           touch=False, frozen=True)
            matrix.frozen = True
            record_event("freeze", obj=matrix, details={"by": assessment.reference})
        baseline = assessment.baseline
        if baseline is not None and baseline.status == AssessmentStatus.COMPLETED:
            baseline.status = AssessmentStatus.ARCHIVED
            save_record(user, baseline)
    return assessment


def _as_new_child(record, assessment):
    """Turn a saved record of an assessment into an unsaved copy for `assessment`."""
    record.pk = record.id = None
    record._state.adding = True
    record.reference = ""
    record.version = 1
    record.assessment = assessment


def start_from_baseline(user, previous, *, title=None):
    """A new draft assessment with the scope, team, applicability and ratings of `previous`;
    carried-over ratings are flagged "to review". One transaction, every row ledgered."""
    if previous.status not in {AssessmentStatus.COMPLETED, AssessmentStatus.ARCHIVED}:
        raise ValidationError("Start a re-assessment from a completed assessment.")
    title = title or f"{previous.title} — re-assessment {timezone.localdate():%Y-%m-%d}"
    with transaction.atomic():
        new = SecurityAssessment(
            organisation=previous.organisation, title=title, statement=previous.statement,
            processes=previous.processes, matrix=previous.matrix, assessor=user,
            baseline=previous, classification=previous.classification, method=previous.method)
        # The scope is set inside save_record, before its scope re-check.
        save_record(user, new, relations={"sites": previous.sites.all(),
                                          "legs": previous.legs.all(),
                                          "partners": previous.partners.all()})
        for member in previous.members.filter(archived=False):
            save_record(user, AssessmentMember(
                organisation=new.organisation, assessment=new, person=member.person,
                user=member.user,
                role_in_team=member.role_in_team, qualifications=member.qualifications,
                undertaking_signed_on=member.undertaking_signed_on))
        threats = {}
        for row in previous.applicability.filter(archived=False):
            threats[row.pk] = save_record(user, ThreatApplicability(
                organisation=new.organisation, assessment=new, scenario_id=row.scenario_id,
                custom_scenario=row.custom_scenario, custom_categories=row.custom_categories,
                applicable=row.applicable, justification=row.justification))
        measures = {}
        for measure in previous.existing_measures.filter(archived=False):
            old = measure.pk
            _as_new_child(measure, new)
            measures[old] = save_record(user, measure)
        # A pair whose target has left the scope (a partner whose exemption was renewed) is
        # not carried over: the new assessment neither rates nor judges it.
        for mark in previous.not_credible.filter(archived=False):
            _as_new_child(mark, new)
            mark.threat = threats[mark.threat_id]
            if not scope_errors(mark):
                save_record(user, mark)
        for rating in previous.ratings.filter(archived=False).prefetch_related(
                "countermeasures", "existing_measures"):
            # The copy relies on the new assessment's copies of the measures.
            relations = {"countermeasures": list(rating.countermeasures.all()),
                         "existing_measures": [measures[m.pk] for m in
                                               rating.existing_measures.all()
                                               if m.pk in measures]}
            rating._prefetched_objects_cache = {}
            _as_new_child(rating, new)
            rating.threat = threats[rating.threat_id]
            rating.reviewed = False
            if not scope_errors(rating):
                save_record(user, rating, relations=relations)
        record_event("reassessment", obj=new, details={"baseline": previous.reference})
    return new


# --- acceptance ------------------------------------------------------------------------------
# One write path for risk acceptances: `save_acceptance` (new or amended), reached through
# `accept_risk` and `change_acceptance` (API, demo, services) and, for the UI form, through
# `prepare_acceptance` in the form's `before_save`. Decisions (an auditor's view: an acceptance
# is a signed decision of a named person on a date):
# * independence: the assessor of the rating's assessment never accepts its risk;
# * authority: the matrix names who may accept each level (`levels.AUTHORITIES`). Levels of
#   the security manager (or risk owner) need the `accept` action on the rating; levels of top
#   management need the Top management role over the rating as well. An Administrator runs the
#   system and is not top management: they accept top-management levels only if they also
#   hold the Top management role;
# * evidence: the rating, who accepted and when are set once, when the acceptance is made,
#   and never change on any path. Afterwards the acceptor alone may amend their own words
#   (justification, conditions), still independent and with the authority; anyone holding
#   `change` may bring the expiry forward (earlier review, or end it today); nobody extends
#   it — a longer acceptance is a renewal, a new acceptance (RENEWAL_WINDOW). An expired or
#   archived acceptance is a closed record. The ledger keeps every amendment and its author.
AMENDABLE = ("justification", "conditions")
CHANGEABLE = ("rating", *AMENDABLE, "valid_until")


def holds_top_management(user, rating):
    """Whether `user` holds a current Top management assignment covering `rating`'s target."""
    from chainward.access.models import RoleAssignment
    from chainward.core.roles import TOP_MANAGEMENT

    assignments = RoleAssignment.objects.filter(
        user=user, organisation_id=rating.organisation_id, role__name=TOP_MANAGEMENT,
        role__builtin=True, archived=False, organisation__archived=False).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate()))
    sites = set(target_site_ids(rating))
    return assignments.filter(Q(all_sites=True) | Q(sites__in=sites)).exists()


def check_acceptor(user, rating):
    """Refuse with PermissionDenied unless `user` may accept `rating`'s residual risk:
    the accept action, independence from the assessment and the level's authority."""
    if not allows(user, "accept", rating) and not Rating.objects.restrict(
            user, "accept").filter(pk=rating.pk).exists():
        raise PermissionDenied("You may not accept risks here: it needs the accept permission "
                               "on this rating (Security manager or Top management).")
    if rating.assessment.assessor_id == user.pk:
        raise PermissionDenied(f"You are the assessor of {rating.assessment.reference}: the "
                               "assessor cannot accept their own assessment's risk.")
    matrix = rating.assessment.matrix
    authority = levels.acceptance_authority(matrix, rating.residual_level)
    if authority == "top_management" and not holds_top_management(user, rating):
        raise PermissionDenied(
            f"A {rating.residual_name} residual risk is accepted by "
            f"{levels.authority_name(authority)} (risk matrix \"{matrix}\"): it needs a person "
            "holding the Top management role over this rating, who is not its assessor.")


def check_acceptance(user, acceptance):
    """Every rule of recording (new) or amending (saved) `acceptance` by `user`; raises
    PermissionDenied (who) or ValidationError (what, by field). Writes nothing."""
    if acceptance.pk is None:
        check_acceptor(user, acceptance.rating)
        return
    saved = RiskAcceptance._base_manager.select_related("accepted_by", "rating").get(
        pk=acceptance.pk)
    today = timezone.localdate()
    if saved.archived or saved.valid_until < today:
        raise ValidationError(
            f"{saved.reference} has {'been withdrawn' if saved.archived else 'expired'}: it is "
            "the record of a past decision and cannot be changed. Record a new acceptance.")
    errors = {}
    if acceptance.rating_id != saved.rating_id:
        errors["rating"] = ("The rating of a recorded acceptance cannot change; record a new "
                            "acceptance for the other rating.")
    if acceptance.accepted_by_id != saved.accepted_by_id:
        errors["accepted_by"] = "Who accepted a risk is set when it is accepted, never edited."
    if acceptance.accepted_on != saved.accepted_on:
        errors["accepted_on"] = "When a risk was accepted is set then, never edited."
    if acceptance.valid_until and acceptance.valid_until > saved.valid_until:
        errors["valid_until"] = (
            f"An acceptance is never extended (it expires on {saved.valid_until:%Y-%m-%d}): "
            "renew it by recording a new acceptance, possible from "
            f"{saved.valid_until - RENEWAL_WINDOW:%Y-%m-%d}.")
    elif acceptance.valid_until and acceptance.valid_until < today:
        errors["valid_until"] = "The expiry cannot be in the past; give today to end it today."
    if errors:
        raise ValidationError(errors)
    if any(getattr(acceptance, f) != getattr(saved, f) for f in AMENDABLE):
        if user.pk != saved.accepted_by_id:
            raise PermissionDenied(
                f"Only {saved.accepted_by or 'the person who accepted it'} may amend the "
                f"justification or conditions of {saved.reference}: they are the acceptor's "
                "own words. Bring the expiry forward or record a new acceptance instead.")
        check_acceptor(user, saved.rating)


def prepare_acceptance(user, acceptance):
    """Check `acceptance` (see `check_acceptance`) and, on a new one, stamp who accepted it and
    when. Called inside the saving transaction by `save_acceptance` and the UI form."""
    check_acceptance(user, acceptance)
    if acceptance.pk is None:
        acceptance.accepted_by = user
        acceptance.accepted_on = timezone.localdate()


def save_acceptance(user, acceptance, *, expected_version=None):
    """Record or amend `acceptance` as `user`: atomic, every rule checked, ledgered."""
    with transaction.atomic():
        prepare_acceptance(user, acceptance)
        acceptance.full_clean()
        return save_record(user, acceptance, expected_version=expected_version)


def accept_risk(user, rating, *, justification, valid_until, conditions=""):
    """Record a formal acceptance of `rating`'s residual risk by `user`."""
    if rating is None:
        raise ValidationError({"rating": "Choose the rating whose risk you accept."})
    acceptance = RiskAcceptance(organisation=rating.organisation, rating=rating,
                                justification=justification, valid_until=valid_until,
                                conditions=conditions)
    return save_acceptance(user, acceptance)


def change_acceptance(user, acceptance, *, expected_version=None, **changes):
    """Amend a recorded acceptance (see the rules above); `changes` among CHANGEABLE."""
    unknown = sorted(set(changes) - set(CHANGEABLE))
    if unknown:
        raise ValidationError({name: "This cannot be changed on a risk acceptance."
                               for name in unknown})
    for name, value in changes.items():
        setattr(acceptance, name, value)
    return save_acceptance(user, acceptance, expected_version=expected_version)


# --- suggestions -----------------------------------------------------------------------------
def suggested_controls(rating):
    """Reference controls the rating's library scenario points to (threats.yaml)."""
    scenario = rating.threat.scenario
    if scenario is None:
        return []
    urns = scenario.data.get("reference_controls") or []
    controls = {c.urn: c for c in CatalogEntry.objects.filter(kind="reference_control",
                                                              urn__in=urns)}
    return [controls[u] for u in urns if u in controls]


CONTROL_TYPES = {"physical": "physical", "access": "access_control", "personnel": "personnel",
                 "procedural": "procedural", "information": "information", "it": "information",
                 "partner": "partner", "training": "training"}


def _measure_type(control):
    text = f"{control.data.get('type', '')} {control.data.get('category', '')} " \
           f"{control.name}".lower()
    for key, value in CONTROL_TYPES.items():
        if key in text:
            return value
    return "procedural"


def countermeasure_from_suggestion(user, rating, control):
    """Create a planned countermeasure from a reference control and link it to the rating."""
    if control.urn not in {c.urn for c in suggested_controls(rating)}:
        raise ValidationError("This control is not suggested for this rating's scenario.")
    with transaction.atomic():
        measure = Countermeasure(
            organisation=rating.organisation, title=control.name[:200],
            measure_type=_measure_type(control),
            description=str(control.data.get("description", "")), owner=rating.owner or user,
            source_control=control)
        relations = {"sites": target_site_ids(rating)}
        urns = control.data.get("related_requirements") or []
        if urns:
            from chainward.library.models import Requirement

            relations["requirements"] = Requirement.objects.filter(urn__in=urns)
        # Sites are set inside save_record, before its scope re-check.
        save_record(user, measure, relations=relations)
        rating.countermeasures.add(measure)
        record_event("link", obj=rating, details={"countermeasure": measure.reference})
    return measure
