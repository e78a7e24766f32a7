"""Audits, findings and corrective actions cost the same queries at 10 and 250 rows; the
checklist at 10 and 300 items; My work a fixed number."""

import pytest

from chainward.audits.models import Audit, ChecklistItem, CorrectiveAction, Finding
from chainward.ledger.context import actor_context
from tests.core.test_query_budget import count_queries

from . import factories as f


def fill(world, model, upto):
    org = world["org_a"]
    owner = world["users"]["security_manager__org"]
    with actor_context(None, name="query budget"):
        base = world.setdefault("base_audit", f.audit(org, "Base", sites=[world["s1"]],
                                                      lead_auditor=owner))
        for i in range(model.objects.filter(organisation=org).count(), upto):
            if model is Audit:
                f.audit(org, f"Audit {i}", sites=[world["s1"], world["s2"]],
                        lead_auditor=owner).team.set([owner])
            elif model is Finding:
                f.finding(base, f"Finding {i}", grade="minor" if i % 2 else "ofi",
                          site=world["s1"])
            elif model is CorrectiveAction:
                f.capa(org, owner, f"CAPA {i}", site=world["s1"], due_date=f.days(i % 7 - 3))
            elif model is ChecklistItem:
                f.item(base, f"Question {i}", order=i)


@pytest.mark.parametrize("model, prefix", [
    (Audit, "audits"), (Finding, "findings"), (CorrectiveAction, "corrective-actions")],
    ids=["audits", "findings", "corrective-actions"])
def test_list_and_api_cost_the_same_at_10_and_250_rows(client, world, model, prefix):
    client.force_login(world["users"]["internal_auditor__site"])
    urls = (f"/audits/{prefix}/?per_page=100", f"/api/audits/{prefix}/?limit=250")
    fill(world, model, 10)
    small = [count_queries(client, url) for url in urls]
    fill(world, model, 250)
    large = [count_queries(client, url) for url in urls]
    assert large == small, f"queries at 10 rows {small}, at 250 rows {large}"


def test_checklist_page_costs_the_same_at_10_and_300_items(client, world):
    client.force_login(world["users"]["internal_auditor__org"])
    fill(world, ChecklistItem, 10)
    url = f"/audits/audits/{world['base_audit'].pk}/checklist/"
    small = count_queries(client, url)
    fill(world, ChecklistItem, 300)
    assert world["base_audit"].checklist.count() == 300
    page = client.get(url).content.decode()
    assert page.count('hx-post="/audits/checklist-items/') == 300
    assert count_queries(client, url) == small


def test_my_work_costs_a_fixed_number_of_queries(client, world):
    owner = world["users"]["security_manager__org"]
    client.force_login(owner)
    with actor_context(None, name="query budget"):
        first = f.capa(world["org_a"], owner, "First", site=world["s1"])
        f.step(first, owner, "First step")
    small = count_queries(client, "/audits/my-work/")
    with actor_context(None, name="query budget"):
        for i in range(40):
            parent = f.capa(world["org_a"], owner, f"CAPA {i}", site=world["s2"],
                            due_date=f.days(i - 20))
            f.step(parent, owner, f"Step {i}", due_date=f.days(i - 10))
    page = client.get("/audits/my-work/").content.decode()
    assert page.count("/audits/corrective-action-steps/") >= 41
    assert count_queries(client, "/audits/my-work/") == small


def test_coverage_matrix_costs_the_same_at_2_and_30_audits(client, world):
    from tests.support.library import tiny_framework

    client.force_login(world["users"]["internal_auditor__org"])
    framework = tiny_framework("qbcov")
    with actor_context(None, name="query budget"):
        programme = f.programme(world["org_a"], "Budget programme")
        programme.frameworks.set([framework])
        programme.sites.set([world["s1"], world["s2"]])

    def add(upto):
        with actor_context(None, name="query budget"):
            for i in range(programme.audits.count(), upto):
                audit = f.audit(world["org_a"], f"Covering {i}", programme=programme,
                                sites=[world["s1"]] if i % 2 else [world["s2"]],
                                planned_start=f.days(0).replace(2027, 1 + i % 12, 3),
                                planned_end=f.days(0).replace(2027, 1 + i % 12, 4))
                audit.criteria.set([framework])
                audit.requirements.set(framework.requirements.filter(depth=2)[:1 + i % 3])

    url = f"/audits/programmes/{programme.pk}/coverage/"
    add(2)
    small = count_queries(client, url)
    add(30)
    assert client.get(url).content.decode().count("AUD-") >= 30
    assert count_queries(client, url) == small
