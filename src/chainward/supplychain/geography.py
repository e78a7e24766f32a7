"""Country outlines under the supply-chain map (issue 13 item 13): Natural Earth's 1:110m
admin-0 countries (public domain), as TopoJSON from the npm package world-atlas 2.0.2, pinned in
the repository's package.json/package-lock.json and installed by `make` — nothing third-party
is committed and nothing is fetched at run time. An installation without the file draws the
map without outlines (settings.COUNTRY_OUTLINES names it)."""

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import mark_safe

# Below this width in degrees the map is a street plan, not a country map: no outlines.
MIN_SPAN = 0.5


@dataclass(frozen=True)
class Ring:
    """One ring of a country's outline: (longitude, latitude) points and its bounding box."""

    points: tuple
    west: float
    south: float
    east: float
    north: float


@dataclass(frozen=True)
class Country:
    """One country: its name, its rings (mainland, islands, exclaves) and its bounding box."""

    name: str
    rings: tuple
    west: float
    south: float
    east: float
    north: float


def _meets(shape, west, south, east, north):
    """Whether a ring's or a country's bounding box meets the box given."""
    return not (shape.east < west or shape.west > east or shape.north < south
                or shape.south > north)


def _decode(topology):
    """The countries of a TopoJSON topology (quantised, delta-encoded arcs)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)

    def ring(indexes):
        points = []
        for index in indexes:  # a negative index is the arc ~index, reversed
            part = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(part[1:] if points else part)
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        return Ring(tuple(points), min(lons), min(lats), max(lons), max(lats))

    countries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = {"Polygon": [geometry.get("arcs")],
                    "MultiPolygon": geometry.get("arcs")}.get(geometry["type"])
        if not polygons:
            continue
        rings = tuple(ring(r) for polygon in polygons for r in polygon)
        countries.append(Country(geometry.get("properties", {}).get("name", ""), rings,
                                 min(r.west for r in rings), min(r.south for r in rings),
                                 max(r.east for r in rings), max(r.north for r in rings)))
    return tuple(countries)


@functools.lru_cache(maxsize=1)
def countries():
    """Every country, decoded once per process (empty when the data is not installed)."""
    path = Path(settings.COUNTRY_OUTLINES) if settings.COUNTRY_OUTLINES else None
    if path is None or not path.is_file():
        return ()
    return _decode(json.loads(path.read_text(encoding="utf-8")))


def outlines_svg(project):
    """`<path>`s of the countries the map shows, projected with `project` (map.Projection);
    points rounded to whole map units, so a country costs a few hundred bytes."""
    if project.span < MIN_SPAN:
        return ""
    west, south, east, north = project.inverse_box()
    parts = []
    for country in countries():
        if not _meets(country, west, south, east, north):
            continue
        rings = []
        for ring in country.rings:
            if not _meets(ring, west, south, east, north):
                continue  # an island or exclave out of view (most of Russia, of France)
            points, last = [], None
            for lon, lat in ring.points:
                x, y = project(lon, lat)
                point = f"{x:.0f},{y:.0f}"
                if point != last:
                    points.append(point)
                    last = point
            if len(points) > 2:
                rings.append("M" + "L".join(points) + "Z")
        if rings:
            parts.append(f'<path d="{"".join(rings)}" data-country="{escape(country.name)}"/>')
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped names only
