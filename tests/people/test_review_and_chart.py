"""The competence matrix in the management-review pack (issue 16 acceptance: ISO 28000 9.3.2
with 5.3 and 7.2) and the organisation chart of security roles per site (item 1), each within
the reader's scope. Every expected figure is counted by hand from the fixture below."""

import re

import pytest

from chainward.certification.services import compile_inputs
from chainward.ledger.context import actor_context

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(world):
    """Seal procedure (12 months) and Awareness (never expires). 'Gate S1' (3 holders needed)
    requires both, 'Gate S2' (1) the seal procedure, 'Security manager' (whole organisation)
    nothing.
    At S1: Anna — seal done 30 days ago (met), no awareness (missing); Bert — seal ending in 20
    days (expiring), awareness (met); Dora holds no role (her seal training is not required).
    At S2: Carl — seal expired 3 days ago. Head office: Hugo, the security manager."""
    org = world["org_a"]
    s1, s2 = world["s1"], world["s2"]
    with actor_context(None, name="fixture"):
        seals = f.requirement(org, "Seal procedure", validity_months=12)
        aware = f.requirement(org, "Awareness")
        gate1 = f.role(org, "Gate S1", site=s1, positions=3)
        gate1.required_competences.add(seals, aware)
        gate2 = f.role(org, "Gate S2", site=s2, positions=1)
        gate2.required_competences.add(seals)
        head = f.role(org, "Security manager", kind="security_manager")
        anna, bert = f.person(org, "Anna", site=s1), f.person(org, "Bert", site=s1)
        carl, dora = f.person(org, "Carl", site=s2), f.person(org, "Dora", site=s1)
        hugo = f.person(org, "Hugo")
        f.appoint(gate1, anna), f.appoint(gate1, bert), f.appoint(gate2, carl)
        f.appoint(head, hugo, until=f.days(400))
        f.training(anna, seals, completed_on=f.days(-30))
        f.training(bert, seals, completed_on=f.days(-300), expires_on=f.days(20))
        f.training(bert, aware, completed_on=f.days(-300))
        f.training(carl, seals, completed_on=f.days(-400), expires_on=f.days(-3))
        f.training(dora, seals, completed_on=f.days(-30))
    return {"gate1": gate1, "gate2": gate2, "head": head}


def _competence(world, persona):
    sections = {s["key"]: s for s in compile_inputs(world["org_a"], world["users"][persona])}
    section = sections["competence"]
    assert section["available"] and "error" not in section
    return {x["key"]: x["value"] for x in section["figures"]}, section["rows"]


def test_the_review_pack_has_the_competence_matrix_of_the_whole_organisation(world, staff):
    figures, rows = _competence(world, "security_manager__org")
    assert figures == {
        "people": 5,
        "required": 5,
        "met": 2,
        "expiring": 1,
        "expired": 1,
        "missing": 1,
        "met_rate": 60,
        "roles_due": 1,
    }
    assert [(r["text"], r["detail"].split(",")[0]) for r in rows] == [
        ("Carl — Seal procedure", "expired"),
        ("Anna — Awareness", "missing"),
        ("Bert — Seal procedure", "expiring"),
        (f"{staff['gate1'].reference} Gate S1", "vacant (1 of 3 not filled)"),
    ]


def test_a_site_limited_reviewer_gets_their_sites_only(world, staff):
    figures, rows = _competence(world, "security_manager__site")
    # S1 (Anna, Bert, Dora) and head office (Hugo, read by everybody); Carl (S2) is not theirs.
    assert figures == {
        "people": 4,
        "required": 4,
        "met": 2,
        "expiring": 1,
        "expired": 0,
        "missing": 1,
        "met_rate": 75,
        "roles_due": 1,
    }
    assert not any("Carl" in r["text"] for r in rows)


def test_a_reviewer_who_may_not_see_people_gets_no_names(world, staff):
    figures, rows = _competence(world, "viewer__org")
    assert figures["people"] == 0 and figures["required"] == 0
    assert not any(name in r["text"] for r in rows for name in ("Anna", "Bert", "Carl"))


def _chart(client, world, persona):
    client.force_login(world["users"][persona])
    response = client.get("/people/chart/")
    assert response.status_code == 200
    page = response.content.decode()
    groups = {}
    for section in page.split("<section")[1:]:
        heading = re.search(r"<h2[^>]*>([^<]*)</h2>", section).group(1).strip()
        groups[heading] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section)).strip()
    return groups


def test_the_chart_groups_roles_by_site_with_holders_and_vacancies(client, world, staff):
    groups = _chart(client, world, "security_manager__org")
    s1, s2 = str(world["s1"]), str(world["s2"])
    assert set(groups) == {"Whole organisation", s1, s2}
    assert "Gate S1" in groups[s1] and "Anna" in groups[s1] and "Bert" in groups[s1]
    assert "1 vacant" in groups[s1] and "Dora" not in groups[s1]
    assert "Gate S2" in groups[s2] and "Carl" in groups[s2] and "vacant" not in groups[s2]
    until = f.days(400).isoformat()
    assert "Security manager" in groups["Whole organisation"]
    assert f"Hugo (until {until})" in groups["Whole organisation"]


def test_a_site_officer_sees_the_chart_of_their_sites_and_the_whole_organisation(
    client, world, staff
):
    groups = _chart(client, world, "site_security_officer__site")
    assert set(groups) == {"Whole organisation", str(world["s1"])}
    assert "Carl" not in " ".join(groups.values())


def test_an_appointment_ending_within_30_days_makes_its_role_due(client, world, staff):
    """ISO 28000 5.3 (item 1: expiring appointments are due): Hugo's appointment ends in 400
    days — not due; moved to end in 20 days — due on the dashboard; in 40 days — not."""
    from chainward.core.services import save_record
    from chainward.people.models import Appointment

    manager = world["users"]["security_manager__org"]
    client.force_login(manager)
    assert "Security manager: appointment ends" not in client.get("/").content.decode()
    appointment = Appointment.objects.get(role=staff["head"])
    for days, due in ((20, True), (40, False)):
        appointment.until = f.days(days)
        appointment = save_record(manager, appointment)
        home = client.get("/").content.decode()
        assert ("Security manager: appointment ends within 30 days" in home) == due, days
