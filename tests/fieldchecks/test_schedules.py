"""Check schedules (issue 15 item 4): the next due date follows the last completed run, due and
overdue checks reach the dashboard, My work and the daily digest within the person's scope,
"every outbound trailer" has no calendar, the completion rate per site counts due checks done
on time, and it becomes the measurement of a security objective through the page and the API.

Expected figures are worked out by hand in each test from the dates it sets up."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chainward.fieldchecks import services
from chainward.fieldchecks.choices import DueState
from chainward.fieldchecks.models import CheckRun, CheckSchedule
from chainward.fieldchecks.schedules import completion, occurrences
from chainward.ledger.context import actor_context
from chainward.notifications.digest import due_for
from chainward.plans.models import Measurement, SecurityObjective

from . import factories as f

TODAY = timezone.localdate()


def day(days_ago):
    return TODAY - datetime.timedelta(days=days_ago)


def at(days_ago):
    """Noon, `days_ago` days ago (local time)."""
    return timezone.make_aware(datetime.datetime.combine(day(days_ago), datetime.time(12)))


def fixture(func, *args, **kwargs):
    with actor_context(None, name="fixture"):
        return func(*args, **kwargs)


def done(template, site, days_ago):
    return fixture(f.run, template, site, status="completed", result="passed",
                   performed_at=at(days_ago))


@pytest.fixture
def cctv(world):
    """A weekly CCTV test at S1 first due 28 days ago, done 28, 14 and 7 days ago (the week
    due 21 days ago was missed); the same test at S2, first due 20 days ago, never done."""
    org = world["org_a"]

    def build():
        template = f.template(org, "Weekly CCTV test", kind="site")
        f.item(template, "Every camera records")
        s1 = f.schedule(template, world["s1"], unit="weeks", starts_on=day(28))
        s2 = f.schedule(template, world["s2"], unit="weeks", starts_on=day(20))
        return template, s1, s2

    template, s1, s2 = fixture(build)
    for days_ago in (28, 14, 7):
        done(template, world["s1"], days_ago)
    return template, s1, s2


# --- due dates ----------------------------------------------------------------------------------
def test_a_weekly_schedule_with_one_missed_week_is_met_three_times_of_four(world, cctv):
    _, s1, _ = cctv
    found = occurrences(s1, [day(28), day(14), day(7)], start=day(90), end=TODAY)
    assert [(o.due, o.done_on) for o in found] == [
        (day(28), day(28)), (day(21), None), (day(14), day(14)), (day(7), day(7))]
    # The next one is due today (a week after the last run): due, not yet missed.
    assert s1.next_due == TODAY and s1.state() == DueState.DUE


def test_a_late_run_restarts_the_clock_from_its_own_date(world):
    org = world["org_a"]
    schedule = fixture(f.schedule, fixture(f.template, org, "Lighting"), world["s1"],
                       unit="days", every=7, starts_on=day(20))
    found = occurrences(schedule, [day(10)], start=day(30), end=TODAY)
    # Due 20 days ago: missed; due 13 days ago: missed, done late 10 days ago, so the next is
    # due 3 days ago: missed too. None on time.
    assert [(o.due, o.on_time) for o in found] == [(day(20), False), (day(13), False),
                                                    (day(3), False)]


def test_monthly_schedules_step_by_calendar_month(world):
    org = world["org_a"]
    template = fixture(f.template, org, "Key audit")
    schedule = fixture(f.schedule, template, world["s1"], unit="months", every=3,
                       starts_on=datetime.date(2025, 1, 31))
    assert schedule.after(datetime.date(2025, 11, 30)) == datetime.date(2026, 2, 28)
    assert schedule.frequency_text == "every 3 months"


def test_the_next_due_date_follows_the_last_completed_run_through_the_pages_and_api(
        client, world, cctv):
    template, s1, s2 = cctv
    client.force_login(world["users"]["security_manager__org"])
    page = client.get(s1.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert f'id="next-due">{TODAY:%Y-%m-%d}' in html and "75.0 % of 4 due" in html
    api = client.get("/api/fieldchecks/schedules/").json()["results"]
    rows = {row["id"]: row for row in api}
    assert rows[s1.pk]["next_due"] == TODAY.isoformat() and rows[s1.pk]["due_state"] == "Due"
    assert rows[s2.pk]["next_due"] == day(20).isoformat()
    assert rows[s2.pk]["due_state"] == "Overdue"
    # Completing a check at S2 today moves its next due date a week on.
    user = world["users"]["security_manager__org"]
    new = CheckRun(organisation=world["org_a"], template=template, site=world["s2"],
                   performed_at=timezone.now())
    services.record_run(user, new, [{"item": template.items.get(), "outcome": "pass"}])
    row = client.get(f"/api/fieldchecks/schedules/{s2.pk}/").json()
    assert row["next_due"] == (TODAY + datetime.timedelta(days=7)).isoformat()
    assert row["due_state"] == "Planned"


def test_a_draft_or_archived_run_does_not_count_as_done(world, cctv):
    template, _, s2 = cctv
    fixture(f.run, template, world["s2"], performed_at=at(1))  # a draft
    fixture(f.run, template, world["s2"], performed_at=at(2), status="completed",
            archived=True)
    assert CheckSchedule.objects.get(pk=s2.pk).next_due == day(20)


def test_every_outbound_trailer_has_no_calendar(client, world):
    org = world["org_a"]
    template = fixture(f.template, org, "17-point")
    schedule = fixture(f.schedule, template, world["s1"], unit="per_trailer",
                       starts_on=day(60))
    assert schedule.next_due is None and schedule.state() == DueState.EVENT
    client.force_login(world["users"]["security_manager__org"])
    assert not [s for s, _ in services_due(world, "security_manager__org")]
    # An interval means nothing for it: refused in the form and the API alike.
    data = {"template": fixture(f.template, org, "Other").pk, "site": world["s1"].pk,
            "unit": "per_trailer", "every": 2, "starts_on": TODAY.isoformat(),
            "active": "on"}
    response = client.post("/fieldchecks/schedules/add/", data)
    assert response.status_code == 400 and "leave it at 1" in response.content.decode()
    response = client.post("/api/fieldchecks/schedules/", data=json.dumps(
        {**data, "active": True}), content_type="application/json")
    assert response.status_code == 400 and "every" in response.json()["errors"]


def services_due(world, persona):
    from chainward.fieldchecks.schedules import due_schedules

    return due_schedules(world["users"][persona], world["org_a"])


# --- dashboard, My work, digest ---------------------------------------------------------------
def test_due_checks_reach_the_dashboard_my_work_and_the_digest_within_scope(
        client, world, cctv):
    template, s1, s2 = cctv
    officer = world["users"]["site_security_officer__site"]
    client.force_login(officer)
    home = client.get("/").content.decode()
    assert "Scheduled checks due" in home
    assert "Rotterdam terminal" not in home.split("Scheduled checks due")[1][:400]
    work = client.get("/audits/my-work/").content.decode()
    assert f"/fieldchecks/runs/add/?template={template.pk}&amp;site={world['s1'].pk}" in work
    assert f"site={world['s2'].pk}" not in work
    sections = {s["title"]: s for s in due_for(officer, world["org_a"])}
    rows = sections["Scheduled checks due"]["rows"]
    assert [(r["where"], r["due"], r["overdue"]) for r in rows] == [
        (str(world["s1"]), TODAY, False)]
    # The organisation-wide manager sees both, the overdue one at S2 first.
    manager = world["users"]["security_manager__org"]
    rows = {s["title"]: s for s in due_for(manager, world["org_a"])}[
        "Scheduled checks due"]["rows"]
    assert [(r["where"], r["overdue"]) for r in rows] == [(str(world["s2"]), True),
                                                         (str(world["s1"]), False)]
    # A schedule someone else is responsible for is not in my work, but on the dashboard.
    with actor_context(None, name="fixture"):
        s2.responsible = world["users"]["contributor__org"]
        s2.save()
    rows = {s["title"]: s for s in due_for(manager, world["org_a"])}[
        "Scheduled checks due"]["rows"]
    assert [r["where"] for r in rows] == [str(world["s1"])]
    # Viewers read schedules but do no checks: a dashboard card, no My work section.
    viewer = world["users"]["viewer__org"]
    assert "Scheduled checks due" not in {s["title"] for s in due_for(viewer, world["org_a"])}
    client.force_login(viewer)
    assert "Scheduled checks due" in client.get("/").content.decode()


def test_nothing_due_shows_no_card(client, world):
    client.force_login(world["users"]["security_manager__org"])
    assert "Scheduled checks due" not in client.get("/").content.decode()


# --- completion -------------------------------------------------------------------------------
def test_completion_per_site_counts_due_checks_done_on_time_within_scope(client, world, cctv):
    manager = world["users"]["security_manager__org"]
    result = completion(manager, world["org_a"], start=day(90), end=TODAY)
    rows = {row["site"].code: (row["due"], row["on_time"], row["rate"]) for row in result.sites}
    # S2: due 20, 13, 6 days ago, never done.
    assert rows == {"S1": (4, 3, Decimal("75.0")), "S2": (3, 0, Decimal("0.0"))}
    assert result.rate == Decimal("42.9")  # 3 of 7
    client.force_login(world["users"]["site_security_officer__site"])
    page = client.get("/fieldchecks/schedules/completion/?days=90")
    assert page.status_code == 200
    assert [row["site"].code for row in page.context["result"].sites] == ["S1"]
    assert "75.0 %" in page.content.decode()
    # The other organisation's administrator sees none of A's sites.
    client.force_login(world["foreign"])
    page = client.get("/fieldchecks/schedules/completion/")
    assert page.status_code == 200 and page.context["result"].sites == []


@pytest.fixture
def objective(world):
    """A quarterly-reviewed objective about S1, measured by hand."""
    def build():
        objective = SecurityObjective.objects.create(
            organisation=world["org_a"], title="CCTV tested every week", kpi_name="tests on time",
            unit="%", target="95", due_date=TODAY + datetime.timedelta(days=180),
            planned_actions="Weekly test by the shift lead", owner=world["users"][
                "security_manager__org"], review_frequency="quarterly")
        objective.sites.set([world["s1"]])
        return objective

    return fixture(build)


def test_the_completion_rate_is_recorded_as_an_objectives_measurement_page(
        client, world, cctv, objective):
    client.force_login(world["users"]["security_manager__org"])
    page = client.get("/fieldchecks/schedules/completion/")
    assert objective in page.context["objectives"]
    response = client.post("/fieldchecks/schedules/completion/", {"objective": "abc"},
                           follow=True)
    assert "Choose one of the objectives listed" in response.content.decode()
    response = client.post("/fieldchecks/schedules/completion/", {"objective": objective.pk})
    assert response.status_code == 302
    measurement = Measurement.objects.get(objective=objective)
    assert measurement.value == Decimal("75.0") and measurement.measured_on == TODAY
    assert "3 of 4 due checks done on time" in measurement.note
    # Once a day: the second is refused with the reason.
    response = client.post("/fieldchecks/schedules/completion/", {"objective": objective.pk},
                           follow=True)
    assert "already has a measurement" in response.content.decode()
    assert Measurement.objects.filter(objective=objective).count() == 1


def test_the_completion_rate_is_recorded_as_an_objectives_measurement_api(
        client, world, cctv, objective):
    url = "/api/fieldchecks/schedules/measure-objective/"
    client.force_login(world["users"]["viewer__org"])
    response = client.post(url, {"objective": objective.pk}, content_type="application/json")
    assert response.status_code == 403 and not Measurement.objects.exists()
    # Measurements are organisation-wide records: a site-limited officer reads them only.
    client.force_login(world["users"]["site_security_officer__site"])
    response = client.post(url, {"objective": objective.pk}, content_type="application/json")
    assert response.status_code == 403 and not Measurement.objects.exists()
    client.force_login(world["users"]["site_security_officer__org"])
    response = client.post(url, {"objective": objective.pk}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert Decimal(response.json()["value"]) == Decimal("75.0")
    response = client.post(url, {"objective": objective.pk}, content_type="application/json")
    assert response.status_code == 400 and "measured_on" in response.json()["errors"]
    with actor_context(None, name="fixture"):
        objective.incident_measure = "incidents"
        objective.save()
    response = client.post(url, {"objective": objective.pk,
                                 "measured_on": day(1).isoformat()},
                           content_type="application/json")
    assert response.status_code == 400 and "objective" in response.json()["errors"]


def test_an_objective_with_nothing_due_is_not_measured(world, objective):
    from chainward.fieldchecks.kpis import measure_objective

    with pytest.raises(ValidationError, match="No scheduled check was due"):
        measure_objective(world["users"]["security_manager__org"], objective)


def test_a_run_made_long_before_the_first_due_date_meets_only_that_date(world):
    org = world["org_a"]
    schedule = fixture(f.schedule, fixture(f.template, org, "Patrol"), world["s1"],
                       unit="days", every=1, starts_on=day(3))
    found = occurrences(schedule, [day(10)], start=day(30), end=TODAY)
    assert [(o.due, o.on_time) for o in found] == [(day(3), True), (day(2), False),
                                                    (day(1), False)]
