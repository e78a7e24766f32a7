"""Training courses and sessions (ISO 28000 7.2): recording a session's attendance with a pass
writes each attendee's training record of every competence the course satisfies, valid until
the session date plus the course's validity (else the competence's) — through the form, the
API and the service alike (`services.record_attendance` / `train_attendee`); a fail writes
none; a session moved to another date takes its records with it.

Expected dates are worked out by hand: 36 months after 31 March 2025 is 31 March 2028, 24
months 31 March 2027, 12 months 31 March 2026."""

import datetime
import json

import pytest

from chainward.core.services import save_record
from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from chainward.people import services
from chainward.people.models import SessionAttendance, TrainingRecord

from . import factories as f

HELD = datetime.date(2025, 3, 31)


def _setup(func):
    with actor_context(None, name="fixture"):
        return func()


@pytest.fixture
def training(world):
    """A course satisfying two competences (24 and 12 months), a session of it held on 31
    March 2025 for the whole organisation, and people at S1 and S2."""
    def build():
        org = world["org_a"]
        seals = f.requirement(org, "Seal procedure", validity_months=24)
        aware = f.requirement(org, "C-TPAT awareness", validity_months=12)
        course = f.course(org, "Gate security induction", [seals, aware], provider="in-house",
                          duration_hours=3)
        return {"seals": seals, "aware": aware, "course": course,
                "session": f.session(course, held_on=HELD),
                "jana": f.person(org, "Jana Nowak", site=world["s1"]),
                "piotr": f.person(org, "Piotr Zielinski", site=world["s1"]),
                "eva": f.person(org, "Eva de Vries", site=world["s2"])}
    return _setup(build)


def _expiries(person):
    return {r.requirement.name: (r.result, r.expires_on) for r in
            TrainingRecord.objects.filter(person=person, archived=False)}


# --- UI -------------------------------------------------------------------------------------
def test_a_pass_recorded_through_the_form_gives_a_training_record_per_competence(
        client, world, training):
    client.force_login(world["users"]["site_security_officer__site"])
    response = client.post("/people/attendance/add/", {
        "session": training["session"].pk, "person": training["jana"].pk, "result": "passed"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _expiries(training["jana"]) == {
        "Seal procedure": ("passed", datetime.date(2027, 3, 31)),
        "C-TPAT awareness": ("passed", datetime.date(2026, 3, 31))}
    record = TrainingRecord.objects.filter(person=training["jana"]).first()
    assert record.attendance == SessionAttendance.objects.get()
    assert record.completed_on == HELD and record.provider == "in-house"
    assert record.site_id == world["s1"].pk and "Gate security induction" in record.course
    assert LedgerEntry.objects.filter(object_type="people.trainingrecord").count() == 2
    # the session page lists the attendance, the attendance page the records it wrote
    page = client.get(training["session"].get_absolute_url()).content.decode()
    assert "Jana Nowak" in page
    page = client.get(response.url).content.decode()
    assert "Training records written" in page and "Seal procedure" in page


def test_several_attendees_recorded_at_once_on_the_sessions_page_get_their_records(
        client, world, training):
    client.force_login(world["users"]["site_security_officer__site"])
    session = training["session"]
    page = client.get(session.get_absolute_url()).content.decode()
    url = f"/people/sessions/{session.pk}/attendance/"
    assert f'href="{url}"' in page
    page = client.get(url).content.decode()
    assert "/lookup/people.sessionattendance/person/" in page  # picked by type-ahead
    response = client.post(url, {"people": [training["jana"].pk, training["piotr"].pk],
                                 "result": "passed"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(_expiries(training["jana"])) == set(_expiries(training["piotr"])) == {
        "Seal procedure", "C-TPAT awareness"}
    assert SessionAttendance.objects.count() == 2


def test_the_sessions_page_refuses_a_person_the_officer_does_not_keep(client, world,
                                                                      training):
    head_office = _setup(lambda: f.person(world["org_a"], "Hanna Head-Office"))
    client.force_login(world["users"]["site_security_officer__site"])
    url = f"/people/sessions/{training['session'].pk}/attendance/"
    # Eva (S2) is not even offered; the head-office person is seen but not kept by them.
    response = client.post(url, {"people": [training["eva"].pk], "result": "passed"})
    assert response.status_code == 400
    response = client.post(url, {"people": [training["jana"].pk, head_office.pk],
                                 "result": "passed"})
    assert response.status_code == 403
    assert "Hanna Head-Office: you may not record the attendance of people at head office" \
        in response.content.decode()
    assert not SessionAttendance.objects.exists() and not TrainingRecord.objects.exists()
    client.force_login(world["users"]["viewer__org"])
    assert client.get(url).status_code == 403


def test_a_site_officer_cannot_record_attendance_of_a_person_of_another_site(
        client, world, training):
    client.force_login(world["users"]["site_security_officer__site"])
    response = client.post("/people/attendance/add/", {
        "session": training["session"].pk, "person": training["eva"].pk, "result": "passed"})
    assert response.status_code == 400
    assert not TrainingRecord.objects.exists() and not SessionAttendance.objects.exists()


def test_attendance_of_a_session_still_to_come_is_refused_with_a_reason(client, world,
                                                                        training):
    later = _setup(lambda: f.session(training["course"], held_on=f.days(7)))
    client.force_login(world["users"]["security_manager__org"])
    response = client.post("/people/attendance/add/", {
        "session": later.pk, "person": training["jana"].pk, "result": "passed"})
    assert response.status_code == 400
    assert "has not taken place yet" in response.content.decode()
    assert not TrainingRecord.objects.exists()


def test_moving_a_session_to_another_date_moves_its_training_records(client, world, training):
    manager = world["users"]["security_manager__org"]
    services.record_attendance(manager, training["session"], [(training["jana"], "passed")])
    client.force_login(manager)
    session = training["session"]
    session.refresh_from_db()
    response = client.post(f"/people/sessions/{session.pk}/edit/", {
        "course": training["course"].pk, "held_on": "2025-04-30", "trainer": "Jan Petersen",
        "version": session.version})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _expiries(training["jana"]) == {
        "Seal procedure": ("passed", datetime.date(2027, 4, 30)),
        "C-TPAT awareness": ("passed", datetime.date(2026, 4, 30))}
    assert set(TrainingRecord.objects.values_list("provider", flat=True)) == {"Jan Petersen"}


# --- API ------------------------------------------------------------------------------------
def test_a_pass_recorded_through_the_api_gives_the_records_and_a_fail_withdraws_them(
        client, world, training):
    client.force_login(world["users"]["contributor__site"])
    response = client.post("/api/people/attendance/", data=json.dumps({
        "session": training["session"].pk, "person": training["jana"].pk,
        "result": "passed"}), content_type="application/json")
    assert response.status_code == 201, response.content
    assert _expiries(training["jana"])["Seal procedure"] == ("passed",
                                                             datetime.date(2027, 3, 31))
    body = response.json()
    response = client.patch(f"/api/people/attendance/{body['id']}/", data=json.dumps({
        "result": "failed", "version": body["version"]}), content_type="application/json")
    assert response.status_code == 200, response.content
    assert {result for result, _ in _expiries(training["jana"]).values()} == {"failed"}
    assert TrainingRecord.objects.count() == 2  # changed, not duplicated
    # A failed record shows no competence: both are missing again for the matrix.
    api = client.get(f"/api/people/training/?person={training['jana'].pk}").json()
    assert {row["result"] for row in api["results"]} == {"failed"}


def test_an_attendance_archived_in_error_withdraws_its_records_and_restoring_gives_them_back(
        client, world, training):
    """Recorded for the wrong person: archiving the attendance (the UI's button and the API's
    archive action, by the security manager) archives the training records it gave, so the
    person no longer counts as trained; restoring it brings them back. Ledgered, one entry per
    record."""
    client.force_login(world["users"]["site_security_officer__site"])
    jana, piotr = training["jana"], training["piotr"]
    for person in (jana, piotr):
        response = client.post("/people/attendance/add/", {
            "session": training["session"].pk, "person": person.pk, "result": "passed"})
        assert response.status_code == 302, response.content.decode()[:2000]
    wrong = SessionAttendance.objects.get(person=jana)
    given = set(TrainingRecord.objects.filter(attendance=wrong).values_list("pk", flat=True))
    assert len(given) == 2
    ledger_before = LedgerEntry.objects.count()

    client.force_login(world["users"]["security_manager__org"])  # archiving: the manager's
    response = client.post(f"/people/attendance/{wrong.pk}/archive/",
                           {"version": wrong.version})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _expiries(jana) == {}
    assert set(TrainingRecord.objects.filter(pk__in=given, archived=True)
               .values_list("pk", flat=True)) == given
    assert len(_expiries(piotr)) == 2  # the other attendee keeps theirs
    archived_records = LedgerEntry.objects.filter(
        seq__gt=ledger_before, object_type="people.trainingrecord").count()
    assert archived_records == 2

    response = client.post(f"/api/people/attendance/{wrong.pk}/restore/")
    assert response.status_code == 200, response.content
    assert _expiries(jana) == {"Seal procedure": ("passed", datetime.date(2027, 3, 31)),
                               "C-TPAT awareness": ("passed", datetime.date(2026, 3, 31))}
    response = client.post(f"/api/people/attendance/{wrong.pk}/archive/")
    assert response.status_code == 200, response.content
    assert _expiries(jana) == {}


def test_the_api_refuses_attendance_of_a_person_outside_the_users_sites(client, world,
                                                                        training):
    client.force_login(world["users"]["contributor__site"])
    response = client.post("/api/people/attendance/", data=json.dumps({
        "session": training["session"].pk, "person": training["eva"].pk,
        "result": "passed"}), content_type="application/json")
    assert response.status_code == 400
    assert "person" in response.json()["errors"]
    assert not TrainingRecord.objects.exists()


# --- service --------------------------------------------------------------------------------
def test_recording_a_sessions_attendance_writes_records_for_passes_only(world, training):
    manager = world["users"]["security_manager__org"]
    saved = services.record_attendance(manager, training["session"], [
        (training["jana"], "passed"), (training["piotr"], "failed"),
        (training["eva"], "attended")])
    assert len(saved) == 3
    assert set(_expiries(training["jana"])) == {"Seal procedure", "C-TPAT awareness"}
    assert _expiries(training["piotr"]) == {}
    assert _expiries(training["eva"])["C-TPAT awareness"] == ("attended",
                                                              datetime.date(2026, 3, 31))
    entries = LedgerEntry.objects.filter(object_type="people.trainingrecord")
    assert entries.count() == 4 and set(entries.values_list("actor_id", flat=True)) == {
        manager.pk}
    # Piotr passes a re-sit recorded later: his attendance is changed, not added twice.
    services.record_attendance(manager, training["session"], [(training["piotr"], "passed")])
    assert SessionAttendance.objects.filter(person=training["piotr"]).count() == 1
    assert len(_expiries(training["piotr"])) == 2
    # Recording the same again writes nothing.
    before = LedgerEntry.objects.count()
    services.record_attendance(manager, training["session"], [(training["jana"], "passed")])
    assert LedgerEntry.objects.count() == before


def test_the_courses_own_validity_wins_over_the_competences(world, training):
    manager = world["users"]["security_manager__org"]
    course = training["course"]
    course.validity_months = 36
    save_record(manager, course)
    services.record_attendance(manager, training["session"], [(training["jana"], "passed")])
    assert {expiry for _, expiry in _expiries(training["jana"]).values()} == {
        datetime.date(2028, 3, 31)}


def test_a_site_officer_may_not_record_attendance_through_the_service_elsewhere(world,
                                                                               training):
    from django.core.exceptions import PermissionDenied

    officer = world["users"]["site_security_officer__site"]
    with pytest.raises(PermissionDenied):
        services.record_attendance(officer, training["session"], [(training["eva"], "passed")])
    assert not SessionAttendance.objects.exists() and not TrainingRecord.objects.exists()


def test_an_empty_course_picker_says_what_a_course_needs(client, world):
    client.force_login(world["users"]["security_manager__org"])
    body = client.get("/lookup/people.trainingsession/course/").json()
    assert body["results"] == []
    assert "names the competences it satisfies" in body["empty"]["text"]
    assert body["empty"]["url"] == "/people/courses/add/"
