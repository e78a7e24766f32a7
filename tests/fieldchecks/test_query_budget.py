"""The run list (page and API), a run's page, the seal register, its events, a seal's page
and the reconciliation cost the same number of queries at 10 and at 1,000 rows."""

import pytest
from django.utils import timezone

from chainward.core.models import ReferenceCounter
from chainward.fieldchecks.models import CheckAnswer, CheckItem, CheckRun, Seal, SealEvent
from chainward.ledger.context import actor_context
from tests.core.test_query_budget import count_queries
from tests.support.bulk import fixture_writes

from . import factories as f


def _bulk(model, org, prefix, rows):
    for row, reference in zip(rows, ReferenceCounter.reserve(org.pk, prefix, len(rows)),
                              strict=True):
        row.reference = reference
    return model.objects.bulk_create(rows)


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
    now = timezone.now()
    with fixture_writes(CheckRun, CheckAnswer, Seal, SealEvent, CheckItem):
        runs = _bulk(CheckRun, org, "CHK", [
            CheckRun(organisation=org, template=template, site=site,
                     container_number=f"B{i}", performed_at=now)
            for i, site in enumerate(sites)])
        _bulk(CheckAnswer, org, "CKA", [
            CheckAnswer(organisation=org, run=run, item=item, site=run.site, outcome="pass")
            for run in runs])
        seals = _bulk(Seal, org, "SEA", [
            Seal(organisation=org, batch=batch, site=site, number=f"B{i:06d}")
            for i, site in enumerate(sites)])
        _bulk(SealEvent, org, "SLE", [
            SealEvent(organisation=org, seal=seal, kind="received", site=seal.site,
                      seal_site=seal.site, at=now) for seal in seals])


@pytest.mark.parametrize("persona", ["site_security_officer__site", "security_manager__org"])
def test_the_field_check_pages_cost_the_same_at_10_and_1000_rows(client, world, persona):
    client.force_login(world["users"][persona])
    state = {}
    fill(world, state, 10)
    run = CheckRun.objects.filter(site=world["s1"]).order_by("pk").first()
    seal = Seal.objects.filter(site=world["s1"]).order_by("pk").first()
    urls = ("/fieldchecks/runs/?per_page=100", "/api/fieldchecks/runs/?limit=1000",
            "/fieldchecks/answers/?per_page=100", run.get_absolute_url(),
            "/fieldchecks/seals/?per_page=100", "/api/fieldchecks/seals/?limit=1000",
            "/fieldchecks/seal-events/?per_page=100", seal.get_absolute_url(),
            "/fieldchecks/seals/reconciliation/", f"/fieldchecks/templates/"
            f"{state['template'].pk}/")
    for url in urls:  # warm the per-process caches (content types) before counting
        client.get(url)
    small = [count_queries(client, url) for url in urls]
    fill(world, state, 1000)
    assert CheckRun.objects.count() == 1000 and Seal.objects.count() == 1000
    assert state["template"].items.count() == 30
    large = [count_queries(client, url) for url in urls]
    assert large == small, f"queries at 10 rows {small}, at 1,000 {large}"
    runs = client.get("/api/fieldchecks/runs/?limit=1000").json()["count"]
    assert runs == (500 if persona.endswith("__site") else 1000)
