"""The schedule list (page, API and CSV export), a schedule's page, the completion page, the
visitor log and the key and badge log (pages, API and exports) and the dashboard cost the same
number of queries at 10 and at 10,000 rows (issue 15: "query budget … at 10 and 10,000 rows"):
a schedule's next due date comes from one subquery, never one query per row."""

import csv
import io

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chainward.core.models import ReferenceCounter
from chainward.fieldchecks.models import (
    CheckRun,
    CheckSchedule,
    CheckTemplate,
    KeyIssue,
    VisitorLogEntry,
)
from chainward.ledger.context import actor_context
from tests.support.bulk import fixture_writes

from . import factories as f

LARGE = 10_000  # the issue's figure
PERSONAS = ("site_security_officer__site", "security_manager__org")


def _bulk(model, org, prefix, rows):
    for row, reference in zip(rows, ReferenceCounter.reserve(org.pk, prefix, len(rows)),
                              strict=True):
        row.reference = reference
    return model.objects.bulk_create(rows, batch_size=2000)


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
    # Every related record a column shows is set, so a column read per row would show.
    person = world["users"]["security_manager__org"]
    now = f.ago(1)
    with fixture_writes(CheckTemplate, CheckSchedule, CheckRun, VisitorLogEntry, KeyIssue):
        templates = _bulk(CheckTemplate, org, "CKT", [
            CheckTemplate(organisation=org, name=f"Bulk template {i}") for i in range(len(sites))])
        _bulk(CheckSchedule, org, "CKS", [
            CheckSchedule(organisation=org, template=t, site=s, unit="days", every=7,
                          responsible=person, starts_on=f.ago(60).date())
            for t, s in zip(templates, sites, strict=True)])
        _bulk(CheckRun, org, "CHK", [
            CheckRun(organisation=org, template=t, site=s, performed_at=now,
                     status="completed", result="passed")
            for t, s in zip(templates, sites, strict=True)])
        _bulk(VisitorLogEntry, org, "VIS", [
            VisitorLogEntry(organisation=org, site=s, name=f"Bulk visitor {i}", time_in=now)
            for i, s in enumerate(sites)])
        _bulk(KeyIssue, org, "KEY", [
            KeyIssue(organisation=org, site=s, key_id=f"B-{i}", issued_to="Bulk",
                     issued_by=person, issued_at=now) for i, s in enumerate(sites)])


def count_queries(client, url):
    """Queries of one GET (a streamed download read to its end inside the count), the body and
    the response."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else \
            response.content
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries), body, response


def csv_rows(body):
    """The data rows of a CSV download (header left out)."""
    return len(list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))) - 1


EXPORTS = ("/fieldchecks/schedules/?export=csv", "/fieldchecks/visitors/?export=csv",
           "/fieldchecks/keys/?export=csv")


def test_schedules_and_gate_logs_cost_the_same_at_10_and_10000_rows(world):
    # Both personas measured on one fill (the 10,000-row build is the slow part), each with
    # its own client, signed in and warmed once.
    clients = {persona: Client() for persona in PERSONAS}
    fill(world, 10)
    schedule = CheckSchedule.objects.filter(site=world["s1"]).order_by("pk").first()
    urls = ("/fieldchecks/schedules/?per_page=250", "/api/fieldchecks/schedules/?limit=500",
            schedule.get_absolute_url(), "/fieldchecks/schedules/completion/?days=365",
            "/fieldchecks/visitors/?per_page=250", "/api/fieldchecks/visitors/?limit=500",
            "/fieldchecks/keys/?per_page=250", "/api/fieldchecks/keys/?limit=500",
            "/") + EXPORTS
    small = {}
    for persona, client in clients.items():
        client.force_login(world["users"][persona])
        for url in urls:  # warm the per-process caches (content types) before counting
            count_queries(client, url)
        small[persona] = [count_queries(client, url)[0] for url in urls]
    fill(world, LARGE)
    assert CheckSchedule.objects.count() == LARGE and CheckTemplate.objects.count() == LARGE
    assert CheckRun.objects.count() == LARGE
    assert VisitorLogEntry.objects.count() == LARGE and KeyIssue.objects.count() == LARGE
    for persona, client in clients.items():
        # The session's "last seen" is written at most once a minute (access.sessions.touch);
        # the fill may take longer, so one request first, outside the count.
        client.get("/api/fieldchecks/keys/?limit=1")
        measured = [count_queries(client, url) for url in urls]
        large = [queries for queries, _, _ in measured]
        assert large == small[persona], \
            f"{persona}: queries at 10 rows {small[persona]}, at {LARGE:,} {large}"
        # The persona sees every row of its scope: half (S1) for the site officer, all for
        # the manager — in the API's count and in every export, row for row.
        seen = LARGE // 2 if persona.endswith("__site") else LARGE
        rows = client.get("/api/fieldchecks/schedules/?limit=500").json()
        assert rows["count"] == seen
        assert len(rows["results"]) == 500 and all(row["next_due"] for row in rows["results"])
        assert client.get("/api/fieldchecks/visitors/?limit=500").json()["count"] == seen
        assert client.get("/api/fieldchecks/keys/?limit=500").json()["count"] == seen
        exported = {url: csv_rows(body) for url, (_, body, _) in zip(urls, measured, strict=True)
                    if url in EXPORTS}
        assert exported == dict.fromkeys(EXPORTS, seen), persona
        # The completion page counts every schedule per site and lists a capped few.
        page = measured[urls.index("/fieldchecks/schedules/completion/?days=365")][2]
        assert sum(row["schedules"] for row in page.context["result"].sites) == seen
        assert len(page.context["schedule_rows"]) == 100
        assert page.context["hidden"] == seen - 100
