"""Awareness campaigns and screening records cost the same number of queries at 10 and at 250
rows (more than a list page holds): the lists and API, a campaign's page (its completion is
counted over 10 and 250 people), the dashboard and My work."""

import pytest

from chainward.core.models import ReferenceCounter
from chainward.documents.models import Acknowledgement
from chainward.ledger.context import actor_context
from chainward.people.models import (
    Appointment,
    AwarenessCampaign,
    Person,
    ScreeningRecord,
    SecurityRole,
)
from tests.core.test_query_budget import count_queries
from tests.support.bulk import fixture_writes

from . import factories as f


def _bulk(model, org, prefix, rows):
    for row, ref in zip(rows, ReferenceCounter.reserve(org.pk, prefix, len(rows)), strict=True):
        row.organisation, row.reference = org, ref
    return model.objects.bulk_create(rows)


def fill(world, n):
    """n people at S1 holding a role that requires screening, each screened; n campaigns
    for that role, the first one's material acknowledged by the manager's own person."""
    org, s1 = world["org_a"], world["s1"]
    if not SecurityRole.objects.exists():
        with actor_context(None, name="query budget"):
            role = f.role(org, "Gate controller", site=s1, screening_required=True)
            material = f.document(org, "Seal briefing")
            f.appoint(role, f.person(org, "Manager's own record", site=s1,
                                     user=world["users"]["security_manager__org"]))
    role = SecurityRole.objects.get()
    material = AwarenessCampaign._meta.get_field("material").related_model.objects.get()
    with fixture_writes(Person, Appointment, ScreeningRecord, AwarenessCampaign):
        have = Person.objects.count()
        people = _bulk(Person, org, "PER", [Person(full_name=f"Person {i:04d}", site=s1)
                                            for i in range(have, n)])
        _bulk(Appointment, org, "APP", [Appointment(role=role, person=p, site_id=s1.pk,
                                                    since=f.days(-100)) for p in people])
        _bulk(ScreeningRecord, org, "SCR", [
            ScreeningRecord(person=p, site_id=s1.pk, checked_on=f.days(-10), checked_by="HR",
                            result="pass" if i % 3 else "refer", next_due=f.days(10 * i),
                            lawful_basis="law") for i, p in enumerate(people)])
        have = AwarenessCampaign.objects.count()
        campaigns = _bulk(AwarenessCampaign, org, "AWR", [
            AwarenessCampaign(topic=f"Campaign {i:04d}", material=material,
                              starts_on=f.days(-5), due_on=f.days(5 + i))
            for i in range(have, n)])
        for campaign in campaigns:
            campaign.audience_roles.add(role)
    version = material.versions.get()
    for user in Person.objects.exclude(user=None).values_list("user_id", flat=True)[:1]:
        Acknowledgement.objects.get_or_create(version=version, user_id=user)


@pytest.mark.parametrize("persona", ["security_manager__org", "top_management__org"])
def test_awareness_and_screening_cost_the_same_at_10_and_250(client, world, persona):
    client.force_login(world["users"][persona])
    fill(world, 10)
    first = AwarenessCampaign.objects.order_by("pk").first()
    urls = ("/people/awareness/?per_page=100", "/api/people/awareness/?limit=500",
            first.get_absolute_url(), "/people/screening/?per_page=100",
            "/api/people/screening/?limit=500", "/", "/audits/my-work/")
    for url in urls:  # warm the per-process caches (content types) first
        client.get(url)
    small = [count_queries(client, url) for url in urls]
    fill(world, 250)
    assert Person.objects.count() == 250 and AwarenessCampaign.objects.count() == 250
    large = [count_queries(client, url) for url in urls]
    assert large == small, f"queries at 10 {small}, at 250 {large}"
