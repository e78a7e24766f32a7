"""The run list (page, API and CSV export), a run's page, the answers, the seal register, its
events (pages, API and exports), a seal's page and the reconciliation cost the same number of
queries at 10 and at 10,000 runs and seals (issue 15: "query budget … at 10 and 10,000 rows")."""

import csv
import io

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chainward.core.models import ReferenceCounter
from chainward.fieldchecks.models import CheckAnswer, CheckItem, CheckRun, Seal, SealEvent
from chainward.ledger.context import actor_context
from tests.support.bulk import fixture_writes

from . import factories as f

LARGE = 10_000  # the figure


def _bulk(model, org, prefix, rows):
    for row, reference in zip(rows, ReferenceCounter.reserve(org.pk, prefix, len(rows)),
                              strict=True):
        row.reference = reference
    return model.objects.bulk_create(rows, batch_size=2000)


def fill(world, state, upto):
    """Runs (each with an answer) and seals (each with an event) at S1 and S2; the first ten
    through the ledgered path, the rest written in bulk (a fixture, said so)."""
    org = world["org_a"]
    with actor_context(None, name="query budget"):
        if "template" not in state:
            state["template"] = f.template(org, "Budget")
            state["item"] = f.item(state["template"], "Floor")
            state["batch"] = f.batch(org, world["s1"], 1, 1)
            state["items"] = [state["item"]]
        template, item, batch = state["template"], state["item"], state["batch"]
        # A run's page grows with the template's items, never with other runs.
        for i in range(len(state["items"]), min(upto, 30)):
            state["items"].append(f.item(template, f"Point {i}", order=i,
                                         section="AB"[i % 2]))
        have = CheckRun.objects.filter(organisation=org).count()
        for i in range(have, min(upto, 10)):
            site = world["s1" if i % 2 else "s2"]
            run = f.run(template, site, container_number=f"C{i}")
            f.answer(run, item, outcome="pass")
            seal = f.seal(batch, f"Q{i:05d}", site=site)
            f.event(seal, site=site)
        have = max(have, min(upto, 10))
    if upto <= have:
        return
    sites = [world["s1" if i % 2 else "s2"] for i in range(have, upto)]
    # Every related record an export column shows is set, so a column read per row would show.
    person = world["users"]["security_manager__org"]
    now = timezone.now()
    with fixture_writes(CheckRun, CheckAnswer, Seal, SealEvent, CheckItem):
        runs = _bulk(CheckRun, org, "CHK", [
            CheckRun(organisation=org, template=template, site=site, inspector=person,
                     container_number=f"B{i}", performed_at=now)
            for i, site in enumerate(sites)])
        _bulk(CheckAnswer, org, "CKA", [
            CheckAnswer(organisation=org, run=run, item=item, site=run.site, outcome="pass")
            for run in runs])
        seals = _bulk(Seal, org, "SEA", [
            Seal(organisation=org, batch=batch, site=site, issued_to=person,
                 number=f"B{i:06d}") for i, site in enumerate(sites)])
        _bulk(SealEvent, org, "SLE", [
            SealEvent(organisation=org, seal=seal, kind="received", site=seal.site,
                      seal_site=seal.site, by=person, issued_to=person, at=now)
            for seal in seals])


def count_queries(client, url):
    """Queries of one GET, a streamed download read to its end inside the count; and the body."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else \
            response.content
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries), body


def csv_rows(body):
    """The data rows of a CSV download (header left out)."""
    return len(list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))) - 1


EXPORTS = ("/fieldchecks/runs/?export=csv", "/fieldchecks/answers/?export=csv",
           "/fieldchecks/seals/?export=csv", "/fieldchecks/seal-events/?export=csv")


PERSONAS = ("site_security_officer__site", "security_manager__org")


def test_the_field_check_pages_cost_the_same_at_10_and_10000_rows(world):
    # Both personas measured on one fill (the 10,000-row build is the slow part, ~2 s a
    # model), each with its own client, signed in and warmed once.
    clients = {persona: Client() for persona in PERSONAS}
    state = {}
    fill(world, state, 10)
    run = CheckRun.objects.filter(site=world["s1"]).order_by("pk").first()
    seal = Seal.objects.filter(site=world["s1"]).order_by("pk").first()
    urls = ("/fieldchecks/runs/?per_page=100", "/api/fieldchecks/runs/?limit=500",
            "/fieldchecks/answers/?per_page=100", run.get_absolute_url(),
            "/fieldchecks/seals/?per_page=100", "/api/fieldchecks/seals/?limit=500",
            "/fieldchecks/seal-events/?per_page=100", seal.get_absolute_url(),
            "/fieldchecks/seals/reconciliation/", f"/fieldchecks/templates/"
            f"{state['template'].pk}/") + EXPORTS
    small = {}
    for persona, client in clients.items():
        client.force_login(world["users"][persona])
        for url in urls:  # warm the per-process caches (content types) before counting
            count_queries(client, url)
        small[persona] = [count_queries(client, url)[0] for url in urls]
    fill(world, state, LARGE)
    assert CheckRun.objects.count() == LARGE and CheckAnswer.objects.count() == LARGE
    assert Seal.objects.count() == LARGE and SealEvent.objects.count() == LARGE
    assert state["template"].items.count() == 30
    for persona, client in clients.items():
        # The session's "last seen" is written at most once a minute (access.sessions.touch);
        # the fill may take longer, so one request first, outside the count.
        client.get("/api/fieldchecks/runs/?limit=1")
        measured = [count_queries(client, url) for url in urls]
        large = [queries for queries, _ in measured]
        assert large == small[persona], \
            f"{persona}: queries at 10 rows {small[persona]}, at {LARGE:,} {large}"
        # The persona sees every row of its scope: half (S1) for the site officer, all for
        # the manager — in the API's count and in every export, row for row.
        seen = LARGE // 2 if persona.endswith("__site") else LARGE
        assert client.get("/api/fieldchecks/runs/?limit=500").json()["count"] == seen
        assert client.get("/api/fieldchecks/seals/?limit=500").json()["count"] == seen
        exported = {url: csv_rows(body) for url, (_, body) in zip(urls, measured, strict=True)
                    if url in EXPORTS}
        assert exported == dict.fromkeys(EXPORTS, seen), persona
