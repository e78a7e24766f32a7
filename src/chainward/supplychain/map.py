"""Server-side layout of the supply-chain map: sites as nodes, legs as directed edges.

Sites with coordinates are projected (equirectangular, fitted to their bounding box); sites
without are lined up under the map by country. The layout is O(nodes + legs), so the page stays
responsive at hundreds of nodes and thousands of legs.
"""

import math
from collections import defaultdict
from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .choices import MODE_COLOURS

WIDTH, HEIGHT, PAD = 1000.0, 600.0, 30.0
RIGHT_PAD = 110.0  # room for the labels of the easternmost nodes
UNPLACED_ROW = 40.0


@dataclass
class Node:
    site: object
    x: float
    y: float
    placed: bool


@dataclass
class Edge:
    leg: object
    path: str
    colour: str


def layout(sites, legs, leg_colours=None):
    """Return `(nodes, edges, height)` for the SVG template.

    `leg_colours` ({leg id: colour}) overrides the transport-mode colour, e.g. the highest
    residual risk level of each leg (computed in `chainward.risk.heatmap.map_colours`).
    """
    leg_colours = leg_colours or {}
    placed = [s for s in sites if s.latitude is not None and s.longitude is not None]
    unplaced = [s for s in sites if s.latitude is None or s.longitude is None]
    nodes = {}
    if placed:
        lons = [float(s.longitude) for s in placed]
        # Mercator-like stretch keeps Europe from looking flat.
        ys = [_mercator(float(s.latitude)) for s in placed]
        min_x, max_x, min_y, max_y = min(lons), max(lons), min(ys), max(ys)
        span = max(max_x - min_x, (max_y - min_y) * WIDTH / HEIGHT, 1e-6)
        scale = (WIDTH - PAD - RIGHT_PAD) / span
        offset_x = PAD + (WIDTH - PAD - RIGHT_PAD - (max_x - min_x) * scale) / 2
        offset_y = (HEIGHT - (max_y - min_y) * scale) / 2
        seen = defaultdict(int)
        for site, lon, y in zip(placed, lons, ys, strict=True):
            x = offset_x + (lon - min_x) * scale
            y = HEIGHT - (offset_y + (y - min_y) * scale)
            key = (round(x), round(y))
            # Sites at the same spot (one campus) fan out on a small circle.
            n = seen[key]
            seen[key] += 1
            if n:
                angle = n * 2.4
                x, y = x + 9 * math.cos(angle), y + 9 * math.sin(angle)
            nodes[site.pk] = Node(site, round(x, 1), round(y, 1), True)
    height = HEIGHT
    if unplaced:
        unplaced.sort(key=lambda s: (str(s.country), s.name))
        per_row = int((WIDTH - 2 * PAD) // 24) or 1
        for index, site in enumerate(unplaced):
            row, col = divmod(index, per_row)
            nodes[site.pk] = Node(site, PAD + col * 24, HEIGHT + UNPLACED_ROW * (row + 1), False)
        height = HEIGHT + UNPLACED_ROW * (math.ceil(len(unplaced) / per_row) + 1)
    edges = []
    parallel = defaultdict(int)
    for leg in legs:
        a, b = nodes.get(leg.from_site_id), nodes.get(leg.to_site_id)
        if a is None or b is None:
            continue
        pair = (leg.from_site_id, leg.to_site_id)
        n = parallel[pair]
        parallel[pair] += 1
        colour = leg_colours.get(leg.pk) or MODE_COLOURS.get(leg.mode, "#6c757d")
        edges.append(Edge(leg, _curve(a, b, n), colour))
    return list(nodes.values()), edges, height


def _mercator(lat):
    lat = max(min(lat, 85.0), -85.0)
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def _curve(a, b, n):
    """A gently bowed path from a to b; parallel legs bow further so each stays clickable."""
    mx, my = (a.x + b.x) / 2, (a.y + b.y) / 2
    dx, dy = b.x - a.x, b.y - a.y
    length = math.hypot(dx, dy) or 1.0
    bow = (0.12 + 0.08 * n) * length
    cx, cy = mx - dy / length * bow, my + dx / length * bow
    return f"M{a.x:.1f} {a.y:.1f} Q{cx:.1f} {cy:.1f} {b.x:.1f} {b.y:.1f}"


# The SVG is assembled here rather than in a template loop: at thousands of legs the template
# engine dominated the page time. Every text is escaped; URLs are built from one reverse().
BIG_KINDS = {"own_facility", "warehouse", "distribution_centre"}


def _url_pattern(name):
    return reverse(name, args=[0]).replace("/0/", "/{}/")


EXPIRED_NOTE = " · programme expired"


def svg_legs(edges, *, flagged=frozenset()):
    """`<a><path/></a>` for every leg; a leg whose carrier is in `flagged` (partner ids whose
    security programme expired) is dashed and says so in its title."""
    pattern = _url_pattern("supplychain:leg_detail")
    parts = []
    for e in edges:
        expired = e.leg.carrier_id in flagged
        dash = ' stroke-dasharray="6 4" data-expired="true"' if expired else ""
        parts.append(
            f'<a href="{pattern.format(e.leg.pk)}"><path class="leg" d="{e.path}" '
            f'stroke="{e.colour}"{dash} marker-end="url(#arrow)"><title>'
            f'{escape(e.leg.reference)} · {escape(e.leg.get_mode_display())}'
            f'{EXPIRED_NOTE + " (carrier)" if expired else ""}</title></path></a>')
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped


def svg_nodes(nodes, *, labels, site_colours=None, flagged=frozenset()):
    """`<a><circle/>[<text/>]</a>` for every site (`site_colours`: {site id: fill}); a site
    operated by a partner in `flagged` (its security programme expired) gets a red ring."""
    site_colours = site_colours or {}
    pattern = _url_pattern("supplychain:site_detail")
    parts = []
    for n in nodes:
        site = n.site
        expired = site.operator_id in flagged
        title = escape(f"{site.name}{f' ({site.code})' if site.code else ''} · "
                       f"{site.get_kind_display()} · {site.country.name}"
                       f"{EXPIRED_NOTE + ' (operator)' if expired else ''}")
        ring = ' stroke="#dc3545" stroke-width="3" data-expired="true"' if expired else ""
        radius = 7 if site.kind in BIG_KINDS else 5.5
        fill = site_colours.get(site.pk) or ("#212529" if n.placed else "#adb5bd")
        label = ""
        if labels:
            text = site.code or site.name
            text = text if len(text) <= 24 else text[:23] + "…"
            label = (f'<text class="node-label" x="{n.x + 9:.1f}" y="{n.y + 4:.1f}">'
                     f"{escape(text)}</text>")
        parts.append(f'<a href="{pattern.format(site.pk)}"><circle class="node" cx="{n.x}" '
                     f'cy="{n.y}" r="{radius}" fill="{fill}"{ring}><title>{title}</title></circle>'
                     f"{label}</a>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped
