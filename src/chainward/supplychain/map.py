"""Server-side layout of the supply-chain map: sites as nodes, legs as directed edges.

Sites with coordinates are projected (Mercator-like, fitted to their bounding box; `fit`) over
the country outlines of Natural Earth (`geography`); sites without are lined up under the map
by country. The layout is O(nodes + legs), so the page stays
responsive at hundreds of nodes and thousands of legs.

Parallel legs (issue 13 item 13) — more than `MAX_PARALLEL` legs between the same two sites in the
same direction that look the same (mode, colour, expired carrier) — are drawn as one thicker
line naming how many legs it stands for and linking to the leg list filtered to them, so a
scale-M chain (5,000 legs) draws a few hundred lines rather than thousands of overlapping ones.
Legs someone asked to see on their own (`single`, e.g. those with incidents) are never merged.
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


MAX_PARALLEL = 3  # up to this many look-alike legs between two sites are drawn one by one


@dataclass
class Edge:
    """One line of the map: a leg, or a bundle of parallel legs (`legs`, `leg` the first)."""

    leg: object
    path: str
    colour: str
    legs: tuple = ()
    expired: bool = False

    @property
    def count(self):
        return len(self.legs) or 1


def layout(sites, legs, leg_colours=None, *, flagged=frozenset(), single=frozenset()):
    """Return `(nodes, edges, height)` for the SVG template.

    `leg_colours` ({leg id: colour}) overrides the transport-mode colour, e.g. the highest
    residual risk level of each leg (computed in `chainward.risk.heatmap.map_colours`);
    `flagged` are ids of partners whose security programme or declaration expired (their legs
    are dashed, never bundled with others); legs whose id is in `single` are always drawn on
    their own.
    """
    leg_colours = leg_colours or {}
    placed = [s for s in sites if s.latitude is not None and s.longitude is not None]
    unplaced = [s for s in sites if s.latitude is None or s.longitude is None]
    nodes = {}
    if placed:
        project = fit(placed)
        seen = defaultdict(int)
        for site in placed:
            x, y = project(float(site.longitude), float(site.latitude))
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
    # Group look-alike parallel legs (same ends, colour and dash), keeping the legs' order.
    groups = defaultdict(list)
    for leg in legs:
        if leg.from_site_id not in nodes or leg.to_site_id not in nodes:
            continue
        colour = leg_colours.get(leg.pk) or MODE_COLOURS.get(leg.mode, "#6c757d")
        expired = leg.carrier_id in flagged
        # One mode per line (its link lists that mode); an expired carrier's legs apart.
        key = (leg.from_site_id, leg.to_site_id, leg.mode, colour,
               leg.carrier_id if expired else None, leg.pk if leg.pk in single else None)
        groups[key].append(leg)
    edges = []
    parallel = defaultdict(int)
    for (from_id, to_id, _mode, colour, expired_carrier, _single), members in groups.items():
        a, b = nodes[from_id], nodes[to_id]
        bundles = [members] if len(members) > MAX_PARALLEL else [[leg] for leg in members]
        for bundle in bundles:
            n = parallel[(from_id, to_id)]
            parallel[(from_id, to_id)] += 1
            edges.append(Edge(bundle[0], _curve(a, b, n), colour,
                              tuple(bundle) if len(bundle) > 1 else (),
                              expired_carrier is not None))
    return list(nodes.values()), edges, height


@dataclass(frozen=True)
class Projection:
    """Longitude/latitude to map coordinates: Mercator-like (keeps Europe from looking flat),
    fitted to the placed sites' bounding box. `span` is the box's width in degrees."""

    min_x: float
    min_y: float
    scale: float
    offset_x: float
    offset_y: float
    span: float

    def __call__(self, lon, lat):
        return (self.offset_x + (lon - self.min_x) * self.scale,
                HEIGHT - (self.offset_y + (_mercator(lat) - self.min_y) * self.scale))

    def inverse_box(self):
        """(west, south, east, north) in degrees of what the map shows (for the outlines)."""
        west = self.min_x - self.offset_x / self.scale
        east = self.min_x + (WIDTH - self.offset_x) / self.scale
        low = self.min_y + (-self.offset_y) / self.scale
        high = self.min_y + (HEIGHT - self.offset_y) / self.scale
        return west, _inverse_mercator(low), east, _inverse_mercator(high)


def fit(placed):
    """The projection that fits sites with coordinates into the map."""
    lons = [float(s.longitude) for s in placed]
    ys = [_mercator(float(s.latitude)) for s in placed]
    min_x, max_x, min_y, max_y = min(lons), max(lons), min(ys), max(ys)
    span = max(max_x - min_x, (max_y - min_y) * WIDTH / HEIGHT, 1e-6)
    scale = (WIDTH - PAD - RIGHT_PAD) / span
    return Projection(min_x, min_y, scale,
                      PAD + (WIDTH - PAD - RIGHT_PAD - (max_x - min_x) * scale) / 2,
                      (HEIGHT - (max_y - min_y) * scale) / 2, span)


def _inverse_mercator(y):
    return math.degrees(2 * math.atan(math.exp(math.radians(y))) - math.pi / 2)


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


EXPIRED_NOTE = "programme expired"


def _note(flagged, partner_id):
    """" · programme expired" (or what `flagged` — {partner id: what expired} — says)."""
    if isinstance(flagged, dict):
        return f" · {flagged[partner_id]}"
    return f" · {EXPIRED_NOTE}"


def svg_legs(edges, *, names=None, flagged=frozenset()):
    """`<a><path/></a>` for every line: a leg links to its record; a bundle of parallel legs is
    thicker, says how many legs it stands for and links to the leg list of that pair. A line of
    a carrier whose security programme or declaration expired is dashed and says which in its
    title (`flagged`: {partner id: what expired}). `names` ({site id: name}) names a bundle's
    ends."""
    names = names or {}
    pattern = _url_pattern("supplychain:leg_detail")
    listing = reverse("supplychain:leg_list")
    parts = []
    for e in edges:
        dash = ' stroke-dasharray="6 4" data-expired="true"' if e.expired else ""
        note = _note(flagged, e.leg.carrier_id) + " (carrier)" if e.expired else ""
        leg = e.leg
        if e.legs:
            shown = ", ".join(escape(member.reference) for member in e.legs[:3])
            more = f" and {e.count - 3} more" if e.count > 3 else ""
            title = (f"{e.count} legs from {escape(names.get(leg.from_site_id, ''))} to "
                     f"{escape(names.get(leg.to_site_id, ''))} · "
                     f"{escape(leg.get_mode_display())} · {shown}{more}{note}")
            size = "l" if e.count >= 50 else "m" if e.count >= 10 else "s"
            href = (f"{listing}?from_site={leg.from_site_id}&amp;to_site={leg.to_site_id}"
                    f"&amp;mode={leg.mode}" + (f"&amp;carrier={leg.carrier_id}" if e.expired
                                               else ""))
            parts.append(
                f'<a href="{href}"><path class="leg bundle-{size}" d="{e.path}" '
                f'stroke="{e.colour}" data-legs="{e.count}"{dash} '
                f'marker-end="url(#arrow)"><title>{title}</title></path></a>')
        else:
            parts.append(
                f'<a href="{pattern.format(leg.pk)}"><path class="leg" d="{e.path}" '
                f'stroke="{e.colour}"{dash} marker-end="url(#arrow)"><title>'
                f'{escape(leg.reference)} · {escape(leg.get_mode_display())}{note}</title>'
                f'</path></a>')
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped


def svg_nodes(nodes, *, labels, site_colours=None, flagged=frozenset()):
    """`<a><circle/>[<text/>]</a>` for every site (`site_colours`: {site id: fill}); a site
    operated by a partner in `flagged` (its security programme or declaration expired: {partner
    id: what expired}) gets a red ring and says which in its title."""
    site_colours = site_colours or {}
    pattern = _url_pattern("supplychain:site_detail")
    parts = []
    for n in nodes:
        site = n.site
        expired = site.operator_id in flagged
        title = escape(f"{site.name}{f' ({site.code})' if site.code else ''} · "
                       f"{site.get_kind_display()} · {site.country.name}"
                       f"{_note(flagged, site.operator_id) + ' (operator)' if expired else ''}")
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
