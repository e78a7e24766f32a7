"""Objectives that measure incident KPIs (issue 14 item 5): counted from the incident register
over the review period at the objective's sites, per 1,000 shipments when asked, recorded as a
measurement (service and page), within the measuring person's scope."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chainward.incidents.kpis import measure_objective
from chainward.ledger.context import actor_context
from chainward.plans.models import SecurityObjective

from . import factories as f


def at(days):
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def objective(world):
    """Quarterly objective at S1: incidents (about 91 days back count)."""
    with actor_context(None, name="fixture"):
        made = SecurityObjective.objects.create(
            organisation=world["org_a"], title="Fewer incidents at S1",
            owner=world["users"]["security_manager__org"], kpi_name="Incidents per quarter",
            unit="EUR", incident_measure="incidents", target=1,
            due_date=datetime.date(2027, 12, 31),
            planned_actions="Gate procedure", direction="lower_is_better",
            review_frequency="quarterly")
        made.sites.set([world["s1"]])
        org = world["org_a"]
        f.incident(org, "S1 recent", site=world["s1"], occurred_at=at(10), loss_value=500,
                   recovered_value=100)
        f.incident(org, "S1 older", site=world["s1"], occurred_at=at(40), loss_value=250)
        f.incident(org, "S1 last year", site=world["s1"], occurred_at=at(200), loss_value=9000)
        f.incident(org, "S2 recent", site=world["s2"], occurred_at=at(5), loss_value=7000)
        f.incident(org, "S1 in PLN", site=world["s1"], occurred_at=at(3), loss_value=300,
                   currency="PLN")
    return made


def test_the_kpis_count_the_review_period_at_the_objectives_sites(world, objective):
    manager = world["users"]["security_manager__org"]
    # Three S1 incidents in the quarter (two in EUR, one in PLN); S2 and last year left out.
    assert measure_objective(manager, objective).value == Decimal("3.00")
    objective.incident_measure = "loss_per_1000"
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    # (500 - 100 + 250) EUR over 13,000 shipments = 650 * 1000 / 13000 = 50.00
    measurement = measure_objective(manager, objective, on=yesterday, shipments=13000)
    assert measurement.value == Decimal("50.00")
    assert "EUR net lost per 1,000 of 13,000 shipments" in measurement.note
    with pytest.raises(ValidationError, match="number of shipments"):
        measure_objective(manager, objective, on=yesterday - datetime.timedelta(days=1))


def test_the_page_measures_and_says_why_not(client, world, objective):
    client.force_login(world["users"]["security_manager__org"])
    page = client.get(objective.get_absolute_url()).content.decode()
    assert 'id="measure-incidents"' in page
    response = client.post(f"/incidents/objectives/{objective.pk}/measure/", follow=True)
    assert "Measured 3.00" in response.content.decode()
    response = client.post(f"/incidents/objectives/{objective.pk}/measure/", follow=True)
    assert "already has a measurement" in response.content.decode()
    assert objective.measurements.count() == 1


def test_a_site_limited_measurer_counts_only_what_they_see(world, objective):
    from chainward.incidents.kpis import incident_kpi

    with actor_context(None, name="fixture"):
        objective.sites.set([])  # the whole organisation
    manager = world["users"]["security_manager__org"]
    officer = world["users"]["site_security_officer__site"]  # S1 only
    today = timezone.localdate()
    assert incident_kpi(manager, objective, on=today)[0] == Decimal("4.00")
    assert incident_kpi(officer, objective, on=today)[0] == Decimal("3.00")


def test_the_api_measures_with_the_same_rule_and_says_why_not(client, world, objective):
    """POST /api/plans/objectives/<id>/measure-incidents/ records what the page's button
    records (kpis.measure_objective), and refuses as it does."""
    import json

    url = f"/api/plans/objectives/{objective.pk}/measure-incidents/"
    client.force_login(world["users"]["security_manager__org"])
    response = client.post(url, data=json.dumps({}), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    # Three S1 incidents in the quarter, as through the page (worked out above).
    assert Decimal(body["value"]) == Decimal("3.00") and body["objective"] == objective.pk
    assert "From the incident register: incidents" in body["note"]
    again = client.post(url, data=json.dumps({}), content_type="application/json")
    assert again.status_code == 400 and "already has a measurement" in again.content.decode()
    with actor_context(None, name="fixture"):
        objective.incident_measure = "loss_per_1000"
        objective.save()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    refused = client.post(url, data=json.dumps({"measured_on": yesterday.isoformat()}),
                          content_type="application/json")
    assert refused.status_code == 400 and "shipments" in refused.json()["errors"]
    response = client.post(url, data=json.dumps({"measured_on": yesterday.isoformat(),
                                                 "shipments": 13000}),
                           content_type="application/json")
    assert response.status_code == 201 and Decimal(response.json()["value"]) == Decimal("50.00")
    assert objective.measurements.count() == 2
    # A viewer reads objectives but records no measurement.
    client.force_login(world["users"]["viewer__org"])
    response = client.post(url, data=json.dumps({"shipments": 100}),
                           content_type="application/json")
    assert response.status_code == 403
    assert objective.measurements.count() == 2
