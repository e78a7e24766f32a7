"""The schedule list (page and API), a schedule's page, the completion page, the visitor log
and the key and badge log (pages and API) cost the same number of queries at 10 and at 200
rows: a schedule's next due date comes from one subquery, never one query per row."""

import pytest

from chainward.core.models import ReferenceCounter
from chainward.fieldchecks.models import (
    CheckRun,
    CheckSchedule,
    CheckTemplate,
    KeyIssue,
    VisitorLogEntry,
)
from chainward.ledger.context import actor_context
from tests.core.test_query_budget import count_queries
from tests.support.bulk import fixture_writes

from . import factories as f


def _bulk(model, org, prefix, rows):
    for row, reference in zip(rows, ReferenceCounter.reserve(org.pk, prefix, len(rows)),
                              strict=True):
        row.reference = reference
    return model.objects.bulk_create(rows)


def fill(world, upto):
    """Schedules (each of its own template, each with a completed run), visitor log entries
    and key issues at S1 and S2; the first ten through the ledgered path, the rest in bulk."""
    org = world["org_a"]
    have = CheckSchedule.objects.filter(organisation=org).count()
    with actor_context(None, name="query budget"):
        for i in range(have, min(upto, 10)):
            site = world["s1" if i % 2 else "s2"]
            template = f.template(org, f"Template {i}")
            f.schedule(template, site, unit="weeks", starts_on=f.ago(60).date())
            f.run(template, site, status="completed", result="passed")
            f.visitor(org, site, name=f"Visitor {i}")
            f.key_issue(org, site, key_id=f"K-{i}")
    have = max(have, min(upto, 10))
    if upto <= have:
        return
    sites = [world["s1" if i % 2 else "s2"] for i in range(have, upto)]
    now = f.ago(1)
    with fixture_writes(CheckTemplate, CheckSchedule, CheckRun, VisitorLogEntry, KeyIssue):
        templates = _bulk(CheckTemplate, org, "CKT", [
            CheckTemplate(organisation=org, name=f"Bulk template {i}") for i in range(len(sites))])
        _bulk(CheckSchedule, org, "CKS", [
            CheckSchedule(organisation=org, template=t, site=s, unit="days", every=7,
                          starts_on=f.ago(60).date()) for t, s in zip(templates, sites,
                                                                      strict=True)])
        _bulk(CheckRun, org, "CHK", [
            CheckRun(organisation=org, template=t, site=s, performed_at=now,
                     status="completed", result="passed")
            for t, s in zip(templates, sites, strict=True)])
        _bulk(VisitorLogEntry, org, "VIS", [
            VisitorLogEntry(organisation=org, site=s, name=f"Bulk visitor {i}", time_in=now)
            for i, s in enumerate(sites)])
        _bulk(KeyIssue, org, "KEY", [
            KeyIssue(organisation=org, site=s, key_id=f"B-{i}", issued_to="Bulk",
                     issued_at=now) for i, s in enumerate(sites)])


@pytest.mark.parametrize("persona", ["site_security_officer__site", "security_manager__org"])
def test_schedules_and_gate_logs_cost_the_same_at_10_and_200_rows(client, world, persona):
    client.force_login(world["users"][persona])
    fill(world, 10)
    schedule = CheckSchedule.objects.filter(site=world["s1"]).order_by("pk").first()
    urls = ("/fieldchecks/schedules/?per_page=250", "/api/fieldchecks/schedules/?limit=500",
            schedule.get_absolute_url(), "/fieldchecks/schedules/completion/?days=365",
            "/fieldchecks/visitors/?per_page=250", "/api/fieldchecks/visitors/?limit=500",
            "/fieldchecks/keys/?per_page=250", "/api/fieldchecks/keys/?limit=500", "/")
    for url in urls:  # warm the per-process caches (content types) before counting
        client.get(url)
    small = [count_queries(client, url) for url in urls]
    fill(world, 200)
    assert CheckSchedule.objects.count() == 200 and VisitorLogEntry.objects.count() == 200
    large = [count_queries(client, url) for url in urls]
    assert large == small, f"queries at 10 rows {small}, at 200 {large}"
    rows = client.get("/api/fieldchecks/schedules/?limit=500").json()
    assert rows["count"] == (100 if persona.endswith("__site") else 200)
    assert all(row["next_due"] for row in rows["results"])
