"""`chainward demo` builds ABC Logistics once; running it again changes nothing."""

import io

from django.core.management import call_command

from chainward.access.models import RoleAssignment, User
from chainward.core.services import update_records
from chainward.ledger.context import actor_context
from chainward.ledger.models import LedgerEntry
from chainward.ledger.services import verify_ledger
from chainward.supplychain import services
from chainward.supplychain.models import (
    Exemption,
    GoodsCategory,
    Leg,
    Organisation,
    Partner,
    PartnerContact,
    PartnerReview,
    ProgrammeStatus,
    Site,
    StatementOfApplication,
)

ADMIN = "admin@abc-logistics.example"


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
    # Supply-chain data by the administrator; assessments, documents and approvals by the demo
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


def test_supply_chain_records_are_written_by_the_administrator_through_the_write_path(demo):
    """supplychain/demo.yaml goes through `save_record` as the administrator: every record it
    holds names her, in the record and in its ledger entry. Only the bootstrap writes (the
    organisation, her own Administrator role) are the demo command's."""
    admin = User.objects.get(email=ADMIN)
    registers = (GoodsCategory, Partner, PartnerContact, ProgrammeStatus, Site, Leg,
                 StatementOfApplication, Exemption, PartnerReview)
    for model in registers:
        rows = model.objects.filter(organisation=demo)
        assert rows.exists(), model
        assert set(rows.values_list("created_by", flat=True)) == {admin.pk}, model
        created = LedgerEntry.objects.filter(
            object_type=model._meta.label_lower, action="create",
            object_id__in=[str(pk) for pk in rows.values_list("pk", flat=True)])
        assert created.count() == rows.count(), model
        assert set(created.values_list("actor_name", flat=True)) == {ADMIN}, model
    roles = RoleAssignment.objects.filter(organisation=demo)
    assert roles.count() == 8  # the administrator and the seven demo people
    assert set(roles.exclude(user=admin).values_list("created_by", flat=True)) == {admin.pk}
    assert roles.get(user=admin).created_by is None  # founding: nobody could grant it yet
    assert LedgerEntry.objects.get(object_type="supplychain.organisation", action="create",
                                   object_id=str(demo.pk)).actor_name == "chainward demo"


def test_a_changed_demo_record_is_brought_back_in_line_through_the_write_path(demo):
    site = Site.objects.get(organisation=demo, code="DEHAM-WH1")
    with actor_context(None, name="fixture"):
        update_records(None, Site.objects.filter(pk=site.pk), reason="test", name="Renamed",
                       security_level="baseline")
    version = Site.objects.get(pk=site.pk).version

    out = io.StringIO()
    call_command("demo", stdout=out)
    site.refresh_from_db()
    assert (site.name, site.security_level) == ("Hamburg Billbrook warehouse", "high")
    assert site.version == version + 1 and site.updated_by.email == ADMIN
    assert "0 records created, 1 updated" in out.getvalue()
    last = LedgerEntry.objects.filter(object_type="supplychain.site",
                                      object_id=str(site.pk)).order_by("-seq").first()
    assert (last.action, last.actor_name) == ("update", ADMIN)
