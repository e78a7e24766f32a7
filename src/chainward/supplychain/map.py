"""Server-side layout of the supply-chain map: sites as nodes, legs as directed edges.

Sites with coordinates are projected (equirectangular, fitted to their bounding box); sites
without are lined up under the map by country. The layout is O(nodes + legs), so the page stays
responsive at hundreds of nodes and thousands of legs.
"""

import math
from collections import defaultdict
from dataclasses import dataclass

from .choices import MODE_COLOURS

WIDTH, HEIGHT, PAD = 1000.0, 600.0, 30.0
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


def layout(sites, legs):
    """Return `(nodes, edges, height)` for the SVG template."""
    placed = [s for s in sites if s.latitude is not None and s.longitude is not None]
    unplaced = [s for s in sites if s.latitude is None or s.longitude is None]
    nodes = {}
    if placed:
        lons = [float(s.longitude) for s in placed]
        # Mercator-like stretch keeps Europe from looking flat.
        ys = [_mercator(float(s.latitude)) for s in placed]
        min_x, max_x, min_y, max_y = min(lons), max(lons), min(ys), max(ys)
        span = max(max_x - min_x, (max_y - min_y) * WIDTH / HEIGHT, 1e-6)
        scale = (WIDTH - 2 * PAD) / span
        offset_x = (WIDTH - (max_x - min_x) * scale) / 2
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
        edges.append(Edge(leg, _curve(a, b, n), MODE_COLOURS.get(leg.mode, "#6c757d")))
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
