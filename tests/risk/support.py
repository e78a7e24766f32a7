"""Builders for risk tests: catalogue entries, a matrix, assessments and ratings at a placement."""

import datetime

from chainward.ledger.context import actor_context
from chainward.library import loader
from chainward.library.models import CatalogEntry
from chainward.risk import services
from chainward.risk.models import (
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
from chainward.supplychain.models import Leg

CATALOGUES = ("iso28000-2022.yaml", "ctpat-msc.yaml", "iso28001-2007.yaml", "threats.yaml",
              "risk-matrix-default.yaml")
CONSEQUENCES = {"life": 1, "economic": 4, "environment": 1, "reputation": 3, "disruption": 2,
                "legal": 2}


def load_catalogues():
    """The shipped catalogues the risk app reads (scenarios, categories, controls, matrix)."""
    with actor_context(None, name="risk tests"):
        for name in CATALOGUES:
            loader.load(loader.CATALOG_DIR / name)


def scenario(ref_id):
    return CatalogEntry.objects.get(kind="threat_scenario", ref_id=ref_id)


def assessment_at(world, placement, title=None, *, assessor=None):
    """A draft assessment of org A at S1 ("in"), S2 ("out") or of org B at S3 ("foreign")."""
    from tests.support.matrix import RegisterCase

    org, site = RegisterCase.where(world, placement)
    assessor = assessor or (world["foreign"] if placement == "foreign"
                            else world["users"]["security_manager__org"])
    with actor_context(None, name="risk tests"):
        matrix = services.default_matrix(org)
        assessment = SecurityAssessment.objects.create(
            organisation=org, title=title or f"Assessment {placement}", matrix=matrix,
            assessor=assessor)
        assessment.sites.set([site])
    return assessment


def threat(assessment, ref_id="TS-01", **kwargs):
    with actor_context(None, name="risk tests"):
        return ThreatApplicability.objects.create(
            organisation=assessment.organisation, assessment=assessment,
            scenario=scenario(ref_id), **kwargs)


def rating(assessment, applicability, *, site=None, leg=None, partner=None, likelihood=3,
           consequences=None, **kwargs):
    with actor_context(None, name="risk tests"):
        return Rating.objects.create(
            organisation=assessment.organisation, assessment=assessment, threat=applicability,
            site=site, leg=leg, partner=partner, likelihood=likelihood,
            consequences=CONSEQUENCES if consequences is None else consequences, **kwargs)


def rating_at(world, placement, notes=None):
    """A rating at the placement's site, in an assessment of that site."""
    from tests.support.matrix import RegisterCase

    _, site = RegisterCase.where(world, placement)
    assessment = assessment_at(world, placement, f"Rated {placement}")
    return rating(assessment, threat(assessment), site=site, notes=notes or f"Rating {placement}")


def member_at(world, placement):
    """A team member who is a staff record (people.Person) linked to the assessor's account."""
    from chainward.people.models import Person

    assessment = assessment_at(world, placement, f"Team {placement}")
    with actor_context(None, name="risk tests"):
        person = Person.objects.create(organisation=assessment.organisation,
                                       full_name=f"Member {placement}",
                                       user=assessment.assessor)
        return AssessmentMember.objects.create(
            organisation=assessment.organisation, assessment=assessment, person=person,
            role_in_team=f"Lead {placement}")


def measure_at(world, placement):
    from tests.support.matrix import RegisterCase

    _, site = RegisterCase.where(world, placement)
    assessment = assessment_at(world, placement, f"Measures {placement}")
    with actor_context(None, name="risk tests"):
        return ExistingMeasure.objects.create(
            organisation=assessment.organisation, assessment=assessment, site=site,
            measure_type="physical", description=f"Fence {placement}")


def applicability_at(world, placement):
    assessment = assessment_at(world, placement, f"Threats {placement}")
    return threat(assessment, justification=f"Considered {placement}")


def countermeasure_at(world, placement):
    from tests.support.matrix import RegisterCase

    org, site = RegisterCase.where(world, placement)
    owner = world["foreign"] if placement == "foreign" else \
        world["users"]["security_manager__org"]
    with actor_context(None, name="risk tests"):
        measure = Countermeasure.objects.create(
            organisation=org, title=f"CCTV {placement}", measure_type="physical", owner=owner)
        measure.sites.set([site])
    return measure


def acceptance_at(world, placement):
    # The assessor is not the one who accepts (managers and administrators may change it).
    from tests.support.matrix import RegisterCase

    _, site = RegisterCase.where(world, placement)
    assessor = _b_assessor(world) if placement == "foreign" else \
        world["users"]["contributor__org"]
    assessment = assessment_at(world, placement, f"Accepted {placement}", assessor=assessor)
    base = rating(assessment, threat(assessment), site=site, notes=f"Rating {placement}")
    base.likelihood = 5
    base.consequences = {"economic": 5}
    base.decision = "accept"
    with actor_context(None, name="risk tests"):
        base.save()
        return RiskAcceptance.objects.create(
            organisation=base.organisation, rating=base, accepted_by=base.assessment.assessor,
            justification=f"Accepted {placement}",
            valid_until=datetime.date.today() + datetime.timedelta(days=90))


def process(organisation, name, owner, *, sites=(), kind="it_system"):
    """A process, information flow or IT system of `organisation`, running at `sites` (none:
    organisation-wide)."""
    with actor_context(None, name="risk tests"):
        record = Process.objects.create(organisation=organisation, name=name, kind=kind,
                                        owner=owner, description=f"{name} (test)")
        record.sites.set(sites)
    return record


def process_at(world, placement):
    """A process running at the placement's site, owned by a person of its organisation."""
    from tests.support.matrix import RegisterCase

    org, site = RegisterCase.where(world, placement)
    owner = world["foreign"] if placement == "foreign" else \
        world["users"]["security_manager__org"]
    return process(org, f"Dock scheduling {placement}", owner, sites=[site])


def not_credible(assessment, applicability, *, reason="No such exposure here", **target):
    """A scenario × target pair of `assessment` marked not credible (fixture write)."""
    with actor_context(None, name="risk tests"):
        return NotCredible.objects.create(
            organisation=assessment.organisation, assessment=assessment,
            threat=applicability, reason=reason, **target)


def not_credible_at(world, placement):
    from tests.support.matrix import RegisterCase

    _, site = RegisterCase.where(world, placement)
    assessment = assessment_at(world, placement, f"Dismissed {placement}")
    return not_credible(assessment, threat(assessment, "TS-02"), site=site,
                        reason=f"Sealed pallets only {placement}")


def leg(world, from_site, to_site):
    with actor_context(None, name="risk tests"):
        return Leg.objects.create(organisation=world["org_a"], from_site=from_site,
                                  to_site=to_site, mode="road", carrier=world["carrier_a"])


def _b_assessor(world):
    """A second person of organisation B (its administrator then accepts as a non-assessor)."""
    from chainward.access.models import Role, RoleAssignment, User

    user = User.objects.filter(email="assessor@b.example").first()
    if user is None:
        with actor_context(None, name="risk tests"):
            user = User.objects.create_user("assessor@b.example", None, full_name="B assessor")
            RoleAssignment.objects.create(organisation=world["org_b"], user=user,
                                          role=Role.objects.get(name="Security manager"))
    return user
