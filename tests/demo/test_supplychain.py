"""`chainward demo` builds ABC Logistics once; running it again changes nothing."""

import io

from django.core.management import call_command

from chainward.access.models import User
from chainward.ledger.models import LedgerEntry
from chainward.ledger.services import verify_ledger
from chainward.supplychain import services
from chainward.supplychain.models import (
    Exemption,
    Leg,
    Organisation,
    Partner,
    ProgrammeStatus,
    Site,
)


def test_demo_is_realistic_idempotent_and_attributed(demo_output):
    first = demo_output
    assert "password: " in first
    org = Organisation.objects.get(name="ABC Logistics")
    sites = Site.objects.filter(organisation=org)
    assert sites.count() >= 12 and sites.values("country").distinct().count() == 4
    assert Partner.objects.filter(organisation=org).count() == 40
    assert Leg.objects.filter(organisation=org).count() == 30
    assert Leg.objects.filter(organisation=org).values("mode").distinct().count() >= 5
    assert any(p.is_expired for p in ProgrammeStatus.objects.filter(organisation=org))
    # ISO 28001 4.4: every exemption rests on a valid programme status of its own partner.
    exemptions = Exemption.objects.filter(organisation=org)
    assert exemptions.count() == 4
    assert all(e.programme_status.partner_id == e.partner_id and e.in_force for e in exemptions)
    # ISO 28001 4.5: the partners due for review are the three the demo means to show.
    due = services.partners_due_for_review(Partner.objects.filter(organisation=org))
    assert sorted(due.values_list("name", flat=True)) == [
        "Baltic Express Rail Sp. z o.o.", "Pacific Apparel Sourcing Ltd",
        "Zollagentur Nord GmbH"]
    password = first.split("password: ")[1].split()[0]
    assert User.objects.get(email="admin@abc-logistics.example").check_password(password)
    entries = LedgerEntry.objects.count()
    # Supply-chain data by the demo itself; assessments, documents and approvals by the demo
    # people who would do them — never an anonymous "system" entry.
    actors = set(LedgerEntry.objects.values_list("actor_name", flat=True))
    assert {"chainward demo", "chainward catalogs", "m.weber@abc-logistics.example",
            "admin@abc-logistics.example"} <= actors
    # Partner contacts have no account: their answers are attributed to them by name and
    # address through their link (issue 17).
    assert all(a.startswith(("chainward ", "partner contact ")) or
               a.endswith("@abc-logistics.example") for a in actors)
    assert any(a.startswith("partner contact ") for a in actors)

    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "password unchanged" in out.getvalue() and "password: " not in out.getvalue()
    assert LedgerEntry.objects.count() == entries
    assert verify_ledger()[0]
