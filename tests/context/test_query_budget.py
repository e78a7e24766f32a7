"""The legal register, its evaluations, the context issues, the interested parties and the
planned changes (pages and API) and the dashboard cost the same number of queries at 10 and
at 1,000 obligations (with an evaluation each)."""

import pytest

from chainward.context.models import ComplianceEvaluation, Obligation
from chainward.core.models import ReferenceCounter
from chainward.ledger.context import actor_context
from tests.core.test_query_budget import count_queries
from tests.support.bulk import fixture_writes

from . import factories as f


def fill(world, upto):
    """Obligations applying to S1 or S2, each with an evaluation at its site; the first ten
    through the ledgered path, the rest written in bulk (a fixture, said so)."""
    org, owner = world["org_a"], world["users"]["security_manager__org"]
    have = Obligation.objects.filter(organisation=org).count()
    if have < 10:
        with actor_context(None, name="query budget"):
            for i in range(have, min(upto, 10)):
                site = world["s1" if i % 2 else "s2"]
                obligation = f.obligation(org, owner, f"Obligation {i}",
                                          next_evaluation_due=f.days(i - 5))
                obligation.sites.add(site)
                f.evaluation(obligation, owner, site=site)
                f.issue(org, f"Issue {i}")
                f.party(org, f"Party {i}")
                f.change(org, owner, f"Change {i}", site=site)
        have = min(upto, 10)
    if upto <= have:
        return
    refs = ReferenceCounter.reserve(org.pk, "LEG", upto - have)
    with fixture_writes(Obligation, ComplianceEvaluation):
        created = Obligation.objects.bulk_create([
            Obligation(organisation=org, reference=ref, owner=owner, title=f"Bulk {i}",
                       kind="law", source="Bulk", summary="s", next_evaluation_due=f.days(i % 9))
            for i, ref in enumerate(refs)])
        through = Obligation.sites.through
        through.objects.bulk_create([
            through(obligation_id=o.pk, site_id=world["s1" if i % 2 else "s2"].pk)
            for i, o in enumerate(created)])
        evals = ReferenceCounter.reserve(org.pk, "EVL", len(created))
        ComplianceEvaluation.objects.bulk_create([
            ComplianceEvaluation(organisation=org, reference=ref, obligation=o, evaluated_by=owner,
                                 site=world["s1" if i % 2 else "s2"], result="compliant",
                                 evidence="e")
            for i, (ref, o) in enumerate(zip(evals, created, strict=True))])


@pytest.mark.parametrize("persona", ["site_security_officer__site", "security_manager__org"])
def test_the_context_registers_cost_the_same_at_10_and_1000_obligations(client, world,
                                                                         persona):
    client.force_login(world["users"][persona])
    urls = ("/context/obligations/?per_page=100", "/context/obligations/?due=true",
            "/api/context/obligations/?limit=1000",
            "/context/evaluations/?per_page=100", "/api/context/evaluations/?limit=1000",
            "/context/issues/", "/context/interested-parties/", "/context/changes/",
            "/audits/my-work/", "/")
    fill(world, 10)
    for url in urls:  # warm the process's caches (content types, the dashboard's) first
        assert client.get(url).status_code == 200, url
    small = [count_queries(client, url) for url in urls]
    fill(world, 1000)
    assert Obligation.objects.count() == 1000
    large = [count_queries(client, url) for url in urls]
    assert large == small, f"queries at 10 obligations {small}, at 1,000 {large}"
    detail = Obligation.objects.order_by("pk").first().get_absolute_url()
    assert client.get(detail).status_code == 200
