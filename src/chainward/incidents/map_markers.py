"""Incident markers on the supply-chain map (issue 14 item 5): a red badge beside each site
and on each leg with incidents of the last twelve months that the reader may see, with their
number, linking to the incident list filtered to that site or leg.

Aggregated in the database (one query whatever the number of incidents); restricted like
every incident list, so a site-limited officer sees only the markers of their sites.
"""

import re

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import Incident

MONTHS = 12
_NUMBERS = re.compile(r"-?\d+(?:\.\d+)?")


def counts(user, organisation, since=None):
    """{("site", id): n, ("leg", id): n} of the incidents the user may see since `since`."""
    since = since or timezone.now() - timezone.timedelta(days=365 * MONTHS // 12)
    rows = (Incident.objects.restrict(user, "view")
            .filter(organisation=organisation, archived=False, occurred_at__gte=since)
            .values("site_id", "leg_id").annotate(n=Count("pk")).order_by())
    found = {}
    for row in rows:
        for kind in ("site", "leg"):
            if row[f"{kind}_id"]:
                key = (kind, row[f"{kind}_id"])
                found[key] = found.get(key, 0) + row["n"]
    return found


def _midpoint(path):
    """The middle of a quadratic leg path "M ax ay Q cx cy bx by" (t = 0.5)."""
    ax, ay, cx, cy, bx, by = (float(v) for v in _NUMBERS.findall(path)[:6])
    return (ax + 2 * cx + bx) / 4, (ay + 2 * cy + by) / 4


def _badge(x, y, n, title, url):
    return (f'<a href="{url}" class="incident-marker" data-incidents="{n}">'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="8" fill="#dc3545" stroke="#fff" '
            f'stroke-width="1.5"><title>{escape(title)}</title></circle>'
            f'<text x="{x:.1f}" y="{y + 3.5:.1f}" text-anchor="middle" font-size="10" '
            f'fill="#fff" pointer-events="none">{n if n < 100 else "99+"}</text></a>')


def incident_markers(user, organisation, nodes, edges, found=None):
    """The SVG of the markers for the laid-out map (`supplychain.map.layout`'s nodes and
    edges); empty for people who may not see incidents. `found`: `counts(user, organisation)`
    when the map has them already (saves the query)."""
    if not user.has_perm("incidents.view_incident"):
        return ""
    found = counts(user, organisation) if found is None else found
    if not found:
        return ""
    listing = reverse("incidents:incident_list")
    parts = []
    for node in nodes:
        n = found.get(("site", node.site.pk))
        if n:
            parts.append(_badge(node.x + 8, node.y - 10, n,
                                f"{n} incident{'s' if n != 1 else ''} at {node.site.name} in "
                                f"the last {MONTHS} months", f"{listing}?site={node.site.pk}"))
    for edge in edges:
        n = found.get(("leg", edge.leg.pk))
        if n:
            x, y = _midpoint(edge.path)
            parts.append(_badge(x, y, n, f"{n} incident{'s' if n != 1 else ''} on "
                                         f"{edge.leg.reference} in the last {MONTHS} months",
                                f"{listing}?leg={edge.leg.pk}"))
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped
