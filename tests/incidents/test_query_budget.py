"""The incident list (page and API), the notifications list and the anonymised export cost the
same number of queries at 10 and at 10,000 incidents."""

import datetime
import re

import pytest
from django.utils import timezone

from chainward.core.models import ReferenceCounter
from chainward.incidents.models import Incident, Notification
from chainward.ledger.context import actor_context
from tests.core.test_query_budget import count_queries
from tests.support.bulk import fixture_writes

from . import factories as f

LARGE = 10_000  # the figure: the same queries at 10 and 10,000 incidents


def fill(world, upto):
    """Incidents at S1 and S2, with a leg, a partner, goods and a notification each; the
    first ten through the ledgered path, the rest written in bulk (a fixture, said so)."""
    org = world["org_a"]
    have = Incident.objects.filter(organisation=org).count()
    if have < 10:
        with actor_context(None, name="query budget"):
            for i in range(have, min(upto, 10)):
                incident = f.incident(org, f"Incident {i}", site=world["s1" if i % 2 else "s2"],
                                      partner=world["carrier_a"], goods_category=world["goods_a"],
                                      loss_value=1000 + i, occurred_at=f.ago(i % 300))
                f.notification(incident, "police", due_at=f.ago(hours=i % 5))
        have = min(upto, 10)
    if upto <= have:
        return
    references = ReferenceCounter.reserve(org.pk, "INC", upto - have)
    rows = [Incident(organisation=org, reference=reference, title=f"Bulk incident {i}",
                     incident_type="pilferage", modus_operandi="curtain_slashing",
                     occurred_at=timezone.now() - timezone.timedelta(days=i % 365),
                     site=world["s1" if i % 2 else "s2"], partner=world["carrier_a"],
                     goods_category=world["goods_a"], loss_value=i, severity=1 + i % 5)
            for i, reference in enumerate(references)]
    with fixture_writes(Incident, Notification):
        created = Incident.objects.bulk_create(rows)
        notes = ReferenceCounter.reserve(org.pk, "NTF", len(created))
        Notification.objects.bulk_create([
            Notification(organisation=org, reference=ref, incident=incident,
                         site_id=incident.site_id, recipient="insurer",
                         due_at=timezone.now() - timezone.timedelta(hours=1))
            for ref, incident in zip(notes, created, strict=True)])


@pytest.mark.parametrize("persona", ["site_security_officer__site", "security_manager__org"])
def test_the_incident_lists_cost_the_same_at_10_and_10000_incidents(client, world, persona):
    client.force_login(world["users"][persona])
    urls = ("/incidents/incidents/?per_page=100", "/api/incidents/incidents/?limit=1000",
            "/incidents/notifications/?per_page=100&overdue=true",
            "/api/incidents/notifications/?limit=1000", "/incidents/anonymised.csv",
            "/incidents/anonymised.json", "/incidents/analysis/", "/supplychain/map/", "/")
    fill(world, 10)
    for url in urls:  # warm the process's caches (content types) before counting
        count_queries(client, url)
    small = [count_queries(client, url) for url in urls]
    fill(world, LARGE)
    assert Incident.objects.count() == LARGE
    large = [count_queries(client, url) for url in urls]
    assert large == small, f"queries at 10 incidents {small}, at {LARGE:,} {large}"
    rows = client.get("/api/incidents/incidents/?limit=1000").json()["count"]
    assert rows == (LARGE // 2 if persona.endswith("__site") else LARGE)
    shown_at_large(client, world, persona)


def shown_at_large(client, world, persona):
    """The pages counted above did show the 10,000 incidents (within the reader's scope): the
    map's markers and the analysis charts hold them, so the equal counts are not those of
    pages that left them out. Half the incidents are at S1, half at S2 (`fill`)."""
    s1, s2 = world["s1"].pk, world["s2"].pk
    site_limited = persona.endswith("__site")
    page = client.get("/supplychain/map/").content.decode()
    markers = dict(re.findall(r'<a href="/incidents/incidents/\?(site=\d+)" '
                              r'class="incident-marker" data-incidents="(\d+)"', page))
    expected = {f"site={s1}": str(LARGE // 2)}
    if not site_limited:
        expected[f"site={s2}"] = str(LARGE // 2)
    assert markers == expected
    # The charts count the twelve months from the first day of the month eleven months back.
    today = timezone.localdate()
    start = today.replace(day=1)
    for _ in range(11):
        start = (start - datetime.timedelta(days=1)).replace(day=1)
    since = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    recent = Incident.objects.filter(occurred_at__gte=since)
    at_s1, at_s2 = (recent.filter(site_id=s).count() for s in (s1, s2))
    assert at_s1 > LARGE // 3  # most of the year's incidents are in the charts' months
    page = client.get("/incidents/analysis/").content.decode()
    assert f"<title>Hamburg warehouse: {at_s1}</title>" in page
    assert (f"<title>Rotterdam terminal: {at_s2}</title>" in page) is not site_limited
