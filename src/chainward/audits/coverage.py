"""The audit programme's coverage matrix (ISO 28000 9.2.2: the programme covers every clause
and every site over the cycle).

Rows are the sections and clauses (depth 1 and 2 of the requirement tree) of the programme's
frameworks that hold something assessable — for ISO 28000:2022 clauses 4–10 and their
sub-clauses. An audit of the programme covers a clause when one of its criteria is the
clause's framework and its requirements in scope are empty (the whole framework) or include
the clause or something under it. Sites are covered by the audits that visit them; periods
are the calendar quarters of the programme. A fixed number of queries for any size.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch

from chainward.library.models import Requirement

from .choices import COMPLETED
from .models import Audit


@dataclass
class Cell:
    """The audits covering one clause at one site (or one period)."""

    audits: list = field(default_factory=list)

    @property
    def completed(self):
        return any(a.status in COMPLETED for a in self.audits)


@dataclass
class Row:
    """One clause of the matrix."""

    requirement: Requirement
    cells: list  # one Cell per site, then one for audits without a site
    periods: list  # one Cell per quarter
    audits: list

    @property
    def covered(self):
        return bool(self.audits)

    @property
    def completed(self):
        return any(a.status in COMPLETED for a in self.audits)


def quarters(start, end):
    """(label, first day, last day) of each calendar quarter touching [start, end]."""
    result = []
    year, quarter = start.year, (start.month - 1) // 3
    while True:
        first = datetime.date(year, quarter * 3 + 1, 1)
        if first > end:
            break
        next_year, next_quarter = (year + 1, 0) if quarter == 3 else (year, quarter + 1)
        last = datetime.date(next_year, next_quarter * 3 + 1, 1) - datetime.timedelta(days=1)
        result.append((f"{year} Q{quarter + 1}", first, last))
        year, quarter = next_year, next_quarter
    return result


def audit_day(audit):
    """The day an audit counts for: its actual start, else its planned start."""
    return audit.actual_start or audit.planned_start


def coverage_matrix(programme, audits=None):
    """Clause × site × quarter coverage of a programme, with what it misses.

    `audits` is the queryset of audits to count (the view passes the user's restricted one);
    archived audits never count.
    """
    frameworks = list(programme.frameworks.all())
    sites = list(programme.sites.filter(archived=False).order_by("name"))
    periods = quarters(programme.period_start, programme.period_end)
    framework_ids = [f.pk for f in frameworks]
    assessable = Requirement.objects.filter(framework_id__in=framework_ids, assessable=True,
                                            retired=False).values_list("section_id", "clause_id")
    holders = {pk for pair in assessable for pk in pair if pk}
    clauses = list(Requirement.objects.filter(
        framework_id__in=framework_ids, depth__lte=2, retired=False, pk__in=holders)
        .select_related("framework").order_by("framework__name", "order"))
    if audits is None:
        audits = Audit.objects.all()
    audits = list(audits.filter(programme=programme, archived=False)
                  .prefetch_related("sites", "criteria",
                                    Prefetch("requirements",
                                             queryset=Requirement.objects.only(
                                                 "pk", "section_id", "clause_id")))
                  .order_by("planned_start", "pk"))
    site_index = {site.pk: index for index, site in enumerate(sites)}
    rows = []
    for clause in clauses:
        cells = [Cell() for _ in range(len(sites) + 1)]
        period_cells = [Cell() for _ in periods]
        covering = []
        for audit in audits:
            if not _covers(audit, clause):
                continue
            covering.append(audit)
            audit_sites = [site_index[s.pk] for s in audit.sites.all() if s.pk in site_index]
            for index in audit_sites or [len(sites)]:
                cells[index].audits.append(audit)
            day = audit_day(audit)
            for index, (_, first, last) in enumerate(periods):
                if first <= day <= last:
                    period_cells[index].audits.append(audit)
        rows.append(Row(clause, cells, period_cells, covering))
    visited = {pk for audit in audits for pk in (s.pk for s in audit.sites.all())}
    site_periods = []
    for site in sites:
        per_period = []
        for _, first, last in periods:
            per_period.append(Cell([a for a in audits if first <= audit_day(a) <= last and
                                    any(s.pk == site.pk for s in a.sites.all())]))
        site_periods.append((site, per_period))
    return {
        "frameworks": frameworks, "sites": sites, "periods": [p[0] for p in periods],
        "rows": rows, "audits": audits,
        "uncovered": [row.requirement for row in rows if not row.covered],
        "unvisited": [site for site in sites if site.pk not in visited],
        "site_periods": site_periods,
    }


def _covers(audit, clause):
    if not any(f.pk == clause.framework_id for f in audit.criteria.all()):
        return False
    scoped = list(audit.requirements.all())
    if not scoped:
        return True
    return any(clause.pk in (r.pk, r.section_id, r.clause_id) for r in scoped)
