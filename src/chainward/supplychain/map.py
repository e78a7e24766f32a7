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

Beyond MAX_SITES sites or MAX_LINES lines (issue 11: a scale-L chain, 2,000 sites and 50,000
legs between random pairs, has almost no parallel legs) the map is an `overview`: sites grouped
into regions by a grid over the projected map, and one line per pair of regions joined by legs,
each linking to the map zoomed to it (the `bbox` filter), where the details are drawn.
"""

import functools
import math
import operator
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from .choices import MODE_COLOURS, Mode

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
        groups[_bundle_key(leg.pk, leg.from_site_id, leg.to_site_id, leg.mode, leg.carrier_id,
                           leg_colours, flagged, single)].append(leg)
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


def _bundle_key(pk, from_id, to_id, mode, carrier_id, leg_colours, flagged, single):
    """What a leg shares with the legs drawn on the same line: ends, mode, colour, dash."""
    colour = leg_colours.get(pk) or MODE_COLOURS.get(mode, "#6c757d")
    # One mode per line (its link lists that mode); an expired carrier's legs apart.
    return (from_id, to_id, mode, colour, carrier_id if carrier_id in flagged else None,
            pk if pk in single else None)


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


# --- The overview (issue 11) -----------------------------------------------------------------
# Beyond these the detailed map would weigh megabytes and take seconds to draw: sites are then
# grouped into regions (cells of CELL map units) and legs into one line per pair of regions,
# so the page stays under 1 MB whatever the number of sites and legs. A chain of 500 sites
# whose 5,000 legs run on 1,200 lanes (issue 13 item 13) is still drawn in detail.
MAX_SITES = 600
MAX_LINES = 1500
CELL = 40.0
MODE_LABELS = dict(Mode.choices)
MIXED_COLOUR = "#795548"  # a line of the overview whose legs go by several modes
REGION_COLOUR = "#495057"


def line_count(rows, site_ids, leg_colours=None, *, flagged=frozenset(), single=frozenset()):
    """How many lines `layout` would draw for the legs `rows` ((from site id, to site id, mode,
    id, carrier id)) between the sites `site_ids`, without building them."""
    leg_colours = leg_colours or {}
    groups = Counter(_bundle_key(pk, a, b, mode, carrier, leg_colours, flagged, single)
                     for a, b, mode, pk, carrier in rows if a in site_ids and b in site_ids)
    return sum(1 if n > MAX_PARALLEL else n for n in groups.values())


def needs_overview(sites, rows, leg_colours=None, *, flagged=frozenset(), single=frozenset()):
    """Whether the detailed map of `sites` and the legs `rows` would exceed the budget (`rows`
    as for `line_count`; their ends and mode suffice when there are too many sites)."""
    if len(sites) > MAX_SITES:
        return True
    return line_count(rows, {s.pk for s in sites}, leg_colours, flagged=flagged,
                      single=single) > MAX_LINES


@dataclass
class Region:
    """A cell of the overview's grid and the placed sites in it, or the sites without
    coordinates of one country (`country`); `box` (west, south, east, north) covers its sites."""

    sites: list
    x: float = 0.0
    y: float = 0.0
    country: str = ""
    box: tuple = ()
    legs_within: int = 0

    @functools.cached_property
    def places(self):
        """Its cities (or site names where a site has no city), the most frequent first."""
        found = Counter(site.city or site.name for site in self.sites)
        return sorted(found, key=lambda name: (-found[name], name))

    def names(self, shown=3):
        """"Hamburg, Bremen, …": its first `shown` places."""
        return ", ".join(self.places[:shown]) + (", …" if len(self.places) > shown else "")


@dataclass
class RegionLink:
    """The legs between two regions, either way (`forward`: from `a` to `b`), as one line."""

    a: Region
    b: Region
    forward: int = 0
    backward: int = 0
    modes: set = field(default_factory=set)

    @property
    def count(self):
        return self.forward + self.backward


@dataclass
class Overview:
    """The overview of a map: regions, the lines between them, and what they stand for."""

    regions: list
    links: list
    height: float
    leg_count: int
    link_total: int  # lines between regions before keeping the busiest MAX_LINES

    @property
    def alone(self):
        """The ids of the sites alone in their region (drawn as themselves)."""
        return [r.sites[0].pk for r in self.regions if len(r.sites) == 1]

    def nodes(self, sites):
        """The regions of one site as nodes of those `sites` ({id: site}) to draw them with."""
        return [Node(sites[r.sites[0].pk], r.x, r.y, not r.country) for r in self.regions
                if len(r.sites) == 1 and r.sites[0].pk in sites]


def overview(sites, rows, project=None):
    """Group `sites` (anything with pk, name, city, country, latitude, longitude, such as
    `values_list(..., named=True)` rows) into regions and the legs `rows` (from site id, to
    site id, mode, ...) into one line per pair of regions; `project`: `fit` of the placed sites,
    if known. When the grid of CELL gives more than MAX_LINES lines, cells twice and four times
    as large are tried; beyond that only the busiest lines are kept."""
    placed = [s for s in sites if s.latitude is not None and s.longitude is not None]
    points, degrees = {}, {}
    if placed:
        project = project or fit(placed)
        degrees = {s.pk: (float(s.longitude), float(s.latitude)) for s in placed}
        points = {pk: project(lon, lat) for pk, (lon, lat) in degrees.items()}
    # Sites without coordinates: one region per country, lined up under the map.
    by_country = defaultdict(list)
    for site in sites:
        if site.pk not in points:
            by_country[str(site.country)].append(site)
    per_row = int((WIDTH - 2 * PAD) // 48) or 1
    height = HEIGHT
    if by_country:
        height = HEIGHT + UNPLACED_ROW * (math.ceil(len(by_country) / per_row) + 1)
    # Each site's cell of CELL map units (its country if it has no coordinates), and the legs
    # counted once by pair of cells, in C (tens of thousands of legs): the grids below only
    # add these counts up.
    cell_of = {pk: (int(x // CELL), int(y // CELL)) for pk, (x, y) in points.items()}
    cell_of.update((pk, code) for code, members in by_country.items() for pk in
                   (s.pk for s in members))
    starts = list(map(cell_of.get, map(operator.itemgetter(0), rows)))
    ends = list(map(cell_of.get, map(operator.itemgetter(1), rows)))
    cell_pairs = Counter(zip(starts, ends, strict=True))
    for factor in (1, 2, 4):
        regions = _regions(placed, points, degrees, cell_of, factor)
        for index, code in enumerate(sorted(by_country)):
            row, col = divmod(index, per_row)
            regions.append(Region(by_country[code], PAD + col * 48,
                                  HEIGHT + UNPLACED_ROW * (row + 1), country=code))
        region_of = {cell_of[site.pk]: index for index, region in enumerate(regions)
                     for site in region.sites}
        pairs = Counter()
        for (a, b), n in cell_pairs.items():
            pairs[(region_of.get(a), region_of.get(b))] += n
        joined = {(min(a, b), max(a, b)) for a, b in pairs
                  if a is not None and b is not None and a != b}
        if len(joined) <= MAX_LINES:
            break
    modes = {(region_of.get(a), region_of.get(b), mode) for a, b, mode in
             set(zip(starts, ends, map(operator.itemgetter(2), rows), strict=True))}
    links, leg_count = _links(regions, pairs, modes)
    busiest = sorted(links.items(), key=lambda item: (-item[1].count, item[0]))[:MAX_LINES]
    return Overview(regions, [link for _key, link in busiest], height, leg_count, len(links))


def _regions(placed, points, degrees, cell_of, factor):
    """The regions of the sites with coordinates: the cells of `factor` × CELL map units with
    sites (`points`: {site id: (x, y)}, `degrees`: {site id: (longitude, latitude)},
    `cell_of`: {site id: (column, row) in the grid of CELL})."""
    cells = defaultdict(list)
    for site in placed:
        column, row = cell_of[site.pk]
        cells[(column // factor, row // factor)].append(site)
    regions = []
    for key in sorted(cells):
        members = cells[key]
        lons = [degrees[s.pk][0] for s in members]
        lats = [degrees[s.pk][1] for s in members]
        regions.append(Region(
            members, round(sum(points[s.pk][0] for s in members) / len(members), 1),
            round(sum(points[s.pk][1] for s in members) / len(members), 1),
            box=(min(lons), min(lats), max(lons), max(lats))))
    return regions


def _links(regions, pairs, modes):
    """({(region, region): RegionLink}, legs on the map) from {(from region, to region): legs}
    and the set of (from region, to region, mode); legs within a region are counted on it,
    legs with an end off the map nowhere."""
    links, leg_count = {}, 0
    for (a, b), n in pairs.items():
        if a is None or b is None:
            continue
        leg_count += n
        if a == b:
            regions[a].legs_within += n
            continue
        key = (min(a, b), max(a, b))
        link = links.get(key)
        if link is None:
            link = links[key] = RegionLink(regions[key[0]], regions[key[1]])
        if a < b:
            link.forward += n
        else:
            link.backward += n
    for a, b, mode in modes:
        if a is not None and b is not None and a != b:
            links[(min(a, b), max(a, b))].modes.add(mode)
    return links, leg_count


def zoom_box(*boxes):
    """"west,south,east,north" covering `boxes`, rounded outwards to 0.01° with a margin."""
    west, south = min(b[0] for b in boxes), min(b[1] for b in boxes)
    east, north = max(b[2] for b in boxes), max(b[3] for b in boxes)
    return (f"{math.floor((west - 0.005) * 100) / 100:.2f},"
            f"{math.floor((south - 0.005) * 100) / 100:.2f},"
            f"{math.ceil((east + 0.005) * 100) / 100:.2f},"
            f"{math.ceil((north + 0.005) * 100) / 100:.2f}")


def link_width(n):
    """The stroke width of an overview line standing for `n` legs (1 → 1.5, 1,000 → 6)."""
    return round(1.5 + 1.5 * math.log10(max(n, 1)), 1)


def _zoom_href(region, others, tails):
    if region.country:  # sites without coordinates: the map of their country
        return f"?country={escape(region.country)}{tails[1]}"
    return f"?bbox={zoom_box(region.box, *others)}{tails[0]}"


def _tail(filters, *dropped):
    """"&amp;mode=road…": the filters kept in a zoom link."""
    kept = {key: value for key, value in filters.items() if value and key not in dropped}
    return escape("&" + urlencode(kept)) if kept else ""


def svg_overview(result, filters=None):
    """`(lines, regions)`: the SVG of the overview's lines and of its regions of 2+ sites,
    each a link to the map zoomed to it, keeping the other `filters` ({name: value})."""
    filters = filters or {}
    tails = (_tail(filters, "bbox"), _tail(filters, "bbox", "country"))
    lines = []
    for link in result.links:
        a, b = link.a, link.b
        colour = (MODE_COLOURS.get(next(iter(link.modes)), "#6c757d") if len(link.modes) == 1
                  else MIXED_COLOUR)
        modes = ", ".join(sorted(str(MODE_LABELS.get(m, m)) for m in link.modes))
        if a.country or b.country:
            href = _zoom_href(a if a.country else b, (), tails)
        else:
            href = _zoom_href(a, (b.box,), tails)
        title = escape(f"{link.count} leg{'s' if link.count != 1 else ''} between "
                       f"{_describe(a)} and {_describe(b)} ({link.forward} from the first, "
                       f"{link.backward} from the second) · {modes} (zoom in)")
        lines.append(f'<a href="{href}"><path class="region-link" d="{_curve(a, b, 0)}" '
                     f'fill="none" opacity="0.6" stroke="{colour}" '
                     f'stroke-width="{link_width(link.count)}" '
                     f'data-legs="{link.count}"><title>{title}</title></path></a>')
    markers = []
    for region in result.regions:
        n = len(region.sites)
        if n < 2:
            continue
        within = (f", {region.legs_within} leg{'s' if region.legs_within != 1 else ''} "
                  "between them" if region.legs_within else "")
        where = f" without coordinates in {region.country}" if region.country else ""
        title = escape(f"{n} sites{where}{within}: {region.names()} (zoom in)")
        radius = min(8 + 3 * math.log2(n), CELL / 2)
        markers.append(
            f'<a href="{_zoom_href(region, (), tails)}" class="region"><circle class="region" '
            f'cx="{region.x}" cy="{region.y}" r="{radius:.1f}" fill="{REGION_COLOUR}" '
            f'fill-opacity="0.85" data-sites="{n}"><title>{title}</title></circle>'
            f'<text x="{region.x}" y="{region.y + 4:.1f}" text-anchor="middle" font-size="11" '
            f'fill="#fff" pointer-events="none">{n}</text></a>')
    return mark_safe("".join(lines)), mark_safe("".join(markers))  # noqa: S308 - escaped


def _describe(region):
    n = len(region.sites)
    if n == 1:
        return region.sites[0].name
    return f"{region.names(2)} ({n} sites)"
