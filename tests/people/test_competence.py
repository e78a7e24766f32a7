"""Competence and training (ISO 28000 7.2) and roles (5.3) through every path that writes
(service, UI form, API, import): the expiry a training takes from its competence, the
competence matrix (met / expiring / expired / missing, within scope), training due on the
dashboard and My work, records following a person who moves site, vacant roles.

Expected dates are worked out by hand (24 months after 31 March 2025 is 31 March 2027)."""

import csv
import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chainward.core.services import save_record
from chainward.jobs.models import Job
from chainward.ledger.context import actor_context
from chainward.people.models import TrainingRecord

from . import factories as f


def _setup(func):
    with actor_context(None, name="fixture"):
        return func()


def api_post(client, url, payload):
    return client.post(url, data=json.dumps(payload), content_type="application/json")


@pytest.fixture
def seals(world):
    return _setup(lambda: f.requirement(world["org_a"], "Seal procedure", validity_months=24))


@pytest.fixture
def guard(world):
    return _setup(lambda: f.person(world["org_a"], "Jana Nowak", site=world["s1"],
                                   employee_number="E-17"))


def training_form(guard, seals, **extra):
    data = {"person": guard.pk, "requirement": seals.pk, "course": "Seal briefing",
            "completed_on": "2025-03-31", "result": "passed"}
    data.update(extra)
    return data


# --- expiry from the competence's validity -------------------------------------------------
def test_a_training_recorded_through_the_form_expires_after_the_validity(client, world, guard,
                                                                          seals):
    client.force_login(world["users"]["site_security_officer__site"])
    response = client.post("/people/training/add/", training_form(guard, seals))
    assert response.status_code == 302, response.content.decode()[:2000]
    record = TrainingRecord.objects.get()
    assert record.expires_on == datetime.date(2027, 3, 31)
    assert record.site_id == world["s1"].pk


def test_a_training_recorded_through_the_api_expires_after_the_validity(client, world, guard,
                                                                         seals):
    client.force_login(world["users"]["contributor__site"])
    response = api_post(client, "/api/people/training/", training_form(guard, seals))
    assert response.status_code == 201, response.content
    assert response.json()["expires_on"] == "2027-03-31"
    # an expiry given by hand wins
    response = api_post(client, "/api/people/training/",
                        training_form(guard, seals, expires_on="2025-12-31"))
    assert response.json()["expires_on"] == "2025-12-31"
    assert response.json()["is_expired"] is True


def test_imported_training_records_expire_after_the_validity(admin_client, world, guard, seals,
                                                              run_on_commit):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["person", "requirement", "course", "completed_on"])
    writer.writerow(["E-17", "Seal procedure", "Seal briefing", "2025-03-31"])
    upload = SimpleUploadedFile("training.csv", buffer.getvalue().encode(),
                                content_type="text/csv")
    preview = admin_client.post("/people/training/import/", {"file": upload})
    assert preview.status_code == 200, preview.content.decode()[:3000]
    assert preview.context["preview"].errors == []
    with run_on_commit():
        admin_client.post("/people/training/import/",
                          {"token": preview.context["preview"].token})
    assert Job.objects.get(kind="import").status == "succeeded"
    assert TrainingRecord.objects.get().expires_on == datetime.date(2027, 3, 31)


def test_a_training_in_the_future_or_expiring_before_it_was_done_is_refused(client, world,
                                                                           guard, seals):
    client.force_login(world["users"]["security_manager__org"])
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    response = api_post(client, "/api/people/training/",
                        training_form(guard, seals, completed_on=tomorrow))
    assert response.status_code == 400
    assert "completed_on" in response.json()["errors"]
    response = api_post(client, "/api/people/training/",
                        training_form(guard, seals, expires_on="2025-01-01"))
    assert response.status_code == 400
    assert "expires_on" in response.json()["errors"]
    page = client.post("/people/training/add/",
                       training_form(guard, seals, expires_on="2025-01-01"))
    assert page.status_code == 400
    assert "cannot expire before it was completed" in page.content.decode()
    assert not TrainingRecord.objects.exists()


# --- the matrix -------------------------------------------------------------------------------
@pytest.fixture
def team(world, seals):
    """Jana (S1) holds the S1 officer role needing seals and C-TPAT awareness: seals valid,
    awareness expired; Piotr (S1) holds it too with no training; Eva (S2) holds the S2 role
    with seals expiring in 20 days; Tom (S1) left last month."""
    def build():
        org = world["org_a"]
        aware = f.requirement(org, "C-TPAT awareness", validity_months=12)
        extra = f.requirement(org, "Dangerous goods security")
        s1_role = f.role(org, "Officer S1", site=world["s1"], positions=3)
        s1_role.required_competences.add(seals, aware)
        s2_role = f.role(org, "Officer S2", site=world["s2"])
        s2_role.required_competences.add(seals)
        jana = f.person(org, "Jana Nowak", site=world["s1"])
        piotr = f.person(org, "Piotr Zielinski", site=world["s1"])
        eva = f.person(org, "Eva de Vries", site=world["s2"])
        tom = f.person(org, "Tom Leaver", site=world["s1"], left_on=f.days(-30))
        for holder in (jana, piotr, tom):
            f.appoint(s1_role, holder)
        f.appoint(s2_role, eva)
        f.training(jana, seals, completed_on=f.days(-40))
        f.training(jana, aware, completed_on=f.days(-400))
        f.training(eva, seals, completed_on=f.days(-300), expires_on=f.days(20))
        return {"aware": aware, "extra": extra, "jana": jana, "piotr": piotr, "eva": eva,
                "tom": tom, "s1_role": s1_role}
    return _setup(build)


def _cells(page):
    """{person name: [state of each column]} read from the rendered matrix."""
    import re

    rows = {}
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", page, re.S):
        name = re.search(r">([^<]+)</a>", row).group(1)
        rows[name] = [state or "" for state in re.findall(
            r"<td(?: data-state=\"(\w+)\")?>", row)]
    return rows


def test_the_competence_matrix_shows_met_expiring_expired_and_missing(client, world, seals,
                                                                      team):
    client.force_login(world["users"]["security_manager__org"])
    page = client.get("/people/matrix/").content.decode()
    # columns by name: C-TPAT awareness, Dangerous goods security, Seal procedure
    assert _cells(page) == {
        "Eva de Vries": ["", "", "expiring"],
        "Jana Nowak": ["expired", "", "met"],
        "Piotr Zielinski": ["missing", "", "missing"],
    }


def test_a_site_officer_sees_only_their_sites_people_in_the_matrix(client, world, team):
    client.force_login(world["users"]["site_security_officer__site"])
    page = client.get(f"/people/matrix/?role={team['s1_role'].pk}").content.decode()
    assert set(_cells(page)) == {"Jana Nowak", "Piotr Zielinski"}
    page = client.get(f"/people/matrix/?site={world['s2'].pk}").content.decode()
    assert _cells(page) == {}


def test_the_viewer_may_not_see_the_matrix(client, world, team):
    client.force_login(world["users"]["viewer__org"])
    assert client.get("/people/matrix/").status_code == 403


def test_training_due_is_on_the_dashboard_and_my_work(client, world, team):
    client.force_login(world["users"]["security_manager__org"])
    home = client.get("/").content.decode()
    assert "Training due" in home
    work = client.get("/audits/my-work/").content.decode()
    # Jana: awareness expired; Piotr: both missing; Eva: seals expiring. Tom left: nothing.
    for line in ("Jana Nowak — C-TPAT awareness", "Piotr Zielinski — C-TPAT awareness",
                 "Piotr Zielinski — Seal procedure", "Eva de Vries — Seal procedure"):
        assert line in work
    assert "Jana Nowak — Seal procedure" not in work
    assert "Tom Leaver" not in work


def test_a_vacant_role_is_on_the_dashboard(client, world, team):
    client.force_login(world["users"]["security_manager__org"])
    home = client.get("/").content.decode()
    # Officer S1 needs 3 holders: Jana and Piotr hold it; Tom's appointment has no end date
    # but he left, so it no longer counts.
    assert "Officer S1: vacant (1 of 3 not filled)" in home
    assert "Officer S2" not in home
    _setup(lambda: f.role(world["org_a"], "C-TPAT point of contact", kind="ctpat_poc"))
    home = client.get("/").content.decode()
    assert "Security roles to fill" in home
    assert "Security roles to fill" in home
    chart = client.get("/people/chart/").content.decode()
    assert chart.count("1 vacant") == 2  # Officer S1 and the point of contact


def test_training_records_follow_a_person_who_moves_site(world, guard, seals):
    manager = world["users"]["security_manager__org"]
    record = _setup(lambda: f.training(guard, seals))
    assert record.site_id == world["s1"].pk
    guard.site = world["s2"]
    save_record(manager, guard)
    record.refresh_from_db()
    assert record.site_id == world["s2"].pk
