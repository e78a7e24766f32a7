"""Personnel screening (C-TPAT 11.x, AEO 6.12; issue 16 item 4): only the security manager and
top management ever see a screening record — the generated matrix covers lists, detail pages,
exports, search and the API; here the evidence pack, the dashboard, My work and the person's
page — the lawful basis is required, the site follows the person, and what is due (missing,
referred, due again, past retention) is worked out by hand from the dates below."""

import io
import zipfile

import pytest

from chainward.certification.evidence_pack import PackWriter
from chainward.core.services import save_record
from chainward.ledger.context import actor_context
from chainward.people import pack_sections, services
from chainward.people.models import ScreeningRecord

from . import factories as f

SEE = ("security_manager__org", "top_management__org")
NOT_SEE = ("administrator__org", "internal_auditor__org", "site_security_officer__org",
           "contributor__org", "viewer__org", "external_auditor__org")


@pytest.fixture
def screened(world):
    """A gate controller at S1 in a role that requires screening, screened with result
    'refer'; the name and the checker are markers that must never leak."""
    org = world["org_a"]
    with actor_context(None, name="fixture"):
        role = f.role(org, "Gate controller", site=world["s1"], screening_required=True)
        person = f.person(org, "Zoltan Quarry", site=world["s1"])
        f.appoint(role, person)
        record = f.screening(person, result="refer", checked_by="Vetting Ltd Kestrel")
    return {"role": role, "person": person, "record": record}


def pack_of(section, world, user):
    pack = PackWriter(user, "EP-T")
    entries = section(world["org_a"], user, pack)
    archive = zipfile.ZipFile(io.BytesIO(pack.close()))
    return entries, b" ".join(archive.read(n) for n in archive.namelist())


@pytest.mark.parametrize("persona", NOT_SEE)
def test_the_evidence_pack_of_anybody_else_has_no_screening(world, screened, persona):
    user = world["users"][persona]
    entries, _ = pack_of(pack_sections.screening, world, user)
    assert entries == []
    for section in (pack_sections.competence, pack_sections.awareness):
        entries, body = pack_of(section, world, user)
        assert b"Kestrel" not in body and b"refer" not in body.lower().replace(b"referred",
                                                                               b"")


@pytest.mark.parametrize("persona", SEE)
def test_the_managers_pack_has_screening_figures_without_names(world, screened, persona):
    entries, body = pack_of(pack_sections.screening, world, world["users"][persona])
    [entry] = entries
    assert entry.restricted
    assert entry.note == "1 people in roles that require screening, 1 due"
    assert b"Zoltan" not in body and b"Kestrel" not in body


@pytest.mark.parametrize("persona", (*SEE, *NOT_SEE))
def test_only_the_manager_and_top_management_see_screening_on_the_dashboard(
        client, world, screened, persona):
    client.force_login(world["users"][persona])
    home = client.get("/").content.decode()
    assert ("Screening due" in home) == (persona in SEE)
    person_page = client.get(screened["person"].get_absolute_url())
    if person_page.status_code == 200:
        assert "Kestrel" not in person_page.content.decode()
    found = client.get("/search/", {"q": "Zoltan"}).content.decode()
    assert (screened["record"].get_absolute_url() in found) == (persona in SEE)


def test_my_work_lists_screening_due_for_the_security_manager_only(client, world, screened):
    client.force_login(world["users"]["security_manager__org"])
    page = client.get("/audits/my-work/").content.decode()
    assert "Personnel screening due" in page and "Zoltan Quarry" in page
    assert "referred to the security manager" in page
    client.force_login(world["users"]["site_security_officer__site"])
    page = client.get("/audits/my-work/").content.decode()
    assert "Personnel screening due" not in page


def test_what_is_due(world):
    org, today = world["org_a"], f.days(0)
    manager = world["users"]["security_manager__org"]
    with actor_context(None, name="fixture"):
        role = f.role(org, "Air cargo agent", site=world["s1"], screening_required=True)
        plain = f.role(org, "Warehouse clerk", site=world["s1"])
        never = f.appoint(role, f.person(org, "Never screened", site=world["s1"])).person
        soon = f.appoint(role, f.person(org, "Due soon", site=world["s1"])).person
        later = f.appoint(role, f.person(org, "Due later", site=world["s1"])).person
        clerk = f.appoint(plain, f.person(org, "Clerk", site=world["s1"])).person
        f.screening(soon, next_due=f.days(20))  # within 30 days
        f.screening(later, next_due=f.days(40))
        f.screening(later, checked_on=f.days(-400), result="refer")  # older, superseded
    due = {p.full_name: why for p, why, _ in services.screening_due(manager, org, today)}
    assert due == {"Never screened": "no screening on record",
                   "Due soon": "screening due again"}
    assert clerk.full_name not in due and never.pk
    officer = world["users"]["site_security_officer__site"]
    assert services.screening_due(officer, org, today) == []


def test_records_past_retention_after_the_person_left(world):
    org = world["org_a"]
    manager = world["users"]["security_manager__org"]
    with actor_context(None, name="fixture"):
        gone = f.person(org, "Left long ago", site=world["s1"], left_on=f.days(-400))
        recent = f.person(org, "Left recently", site=world["s1"], left_on=f.days(-300))
        old = f.screening(gone, checked_on=f.days(-800), retention_months=12)
        kept = f.screening(recent, checked_on=f.days(-800), retention_months=12)
    assert services.screening_past_retention(manager, org) == [old]
    # Twelve months after leaving: 35-36 days ago for one, 64-65 days ahead for the other.
    assert f.days(-36) <= old.erase_after <= f.days(-35)
    assert f.days(64) <= kept.erase_after <= f.days(65)
    officer = world["users"]["site_security_officer__org"]
    assert services.screening_past_retention(officer, org) == []


def test_the_lawful_basis_is_required_through_the_api(client, world):
    with actor_context(None, name="fixture"):
        person = f.person(world["org_a"], "Applicant", site=world["s1"])
    client.force_login(world["users"]["security_manager__org"])
    response = client.post("/api/people/screening/", {
        "person": person.pk, "checked_on": "2026-01-05", "checked_by": "HR",
        "result": "pass"}, content_type="application/json")
    assert response.status_code == 400
    assert "lawful_basis" in response.json()["errors"]
    response = client.post("/api/people/screening/", {
        "person": person.pk, "checked_on": "2026-01-05", "checked_by": "HR",
        "result": "clear, no criminal record"}, content_type="application/json")
    assert response.status_code == 400 and "result" in response.json()["errors"]


def test_a_screening_follows_the_person_to_another_site(world):
    manager = world["users"]["security_manager__org"]
    with actor_context(None, name="fixture"):
        person = f.person(world["org_a"], "Mover", site=world["s1"])
        record = f.screening(person)
    person.site = world["s2"]
    save_record(manager, person)
    assert ScreeningRecord.objects.get(pk=record.pk).site_id == world["s2"].pk
