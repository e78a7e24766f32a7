"""`chainward demo` gives ABC Logistics a certificate with its cycle and a held management
review; running it again writes nothing. The dashboard shows the certification cards."""

import datetime
import io

from django.core.management import call_command
from django.utils import timezone

from chainward.access.models import User
from chainward.certification import services
from chainward.certification.models import Certificate, CertificationBody, ManagementReview
from chainward.ledger.models import LedgerEntry
from chainward.supplychain.models import Organisation

MANAGER = "m.weber@abc-logistics.example"


def test_demo_certification_is_realistic_and_idempotent(client, demo_output):
    assert "1 certificates, 1 management reviews" in demo_output
    org = Organisation.objects.get(name="ABC Logistics")
    today = timezone.localdate()
    manager = User.objects.get(email=MANAGER)

    body = CertificationBody.objects.get(organisation=org, name="Nordcert GmbH")
    cert = Certificate.objects.get(organisation=org, body=body)
    assert cert.framework.urn == "urn:chainward:framework:iso28000-2022"
    assert cert.status == "active" and cert.issued_on == services.add_months(today, -10)
    # The company's own sites only: the ports, airports and partner warehouses are not ours.
    assert sorted(cert.sites.values_list("code", flat=True)) == [
        "DEDUI-XD1", "DEHAM-WH1", "DEMUC-DC1", "NLVEN-DC1", "PLPOZ-WH1", "PLSTR-XD1"]
    milestones = {m.kind: m for m in cert.milestones.all()}
    assert [k for k, m in milestones.items() if m.done_on] == ["stage1", "stage2", "decision"]
    due = milestones["surveillance1"].due_date
    assert today + datetime.timedelta(days=55) <= due <= today + datetime.timedelta(days=65)
    assert set(milestones) == {"stage1", "stage2", "decision", "surveillance1",
                               "surveillance2", "recertification"}

    review = ManagementReview.objects.get(organisation=org,
                                          title=f"Management review {today.year}")
    assert review.status == "held" and review.compiled_by == manager
    assert review.snapshot["inputs"] and review.decisions and review.attendees.count() == 3
    actions = list(review.actions.order_by("pk"))
    assert [(a.status, a.overdue) for a in actions] == [("done", False), ("open", False),
                                                        ("open", False), ("open", False)]
    # A possible timeline: the pack is compiled, then the meeting is held (today) with it,
    # then the actions coming out of the meeting are created, due and done after it.
    compiled_on = timezone.localdate(review.compiled_at)
    assert compiled_on <= review.date <= today
    assert review.snapshot["compiled_at"] == review.compiled_at.isoformat()
    for action in actions:
        assert action.created_at >= review.compiled_at
        assert action.due_date >= review.date
        assert action.done_on is None or review.date <= action.done_on <= today
    listed = {r["text"].split()[0] for s in review.snapshot["inputs"] for r in s.get("rows", [])}
    assert not listed & {a.reference for a in actions}  # its own actions are not its inputs
    # Every corrective action the pack lists existed before the pack was compiled.
    from chainward.audits.models import CorrectiveAction

    for capa in CorrectiveAction.objects.filter(organisation=org, reference__in=listed):
        assert capa.created_at <= review.compiled_at
    # Written as the security manager, each step in the ledger.
    compiled = LedgerEntry.objects.get(action="compile", object_id=str(review.pk),
                                       object_type="certification.managementreview")
    assert compiled.actor_id == manager.pk

    before = LedgerEntry.objects.count()
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "0 certificates, 0 management reviews" in out.getvalue()
    assert LedgerEntry.objects.count() == before

    client.force_login(manager)
    page = client.get(review.get_absolute_url()).content.decode()
    assert f"by {manager}," in page  # who compiled the pack: a name, as everywhere else
    page = client.get("/").content.decode()
    for title in ("Next certification milestone", "Review actions overdue",
                  "Management review"):
        assert title in page, title
