"""The audits demo: this year's programme, two completed audits, one planned, corrective
actions in every state; independence holds and a second run writes nothing."""

import io

from django.core.management import call_command
from django.db import transaction

from chainward.audits.demo import build_audits_demo
from chainward.audits.models import Audit, AuditProgramme, CorrectiveAction, Finding
from chainward.audits.services import assert_independent
from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from chainward.supplychain import demo


def run():
    with actor_context(None, name="chainward demo"), transaction.atomic():
        tally = demo.Tally()
        organisation = demo.ensure_organisation(tally)
        admin, _ = demo.ensure_admin()
        demo.build_demo(organisation, admin)
        return organisation, build_audits_demo(organisation, admin)


def test_demo_audits_are_complete_independent_and_idempotent(db, client):
    call_command("catalogs", "load", stdout=io.StringIO())
    organisation, counts = run()
    assert counts == {"audits": 3, "findings": 8, "corrective actions": 7}
    programme = AuditProgramme.objects.get(organisation=organisation)
    assert programme.frameworks.get().ref_id.startswith("ISO 28000")
    audits = {a.status: a for a in Audit.objects.filter(programme=programme)}
    assert set(audits) == {"closed", "reported", "planned"}
    for audit in audits.values():
        assert_independent(audit)
        assert audit.lead_auditor.email == "s.devries@abc-logistics.example"
    assert audits["closed"].checklist.count() > 10
    assert not audits["closed"].checklist.filter(result="not_checked").exists()
    grades = sorted(Finding.objects.values_list("grade", flat=True))
    assert grades.count("major") == 1 and grades.count("minor") == 2
    assert grades.count("good_practice") == 1 and grades.count("observation") >= 2
    capas = CorrectiveAction.objects.filter(organisation=organisation)
    assert sorted(capas.values_list("status", flat=True)) == sorted([
        "open", "containment", "root_cause_analysed", "actions_planned", "actions_planned",
        "actions_done", "closed"])
    reopened = capas.get(reopen_count=1)
    assert reopened.finding.grade == "major" and reopened.status == "actions_planned"
    closed = capas.get(status="closed")
    assert closed.verified_by.email == "s.devries@abc-logistics.example"
    assert closed.verified_by != closed.owner
    assert capas.get(status="root_cause_analysed").root_cause["method"] == "five_whys"
    assert capas.get(status="open").is_overdue

    entries = LedgerEntry.objects.count()
    _, again = run()
    assert again == counts
    assert LedgerEntry.objects.count() == entries

    client.force_login(closed.owner)
    assert client.get("/audits/my-work/").status_code == 200
    page = client.get(f"/audits/programmes/{programme.pk}/coverage/").content.decode()
    assert "Sites not visited" in page
