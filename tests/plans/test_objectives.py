"""Objectives through the UI and the API: status follows the measurements, the page charts them."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chainward.ledger.context import actor_context
from chainward.plans.models import Measurement, SecurityObjective
from tests.core.test_pages import (
    test_pages_have_a_strict_csp_and_no_inline_script_or_style as assert_strict_csp,
)


def days(n):
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


def objective_data(world, **overrides):
    data = {"title": "Seal checks at hand-offs",
            "owner": world["users"]["security_manager__org"].pk,
            "kpi_name": "Hand-offs with a recorded seal check", "unit": "%",
            "direction": "higher_is_better", "baseline": "94", "target": "99",
            "due_date": days(90), "review_frequency": "monthly",
            "planned_actions": "Yard app blocks unverified hand-offs (IT, Q1)."}
    data.update(overrides)
    return data


def svg_of(page):
    match = re.search(r"<svg.*?</svg>", page, re.S)
    assert match, "no chart on the page"
    return match.group(0)


def test_admin_creates_an_objective_adds_measurements_and_sees_status_and_chart(admin_client,
                                                                                world):
    response = admin_client.post("/plans/objectives/add/", objective_data(world))
    assert response.status_code == 302, response.content.decode()[:2000]
    objective = SecurityObjective.objects.get(title="Seal checks at hand-offs")
    assert objective.organisation == world["org_a"] and objective.status == "not_measured"
    page = admin_client.get(objective.get_absolute_url()).content.decode()
    assert "Not measured" in page and "<svg" not in page
    assert f"/plans/measurements/add/?objective={objective.pk}" in page  # the panel's Add

    form = admin_client.get(f"/plans/measurements/add/?objective={objective.pk}").content.decode()
    assert re.search(rf'<option value="{objective.pk}" selected>', form)
    # 95, 96, 97 at 30-day steps: slope 1/30 a day; due 90 days after the last point, so the
    # line reaches 97 + 90/30 = 100 ≥ 99 → on track although 97 < 99 today.
    for offset, value in ((-60, "95"), (-30, "96"), (0, "97")):
        response = admin_client.post("/plans/measurements/add/", {
            "objective": objective.pk, "measured_on": days(offset), "value": value})
        assert response.status_code == 302, response.content.decode()[:2000]

    page = admin_client.get(objective.get_absolute_url()).content.decode()
    assert 'id="objective-status">On track<' in page
    assert "100 %" in page  # the projection at the due date
    svg = svg_of(page)
    assert svg.count("<circle") == 3  # one point per measurement
    assert "<polyline" in svg and 'stroke-dasharray="6 4"' in svg  # measurements, target
    assert f"due {days(90)}" in svg and "target 99 %" in svg
    assert "style=" not in svg  # strict CSP: presentation attributes only
    assert_strict_csp(admin_client, world, objective.get_absolute_url())
    listing = admin_client.get("/plans/objectives/").content.decode()
    assert "On track" in listing
    api = admin_client.get(f"/api/plans/objectives/{objective.pk}/").json()
    assert api["status"] == "on_track"

    # A fourth point far below turns the line down: 95, 96, 97, 80 is no longer improving.
    with actor_context(None, name="test"):
        Measurement.objects.create(organisation=world["org_a"], objective=objective,
                                   measured_on=days(-1), value="80")
    page = admin_client.get(objective.get_absolute_url()).content.decode()
    assert svg_of(page).count("<circle") == 4
    assert 'id="objective-status">Off track<' in page


def test_it_refuses_a_second_measurement_on_the_same_day_and_future_dates(admin_client, world):
    admin_client.post("/plans/objectives/add/", objective_data(world))
    objective = SecurityObjective.objects.get()
    data = {"objective": objective.pk, "measured_on": days(-1), "value": "95"}
    assert admin_client.post("/plans/measurements/add/", data).status_code == 302
    response = admin_client.post("/plans/measurements/add/", data)
    assert response.status_code == 400
    assert "already has a measurement on this date" in response.content.decode()
    response = admin_client.post("/plans/measurements/add/", {**data, "measured_on": days(3)})
    assert response.status_code == 400
    assert "cannot be dated in the future" in response.content.decode()
    assert objective.measurements.count() == 1


def test_it_rejects_an_owner_from_another_organisation(admin_client, world):
    response = admin_client.post("/plans/objectives/add/",
                                 objective_data(world, owner=world["foreign"].pk))
    assert response.status_code == 400
    assert not SecurityObjective.objects.exists()
    response = admin_client.post("/api/plans/objectives/?organisation="
                                 f"{world['org_a'].pk}",
                                 {**objective_data(world, owner=world["foreign"].pk)},
                                 content_type="application/json")
    assert response.status_code == 400
    assert "owner" in response.json()["errors"]  # a field error, whichever check caught it
    assert not SecurityObjective.objects.exists()


def test_archived_measurements_do_not_count(admin_client, world):
    admin_client.post("/plans/objectives/add/", objective_data(world))
    objective = SecurityObjective.objects.get()
    response = admin_client.post("/plans/measurements/add/", {
        "objective": objective.pk, "measured_on": days(-1), "value": "99.5"})
    measurement = Measurement.objects.get()
    assert response.status_code == 302 and objective.status == "on_track"
    admin_client.post(f"/plans/measurements/{measurement.pk}/archive/",
                      {"version": measurement.version})
    assert SecurityObjective.objects.get().status == "not_measured"


def make_objectives(world, upto):
    owner = world["users"]["security_manager__org"]
    with actor_context(None, name="query count"):
        for i in range(SecurityObjective.objects.count(), upto):
            objective = SecurityObjective.objects.create(
                organisation=world["org_a"], title=f"Objective {i}", owner=owner, kpi_name="k",
                target="99", due_date=timezone.localdate() + datetime.timedelta(days=30),
                planned_actions="a")
            # 95, 96, 97 at 30-day steps, due 30 days on: 97 + 1 = 98 < 99, improving → at risk.
            for n, value in enumerate(("95", "96", "97")):
                Measurement.objects.create(
                    organisation=world["org_a"], objective=objective, value=value,
                    measured_on=timezone.localdate() - datetime.timedelta(days=60 - 30 * n))


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/plans/objectives/?per_page=100",
                                 "/plans/objectives/?per_page=100&status=at_risk",
                                 "/api/plans/objectives/?limit=1000"])
def test_the_objectives_list_costs_the_same_at_10_and_200_objectives(admin_client, world, url):
    make_objectives(world, 10)
    small = count_queries(admin_client, url)
    make_objectives(world, 200)
    large = count_queries(admin_client, url)
    assert large == small, f"{small} queries at 10 objectives, {large} at 200"
    content = admin_client.get(url).content.decode()
    if "/api/" in url:
        assert content.count('"status":"at_risk"') == 200
    else:
        assert content.count("At risk") >= 100  # a full page of computed statuses
