"""A new site, leg or partner prompts a planned-change record (ISO 28000 6.3; issue 16 item
8): one added in the last 90 days that no planned change names is listed on the dashboard and
in My work, with a link that opens the planned-change form pre-filled; once a change names it,
or for one added long ago, nothing is asked; only what the reader may see is listed."""

import datetime

import pytest
from django.utils import timezone

from chainward.context import services
from chainward.context.models import PlannedChange
from chainward.ledger.context import actor_context
from chainward.supplychain.models import Partner, Site
from tests.support.bulk import fixture_writes


@pytest.fixture
def added(world):
    org = world["org_a"]
    with actor_context(None, name="fixture"):
        partner = Partner.objects.create(organisation=org, name="Fresh Haulage GmbH",
                                         kind="carrier", country="DE")
        site = Site.objects.create(organisation=org, name="Bremen cross-dock", code="S9",
                                   kind="warehouse", country="DE")
    # The world's own sites and partners were added "long ago" (backdated on purpose).
    with fixture_writes(Site, Partner):
        long_ago = timezone.now() - datetime.timedelta(days=200)
        Site.objects.exclude(pk=site.pk).update(created_at=long_ago)
        Partner.objects.exclude(pk=partner.pk).update(created_at=long_ago)
    return {"partner": partner, "site": site}


def test_new_records_without_a_change_are_listed(world, added):
    manager = world["users"]["security_manager__org"]
    found = {str(row) for _, row, _ in services.changes_to_record(manager, world["org_a"])}
    assert found == {"Fresh Haulage GmbH", str(added["site"])}


def test_a_change_naming_the_partner_answers_the_prompt(world, added):
    manager = world["users"]["security_manager__org"]
    with actor_context(None, name="fixture"):
        PlannedChange.objects.create(
            organisation=world["org_a"], title="New carrier Fresh Haulage", kind="partner",
            partner=added["partner"], reason="capacity", security_implications="vetting",
            owner=manager, planned_for=timezone.localdate())
    found = {str(row) for _, row, _ in services.changes_to_record(manager, world["org_a"])}
    assert found == {str(added["site"])}


def test_my_work_links_to_the_prefilled_form(client, world, added):
    client.force_login(world["users"]["security_manager__org"])
    page = client.get("/audits/my-work/").content.decode()
    url = f"/context/changes/add/?partner={added['partner'].pk}"
    assert url.replace("&", "&amp;") in page or url in page
    form = client.get(url).content.decode()
    assert "Fresh Haulage GmbH" in form
    assert "New without a change record" in client.get("/").content.decode()


def test_who_may_not_record_changes_is_not_asked(client, world, added):
    client.force_login(world["users"]["viewer__org"])
    assert "New without a change record" not in client.get("/").content.decode()
