"""The ABC Logistics security assessment demo (ISO 28001 5.3), loaded from `demo.yaml`.

One COMPLETED assessment of the Hamburg bonded warehouse, the two Polish sites, the legs and
non-exempt partners they depend on and the processes running there: the default matrix, a team
of three with confidentiality undertakings, existing measures per target, every threat scenario
considered (three not applicable, with a reason), every applicable scenario rated by hand
against every target it can affect or judged not credible there with the reason, treated risks
linked to countermeasures that fit the threat (one overdue), and three High residual risks
accepted by the managing director, who holds the Top management role the matrix names for that
level (the lead assessor is the administrator, not her).

Idempotent: when the assessment exists (found by title) nothing is written. Everything is saved
through `save_record` (so the register rules run), accepted through `services.accept_risk` and
completed through `services.complete_assessment`, so the completeness rule (every pair rated or
judged not credible), the acceptance rules and the matrix authority hold for the demo too.
"""

import datetime
from pathlib import Path

from django.utils import timezone

from chainward.access.models import User
from chainward.core import yamlfiles
from chainward.core.services import save_record
from chainward.library.models import CatalogEntry
from chainward.supplychain.models import Leg, Partner, Site, StatementOfApplication

from . import services
from .choices import Decision
from .models import (
    AssessmentMember,
    Countermeasure,
    ExistingMeasure,
    NotCredible,
    Process,
    Rating,
    SecurityAssessment,
    ThreatApplicability,
)

DATA = Path(__file__).with_name("demo.yaml")
DOMAIN = "abc-logistics.example"


def _person(local, fallback):
    if local == "admin":
        return fallback
    return User.objects.filter(email=f"{local}@{DOMAIN}").first() or fallback


def _control(ref_id):
    return CatalogEntry.objects.filter(kind="reference_control", ref_id=ref_id).first()


class Targets:
    """Resolves the data file's target names ("site DEHAM-WH1", "leg A>B", "partner …",
    "process …") to `(kind, record)` of the organisation; None when the record is missing."""

    def __init__(self, organisation):
        self.organisation = organisation
        self.cache = {}

    def __call__(self, name):
        if name not in self.cache:
            self.cache[name] = self._find(*name.split(" ", 1))
        return self.cache[name]

    def _find(self, kind, key):
        owned = {"organisation": self.organisation, "archived": False}
        if kind == "site":
            record = Site.objects.filter(code=key, **owned).first()
        elif kind == "leg":
            origin, destination = key.split(">")
            record = Leg.objects.filter(from_site__code=origin, to_site__code=destination,
                                        **owned).order_by("pk").first()
        elif kind == "partner":
            record = Partner.objects.filter(name=key, **owned).first()
        elif kind == "process":
            record = Process.objects.filter(name=key, **owned).first()
        else:
            raise ValueError(f"demo.yaml: unknown target kind in {kind} {key}")
        return (kind, record) if record is not None else None


def _processes(data, organisation, admin, manager):
    """The data file's processes, created once (found by name)."""
    for spec in data["processes"]:
        if Process.objects.filter(organisation=organisation, name=spec["name"]).exists():
            continue
        sites = Site.objects.filter(organisation=organisation, code__in=spec["sites"])
        save_record(admin, Process(organisation=organisation, name=spec["name"],
                                   kind=spec["kind"], owner=manager,
                                   description=spec["description"]),
                    relations={"sites": sites})


def _rating(assessment, threat, kind, target, row, owner, measures, countermeasures):
    """One hand-written rating, checked against the matrix before it is saved."""
    matrix = assessment.matrix
    rating = Rating(organisation=assessment.organisation, assessment=assessment, threat=threat,
                    likelihood=row["L"], consequences=row["C"], notes=row["note"],
                    decision=row.get("decision", Decision.ACCEPTABLE), owner=owner,
                    **{kind: target})
    if "residual" in row:
        rating.residual_likelihood, rating.residual_consequence = row["residual"]
    rating.compute_levels(matrix)
    if rating.decision == Decision.ACCEPTABLE and rating.above_appetite:
        raise ValueError(f"demo.yaml: {threat} @ {rating.target_label} is "
                         f"{rating.inherent_level}, above the appetite: give a decision.")
    return save_record(assessment.assessor, rating, relations={
        "existing_measures": [measures[key] for key in row.get("relies", ())],
        "countermeasures": [countermeasures[key] for key in row.get("treats", ())]})


def build_risk_demo(organisation, admin):
    """Create (or reuse) the demo's risk records; return {label: count} for the summary."""
    data = yamlfiles.safe_load(DATA.read_text(encoding="utf-8"))
    title = f"{data['title']} {timezone.localdate().year}"
    existing = SecurityAssessment.objects.filter(organisation=organisation, title=title).first()
    if existing is not None:
        return {"security assessments": 0, "risk ratings": 0, "countermeasures": 0,
                "risk acceptances": 0}
    if not CatalogEntry.objects.filter(kind="threat_scenario").exists():
        return {"security assessments": 0}
    today = timezone.localdate()
    manager = _person("m.weber", admin)
    director = _person("h.brandt", admin)  # Top management (supplychain.demo.PEOPLE)
    _processes(data, organisation, admin, manager)
    targets = Targets(organisation)
    scope = {kind: [found[1] for found in map(targets, [f"{kind[:-1]} {name}" for name in
                                                        data["scope"][kind]]) if found]
             for kind in ("sites", "legs", "partners")}

    matrix = services.default_matrix(organisation, admin)
    assessment = save_record(admin, SecurityAssessment(
        organisation=organisation, title=title, matrix=matrix, assessor=admin,
        statement=StatementOfApplication.objects.filter(
            organisation=organisation, archived=False).order_by("pk").first(),
        processes=data["processes_text"], method=data["method"]), relations=scope)
    from chainward.people.demo import staff_record

    for local, role, qualifications in data["team"]:
        # ISO 28001 5.3: the team are staff records, whose training shows their qualification.
        save_record(admin, AssessmentMember(
            organisation=organisation, assessment=assessment,
            person=staff_record(organisation, admin, local), user=_person(local, admin),
            role_in_team=role, qualifications=qualifications,
            undertaking_signed_on=today - datetime.timedelta(days=40)))
    threats = {}
    for scenario in CatalogEntry.objects.filter(kind="threat_scenario", retired=False):
        reason = " ".join(data["not_applicable"].get(scenario.ref_id, "").split())
        threats[scenario.ref_id] = save_record(admin, ThreatApplicability(
            organisation=organisation, assessment=assessment, scenario=scenario,
            applicable=not reason, justification=reason))

    measures = {}
    for key, (target_name, kind, control, text) in data["existing_measures"].items():
        found = targets(target_name)
        if found:
            measures[key] = save_record(admin, ExistingMeasure(
                organisation=organisation, assessment=assessment, measure_type=kind,
                description=text, reference_control=_control(control),
                **{found[0]: found[1]}))
    countermeasures = {}
    for key, (title_, kind, status, due, cost, control) in data["countermeasures"].items():
        countermeasures[key] = save_record(admin, Countermeasure(
            organisation=organisation, title=title_, measure_type=kind, status=status,
            owner=manager, due_date=today + datetime.timedelta(days=due), cost=cost,
            source_control=_control(control),
            effectiveness_review="Checked in the quarterly security review: no incident "
                                 "since implementation." if status == "verified" else "",
            reviewed_on=today - datetime.timedelta(days=20) if status == "verified" else None))

    owners = {name: _person(local, admin) for name, local in data["owners"].items()}
    ratings, accepted = [], []
    for ref_id, rows in data["ratings"].items():
        for target_name, row in rows.items():
            found = targets(target_name)
            if found is None or ref_id not in threats:
                continue
            rating = _rating(assessment, threats[ref_id], *found, row,
                             owners.get(target_name, owners["default"]), measures,
                             countermeasures)
            ratings.append(rating)
            if "acceptance" in row:
                accepted.append((rating, row["acceptance"]))
    judged = 0
    for ref_id, rows in data["not_credible"].items():
        for target_name, reason in rows.items():
            found = targets(target_name)
            if found is None or ref_id not in threats:
                continue
            save_record(admin, NotCredible(
                organisation=organisation, assessment=assessment, threat=threats[ref_id],
                reason=reason, **{found[0]: found[1]}))
            judged += 1
    for rating, acceptance in accepted:
        services.accept_risk(
            director, rating, justification=acceptance["justification"],
            conditions=acceptance["conditions"],
            valid_until=today + datetime.timedelta(days=acceptance["days"]))
    services.complete_assessment(admin, assessment)
    return {"security assessments": 1, "risk ratings": len(ratings),
            "pairs judged not credible": judged, "countermeasures": len(countermeasures),
            "risk acceptances": len(accepted)}
