"""Exercises of the security plans (ISO 28000 8.6) through every path that writes (service,
UI, API, import): what a held exercise must record, the repeating programme, actions opened as
corrective actions, overdue exercises on the dashboard and My work, the plan's "last tested",
the management-review input and the evidence pack — each within the person's scope."""

import csv
import io
import json
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from chainward.audits.models import CorrectiveAction
from chainward.incidents.exercises import services
from chainward.incidents.models import Exercise
from chainward.jobs.models import Job

from . import exercise_support as ex

HELD = {"participants": "Gate team Hamburg (4), duty manager, Polizei PK 42",
        "tested": "Call-out list, police notification, gate lockdown in 5 minutes",
        "result": "partly_met", "observations": "Lockdown took 9 minutes; night list outdated."}


def api_post(client, url, payload, method="post"):
    return getattr(client, method)(url, data=json.dumps(payload),
                                   content_type="application/json")


@pytest.fixture
def plan(world):
    return ex.plan(world, "in", sites=("s1", "s2"))


@pytest.fixture
def drill(plan, world):
    return ex.exercise(plan, site=world["s1"], repeat_months=12)


def edit_data(exercise, **changes):
    from chainward.incidents.exercises.registers import ExerciseRegister
    from tests.support.matrix import form_data

    return form_data(exercise, ExerciseRegister().form_fields, **changes)


# --- what a held exercise records ----------------------------------------------------------------
def test_a_held_exercise_needs_participants_what_was_tested_and_the_result_everywhere(
        client, world, drill):
    officer = world["users"]["site_security_officer__site"]
    with pytest.raises(ValidationError) as refused:
        services.record_exercise(officer, drill, held_on=ex.days(-1), participants="",
                                 tested="", result="")
    assert {"participants", "tested", "result"} <= set(refused.value.message_dict)
    client.force_login(officer)
    response = client.post(f"/incidents/exercises/{drill.pk}/edit/",
                           edit_data(drill, held_on=ex.days(-1).isoformat()))
    assert response.status_code == 400
    assert "Say who took part." in response.content.decode()
    response = api_post(client, f"/api/incidents/exercises/{drill.pk}/",
                        {"held_on": ex.days(-1).isoformat()}, "patch")
    assert response.status_code == 400
    assert {"participants", "tested", "result"} <= set(response.json()["errors"])
    response = api_post(client, f"/api/incidents/exercises/{drill.pk}/held/",
                        {"held_on": ex.days(-1).isoformat(), "participants": "Gate team",
                         "tested": "Lockdown", "result": "not_met"})
    assert response.status_code == 400 and "observations" in json.dumps(response.json())
    drill.refresh_from_db()
    assert drill.held_on is None and not Exercise.objects.filter(follows=drill).exists()


def test_an_exercise_cannot_be_held_in_the_future(world, drill):
    with pytest.raises(ValidationError, match="cannot be held in the future"):
        services.record_exercise(world["users"]["security_manager__org"], drill,
                                 held_on=ex.days(2), **HELD)


def test_the_scenario_and_a_site_of_the_plan_are_required(client, world, plan):
    client.force_login(world["users"]["security_manager__org"])
    base = {"plan": plan.pk, "title": "Tabletop", "exercise_type": "tabletop",
            "due_on": ex.days(10).isoformat()}
    response = api_post(client, "/api/incidents/exercises/", base)
    assert response.status_code == 400 and "threat_scenario" in response.json()["errors"]
    with_incident = {**base, "incident": ex.exercise(plan, site=world["s1"]).incident_id}
    other_site = ex.plan(world, "in")  # covers S1 only
    response = api_post(client, "/api/incidents/exercises/",
                        {**with_incident, "plan": other_site.pk, "site": world["s2"].pk})
    assert response.status_code == 400
    assert "one of the plan's sites" in json.dumps(response.json())
    response = client.post("/incidents/exercises/add/",
                           {**with_incident, "plan": other_site.pk, "site": world["s2"].pk})
    assert response.status_code == 400
    assert "one of the plan&#x27;s sites" in response.content.decode()


# --- the programme ------------------------------------------------------------------------------
def test_a_repeating_exercise_plans_the_next_one_once_through_the_service(world, drill):
    officer = world["users"]["site_security_officer__site"]
    held_on = ex.days(-3)
    services.record_exercise(officer, drill, held_on=held_on, **HELD)
    follow_up = Exercise.objects.get(follows=drill)
    assert follow_up.due_on == held_on.replace(year=held_on.year + 1)
    assert (follow_up.site, follow_up.plan, follow_up.held_on) == (world["s1"], drill.plan,
                                                                    None)
    with pytest.raises(ValidationError, match="already recorded as held"):
        services.record_exercise(officer, drill, held_on=held_on, **HELD)
    assert Exercise.objects.filter(follows=drill).count() == 1


def test_recording_through_the_form_the_api_and_the_import_plans_the_next_one(
        client, world, plan, run_on_commit):
    by_form, by_api = (ex.exercise(plan, f"Drill {n}", site=world["s1"], repeat_months=6)
                       for n in (1, 2))
    client.force_login(world["users"]["contributor__site"])
    response = client.post(f"/incidents/exercises/{by_form.pk}/edit/",
                           edit_data(by_form, held_on=ex.days(-1).isoformat(), **HELD))
    assert response.status_code == 302, response.content.decode()[:2000]
    response = api_post(client, f"/api/incidents/exercises/{by_api.pk}/held/",
                        {"held_on": ex.days(-1).isoformat(), **HELD})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "held"
    for exercise in (by_form, by_api):
        assert Exercise.objects.filter(follows=exercise).count() == 1
    # An import of exercises already held plans their next ones too.
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["plan", "title", "exercise_type", "incident", "site", "due_on",
                     "repeat_months", "held_on", "participants", "tested", "result"])
    writer.writerow([plan.reference, "Imported drill", "drill", by_form.incident.reference,
                     "S1", ex.days(-20).isoformat(), "3", ex.days(-10).isoformat(),
                     "Night shift", "Gate lockdown", "met"])
    client.force_login(world["users"]["administrator__org"])
    upload = SimpleUploadedFile("exercises.csv", buffer.getvalue().encode(),
                                content_type="text/csv")
    preview = client.post("/incidents/exercises/import/", {"file": upload})
    assert preview.status_code == 200, preview.content.decode()[:3000]
    with run_on_commit():
        client.post("/incidents/exercises/import/", {"token": preview.context["preview"].token})
    job = Job.objects.get(kind="import")
    assert job.status == "succeeded", job.result
    imported = Exercise.objects.get(title="Imported drill", follows__isnull=True)
    assert Exercise.objects.get(follows=imported).due_on == services.add_months(
        ex.days(-10), 3)


# --- actions -> corrective actions --------------------------------------------------------------
def test_actions_open_corrective_actions_only_once_held_ui_and_api(client, world, drill):
    officer = world["users"]["site_security_officer__site"]
    client.force_login(officer)
    url = f"/api/incidents/exercises/{drill.pk}/corrective-action/"
    response = api_post(client, url, {"title": "Update the night call-out list"})
    assert response.status_code == 400 and "held_on" in json.dumps(response.json())
    services.record_exercise(officer, drill, held_on=ex.days(-1), **HELD)
    response = client.post(f"/incidents/exercises/{drill.pk}/corrective-action/",
                           {"title": "Update the night call-out list",
                            "due_date": ex.days(14).isoformat()})
    assert response.status_code == 302
    response = api_post(client, url, {"title": "Train the lockdown to 5 minutes"})
    assert response.status_code == 201, response.content
    actions = list(CorrectiveAction.objects.order_by("pk"))
    assert [a.title for a in actions] == ["Update the night call-out list",
                                          "Train the lockdown to 5 minutes"]
    assert all(a.site == world["s1"] and a.owner == officer for a in actions)
    assert actions[0].due_date == ex.days(14)
    assert sorted(response.json()["corrective_actions"]) == [a.pk for a in actions]
    page = client.get(drill.get_absolute_url()).content.decode()
    assert actions[0].reference in page and actions[1].reference in page


def test_an_officer_of_another_site_cannot_record_or_act_on_the_exercise(client, world, plan):
    at_s2 = ex.exercise(plan, "Drill at S2", site=world["s2"])
    officer = world["users"]["site_security_officer__site"]
    with pytest.raises(PermissionDenied):
        services.record_exercise(officer, at_s2, held_on=ex.days(-1), **HELD)
    client.force_login(officer)
    response = api_post(client, f"/api/incidents/exercises/{at_s2.pk}/held/",
                        {"held_on": ex.days(-1).isoformat(), **HELD})
    assert response.status_code == 404
    assert client.get(at_s2.get_absolute_url()).status_code == 404


# --- overdue, the plan page, the review and the evidence pack -----------------------------------
def test_overdue_exercises_show_on_the_list_dashboard_and_my_work_in_scope(client, world, plan):
    late = ex.exercise(plan, "Late at S1", site=world["s1"], due_on=ex.days(-5))
    ex.exercise(plan, "Due later", site=world["s1"], due_on=ex.days(5))
    elsewhere = ex.exercise(plan, "Late at S2", site=world["s2"], due_on=ex.days(-5))
    client.force_login(world["users"]["site_security_officer__site"])
    listed = client.get("/incidents/exercises/", {"overdue": "true"}).content.decode()
    assert late.get_absolute_url() in listed and elsewhere.get_absolute_url() not in listed
    home = client.get("/").content.decode()
    assert "Plan exercises overdue" in home and late.reference in home
    assert elsewhere.reference not in home
    work = client.get("/audits/my-work/").content.decode()
    assert "Exercises of the security plans to hold" in work and "Drill: Late at S1" in work
    assert "Late at S2" not in work
    api = client.get("/api/incidents/exercises/", {"overdue": "true"}).json()
    assert [row["id"] for row in api["results"]] == [late.pk]


def test_the_plan_page_shows_when_it_was_last_tested(client, world, plan):
    manager = world["users"]["security_manager__org"]
    client.force_login(manager)
    assert "never (no exercise recorded as held)" in client.get(
        plan.get_absolute_url()).content.decode()
    older, newer = (ex.exercise(plan, title, site=world["s1"]) for title in ("Old", "New"))
    services.record_exercise(manager, older, held_on=ex.days(-40), **HELD)
    services.record_exercise(manager, newer, held_on=ex.days(-4), **HELD)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert f"{ex.days(-4):%Y-%m-%d} — <a href=\"{newer.get_absolute_url()}\"" in page
    assert "Exercise programme" in page


def test_the_review_input_and_the_evidence_pack_hold_the_exercises_in_scope(world, plan):
    from chainward.certification.evidence_pack import PackWriter
    from chainward.incidents.exercises.dashboard import exercises as review_input
    from chainward.incidents.exercises.packs import exercise_reports
    from tests.plans.test_security_plan import pdf_pages

    manager = world["users"]["security_manager__org"]
    at_s1 = ex.exercise(plan, "Lockdown S1", site=world["s1"])
    at_s2 = ex.exercise(plan, "Lockdown S2", site=world["s2"])
    ex.exercise(plan, "Late S2", site=world["s2"], due_on=ex.days(-3))
    services.record_exercise(manager, at_s1, held_on=ex.days(-2), **HELD)
    services.record_exercise(manager, at_s2, held_on=ex.days(-2), **{**HELD, "result": "met"})
    services.open_exercise_action(manager, at_s1, title="Refresh the call-out list")

    def figures(user):
        return {f["key"]: f["value"] for f in review_input(world["org_a"], user)["figures"]}

    assert figures(manager) == {"held": 2, "met": 1, "not_met": 1, "overdue": 1, "actions": 1}
    auditor = world["users"]["internal_auditor__site"]  # S1 only
    assert figures(auditor) == {"held": 1, "met": 0, "not_met": 1, "overdue": 0, "actions": 1}
    pack = PackWriter(auditor, "EP-TEST")
    [entry] = exercise_reports(world["org_a"], auditor, pack)
    with zipfile.ZipFile(io.BytesIO(pack.close())) as archive:
        text = "\n".join(pdf_pages(archive.read(entry.path)))
    assert entry.restricted and at_s1.reference in text and "Refresh the call-out list" in text
    assert at_s2.reference not in text
    viewer = world["users"]["viewer__org"]
    assert exercise_reports(world["org_a"], viewer, PackWriter(viewer, "EP-2"))[0].path == ""
