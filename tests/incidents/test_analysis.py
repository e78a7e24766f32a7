"""The incident analysis page counts what the person may see, by month, type and site."""

import datetime

from django.utils import timezone

from chainward.incidents.analysis import incident_analysis
from chainward.ledger.context import actor_context

from . import factories as f


def test_the_analysis_counts_within_scope(client, world):
    now = timezone.now()
    with actor_context(None, name="fixture"):
        f.incident(world["org_a"], "S1 a", site=world["s1"], occurred_at=now, loss_value=100)
        f.incident(world["org_a"], "S1 b", site=world["s1"], incident_type="intrusion",
                   modus_operandi="fence_breach", occurred_at=now - datetime.timedelta(days=40))
        f.incident(world["org_a"], "S2", site=world["s2"], occurred_at=now, loss_value=900)
        f.incident(world["org_a"], "Old", site=world["s1"],
                   occurred_at=now - datetime.timedelta(days=400))
        f.incident(world["org_b"], "B", site=world["s3"], occurred_at=now)
    officer = world["users"]["site_security_officer__site"]
    result = incident_analysis(officer, world["org_a"])
    assert result["total"] == 2
    assert {b["label"]: b["count"] for b in result["types"]} == {
        "Cargo theft — pilferage": 1, "Unauthorised access / intrusion": 1}
    assert [(b["label"], b["count"]) for b in result["sites"]] == [("Hamburg warehouse", 2)]
    assert [(r["currency"], r["net"]) for r in result["losses"]] == [("EUR", 100)]
    months = {b["label"]: b["count"] for b in result["months"]}
    assert len(months) == 12 and months[f"{timezone.localdate():%Y-%m}"] == 1
    manager = incident_analysis(world["users"]["security_manager__org"], world["org_a"])
    assert manager["total"] == 3
    client.force_login(officer)
    page = client.get("/incidents/analysis/").content.decode()
    assert "Hamburg warehouse: 2" in page and "Rotterdam" not in page
    assert 'href="/incidents/analysis/"' in client.get("/").content.decode()
    client.force_login(world["users"]["viewer__org"])
    assert client.get("/incidents/analysis/").status_code == 403


def test_the_analysis_counts_by_leg_partner_and_value_within_scope(client, world):
    """Item 5: by site, leg, partner and value lost — a site officer's charts hold only what
    happened at their sites (a leg counts when one of its ends is theirs)."""
    from chainward.supplychain.models import Leg

    now = timezone.now()
    with actor_context(None, name="fixture"):
        to_s1 = Leg.objects.create(organisation=world["org_a"], from_site=world["s2"],
                                   to_site=world["s1"], mode="road")
        f.incident(world["org_a"], "On the road", leg=to_s1, partner=world["carrier_a"],
                   location_type="parking_unsecured", occurred_at=now, loss_value=12_000)
        f.incident(world["org_a"], "At S1", site=world["s1"], partner=world["carrier_a"],
                   occurred_at=now, loss_value=0)
        f.incident(world["org_a"], "At S2", site=world["s2"], partner=world["carrier_a"],
                   occurred_at=now, loss_value=300_000)
        f.incident(world["org_a"], "Partner only", partner=world["carrier_a"], occurred_at=now)
    officer = incident_analysis(world["users"]["site_security_officer__site"], world["org_a"])
    leg_label = f"{to_s1.reference} Rotterdam terminal → Hamburg warehouse"
    assert [(b["label"], b["count"]) for b in officer["legs"]] == [(leg_label, 1)]
    assert [(b["label"], b["count"]) for b in officer["partners"]] == [("Nordic Trucking", 2)]
    assert [(b["label"], b["count"]) for b in officer["values"]] == [
        ("no loss", 1), ("10,000–49,999", 1)]
    manager = incident_analysis(world["users"]["security_manager__org"], world["org_a"])
    assert [(b["label"], b["count"]) for b in manager["partners"]] == [("Nordic Trucking", 4)]
    assert [(b["label"], b["count"]) for b in manager["values"]] == [
        ("no loss", 1), ("10,000–49,999", 1), ("250,000–999,999", 1)]
    client.force_login(world["users"]["site_security_officer__site"])
    page = client.get("/incidents/analysis/").content.decode()
    for title in ("By leg", "By partner", "By value lost"):
        assert f">{title}</h2>" in page
    assert f"{leg_label}: 1" in page and "Nordic Trucking: 2" in page
    assert "250,000–999,999" not in page
