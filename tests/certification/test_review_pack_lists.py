"""The management-review pack lists the records behind its figures (issue 13 item 9): open and
closed nonconformities and corrective actions by reference, accepted risks with who accepted
them and until when, readiness with its % sign.

The expected lists are the records each test builds by hand, never the input functions' own
output (tests/demo/test_review_pack_lists.py checks the demo's pack against its registers)."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from chainward.audits import review_inputs as audit_inputs
from chainward.audits.models import CorrectiveAction
from chainward.ledger.context import actor_context
from tests.audits import factories as af
from tests.support.bulk import fixture_writes
from tests.support.world import build_world

DAY = datetime.timedelta(days=1)


def lists_of(section):
    return {entry["key"]: [row["text"].split()[0] for row in entry["rows"]]
            for entry in section["lists"]}


@pytest.mark.django_db
def test_nonconformities_and_actions_are_listed_by_reference(monkeypatch):
    world = build_world()
    org, manager = world["org_a"], world["users"]["security_manager__org"]
    auditor = world["users"]["internal_auditor__org"]
    today = timezone.localdate()
    since = today - 100 * DAY
    monkeypatch.setattr(audit_inputs, "changes_since", lambda organisation, user: since)
    with actor_context(None, name="fixture"):
        audit = af.audit(org, "Internal audit", sites=[world["s1"]])
        # Each nonconformity opens its corrective action (ISO 28000 10.2, audits.services).
        open_nc = af.finding(audit, "Seal log incomplete", grade="major", site=world["s1"])
        closed_nc = af.finding(audit, "Visitor log unsigned", grade="minor", site=world["s1"])
        old_nc = af.finding(audit, "Fence gap", grade="minor", site=world["s1"])
        ofi = af.finding(audit, "Could label racks", grade="ofi", site=world["s1"])
        other_ca = af.capa(org, manager, "Train drivers", site=world["s2"],
                           due_date=today + 60 * DAY)
    open_ca, closed_ca, old_ca = (CorrectiveAction.objects.get(finding=nc)
                                  for nc in (open_nc, closed_nc, old_nc))
    with fixture_writes(CorrectiveAction):
        CorrectiveAction.objects.filter(pk=open_ca.pk).update(due_date=today - DAY)
        CorrectiveAction.objects.filter(pk=closed_ca.pk).update(
            status="closed", verified_by=auditor, verified_on=today - 5 * DAY)
        CorrectiveAction.objects.filter(pk=old_ca.pk).update(
            status="closed", verified_by=auditor, verified_on=today - 300 * DAY)
    section = audit_inputs.nonconformities(org, manager)
    listed = lists_of(section)
    assert listed["open_nonconformities"] == [open_nc.reference]
    # Closed since the last review: the visitor log; the fence was closed before it.
    assert listed["closed_nonconformities"] == [closed_nc.reference]
    assert listed["open_actions"] == [open_ca.reference, other_ca.reference]  # by due date
    assert listed["closed_actions"] == [closed_ca.reference]
    assert old_ca.reference not in str(section["lists"])
    assert ofi.reference not in str(section["lists"])
    rows = {row["text"].split()[0]: row for entry in section["lists"] for row in entry["rows"]}
    assert f"{open_ca.reference} (open)" in rows[open_nc.reference]["detail"]
    assert f"{closed_ca.reference} (closed" in rows[closed_nc.reference]["detail"]
    assert "overdue" in rows[open_ca.reference]["detail"]
    assert "overdue" not in rows[other_ca.reference]["detail"]
    assert f"verified effective on {today - 5 * DAY:%Y-%m-%d} by {auditor}" in \
        rows[closed_ca.reference]["detail"]
    # A site-limited person sees only their site's records in the lists.
    officer = world["users"]["site_security_officer__site"]
    mine = lists_of(audit_inputs.nonconformities(org, officer))
    assert other_ca.reference not in mine["open_actions"]
    # The page shows the references under their list titles.
    html = render_to_string("certification/_snapshot.html", {"snapshot": {"inputs": [
        {**section, "key": "nonconformities", "title": "NC", "available": True}]}})
    assert "Open nonconformities (1)" in html and "Corrective actions closed since" in html
    for reference in (open_nc.reference, closed_nc.reference,
                      open_ca.reference, closed_ca.reference, other_ca.reference):
        assert reference in html
