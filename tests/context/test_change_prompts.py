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


# --- a reorganisation prompts a change record too (issue 16 item 8) ------------------------
@pytest.fixture
def reorganised(world):
    """New holders: Nina became security manager 10 days ago, Sven site security officer at S2
    10 days ago; Karl has been security manager for 200 days; Gina became a gate controller (no
    key role) 10 days ago."""
    from tests.people import factories as people

    org = world["org_a"]
    with actor_context(None, name="fixture"):
        manager = people.role(org, "Security manager", kind="security_manager", positions=2)
        officer = people.role(org, "Site security officer S2", site=world["s2"])
        gate = people.role(org, "Gate controller S1", kind="other", site=world["s1"])
        found = {
            "nina": people.appoint(manager, people.person(org, "Nina"), since=people.days(-10)),
            "sven": people.appoint(officer, people.person(org, "Sven", site=world["s2"]),
                                   since=people.days(-10)),
            "karl": people.appoint(manager, people.person(org, "Karl"),
                                   since=people.days(-200)),
            "gina": people.appoint(gate, people.person(org, "Gina", site=world["s1"]),
                                   since=people.days(-10)),
        }
    return found


def _reorganisations(user, org):
    return {str(a.person) for _, a, _ in services.reorganisations_to_record(user, org)}


def _reorganisation(world, **extra):
    with actor_context(None, name="fixture"):
        return PlannedChange.objects.create(
            organisation=world["org_a"], title="New security organisation", kind="organisation",
            reason="merger", security_implications="new responsibilities",
            owner=world["users"]["security_manager__org"], **extra)


def test_new_holders_of_key_roles_prompt_a_reorganisation_record(world, reorganised):
    org = world["org_a"]
    assert _reorganisations(world["users"]["security_manager__org"], org) == {"Nina", "Sven"}
    # A site-limited manager (S1) does not see the appointment at S2.
    assert _reorganisations(world["users"]["security_manager__site"], org) == {"Nina"}
    found = services.changes_to_record(world["users"]["security_manager__org"], org)
    assert {str(row.person) for kind, row, _ in found if kind == "organisation"} == \
        {"Nina", "Sven"}


def test_a_reorganisation_change_answers_the_prompt(world, reorganised):
    manager, org = world["users"]["security_manager__org"], world["org_a"]
    # One planned for more than 90 days before the new appointments does not answer it...
    _reorganisation(world, planned_for=timezone.localdate() - datetime.timedelta(days=120))
    assert _reorganisations(manager, org) == {"Nina", "Sven"}
    # ... nor a rejected one; one planned 30 days before them does.
    rejected = _reorganisation(world, planned_for=timezone.localdate())
    with fixture_writes(PlannedChange):
        PlannedChange.objects.filter(pk=rejected.pk).update(status="rejected")
    assert _reorganisations(manager, org) == {"Nina", "Sven"}
    _reorganisation(world, planned_for=timezone.localdate() - datetime.timedelta(days=40))
    assert _reorganisations(manager, org) == set()


def test_my_work_opens_the_form_as_a_reorganisation(client, world, reorganised):
    client.force_login(world["users"]["security_manager__org"])
    page = client.get("/audits/my-work/").content.decode()
    assert "Reorganisation: Nina" in page
    assert "/context/changes/add/?kind=organisation" in page
    form = client.get("/context/changes/add/?kind=organisation").content.decode()
    assert '<option value="organisation" selected>' in form
