"""Inherent and residual heat maps and the map colours, from the stored levels.

Everything here counts a queryset the caller has already restricted to the user's scope
(`Rating.objects.restrict(user, "view")`), so a cell never counts a rating its viewer cannot
open. Heat map cells link to the risk register filtered on the same cell (`cell=` for the
inherent position, `residual_cell=` for the residual one), so the counts and the list agree.
"""

from collections import defaultdict
from urllib.parse import urlencode

from django.db.models import Count, F, Max
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .choices import AssessmentStatus
from .models import Rating, RiskMatrix

CELL, LEFT, TOP, BOTTOM = 64, 120, 12, 56


def cell_counts(ratings, residual=False):
    """{matrix_id: {(likelihood, consequence): count}} of `ratings` (one query)."""
    if residual:
        rows = ratings.annotate(
            _l=Coalesce("residual_likelihood", "likelihood"),
            _c=Coalesce("residual_consequence", "consequence"))
    else:
        rows = ratings.annotate(_l=F("likelihood"), _c=F("consequence"))
    rows = (rows.filter(_l__isnull=False, _c__isnull=False).order_by()
            .values("assessment__matrix_id", "_l", "_c").annotate(n=Count("id")))
    counts = defaultdict(dict)
    for row in rows:
        counts[row["assessment__matrix_id"]][(row["_l"], row["_c"])] = row["n"]
    return dict(counts)


def heat_maps(ratings, query=None):
    """Inherent and residual heat maps of `ratings`, one pair per matrix in use."""
    inherent, residual = cell_counts(ratings), cell_counts(ratings, residual=True)
    ids = set(inherent) | set(residual)
    matrices = RiskMatrix.objects.filter(pk__in=ids).order_by("name") if ids else []
    return [{"matrix": m,
             "inherent": svg(m, inherent.get(m.pk, {}), "cell", "Inherent risk", query),
             "residual": svg(m, residual.get(m.pk, {}), "residual_cell", "Residual risk",
                             query),
             "inherent_total": sum(inherent.get(m.pk, {}).values()),
             "residual_total": sum(residual.get(m.pk, {}).values())}
            for m in matrices]


def svg(matrix, counts, param, title, query=None):
    """A heat map as SVG: likelihood up, consequence right; each cell links to the register."""
    base = reverse("risk:rating_list")
    extra = {k: v for k, v in (query or {}).items()
             if k not in {"cell", "residual_cell", "page", "export"} and v}
    likelihoods = matrix.likelihood_levels
    consequences = matrix.consequence_levels
    width = LEFT + CELL * len(consequences) + 8
    height = TOP + CELL * len(likelihoods) + BOTTOM
    # role="group", not "img": an image may not contain links (axe nested-interactive), and
    # every cell is a link of its own named by its <title>.
    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="group" '
             f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" '
             f'font-size="11" class="heatmap" data-param="{param}">'
             f"<title>{escape(title)} heat map ({escape(matrix.name)})</title>"]
    rows = len(likelihoods)
    for i, lik in enumerate(likelihoods):
        y = TOP + CELL * (rows - 1 - i)
        parts.append(f'<text x="{LEFT - 6}" y="{y + CELL / 2:.0f}" text-anchor="end" '
                     f'dominant-baseline="middle">{lik["value"]} {escape(lik["name"])}</text>')
        for j, con in enumerate(consequences):
            x = LEFT + CELL * j
            level = matrix.level_info(matrix.grid[i][j])
            n = counts.get((lik["value"], con["value"]), 0)
            href = base + "?" + urlencode({**extra, param: f"{lik['value']}-{con['value']}"})
            label = (f"{title}: likelihood {lik['value']}, consequence {con['value']}, "
                     f"{level['name']}: {n} rating{'s' if n != 1 else ''}")
            parts.append(
                f'<a href="{escape(href)}" data-cell="{lik["value"]}-{con["value"]}" '
                f'data-count="{n}"><title>{escape(label)}</title>'
                f'<rect x="{x}" y="{y}" width="{CELL - 2}" '
                f'height="{CELL - 2}" fill="{escape(level["colour"])}" stroke="#fff"/>'
                f'<text x="{x + CELL / 2 - 1:.0f}" y="{y + CELL / 2:.0f}" text-anchor="middle" '
                f'dominant-baseline="middle" font-size="16" font-weight="bold">'
                f'{n if n else ""}</text></a>')
    base_y = TOP + CELL * rows
    for j, con in enumerate(consequences):
        x = LEFT + CELL * j + CELL / 2
        parts.append(f'<text x="{x:.0f}" y="{base_y + 14}" text-anchor="middle">'
                     f'{con["value"]}</text>')
    parts.append(f'<text x="{LEFT + CELL * len(consequences) / 2:.0f}" y="{base_y + 34}" '
                 f'text-anchor="middle">Consequence →</text>'
                 f'<text x="4" y="{TOP + 8}">Likelihood ↑</text></svg>')
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped


def matrix_table(matrix):
    """Rows of the matrix for its detail page: (likelihood, [(level, colour)…]), top first."""
    rows = []
    for i, lik in reversed(list(enumerate(matrix.likelihood_levels))):
        rows.append((lik, [matrix.level_info(cell) for cell in matrix.grid[i]]))
    return {"rows": rows, "consequences": matrix.consequence_levels,
            "svg": svg(matrix, {}, "cell", "Risk matrix")}


def current_ratings(user, organisation):
    """The user's visible ratings of current (completed, not superseded) assessments."""
    return Rating.objects.restrict(user, "view").filter(
        organisation=organisation, archived=False, assessment__archived=False,
        assessment__status=AssessmentStatus.COMPLETED)


def map_colours(user, organisation):
    """({site_id: colour}, {leg_id: colour}): the highest residual level per site and leg,
    from the user's restricted ratings of current assessments (a few queries, any size)."""
    ratings = current_ratings(user, organisation).filter(residual_rank__gt=0).order_by()
    site_rows = (ratings.filter(site__isnull=False)
                 .values("site_id", "assessment__matrix_id").annotate(rank=Max("residual_rank")))
    leg_rows = (ratings.filter(leg__isnull=False)
                .values("leg_id", "assessment__matrix_id").annotate(rank=Max("residual_rank")))
    site_rows, leg_rows = list(site_rows), list(leg_rows)
    ids = {r["assessment__matrix_id"] for r in site_rows + leg_rows}
    matrices = {m.pk: m for m in RiskMatrix.objects.filter(pk__in=ids)} if ids else {}

    def highest(rows, key):
        best = {}
        for row in rows:
            if row["rank"] > best.get(row[key], (0, None))[0]:
                best[row[key]] = (row["rank"], matrices[row["assessment__matrix_id"]])
        return {k: m.risk_levels[rank - 1]["colour"] for k, (rank, m) in best.items()}

    return highest(site_rows, "site_id"), highest(leg_rows, "leg_id")


def map_legend(organisation):
    """(name, colour) of the risk levels of the organisation's matrices, for the map legend."""
    seen = {}
    for levels in RiskMatrix.objects.filter(organisation=organisation,
                                            archived=False).values_list("risk_levels",
                                                                        flat=True):
        for level in levels:
            seen.setdefault(level["name"], level["colour"])
    return list(seen.items())
