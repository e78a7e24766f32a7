"""The gap assessment offers Chainward's own people and context registers as candidate
evidence (issue 16 acceptance: ISO 28000 4.1, 4.2.1, 4.2.2, 5.3, 6.3, 7.2, 7.3, 9.1), the same
way it offers evidence reused across standards: a register is offered on the rows of the
clauses written here by hand, only when the assessor sees records of it; taking it attaches one
note evidence per register, reused on the next use; screening records are never offered."""

import pytest

from chainward.compliance.models import GapAssessment
from chainward.compliance.services import populate_statuses
from chainward.core import services as records
from chainward.documents.models import Evidence
from chainward.ledger.context import actor_context
from chainward.library import loader
from chainward.library.models import Framework
from tests.context import factories as context
from tests.people import factories as people

# Clause -> the register offered for it (written from issue 16, not read from the code).
EXPECTED = {"4.1": "Internal and external issues (context)",
            "4.2.1": "Interested parties and their requirements",
            "4.2.2": "Legal and other requirements register",
            "5.3": "Appointments to security roles",
            "6.3": "Planned changes", "7.2": "Competence matrix and training records",
            "7.3": "Awareness campaigns", "9.1": "Compliance evaluations"}


@pytest.fixture
def setup(world):
    org, users = world["org_a"], world["users"]
    manager = users["security_manager__org"]
    with actor_context(None, name="fixture"):
        loader.load(loader.CATALOG_DIR / "iso28000-2022.yaml")
        obligation = context.obligation(org, manager, "Customs code AEO rules")
        context.evaluation(obligation, manager)
        context.issue(org, "Climate change")
        context.party(org, "Customs authority")
        context.change(org, manager, "New Bremen site")
        role = people.role(org, "Gate controller", site=world["s1"])
        person = people.person(org, "Ines", site=world["s1"])
        people.appoint(role, person)
        people.training(person, people.requirement(org, "Seal procedure"))
        people.screening(person)
        people.campaign(org, "Seal awareness", sites=[world["s1"]])
    assessment = GapAssessment(organisation=org, title="ISO 28000 gap", all_sites=True,
                               framework=Framework.objects.get(
                                   urn="urn:chainward:framework:iso28000-2022"))
    records.save_record(manager, assessment)
    populate_statuses(manager, assessment)
    return {"assessment": assessment, "users": users}


def offered(client, assessment):
    page = client.get(f"/compliance/assessments/{assessment.pk}/work/").content.decode()
    found = {}
    for ref in EXPECTED:
        row = assessment.statuses.get(requirement__ref_id=ref)
        part = page.split(f'id="row-{row.pk}"', 1)[1].split('class="list-group-item', 1)[0]
        found[ref] = [chunk.split("”", 1)[0] for chunk in part.split("Use “")[1:]]
    return page, found


def test_each_clause_offers_its_register(client, setup):
    client.force_login(setup["users"]["security_manager__org"])
    page, found = offered(client, setup["assessment"])
    assert {ref: titles[-1] if titles else None for ref, titles in found.items()} == EXPECTED
    assert found["5.3"] == ["Security roles and responsibilities",
                            "Appointments to security roles"]
    assert "people.screeningrecord" not in page


def test_taking_an_offer_attaches_one_note_reused_next_time(client, setup):
    client.force_login(setup["users"]["security_manager__org"])
    assessment = setup["assessment"]
    row = assessment.statuses.get(requirement__ref_id="4.2.2")
    response = client.post(f"/compliance/statuses/{row.pk}/register/context.obligation/")
    assert response.status_code == 302
    [evidence] = row.evidence.all()
    assert evidence.title == "Legal and other requirements register (Chainward register)"
    assert "/context/" in evidence.description
    # The offer is gone from the row once taken.
    assert found_for(client, assessment, "4.2.2") == []
    # A second assessment reuses the same evidence record.
    other = GapAssessment(organisation=assessment.organisation, title="Second",
                          all_sites=True, framework=assessment.framework)
    manager = setup["users"]["security_manager__org"]
    records.save_record(manager, other)
    populate_statuses(manager, other)
    row2 = other.statuses.get(requirement__ref_id="4.2.2")
    client.post(f"/compliance/statuses/{row2.pk}/register/context.obligation/")
    assert list(row2.evidence.all()) == [evidence]
    assert Evidence.objects.filter(title=evidence.title).count() == 1


def found_for(client, assessment, ref):
    return offered(client, assessment)[1][ref] if ref in EXPECTED else []


def test_a_register_not_offered_for_the_clause_is_refused(client, setup):
    client.force_login(setup["users"]["security_manager__org"])
    row = setup["assessment"].statuses.get(requirement__ref_id="4.1")
    for key in ("context.obligation", "people.screeningrecord", "nothing.here"):
        response = client.post(f"/compliance/statuses/{row.pk}/register/{key}/")
        assert response.status_code == 403
    assert not row.evidence.exists()
