"""Incident markers on the supply-chain map (issue 14 item 5): at the site or on the leg, with
their number, within the reader's scope."""

import re

from chainward.ledger.context import actor_context
from chainward.supplychain.models import Leg

from . import factories as f


def markers(client):
    page = client.get("/supplychain/map/").content.decode()
    return {url: int(n) for url, n in re.findall(
        r'<a href="/incidents/incidents/\?(\w+=\d+)" class="incident-marker" '
        r'data-incidents="(\d+)"', page)}


def test_markers_count_the_incidents_at_each_site_and_leg_in_scope(client, world):
    org = world["org_a"]
    with actor_context(None, name="fixture"):
        leg = Leg.objects.create(organisation=org, from_site=world["s1"], to_site=world["s2"],
                                 mode="road")
        for title in ("Fence cut", "Seal broken"):
            f.incident(org, title, site=world["s1"])
        f.incident(org, "At S2", site=world["s2"])
        f.incident(org, "On the road", leg=leg)
        f.incident(org, "Last year", site=world["s1"], occurred_at=f.ago(400))
        f.incident(world["org_b"], "Elsewhere", site=world["s3"])
    s1, s2 = world["s1"].pk, world["s2"].pk
    client.force_login(world["users"]["security_manager__org"])
    assert markers(client) == {f"site={s1}": 2, f"site={s2}": 1, f"leg={leg.pk}": 1}
    # A site-limited officer sees S1's marker, never S2's incidents (S2 is not on their map,
    # so neither is the leg to it nor its marker).
    client.force_login(world["users"]["site_security_officer__site"])
    assert markers(client) == {f"site={s1}": 2}
    # Viewers may not see incidents: no marker, no legend.
    client.force_login(world["users"]["viewer__org"])
    page = client.get("/supplychain/map/").content.decode()
    assert "incident-marker" not in page and "incident-legend" not in page
